# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
CITIZENS ?= 20000
FIRMS ?= 2000
BIN := $(VENV)/bin
CERTFREE := $(BIN)/certfree
STAMP := $(VENV)/.installed

# Test processes (pytest-xdist): `auto` is one per core. Each test module runs in one
# process, so a module's shared fixtures (a demo province, a cluster) are built once.
WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -q -n $(WORKERS) --dist loadscope
# Test files on a RAM disk when there is one with room: SQLite's fsyncs then cost nothing.
TEST_TMPDIR ?= $(shell [ "$$(df -k --output=avail /dev/shm 2>/dev/null | tail -n 1)" -gt 4000000 ] \
	2>/dev/null && echo /dev/shm)
ifneq ($(TEST_TMPDIR),)
PYTEST := TMPDIR=$(TEST_TMPDIR) $(PYTEST)
endif

.PHONY: run test test-fast test-deps install lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("certfree needs Python >= 3.11" if sys.version_info < (3, 11) else 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve the demo province on SQLite under var/ at http://127.0.0.1:$(PORT), one node that
## answers for every demo department node itself (its database holds all their data)
run: install
	$(CERTFREE) db upgrade
	$(CERTFREE) demo init --citizens $(CITIZENS) --firms $(FIRMS) --if-missing
	CERTFREE_HOSTED_DEPARTMENTS='*' $(CERTFREE) serve --port $(PORT)

## Everything CI checks: lint, format, types, tests (with coverage). mypy runs beside the
## tests, on the CPU they leave idle while they wait for processes and browsers.
test: test-deps lint
	$(MAKE) --no-print-directory -j 2 --output-sync=line typecheck pytest

## The inner loop: tests without the slow and browser ones, no lint, no coverage
test-fast: install
	$(PYTEST) -m "not slow and not browser"

## What the browser tests need beyond Python (Debian packages; nothing is downloaded)
test-deps:
	@command -v chromium >/dev/null 2>&1 || { echo "make test: Chromium is missing; the browser \
	tests drive Debian's chromium: apt-get install chromium (or run make test-fast)" >&2; exit 1; }
	@fc-list :lang=zh family 2>/dev/null | grep -q . || { echo "make test: no CJK font; the \
	browser tests render Chinese pages: apt-get install fonts-noto-cjk" >&2; exit 1; }

## Style, format and the layering contracts ([tool.importlinter] in pyproject.toml)
lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports --no-cache --no-logo

typecheck: install
	$(BIN)/mypy

pytest: install test-deps
	$(PYTEST) --cov --cov-report=term

bench: install
	$(BIN)/python bench/seal.py
	$(BIN)/python bench/demo_init.py
	$(BIN)/python bench/certs_verify.py
	$(BIN)/python bench/certs_backfill.py
	$(BIN)/python bench/audit_append.py
	$(BIN)/python bench/catalog_match.py
	$(BIN)/python bench/exchange.py
	$(BIN)/python bench/applications.py

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache .coverage
