# planner: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
FLASK := $(BIN)/flask --app planner

.PHONY: install run test lint db demo bench lock messages translations clean

# Reinstall only when the dependencies change; versions come from constraints.txt,
# so a fresh machine gets exactly what CI tested.
$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

install: $(INSTALLED)

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) seed-demo

run: demo translations
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The catalogues as the app reads them (.mo files are built, not kept in git).
translations: install
	$(BIN)/pybabel compile -d translations

# Lint, formatting, types and the layers of docs/architecture.md (CI runs this first).
lint: install
	$(BIN)/ruff check planner tests benchmarks wsgi.py
	$(BIN)/ruff format --check planner tests benchmarks wsgi.py
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python benchmarks/pages.py

# Re-pin after changing dependencies in pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[test]'
	{ echo "# Exact versions installed by make; regenerate with 'make lock'."; \
	  .lock-venv/bin/python -m pip freeze --all --exclude-editable | grep -v '^setuptools=='; } > constraints.txt
	rm -rf .lock-venv

# Extract the strings marked for translation into translations/messages.pot.
# After adding or changing strings: extract them and bring every catalogue up to date, then
# translate what is new (tests/test_translations.py fails until every string is translated).
messages: install
	mkdir -p translations
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs='.*' -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache
