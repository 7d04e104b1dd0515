# Every target creates .venv and installs the project on first use, so a fresh
# clone needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
DURATION ?= 20

.PHONY: demo test test-postgres lint format typecheck serve clean bench bench-policy bench-replay \
	bench-hub bench-hub-forms bench-audit bench-nl bench-scale bench-closed bench-proxies bench-flow

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

# The SQLite pass (database tests also run on the local PostgreSQL when it
# answers), whatever SWITCH_TEST_DATABASE_URL says in the caller's shell.
test: $(STAMP) lint typecheck
	env -u SWITCH_TEST_DATABASE_URL $(BIN)/python -m pytest -q

# The PostgreSQL pass: every test that has an audit database (marked
# `database`), each on a fresh database of the server at PG_TEST_URL. Tests
# without one would repeat the SQLite pass word for word, and those marked
# `postgres` ran on PostgreSQL in `make test` already: neither runs again.
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
test-postgres: $(STAMP)
	SWITCH_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -q -m "database and not postgres"

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

# Only the Nlets XML against legacy text runs of bench-hub (about 30 s).
bench-hub-forms: $(STAMP)
	$(BIN)/python -m bench.hub --forms-only

# Closed loop with wrk (-t1 -c16), hub against bare, median of rounds.
bench-closed: $(STAMP)
	$(BIN)/python -m bench.closed

# GroupCommitWriter alone, SQLite and PostgreSQL (if 127.0.0.1:5432 answers).
bench-audit: $(STAMP)
	$(BIN)/python -m bench.audit

# NL fan-out to 52 built-in states vs one state, through Hub.submit.
bench-nl: $(STAMP)
	$(BIN)/python -m bench.nl

# The hub's ceiling with 1, 2 and 4 uvicorn workers.
bench-scale: $(STAMP)
	$(BIN)/python -m bench.scale

# The live flow across hubs on PostgreSQL: latency from one hub to another's
# stream, and the sending hub's msg/s with the shared flow against without.
bench-flow: $(STAMP)
	$(BIN)/python -m bench.shared_flow

# The detector over 1,000,000- and 10,000,000-query histories (SCALES=0.00345 for one).
SCALES ?= 0.00345,0.0345
bench-proxies: $(STAMP)
	$(BIN)/python -m bench.proxies --scales $(SCALES)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
