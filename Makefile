# The two commands a new engineer needs: `make run` and `make test`. Both build .venv from nothing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB ?= data/demo.db

.PHONY: run test lint demo clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $@

$(DEMO_DB): | $(VENV)/.installed
	$(BIN)/officemgr demo --db $(DEMO_DB)

run: $(VENV)/.installed $(DEMO_DB)
	$(BIN)/officemgr --db $(DEMO_DB)

# Four workers on two cores: the Pilot tests and the crash tests' subprocesses spend much of their time waiting,
# so two per core keep both busy. Work stealing evens out the long tests.
test: $(VENV)/.installed
	$(BIN)/python -m pytest -n 4 --dist worksteal

# The layers as DESIGN.md draws them (import-linter), style (ruff) and types (mypy, zero errors on src/).
lint: $(VENV)/.installed
	$(BIN)/lint-imports
	$(BIN)/ruff check src tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
