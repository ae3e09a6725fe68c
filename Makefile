# quytrinh — two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export QUYTRINH_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/quytrinh.sqlite
# Where `make run` listens (make run PORT=8080 when 5000 is taken).
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint setup system-deps browser-deps frontend bench clean

setup: $(STAMP) system-deps frontend

$(STAMP): setup.cfg pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "quytrinh needs Python >= 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# Graphviz's `dot` draws procedures; install it from Debian when we may, else say what to do.
system-deps:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing graphviz (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz) >/dev/null; \
	  else \
	    echo "Graphviz 'dot' is missing: install it (Debian/Ubuntu: sudo apt-get install graphviz)"; exit 1; \
	  fi; }
# Printed documents embed Liberation Serif (Times New Roman metrics, Vietnamese coverage).
	@[ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing fonts-liberation2 (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-liberation2) >/dev/null; \
	  else \
	    echo "Liberation Serif is missing (sudo apt-get install fonts-liberation2); PDFs fall back to DejaVu Serif"; \
	  fi; }
# Digital signatures (tests/signing): a SoftHSM2 token stands in for a CA's USB token (softhsm2, opensc's
# pkcs11-tool to load it), poppler's pdfsig checks every signature independently with an NSS database
# of trusted roots (poppler-utils, libnss3-tools' certutil). Without them those tests are skipped.
	@{ command -v softhsm2-util && command -v pkcs11-tool && command -v pdfsig && command -v certutil; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing softhsm2, opensc, poppler-utils, libnss3-tools (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq softhsm2 opensc poppler-utils \
	      libnss3-tools) >/dev/null; \
	  else \
	    echo "signature tests need softhsm2 opensc poppler-utils libnss3-tools (sudo apt-get install ...); skipped"; \
	  fi; }

# The modeler page's JavaScript: bpmn-js and the Camunda moddle from npm (versions pinned in
# frontend/package-lock.json), bundled by esbuild into web/static/modeler/dist (not committed).
MODELER    := web/static/modeler/dist/modeler.js
NODE_STAMP := frontend/node_modules/.installed-stamp

frontend: $(MODELER)

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing nodejs and npm (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm) >/dev/null; \
	  else \
	    echo "npm is missing: install Node.js >= 18 (Debian/Ubuntu: sudo apt-get install nodejs npm)"; exit 1; \
	  fi; }
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(MODELER): $(NODE_STAMP) frontend/build.mjs $(wildcard frontend/src/*)
	cd frontend && npm run --silent build

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used).
browser-deps:
	@[ -x /usr/bin/chromium ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
	      || echo "chromium could not be installed: the browser tests will be skipped"; \
	  else \
	    echo "chromium is missing (sudo apt-get install chromium): the browser tests will be skipped"; \
	  fi; }

DEMO_YEAR ?= $(shell date +%Y-%m | awk -F- '{ print ($$2 > 3) ? $$1 : $$1 - 1 }')

run: setup
	$(BIN)/quytrinh init-db
	$(BIN)/quytrinh demo-org
	$(BIN)/quytrinh deploy bpmn/
	@# A simulated year of dossiers for the dashboards and reports; does nothing once the database has cases.
	@# This year up to today (dossiers open, due soon and overdue as of today), or last year in its first quarter.
	$(BIN)/quytrinh demo --year $(DEMO_YEAR)
	@echo "quytrinh: http://$(HOST):$(PORT)  (demo users, password demo1234: motcua, cv.ktht, tp.ktht, pct, vanthu; ISO: iso drafts, tp.nv reviews, pct approves; danhgia audits)"
	@# gunicorn and one job worker (timers, SLA sweep, reports and other jobs) side by side; Ctrl-C stops both.
	$(BIN)/quytrinh run-all --host $(HOST) --port $(PORT)

test: setup browser-deps
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --config setup.cfg
	@# Types: the packages and the strictness are in setup.cfg's [mypy] section.
	$(BIN)/mypy
	@# No import cycle inside any package (layer contracts above only order whole packages).
	$(BIN)/python tools/check_cycles.py

bench: setup
	$(BIN)/python bench/engine_throughput.py

clean:
	rm -rf $(VENV) instance build *.egg-info .pytest_cache .ruff_cache .mypy_cache web/static/modeler/dist frontend/node_modules
