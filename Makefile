# Every target creates .venv and installs the project on first use, so a fresh
# clone needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
DURATION ?= 20

.PHONY: demo test lint format typecheck serve clean bench bench-policy bench-replay \
	bench-hub bench-audit bench-nl bench-scale

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

demo: $(STAMP)
	$(BIN)/switch demo --duration $(DURATION)

serve: $(STAMP)
	$(BIN)/switch serve

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check switch simulators tests bench
	$(BIN)/ruff format --check switch simulators tests bench

format: $(STAMP)
	$(BIN)/ruff format switch simulators tests bench
	$(BIN)/ruff check --fix switch simulators tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Every benchmark present, then BENCHMARKS.md; each ends by printing one line of JSON.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.report

bench-policy: $(BENCH_STAMP)
	$(BIN)/python -m bench.policy

# A 1,000,000-query history on SQLite (and PostgreSQL on 127.0.0.1:5432 if it answers).
bench-replay: $(STAMP)
	$(BIN)/python -m bench.replay

# The hub and a bare FastAPI endpoint, each its own process, under open-model load;
# profiled with py-spy afterwards when .venv has it (pip install py-spy).
bench-hub: $(STAMP)
	$(BIN)/python -m bench.hub --profile

# GroupCommitWriter alone, SQLite and PostgreSQL (if 127.0.0.1:5432 answers).
bench-audit: $(STAMP)
	$(BIN)/python -m bench.audit

# NL fan-out to 52 built-in states vs one state, through Hub.submit.
bench-nl: $(STAMP)
	$(BIN)/python -m bench.nl

# The hub's ceiling with 1, 2 and 4 uvicorn workers.
bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
