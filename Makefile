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

lint: $(VENV)/.installed-lab+test+demo
	$(BIN)/ruff check .

# Re-execute every notebook top to bottom and store it without widget state (updates nbval references).
execute: $(VENV)/.installed-lab+test+demo
	$(BIN)/python scripts/execute_notebooks.py notebooks/*.ipynb

# Benchmarks with pytest-benchmark (benchmarks/ is not part of make test): every explorer control
# against a rebuild, the numerics against SciPy/scikit-learn, the notebooks, the CPU time of a slider
# move under ipympl. JSON in benchmarks/results/latest.json; benchmarks/report.py prints the ratios
# and targets and rewrites the README's tables. BENCH_ARGS=--quick for a smoke run (README untouched).
.PHONY: bench
bench: $(VENV)/.installed-lab+test+demo
	mkdir -p benchmarks/results
	$(BIN)/python -m pytest benchmarks -q --benchmark-json=benchmarks/results/latest.json \
		--benchmark-columns=median,iqr,rounds $(BENCH_ARGS)
	$(BIN)/python benchmarks/report.py benchmarks/results/latest.json \
		$(if $(BENCH_ARGS),,--readme README.md)

# Classroom demo: every notebook served by Voila on this machine only (127.0.0.1), code hidden,
# explorers in presentation size (TP3_PRESENTATION=1: larger text, thicker lines for a projector).
# voila.json (read from this folder) makes Voila answer only requests for a local host name, as
# JupyterLab does: a page on another site cannot reach it through DNS rebinding.
# Open http://127.0.0.1:$(PORT)/ and one notebook per tab; another port: make demo PORT=8900.
.PHONY: demo
demo: $(VENV)/.installed-lab+demo
	TP3_PRESENTATION=1 $(BIN)/voila --port=$(PORT) --Voila.ip=127.0.0.1 --strip_sources=True \
	    $(SERVER_ARGS) $(NOTEBOOKS)

# Re-take docs/images/*_explorer.png at 1280x720, as make demo shows them, with the browser tests'
# own code (Voila + Chromium); with CI=1 a missing Chromium is an error rather than a skip.
.PHONY: screenshots
screenshots: $(VENV)/.installed-lab+test+demo
	CI=1 TP3_SCREENSHOTS_DIR=docs/images $(BIN)/python -m pytest tests/browser/test_voila.py -q \
	    -k test_notebook_renders_and_explorer_responds

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

# Soak check (not part of make test): each notebook's Voila page opened 20 times in a row, as
# make demo serves it, printing the seconds until its explorer is drawn; a page whose explorer
# never comes has its console, kernel messages and server log saved under soak-logs/.
# SOAK_ARGS="--runs 5 03_momentum_physics" for fewer loads or one notebook.
.PHONY: soak
soak: $(VENV)/.installed-lab+test+demo
	$(BIN)/python scripts/soak_voila.py $(SOAK_ARGS)
