# deskbot: `make run` starts the product, `make test` runs the tests. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
DESKBOT := $(VENV)/bin/deskbot
# Rasa 3.6 needs Python 3.10 exactly; find it on PATH or in pyenv's versions.
PYTHON310 := $(shell for c in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do \
	if $$c -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then command -v $$c || echo $$c; break; fi; done)
STAMP := $(VENV)/.installed
# The accessibility scan in the browser tests (tests/e2e/browser_checks.py pins the same version).
AXE_CORE_VERSION := 4.14.1
AXE_CORE := var/axe-core/node_modules/axe-core

.PHONY: help venv run run-cluster prepare browser test test-fast bench bench-nlu bench-chat bench-kb lint clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@if [ -z "$(PYTHON310)" ]; then echo "error: Python 3.10 not found (Rasa 3.6 needs it): install python3.10 or pyenv 3.10" >&2; exit 1; fi
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then \
		echo "creating $(VENV) with $(PYTHON310)"; rm -rf $(VENV); $(PYTHON310) -m venv $(VENV); fi
	@echo "installing dependencies (pinned by constraints.txt; the first time takes a few minutes)"
	$(PY) -m pip install --quiet --upgrade -c constraints.txt "pip>=24" wheel
	$(PY) -m pip install --quiet --progress-bar off -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP) ## create .venv and install the pinned dependencies

prepare: venv ## migrate the database, seed demo data, import the knowledge base
	$(DESKBOT) db upgrade
	$(DESKBOT) seed
	$(DESKBOT) kb import

run: prepare ## start the whole product on the embedded default (SQLite): trains if needed, prints the URL
	RASA_TELEMETRY_ENABLED=false $(DESKBOT) run --demo

# The replicated set-up: the machine's PostgreSQL and Redis unless DATABASE_URL / REDIS_URL say otherwise.
REPLICAS ?= 2
LOCAL_DATABASE_URL := postgresql://postgres@127.0.0.1:5432/deskbot
run-cluster: venv ## REPLICAS (2) of every process behind nginx on PostgreSQL + Redis (DATABASE_URL, REDIS_URL)
	@if [ -z "$$DATABASE_URL" ] && command -v psql >/dev/null 2>&1 && \
		! psql -h 127.0.0.1 -U postgres -d deskbot -c 'select 1' >/dev/null 2>&1; then \
		echo "creating the PostgreSQL database deskbot on 127.0.0.1"; createdb -h 127.0.0.1 -U postgres deskbot; fi
	export DATABASE_URL="$${DATABASE_URL:-$(LOCAL_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}" \
		RASA_TELEMETRY_ENABLED=false && \
	$(DESKBOT) db upgrade && $(DESKBOT) kb import && $(DESKBOT) run --replicas $(REPLICAS)

browser: ## make sure Debian's chromium (never a downloaded browser build), Chinese and emoji fonts and axe-core are installed for the browser tests
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then echo "installing chromium (Debian package)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "error: chromium is missing: sudo apt-get install chromium" >&2; exit 1; fi; fi
	@# Without these fonts headless chromium draws Chinese text and emoji (the 👍/👎 buttons) as empty boxes,
	@# in tests/e2e/test_widget_chinese_browser.py and in the screenshots.
	@missing=""; for font in fonts-noto-cjk fonts-noto-color-emoji; do \
		dpkg -s $$font >/dev/null 2>&1 || missing="$$missing $$font"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then echo "installing$$missing (Debian packages: Chinese and emoji in the browser)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "error: fonts missing, so the browser would draw Chinese and emoji as boxes: sudo apt-get install$$missing" >&2; exit 1; fi; fi
	@if ! grep -qs '"version": "$(AXE_CORE_VERSION)"' $(AXE_CORE)/package.json; then \
		if ! command -v npm >/dev/null 2>&1; then echo "error: npm is missing (it installs axe-core): sudo apt-get install npm" >&2; exit 1; fi; \
		echo "installing axe-core $(AXE_CORE_VERSION) into var/axe-core (npm registry)"; \
		npm install --silent --no-audit --no-fund --save-exact --prefix var/axe-core axe-core@$(AXE_CORE_VERSION) >/dev/null; fi

test: venv browser lint ## lint, then every test (SQLite and PostgreSQL at 127.0.0.1:5432, trained model, real browser)
	RASA_TELEMETRY_ENABLED=false $(PY) -m pytest

test-fast: venv ## the quick tier (under 2 minutes): no model, no processes, no browser, no PostgreSQL or Redis
	$(PY) -m pytest -m "not slow and not postgres and not redis"

BANKING77 := ../shared/datasets/banking77
bench: bench-nlu bench-chat bench-kb ## every benchmark below, then search quality and training time (about an hour)
	$(PY) -m bench kb-quality
	$(PY) -m bench train-time

bench-nlu: venv ## BANKING77 (or BANKING77=dir): all training data, then 10 examples per intent with 3 seeds
	RASA_TELEMETRY_ENABLED=false $(PY) -m bench nlu --train $(BANKING77)/train.csv --test $(BANKING77)/test.csv
	RASA_TELEMETRY_ENABLED=false $(PY) -m bench nlu --train $(BANKING77)/train.csv --test $(BANKING77)/test.csv --shots 10 --seed 1,2,3

bench-chat: venv ## simulated web-chat customers against the running stack, bare Rasa as the baseline
	RASA_TELEMETRY_ENABLED=false $(PY) -m bench chat

bench-kb: venv ## knowledge-base search latency and top-1 at 1,000, 10,000 and 100,000 articles
	$(PY) -m bench kb --sizes 1000,10000,100000

lint: venv ## ruff, mypy, and the import contracts that encode the architecture (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy crm_store knowledge_base handoff actions bot
	$(VENV)/bin/lint-imports

clean: ## remove runtime data under var/ (database, models, logs)
	rm -rf var/
