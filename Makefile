# Every target sets up .venv on first use: the simulation's own packages
# (requirements-sim.txt) for the simulation's commands, everything in
# requirements.txt (adding the notebook and test stack) for the rest.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SIM_READY := $(VENV)/.sim-ready
READY := $(VENV)/.ready
NODE_READY := reality/node_modules/.package-lock.json
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: compare test check mutations figures notebooks site playground jupyter bench lint clean reality

# The main job: compare the three presets on the article's scenario.
compare: $(SIM_READY)
	$(PY) -m sim compare --scenario scenarios/article.toml

# Hypothesis runs derandomized here and in `make check` (the same examples every run, HYPOTHESIS_PROFILE
# ci and check, tests/conftest.py); to search at random and harder locally:
#   HYPOTHESIS_PROFILE=dev .venv/bin/python -m pytest tests/test_invariants.py tests/test_fuzz.py
# All tests, including every notebook executed from a clean kernel and
# compared with its committed outputs (tests/test_notebook_outputs.py), one
# process per CPU (pytest-xdist): the heavy modules each keep to one worker
# (tests/conftest.py, HEAVY_GROUPS), so the figures' data is made once.
test: $(READY) $(NODE_READY)
	$(PY) -m pytest tests -n auto --dist loadgroup

# The real stack's server packages (reality/), installed before any test starts, so that no test run
# installs them while another test starts the server; without npm the real-stack tests skip (fail in CI).
$(NODE_READY): reality/package-lock.json
	@if command -v npm >/dev/null; then cd reality && npm ci --no-audit --no-fund; \
	else echo "no npm: the real-stack tests will skip (README, Tests and CI)"; fi

# The fast tier, under 90 s on two cores: lint, then every exact-timeline, invariant and CLI test,
# that is every test not marked `full` in tests/conftest.py (no notebooks, browser, site or figure
# rebuilds), with Hypothesis on its smaller `check` profile. Prints its own elapsed time, pass or fail.
CHECK_PYTEST := HYPOTHESIS_PROFILE=check $(PY) -m pytest tests -m "not full"
check: $(READY)
	@start=$$(date +%s%N); \
	echo "$(VENV)/bin/ruff check sim tests tools" && $(VENV)/bin/ruff check sim tests tools && \
	echo "$(VENV)/bin/ruff format --check sim tests tools" && $(VENV)/bin/ruff format --check sim tests tools && \
	echo '$(CHECK_PYTEST)' && $(CHECK_PYTEST); \
	status=$$?; ms=$$(( ($$(date +%s%N) - start) / 1000000 )); \
	printf 'make check: %d.%d s\n' $$((ms / 1000)) $$((ms % 1000 / 100)); exit $$status

# Proof that `make check` can fail: each one-line mutation of sim/ listed in tools/mutations.py is
# applied to a copy of the tree (never the tree itself) and must be caught. Several minutes.
mutations: $(READY)
	$(PY) tools/mutations.py

figures: $(READY)  # its sweeps' confidence intervals need scipy (requirements.txt)
	$(PY) -m sim figures --out figures

# Re-execute every notebook in place so the committed outputs match the code
# (written without timings or random widget ids, so an unchanged tree stays clean).
notebooks: $(READY)
	$(PY) tools/run_notebooks.py notebooks/[0-9]*.ipynb

# A static HTML site of the committed notebooks (not re-run), the README as its landing page.
site: $(READY)
	$(VENV)/bin/sphinx-build -q -c site -b html . site/_build/html
	@echo "site/_build/html/index.html"

# The live playground: notebooks/playground.ipynb served by Voilà (widgets only, no code), at
# http://localhost:8866 (another port: make playground PORT=8870). Ctrl-C stops it.
PORT ?= 8866
playground: $(READY)
	$(VENV)/bin/voila notebooks/playground.ipynb --port=$(PORT) --no-browser

# Opens JupyterLab at the index; --allow-root only matters in containers run as root.
jupyter: $(READY)
	$(VENV)/bin/jupyter lab --allow-root notebooks/00-index.ipynb

# The article's real stack (reality/): its server in Node and its interceptor in real Chromium tabs
# over the full case matrix (under 5 minutes), how late one tab sees another's localStorage write
# (reality/storage.json and the model's copy, 40 s), Authlib and requests-oauthlib against its OAuth token endpoint
# (reality/python_clients.json, about a minute), then the model beside it all (reality/*comparison.csv).
# Needs Node.js with npm and Chromium (Debian: apt-get install -y nodejs npm chromium).
reality: $(READY)
	cd reality && npm ci --no-audit --no-fund
	$(PY) reality/run.py --matrix full --repetitions 3
	$(PY) reality/storage_probe.py
	$(PY) reality/python_clients.py
	$(PY) -m sim.reality

bench: $(SIM_READY)
	$(PY) -m sim bench

lint: $(READY)
	$(VENV)/bin/ruff check sim tests tools
	$(VENV)/bin/ruff format --check sim tests tools

$(SIM_READY): requirements-sim.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements-sim.txt
	$(PIP) --no-deps -e .
	touch $(SIM_READY)

$(READY): requirements.txt $(SIM_READY)
	$(PIP) -r requirements.txt
	touch $(READY)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
