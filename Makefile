# Two commands for a new user: `make run` and `make test`. Each sets itself up.
SHELL := /bin/bash
VENV ?= .venv
PORT ?= 5000
# HOST=0.0.0.0 serves the shop's network too (a clerk's phone on the same Wi-Fi): see README.
HOST ?= 127.0.0.1
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { command -v $$p; break; }; done)
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi.py
# gunicorn's access log, with the request id the app gives every request (X-Request-ID).
ACCESS_LOG_FORMAT := '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'


.PHONY: run test translations extract-messages clean

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.11 or newer is needed (python3.11, python3.12 or python3.13 on the PATH)."; exit 1; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Compiled catalogues are built, not committed (only when their .po is newer).
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/messages.po))
%.mo: %.po $(STAMP)
	@$(BIN)/pybabel -q compile -i $< -o $@.tmp && mv $@.tmp $@

translations: $(CATALOGUES)

# After changing strings: extract them and update the catalogues (then translate zh_Hans).
extract-messages: $(STAMP)
	$(BIN)/pybabel extract --no-wrap -F app/translations/babel.cfg -k _l -k N_ --no-location --sort-output -o app/translations/messages.pot .
	$(BIN)/pybabel update --no-wrap --no-fuzzy-matching -i app/translations/messages.pot -d app/translations

run: $(STAMP) translations
	@$(BIN)/flask db upgrade
	@$(BIN)/flask load-demo
	@echo
	@echo "  Repair workshop: http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	@if [ "$(HOST)" = "0.0.0.0" ]; then for a in $$(hostname -I 2>/dev/null); do echo "  From a phone on the same network: http://$$a:$(PORT)/"; done; fi
	@echo "  Demo accounts (password demo1234): store, store2 (store staff), region, tech, finance, admin"
	@echo
	@$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - --access-logformat $(ACCESS_LOG_FORMAT) wsgi:app

test: $(STAMP) translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
