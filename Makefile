# The two commands of the README: `make up` (whole stack, no Docker) and `make test` (full suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: up demo test unit faults lint fetch bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Debian packages (Redis, PostgreSQL, docker-compose) and the Kafka jars, cached outside the repo.
fetch: $(STAMP)
	$(PY) -m devstack fetch

# Each database is migrated (`python -m services.<name> migrate`) before its service starts.
up: fetch
	$(PY) -m devstack up

# A seeded programme history sent through the public APIs of the running stack (docs/demo-data.md);
# run it in a second terminal once `make up` is ready. Options: make demo DEMO_ARGS="--participants 500".
demo: $(STAMP)
	$(PY) -m operator_cli.demo $(DEMO_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared services devstack operator_cli tests benchmarks
	$(VENV)/bin/lint-imports
	$(PY) -m devstack.copies  # no run of 6+ lines shared between two services (issue 12 point 10)

test: fetch
	$(VENV)/bin/pytest -p no:cacheprovider

# Every unit test, no server: the fast run (tests/conftest.py marks the rest integration).
unit: $(STAMP)
	$(VENV)/bin/pytest -p no:cacheprovider -m "not integration"

# The fault suite alone (docs/fault-suite.md); `make test` runs it too.
faults: fetch
	$(VENV)/bin/pytest -p no:cacheprovider tests/faults

bench: fetch
	$(PY) -m benchmarks

clean:
	rm -rf .run
