# Essaim — the two commands a new user needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` serves with gunicorn as deploy/ does. One process unless told otherwise: without
# REDIS_URL the cache (rate limits, feed caches) lives in process memory, which processes do not share.
WEB_CONCURRENCY ?= 1
GUNICORN_THREADS ?= 8
UV_VERSION := 0.13.9

.PHONY: install run serve dev migrate demo test test-fast test-browser bench lint lock worker clean

# A local virtual environment from the lock file (uv installs it; pip only installs uv).
$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip sync --quiet --python $(PY) requirements.lock
	touch $@

# ical.js (Thunderbird's iCalendar parser) for the feed interoperability tests, from package-lock.json.
# Without npm the install goes on and those tests are skipped (.ci/run makes them required).
node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the ical.js interoperability tests will be skipped"; fi

install: $(VENV)/.installed node_modules/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# Installs, migrates, loads the demo network (once) and serves it on http://$(HOST):$(PORT), the way
# it is deployed: gunicorn with threads (deploy/gunicorn.conf.py), static files from whitenoise.
run: demo
	@$(MAKE) --no-print-directory serve

# gunicorn alone, on a database that is already migrated (what `run` ends with).
serve:
	$(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py --bind $(HOST):$(PORT) \
		--workers $(WEB_CONCURRENCY) --threads $(GUNICORN_THREADS) sites.wsgi:application

# The same with Django's development server, which reloads on every code change.
dev: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite: unit, integration, browser. DATABASE_URL / REDIS_URL switch to PostgreSQL / Redis.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -m "not browser and not benchmark and not production and not twonode and not scaleout" $(PYTEST_ARGS)

test-browser: install
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

# Benchmarks print their figures (medians); they are not pass/fail timings.
bench: install
	$(PY) -m pytest tests/benchmarks -m benchmark -s -p no:randomly $(PYTEST_ARGS)

# Style, formatting and the layer contract (pyproject.toml's [tool.importlinter]): CI runs this.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# Re-pin every dependency (after editing pyproject.toml).
lock: install
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

worker: install
	$(VENV)/bin/celery -A sites worker --beat --loglevel=info

clean:
	rm -rf $(VENV) var
