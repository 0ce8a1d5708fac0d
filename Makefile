# medtwitter — the front door. `make report` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATASET ?= demo
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg

# Debian's Chromium, for the test that opens the HTML reports (tests/test_report_browser.py).
CHROMIUM ?= chromium
# apt needs root: through sudo when make does not run as root.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# `make notebooks ONLY=02,05` refreshes some notebooks only.
ONLY ?=

.PHONY: install demo report test pytest lint format notebooks lab benchmark chromium clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project into it

demo: $(STAMP)  ## generate and ingest the synthetic demo community
	$(BIN)/medtwitter demo --dataset demo --quiet

report: demo  ## run every notebook on the demo data and write reports/*.html
	$(BIN)/medtwitter report --dataset $(DATASET) --out reports

test: lint pytest  ## lint, then the whole test suite (notebooks through nbval)

pytest: demo chromium
	$(BIN)/python -m pytest tests analysis notebooks $(NBVAL)

lint: $(STAMP)  ## ruff (with the numpy docstring rules), the formatter's check, mypy over analysis/
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

notebooks: demo  ## re-execute the notebooks in place, storing their outputs for the demo data
	$(BIN)/python -c "from analysis.report import refresh_notebook, list_notebooks; \
	[print('refresh', p.name, flush=True) or refresh_notebook(p) for p in list_notebooks('$(ONLY)' or None)]"

# `make lab` works on copies in LAB_DIR (git-ignored), made only where none exists yet: autosave never
# writes a real dataset's handles into the tracked notebooks, and a researcher's copy is never overwritten.
LAB_DIR ?= notebooks/work

lab: demo  ## JupyterLab on working copies of the notebooks (LAB_ARGS="--no-browser --port 8899" to pass options)
	$(BIN)/python -m analysis.lab $(LAB_DIR)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS) $(LAB_DIR)

benchmark: demo  ## speed and memory figures: make benchmark [BENCH="ingest graph report"]
	$(BIN)/python benchmarks/run.py $(BENCH)

chromium:  ## Debian's Chromium for the browser test (apt, as root: CI runs as root on Debian)
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { echo "chromium is missing and could not be installed" >&2; exit 1; }

clean:
	rm -rf reports .pytest_cache
