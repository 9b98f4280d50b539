# Two commands on a fresh machine: `make lab` and `make test`. Each creates .venv on first use and
# reinstalls when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8866
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: lab test lint execute clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# One stamp per set of extras; a newer pyproject.toml makes the stamp stale and reinstalls.
$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(PIP) --editable '.[$(subst +,$(comma),$*)]'
	touch $@

comma := ,

# JupyterLab refuses to run as root (containers, cloud VMs, many classroom servers) unless given
# --allow-root: it gets that option when, and only when, the user is root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# Extra server options, e.g. make lab SERVER_ARGS=--no-browser (the server tests use this), and
# what the servers serve: the notebooks folder, or one notebook (make demo NOTEBOOKS=notebooks/X.ipynb).
SERVER_ARGS ?=
NOTEBOOKS ?= notebooks/

lab: $(VENV)/.installed-lab
	$(BIN)/jupyter lab $(ALLOW_ROOT) $(SERVER_ARGS) $(NOTEBOOKS)

test: $(VENV)/.installed-lab+test+demo
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env tests notebooks

# The unit and widget tests (not the browser and server tests, not the notebooks) on the lowest
# versions that pyproject.toml allows, in their own environment .venv-lowest (uv's lowest-direct
# resolution: each dependency named in pyproject.toml at its minimum); make test runs everything
# on the newest.
LOWEST := .venv-lowest
LOWEST_TESTS := tests --ignore=tests/browser --ignore=tests/test_rerun.py --ignore=tests/test_hub.py

$(LOWEST)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) uv
	rm -rf $(LOWEST)
	$(BIN)/uv venv --quiet --python $(PYTHON) $(LOWEST)
	$(BIN)/uv pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct \
		--editable '.[lab,test,demo]'
	touch $@

.PHONY: test-lowest
test-lowest: $(LOWEST)/.installed
	$(BIN)/uv pip list --python $(LOWEST)/bin/python \
		| grep -iE '^(numpy|matplotlib|ipywidgets|ipympl|scikit-learn|anywidget|ipykernel) '
	$(LOWEST)/bin/python -m pytest $(LOWEST_TESTS)

lint: $(VENV)/.installed-lab+test+demo
	$(BIN)/ruff check .

