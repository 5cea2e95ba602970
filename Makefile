# danvan — two commands: `make demo` (run on SQLite with the seed data) and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# Django 6 needs Python >= 3.12: take the newest suitable interpreter on the machine.
PYTHON ?= $(shell for p in python3.13 python3.12 /root/.pyenv/versions/3.13*/bin/python3.13 /root/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3.12 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && { command -v $$p; break; }; done)
PG_URL ?= postgres://postgres@127.0.0.1:5432/danvan
STAMP := $(VENV)/.installed

.PHONY: venv demo test test-sqlite test-pg lint e2e e2e-deps system-deps clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Cần Python >= 3.12 (Django 6). Hãy cài python3.12 rồi chạy lại."; exit 1; fi
	@echo "Dùng Python: $(PYTHON)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

# Debian packages the documents and browser tests need: LibreOffice for PDF, python3-uno for the kept
# LibreOffice (`danvan pdf-server`), Tinos (fonts-croscore: Times New Roman's metrics, all of Vietnamese), poppler.
system-deps:
	@missing=""; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui libreoffice-calc-nogui"; \
	[ -e /usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf ] || missing="$$missing fonts-liberation"; \
	[ -e /usr/share/fonts/truetype/croscore/Tinos-Regular.ttf ] || missing="$$missing fonts-croscore"; \
	/usr/bin/python3 -c 'import uno' >/dev/null 2>&1 || missing="$$missing python3-uno"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Cài gói Debian:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null) \
	      || echo "Không cài được$$missing: các bài kiểm tra PDF sẽ bị bỏ qua."; \
	  else echo "Thiếu$$missing (cần quyền root để cài): các bài kiểm tra PDF sẽ bị bỏ qua."; fi; \
	fi

demo: venv
	$(BIN)/danvan demo

lint: venv
	$(BIN)/ruff check danvan tests
	$(BIN)/mypy danvan
	$(BIN)/lint-imports  # the floors contract, pyproject [tool.importlinter]

test-sqlite: venv
	@echo "== Bộ kiểm thử trên SQLite =="
	DANVAN_DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(BIN)/python -m pytest -n 2 -p no:cacheprovider

# Runs only when a PostgreSQL server answers; .ci/run insists that it does.
test-pg: venv
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== Bộ kiểm thử trên PostgreSQL =="; \
	  DANVAN_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -n 2 -p no:cacheprovider -m "not e2e" && touch var/.pg-leg-ran; \
	else \
	  echo "KHÔNG có PostgreSQL trả lời tại 127.0.0.1:5432: bỏ qua phần chạy trên PostgreSQL (chỉ chạy SQLite)."; \
	fi

test: venv system-deps e2e-deps
	@mkdir -p var; rm -f var/.pg-leg-ran
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-pg

AXE_VERSION := 4.14.1

# Browser journeys: Debian's chromium (installed when missing) + axe-core from the npm registry.
e2e-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Cài gói Debian: chromium"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else echo "Thiếu chromium (cần quyền root để cài)."; exit 1; fi; }
	@test -f var/e2e/node_modules/axe-core/axe.min.js || { mkdir -p var/e2e && npm install --silent --no-audit --no-fund --prefix var/e2e axe-core@$(AXE_VERSION) >/dev/null; }

e2e: venv e2e-deps
	$(BIN)/python -m pytest -p no:cacheprovider -m e2e tests/e2e

clean:
	rm -rf $(VENV) var/test.sqlite3*
