# Two commands for a fresh machine:  `make run`  and  `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TIREK := $(VENV)/bin/tirek

.PHONY: run test install browser lint messages bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Start Tirek with demo data at http://127.0.0.1:8000 (demo mode, loopback only), with the
## worker beside it as in production (exports, schedule); Ctrl-C stops both.
run: install
	TIREK_DEMO=1 $(TIREK) demo
	@TIREK_DEMO=1 $(TIREK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	TIREK_DEMO=1 $(TIREK) serve --host 127.0.0.1 --port 8000

## Every check CI runs: lint, types, migrations drift, translations, unit and browser tests.
test: install browser
	$(PY) -m ruff check src bench conftest.py $(wildcard tests)
	$(PY) -m ruff format --check src bench conftest.py $(wildcard tests)
	$(PY) -m mypy src/tirek bench
	TIREK_DEBUG=1 $(TIREK) makemigrations --check --dry-run
	$(PY) -m pytest

## Debian's Chromium for the end-to-end tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: apt-get install chromium (browser tests will be skipped)"; fi; }

## Recompile translations after editing .po files (needs gettext's msgfmt); the Uzbek
## Cyrillic catalogues are regenerated from the Latin ones first.
messages: install
	TIREK_DEBUG=1 $(TIREK) uz_cyrillic
	cd src/tirek && TIREK_DEBUG=1 ../../$(TIREK) compilemessages --ignore '.venv'

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var
