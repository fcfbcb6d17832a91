# Two commands set everything up on a fresh clone with Python 3.11+ and make:
#   make demo   install, migrate SQLite, seed demo content, serve on 127.0.0.1:8000
#   make test   install the test extras and run the whole suite (and its multilingual half)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
# Extra pytest arguments for every tox environment of `make matrix` (tox's posargs).
MATRIX_PYTEST_ARGS ?=
# Interpreters for the version matrix: pyenv keeps 3.12 and 3.13 off the PATH unless
# selected, so their bin folders are appended for tox to find.
EXTRA_PYTHON_PATH := $(shell command -v pyenv >/dev/null 2>&1 && for v in 3.12 3.13; do \
	ls -d "$$(pyenv root)"/versions/$$v.*/bin 2>/dev/null | tail -1; done | paste -sd:)

.PHONY: demo test lint format docs matrix clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-dev: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs]'
	touch $@

demo: $(VENV)/.installed-dev
	cd example_site && ../$(BIN)/python manage.py migrate --noinput
	cd example_site && ../$(BIN)/python manage.py seed_demo
	cd example_site && ../$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/python -m pytest --ds=tests.settings_i18n $(PYTEST_ARGS) tests/

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: $(VENV)/.installed-dev
	$(BIN)/mkdocs build --strict --site-dir build/site

matrix: $(VENV)/.installed-dev
	PATH="$$PATH$(if $(EXTRA_PYTHON_PATH),:$(EXTRA_PYTHON_PATH))" $(BIN)/tox run-parallel --parallel 2 --parallel-no-spinner \
		$(if $(MATRIX_PYTEST_ARGS),-- -q -p no:cacheprovider $(MATRIX_PYTEST_ARGS))

clean:
	rm -rf $(VENV) .tox build dist *.egg-info example_site/db.sqlite3
