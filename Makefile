# Xizang 5G Application Platform — the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint format bench assets messages browser serve clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's chromium and CJK/Tibetan fonts for the headless browser tests (installed when missing).
browser:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing chromium and fonts for browser tests"; \
	    apt-get update -qq >/dev/null && \
	    apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk fonts-noto-core >/dev/null; \
	  else \
	    echo "chromium or CJK fonts missing and cannot be installed here: browser tests will report why they skip"; \
	  fi; \
	fi

# The demo runs with DEBUG off like production, on plain HTTP with keys kept under var/.
demo: export XZ5G_DEMO = 1
demo: install
	mkdir -p var
	XZ5G_DEBUG=1 $(BIN)/xizang5g compilemessages --ignore='.venv/*' >/dev/null
	$(BIN)/xizang5g migrate --noinput
	$(BIN)/xizang5g demo_setup
	$(BIN)/xizang5g demo_serve --host $(HOST) --port $(PORT)

test: install browser
	XZ5G_DEBUG=1 $(BIN)/xizang5g compilemessages --ignore='.venv/*' >/dev/null
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	XZ5G_DEBUG=1 $(BIN)/xizang5g lint_layers

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks run in their own environment: pycraf (GPL-3, the P.452 reference) pulls in astropy's
# pytest plugins, which must not leak into the test environment.
BENCH_VENV := .venv-bench
bench: install
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -e '.[bench]'
	@for b in benchmarks/*_bench.py; do echo "== $$b"; $(BENCH_VENV)/bin/python $$b || exit 1; done

# Front-end assets are pinned from npm (assets/package.json + package-lock.json) and committed
# under static/vendor; `make assets` reproduces them exactly.
assets: install
	cd assets && npm ci --no-audit --no-fund
	./scripts/vendor_assets.sh

# The shared catalogue is src/xizang5g/locale; an app with its own locale/ folder keeps its strings
# there (so that apps added side by side never edit one file).
APP_LOCALES = $(patsubst %/locale,%,$(wildcard src/xizang5g/*/locale))
LANGS = -l zh_Hans -l bo -l en
messages: install
	cd src/xizang5g && XZ5G_DEBUG=1 ../../$(BIN)/xizang5g makemessages $(LANGS) --no-obsolete --ignore='static/*' $(foreach a,$(APP_LOCALES),--ignore='$(notdir $(a))/*')
	@for app in $(APP_LOCALES); do (cd $$app && XZ5G_DEBUG=1 $(CURDIR)/$(BIN)/xizang5g makemessages $(LANGS) --no-obsolete --ignore='static/*') || exit 1; done
	$(BIN)/python scripts/check_messages.py

clean:
	rm -rf $(VENV) var
