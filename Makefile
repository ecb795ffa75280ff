# ProductHQ — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export PRODUCTHQ_DATA_DIR ?= $(CURDIR)/producthq-data
PYTEST_ARGS ?= -n 2 --dist loadgroup

.DEFAULT_GOAL := help
.PHONY: help install install-dev demo test lint fmt typecheck test-only services vendor screenshot bench docs clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade "pip>=25.1"

$(VENV)/.installed: pyproject.toml $(VENV)/bin/activate
	$(PIP) install -q -e ".[postgres]"
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PIP) install -q --group dev
	touch $@

install: $(VENV)/.installed ## Create the virtual environment and install ProductHQ

install-dev: $(VENV)/.installed-dev ## Install ProductHQ and what the tests need

demo: install ## Build the demo workspace and serve it (PORT=9000 to change the port)
	$(VENV)/bin/producthq demo --host $(HOST) --port $(PORT)

services: ## Start PostgreSQL (installing it if missing) and install Debian's chromium
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-chromium.sh

lint: install-dev ## ruff, format check, mypy --strict, import contracts
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

typecheck: install-dev ## mypy --strict
	$(VENV)/bin/mypy

fmt: install-dev ## Format and fix what ruff can
	$(VENV)/bin/ruff format src tests benchmarks
	$(VENV)/bin/ruff check --fix src tests benchmarks

test-only: install-dev ## Run the tests without lint or service set-up
	$(PY) -m pytest $(PYTEST_ARGS)

test: install-dev services lint ## Install what tests need, start services, lint, run every test
	$(PY) -m pytest $(PYTEST_ARGS)

vendor: ## Re-vendor the front-end assets from the npm registry
	bash scripts/vendor.sh

screenshot: install-dev services ## Regenerate docs/screenshot.png from the browser tests
	PRODUCTHQ_SCREENSHOT=docs/screenshot.png $(PY) -m pytest tests/browser -k screenshot -q

docs: install-dev ## Regenerate docs/cli-reference.md from the CLI
	$(VENV)/bin/typer producthq.cli.main utils docs --name producthq --output docs/cli-reference.md

bench: install-dev ## Run the benchmarks (tables printed, JSON under benchmarks/results/)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## Remove the virtual environment and caches (keeps the data folder)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