# Re-execute every notebook top to bottom and store it without widget state (updates nbval references).
execute: $(VENV)/.installed-lab+test+demo
	$(BIN)/python scripts/execute_notebooks.py notebooks/*.ipynb

# Benchmarks with pytest-benchmark (benchmarks/ is not part of make test): every explorer control
# against a rebuild, the numerics against SciPy/scikit-learn, the notebooks, the CPU time of a slider
# move under ipympl. JSON in benchmarks/results/latest.json; benchmarks/report.py prints the ratios
# and targets and rewrites the tables of docs/performance.md. BENCH_ARGS=--quick for a smoke run
# (the page untouched).
.PHONY: bench
bench: $(VENV)/.installed-lab+test+demo
	mkdir -p benchmarks/results
	$(BIN)/python -m pytest benchmarks -q --benchmark-json=benchmarks/results/latest.json \
		--benchmark-columns=median,iqr,rounds $(BENCH_ARGS)
	$(BIN)/python benchmarks/report.py benchmarks/results/latest.json \
		$(if $(BENCH_ARGS),,--page docs/performance.md)

# Classroom demo: every notebook served by Voila on this machine only (127.0.0.1), code hidden,
# explorers in presentation size (TP3_PRESENTATION=1: larger text, thicker lines for a projector).
# First scripts/explorer_pages.py writes into $(DEMO_DIR) one page per explorer, made from its
# notebook's Setup and Explore sections (the explorer at the top, ready in a few seconds; listed
# first), and a link to each notebook; Voila serves that folder. voila.json (read from this
# folder) makes Voila answer only requests for a local host name, as JupyterLab does (no DNS
# rebinding), and end the kernel of a page that was closed (after 5 idle minutes).
# Open http://127.0.0.1:$(PORT)/ and one page per tab; another port: make demo PORT=8900.
DEMO_DIR ?= .demo
.PHONY: demo
demo: $(VENV)/.installed-lab+demo
	$(BIN)/python scripts/explorer_pages.py $(NOTEBOOKS) --out $(DEMO_DIR)
	TP3_PRESENTATION=1 $(BIN)/voila --port=$(PORT) --Voila.ip=127.0.0.1 --strip_sources=True \
	    $(SERVER_ARGS) $(DEMO_DIR)

# Re-take docs/images/*_explorer.png at 1280x720, as make demo shows them, with the browser tests'
# own code (Voila + Chromium); with CI=1 a missing Chromium is an error rather than a skip.
.PHONY: screenshots
screenshots: $(VENV)/.installed-lab+test+demo
	CI=1 TP3_SCREENSHOTS_DIR=docs/images $(BIN)/python -m pytest tests/browser/test_voila.py -q \
	    -k test_notebook_renders_and_explorer_responds

clean:
	rm -rf $(VENV) $(LOWEST) .pytest_cache .ruff_cache .hypothesis

# Soak check (not part of make test): each notebook's Voila page opened 20 times in a row, as
# make demo serves it, printing the seconds until its explorer is drawn; a page whose explorer
# never comes has its console, kernel messages and server log saved under soak-logs/.
# SOAK_ARGS="--runs 5 03_momentum_physics" for fewer loads or one notebook.
.PHONY: soak
soak: $(VENV)/.installed-lab+test+demo
	$(BIN)/python scripts/soak_voila.py $(SOAK_ARGS)

# A whole class on this machine: JupyterHub (deploy/jupyterhub_config.py) with the notebooks in
# each student's folder, JupyterLab by default and Voila at /user/NAME/voila/. deploy/hub.py
# starts JupyterHub's proxy and the hub on 127.0.0.1:$(HUB_PORT), prints how students log in
# (TP3_HUB_PASSWORD=... sets the class password, else a random one is printed) and on Ctrl-C
# stops the hub, every student's server and the proxy. State in $(HUB_STATE)/.
HUB_PORT  ?= 8000
HUB_STATE ?= .hub
# The proxy (configurable-http-proxy, a Node.js program) at the version pinned in
# deploy/package-lock.json, installed into deploy/node_modules on first use.
HUB_PROXY := deploy/node_modules/.bin/configurable-http-proxy

.PHONY: hub hub-proxy hub-deps class-load
hub: $(VENV)/.installed-lab+demo+hub $(HUB_PROXY)
	$(BIN)/python deploy/hub.py --port $(HUB_PORT) --state $(HUB_STATE)

hub-proxy: $(HUB_PROXY)

$(HUB_PROXY): deploy/package-lock.json
	@command -v npm >/dev/null && node -e 'process.exit(+(process.versions.node.split(".")[0] < 20))' \
	    || { echo "make hub needs Node.js 20 or newer and npm for JupyterHub's proxy" \
	    "(Debian 13: sudo apt-get install nodejs npm; older systems: nodejs.org)"; exit 1; }
	cd deploy && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# What the class-load test and the hub tests of make test need: the hub extra with the test
# tools, and the proxy.
hub-deps: $(VENV)/.installed-lab+test+demo+hub $(HUB_PROXY)

# How many students this machine serves (benchmarks/class_load.py; not part of make test): the hub
# of make hub, N simulated students dragging an explorer's slider through it (N = 1, 2, 4, 8, ...
# until frames come later than 150 ms), one real Chromium student, a hub restart and a killed
# server during the load. JSON in benchmarks/results/class_load.json; the tables and the plot go
# into docs/class.md, the measured memory limit into deploy/jupyterhub_config.py and the requests
# and limits per student into deploy/values.yaml. CLASS_LOAD_ARGS=--quick (or any other option
# of benchmarks/class_load.py) for a run that leaves them alone.
CLASS_LOAD_ARGS ?=
class-load: hub-deps
	mkdir -p benchmarks/results
	$(BIN)/python benchmarks/class_load.py --json benchmarks/results/class_load.json \
	    $(CLASS_LOAD_ARGS)
	$(BIN)/python benchmarks/class_load_report.py benchmarks/results/class_load.json \
	    $(if $(CLASS_LOAD_ARGS),,$(CLASS_PAGE))
CLASS_PAGE := --page docs/class.md --plot docs/images/class_load.png --deploy deploy
