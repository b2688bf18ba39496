# Two commands do everything on a fresh machine with Python 3.11 and pip:
#   make demo   create .venv, install, run the default comparison, write a report under results/
#   make test   install what the tests need and run the whole suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast bench lint docs golden clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

DEMO_OUT := results/demo

demo: $(STAMP)
	$(PY) run.py network --map $(DEMO_OUT)/network.png
	$(PY) run.py check scenarios/*.yaml
	$(PY) run.py run scenarios/baseline.yaml --seeds 1 --out $(DEMO_OUT)/baseline
	$(PY) run.py compare scenarios/baseline.yaml scenarios/pushbacks_off.yaml \
		scenarios/tunisia_deal.yaml scenarios/smo_broad.yaml \
		--seeds 4 --scale 0.1 --out $(DEMO_OUT)/comparison

test: $(STAMP)
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

bench: $(STAMP)
	$(PY) tools/bench.py

lint: $(STAMP)
	$(PY) -m ruff check sim tests tools run.py
	$(PY) -m ruff format --check sim tests tools run.py

docs: $(STAMP)
	$(PY) -m sim.scenario.reference > docs/scenarios.md
	$(PY) -m sim.outputs.metrics docs/model.md

golden: $(STAMP)
	$(PY) tests/test_golden.py

clean:
	rm -rf $(VENV) results/*/ .pytest_cache
