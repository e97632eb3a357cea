# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
STAMP  := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres install browser node lint format translations clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

translations: install
	$(BIN)/pybabel compile -d translations

run: install translations
	$(BIN)/etp-orient db upgrade
	$(BIN)/etp-orient seed-demo --if-empty
	@# the worker sends (here: prints) the outbox and the reminders; it stops with the server
	PORT=$(PORT) $(BIN)/etp-orient worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	PORT=$(PORT) $(BIN)/flask --app etp_orient run --port $(PORT)

# Debian's Chromium (Playwright's own download does not work here) and the
# npm packages the browser, feed and sign-in tests use (axe-core, ical.js, oidc-provider).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

node:
	@test -d tests/node/node_modules/axe-core -a -d tests/node/node_modules/oidc-provider || (cd tests/node && npm ci --silent --no-audit --no-fund)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install translations browser node lint
	bash scripts/run_suites.sh $(ARGS)

test-sqlite: install translations
	$(BIN)/python -m pytest -q -p no:cacheprovider $(ARGS)

test-postgres: install translations
	TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_URL)}" $(BIN)/python -m pytest -q -p no:cacheprovider $(ARGS)

clean:
	rm -rf $(VENV) instance/*.sqlite* .pytest_cache
