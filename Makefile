# Paço: the two commands are `make demo` and `make test`; everything else is here for developers.
SHELL := /bin/bash
PORT ?= 8000
export PORT
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) src/manage.py
STAMP := .data/stamps

.PHONY: demo test lint bench serve worker setup migrate browser pdf-deps clean-data

setup: $(STAMP)/python $(STAMP)/node

$(STAMP)/python: pyproject.toml
	@mkdir -p $(STAMP)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

$(STAMP)/node: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Debian's Chromium drives the browser tests (never a downloaded browser build).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install Debian's chromium; browser tests will be skipped"; \
	  else echo "warning: /usr/bin/chromium is missing (apt-get install chromium); browser tests will be skipped"; fi; \
	fi

# WeasyPrint (document PDFs) needs Pango from Debian; installed when missing and we are root.
pdf-deps:
	@if ! ldconfig -p | grep -q 'libpango-1.0.so.0' || ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null) \
	      || echo "warning: could not install Pango; PDF rendering will fail"; \
	  else echo "warning: Pango is missing (apt-get install libpango-1.0-0 libpangoft2-1.0-0); PDF rendering will fail"; fi; \
	fi

migrate: setup
	$(MANAGE) migrate_schemas --noinput
	$(MANAGE) template_schema_sync

demo: setup pdf-deps
	GOVBR_DEMO_PROVIDER=1 $(MANAGE) demo_setup --port $(PORT)
	GOVBR_DEMO_PROVIDER=1 $(MANAGE) runserver --noreload 0.0.0.0:$(PORT)

serve: setup pdf-deps
	$(MANAGE) runserver 0.0.0.0:$(PORT)

worker: setup
	$(MANAGE) rundramatiq --processes 1 --threads 4

test: setup pdf-deps browser
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check src tenants shared_apps tenant_apps tests
	$(VENV)/bin/mypy src tenants shared_apps tenant_apps
	$(MANAGE) makemigrations --check --dry-run

bench: setup pdf-deps
	$(VENV)/bin/python tests/bench/run.py

clean-data:
	rm -rf .data
