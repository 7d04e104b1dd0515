# Every target creates .venv and installs the project on first use, so a fresh
# clone needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DURATION ?= 20

.PHONY: demo test lint format typecheck serve clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/switch demo --duration $(DURATION)

serve: $(STAMP)
	$(BIN)/switch serve

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check switch simulators tests
	$(BIN)/ruff format --check switch simulators tests

format: $(STAMP)
	$(BIN)/ruff format switch simulators tests
	$(BIN)/ruff check --fix switch simulators tests

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
