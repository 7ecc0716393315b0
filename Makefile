# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
CITIZENS ?= 20000
FIRMS ?= 2000
BIN := $(VENV)/bin
CERTFREE := $(BIN)/certfree
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("certfree needs Python >= 3.11" if sys.version_info < (3, 11) else 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve the demo province on SQLite under var/ at http://127.0.0.1:$(PORT)
run: install
	$(CERTFREE) db upgrade
	$(CERTFREE) demo init --citizens $(CITIZENS) --firms $(FIRMS) --if-missing
	$(CERTFREE) serve --port $(PORT)

## Everything CI checks: lint, format, types, tests
test: lint typecheck pytest

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/seal.py
	$(BIN)/python bench/demo_init.py
	$(BIN)/python bench/certs_verify.py
	$(BIN)/python bench/certs_backfill.py
	$(BIN)/python bench/audit_append.py
	$(BIN)/python bench/catalog_match.py
	$(BIN)/python bench/exchange.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
