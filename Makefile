# The README's commands. `make run` and `make test` set everything up on a fresh machine.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test test-browser bench lint format check-migrations clean

$(PY):
	@python=$$(bin/find-python) && echo "Creating $(VENV) with $$python" && "$$python" -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

.env:
	cp .env.example .env
	@echo "Created .env from .env.example (DEBUG=1 for local use)."

run: $(STAMP) .env
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# Browser tests alone; REQUIRE_BROWSER=1 turns "no Chromium" from a skip into a failure.
test-browser: $(STAMP)
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

# The benchmark, in production mode (DEBUG off) on a database of its own: seeds it once
# (seed_bench --seed 42), then times every page against a baseline page and checks the budgets.
# The page cache is on, as in production with REDIS_URL (one process: its memory is shared).
# BENCH_DATABASE_URL=postgres://... BENCH_SCALE=large for the million-comment run;
# BENCH_REDIS_URL=redis://127.0.0.1:6379/14 to measure with Redis, as production runs. Emails are
# queued for a worker (TASK_WORKER=1), as docker-compose runs the site; nothing sends them here.
BENCH_DATABASE_URL ?= sqlite:///bench.sqlite3
BENCH_REDIS_URL ?=
BENCH_SCALE ?= small
BENCH_ARGS ?=
BENCH_ENV := DEBUG=0 DOCKET_NO_DOTENV=1 SECRET_KEY=bench-only-not-secret ALLOWED_HOSTS=localhost \
	SITE_URL=http://localhost EMAIL_HOST=console LOG_LEVEL=WARNING DATABASE_URL=$(BENCH_DATABASE_URL) \
	REDIS_URL=$(BENCH_REDIS_URL) PAGE_CACHE_SECONDS=60 TASK_WORKER=1
bench: $(STAMP)
	$(BENCH_ENV) $(PY) manage.py migrate --noinput --verbosity 0
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(BENCH_ENV) $(PY) manage.py seed_bench --seed 42 --scale $(BENCH_SCALE)
	$(BENCH_ENV) $(PY) manage.py bench $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache bench.sqlite3 bench.sqlite3-wal bench.sqlite3-shm
