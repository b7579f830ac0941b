# SmartGrocer Cloud. The two commands: `make dev` (run everything locally) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: dev test test-python test-web lint e2e web synth layer openapi countries bench load clean

$(VENV)/.installed: requirements.txt requirements-dev.txt $(wildcard requirements-cdk.txt)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt $(if $(wildcard requirements-cdk.txt),-r requirements-cdk.txt)
	touch $@

web/node_modules/.installed: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

web: web/node_modules/.installed  ## build the SPA into web/dist (fails over the bundle budget)
	cd web && npm run build:check

## Run the whole product locally: API + SPA + embedded MongoDB + moto, seeded on first run.
dev: $(VENV)/.installed
	@if [ -f web/package.json ]; then $(MAKE) --no-print-directory web; fi
	$(PY) -m local.runner

## Python lint, format check and types (ruff.toml, mypy.ini): zero findings.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## Every test: lint, Python tiers (unit, handlers, integration, infra), SPA unit tests and browser e2e.
test: $(VENV)/.installed
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -q
	@if [ -f web/package.json ]; then $(MAKE) --no-print-directory test-web; fi

test-web: web/node_modules/.installed
	cd web && npm test
	$(MAKE) --no-print-directory web
	$(PY) -m pytest -q tests/e2e --e2e 

openapi: $(VENV)/.installed  ## regenerate openapi.json from the handlers
	$(PY) -m local.openapi > openapi.json

countries: $(VENV)/.installed  ## regenerate the SPA's countries and address formats from the Python rules
	$(PY) -m local.countries

synth: $(VENV)/.installed  ## build the layer and synthesize the CDK app into cdk.out (offline)
	$(PY) scripts/build_layer.py
	$(PY) app.py

bench: $(VENV)/.installed  ## benchmarks; figures land in bench/results and bench/README.md
	$(PY) -m bench.cold_start
	$(PY) -m bench.catalog
	$(PY) -m bench.search
	$(PY) -m bench.checkout
	$(PY) -m bench.pack_capture
	$(PY) -m bench.layer_size
	$(PY) -m bench.report

load: $(VENV)/.installed  ## bounded load mix against a fresh local runner
	$(PY) -m bench.load

clean:
	rm -rf $(VENV) build cdk.out web/dist web/node_modules .local
