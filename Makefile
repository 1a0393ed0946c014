# The two commands a newcomer needs:  make demo   and   make test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.geomap-installed

.PHONY: install demo test test-min notebook lint format clean

# Installs once; a rerun with nothing new to install goes straight to the job.
# pip shows what it downloads and builds, so a first install (a few minutes) is never silent.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit("geomap needs Python 3.11 or newer (set PYTHON=python3.11)" if sys.version_info < (3, 11) else 0)'
	@echo "==> Creating the virtual environment $(VENV) (once)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> Upgrading pip"
	$(BIN)/python -m pip install --upgrade --progress-bar on pip
	@echo "==> Installing geomap and its pinned dependencies from requirements.lock (first time: a few minutes)"
	$(BIN)/python -m pip install --progress-bar on -c requirements.lock -e '.[dev]'
	@touch $(STAMP)
	@echo "==> Installed; the geomap command is $(BIN)/geomap"

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/geomap demo

# The whole suite, then the suite again on the lowest versions pyproject.toml allows.
test: $(STAMP) lint
	$(BIN)/pytest
	@$(MAKE) --no-print-directory test-min

# The suite again against the lowest versions pyproject.toml allows (requirements-min.txt),
# in its own environment, so the floors stated there are floors that were tested.
MIN_VENV := .venv-min
MIN_STAMP := $(MIN_VENV)/.geomap-installed

$(MIN_STAMP): pyproject.toml requirements-min.txt
	@echo "==> Creating $(MIN_VENV) with the lowest supported versions (once)"
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --upgrade --progress-bar on pip
	$(MIN_VENV)/bin/python -m pip install --progress-bar on -c requirements-min.txt -e '.[dev]'
	@touch $(MIN_STAMP)

test-min: $(MIN_STAMP)
	$(MIN_VENV)/bin/python -m pip list 2>/dev/null | grep -iE '^(geopandas|shapely|pandas|numpy|pyarrow|folium|matplotlib|pyogrio|openpyxl) '
	$(MIN_VENV)/bin/pytest -m "not browser" -p no:cacheprovider

# JupyterLab in the same environment (the optional "notebook" extra), opened on the notebook.
NOTEBOOK_STAMP := $(VENV)/.geomap-notebook

$(NOTEBOOK_STAMP): $(STAMP) requirements-notebook.lock
	@echo "==> Installing JupyterLab into $(VENV) (once), pinned by requirements-notebook.lock"
	$(BIN)/python -m pip install --progress-bar on -c requirements.lock -c requirements-notebook.lock -e '.[notebook]'
	@touch $(NOTEBOOK_STAMP)

notebook: $(NOTEBOOK_STAMP)
	$(BIN)/jupyter lab notebooks/explore.ipynb

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(MIN_VENV) build dist .pytest_cache .ruff_cache
