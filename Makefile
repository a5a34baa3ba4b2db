# Every target sets up .venv from requirements.txt on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
READY := $(VENV)/.ready

.PHONY: compare test figures notebooks jupyter bench lint clean

# The main job: compare the three strategies on the article's scenario.
compare: $(READY)
	$(PY) -m sim compare --scenario scenarios/article.toml

# All tests, including every notebook executed from a clean kernel and
# compared with its committed outputs (tests/test_notebook_outputs.py).
test: $(READY)
	$(PY) -m pytest tests

figures: $(READY)
	$(PY) -m sim figures --out figures

# Re-execute every notebook in place so the committed outputs match the code.
notebooks: $(READY)
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace notebooks/[0-9]*.ipynb

# Opens JupyterLab at the index; --allow-root only matters in containers run as root.
jupyter: $(READY)
	$(VENV)/bin/jupyter lab --allow-root notebooks/00-index.ipynb

bench: $(READY)
	$(PY) -m sim bench

lint: $(READY)
	$(VENV)/bin/ruff check sim tests
	$(VENV)/bin/ruff format --check sim tests

$(READY): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(READY)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
