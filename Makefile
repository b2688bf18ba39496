# Two commands do everything on a fresh machine with Python 3.11 and pip:
#   make demo   create .venv, install, run the default comparison, write a report under results/
#   make test   install what the tests need and run the whole suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The exact versions every install uses (core and the viz, dev, test, cluster, workbench and
# calibrate extras, whose tests run in CI); `make lock` rewrites it.
LOCK   := requirements.lock

.PHONY: demo test test-fast view browser bench lint docs golden validation calibration lock clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml $(LOCK) | $(PY)
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Resolve pyproject.toml's dependencies (core and the extras above) to exact versions with
# pip-tools, in a throw-away venv so that pip-tools never enters the project's own. Pins that
# still satisfy pyproject.toml are kept; `make lock LOCK_FLAGS=--upgrade` moves every pin to
# the newest allowed version.
LOCK_FLAGS ?=
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet pip-tools
	.lock-venv/bin/pip-compile --quiet $(LOCK_FLAGS) --extra viz --extra dev --extra test \
		--extra cluster --extra workbench --extra calibrate --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file $(LOCK) pyproject.toml
	rm -rf .lock-venv

# The demo's folders are its own: --force replaces what an earlier `make demo` left there.
DEMO_OUT := results/demo

demo: $(STAMP)
	$(PY) run.py network --map $(DEMO_OUT)/network.png
	$(PY) run.py check scenarios/*.yaml
	$(PY) run.py run scenarios/baseline.yaml --seeds 1 --out $(DEMO_OUT)/baseline --force
	$(PY) run.py compare scenarios/baseline.yaml scenarios/pushbacks_off.yaml \
		scenarios/tunisia_deal.yaml scenarios/smo_broad.yaml \
		--seeds 4 --scale 0.1 --out $(DEMO_OUT)/comparison --force

# The suite runs on every core (pytest-xdist); a module's tests stay on one worker, so that
# its shared fixtures (a two-year run, a sweep) are built once.
PYTEST := $(PY) -m pytest -q -n auto --dist loadscope

test: $(STAMP) browser
	$(PYTEST) --durations=15

test-fast: $(STAMP)
	$(PYTEST) -m "not slow"

# The teaching view on the classroom scenario (see docs/tutorials/04-classroom.md).
view: $(STAMP)
	$(PY) run.py view scenarios/teaching.yaml

# Debian's Chromium, for the tests that open the view and the report in a real browser
# (Playwright drives it; Playwright's own browser download is not used). Installed with apt
# when missing and we are root (CI is); otherwise those tests are skipped, saying why.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing Debian's chromium for the browser tests"; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
		else \
			echo "note: no $(CHROMIUM): browser tests will be skipped (apt-get install chromium)"; \
		fi; \
	fi

# Flee 3.1, measured side by side by the benchmark, needs a venv of its own.
FLEE_VENV := .flee-venv
$(FLEE_VENV)/.installed:
	rm -rf $(FLEE_VENV)
	$(PYTHON) -m venv $(FLEE_VENV)
	$(FLEE_VENV)/bin/pip install --quiet flee==3.1
	touch $@

bench: $(STAMP) $(FLEE_VENV)/.installed
	$(PY) tools/bench.py --flee-python $(FLEE_VENV)/bin/python

lint: $(STAMP)
	$(PY) -m ruff check sim tests tools examples run.py
	$(PY) -m ruff format --check sim tests tools examples run.py

docs: $(STAMP)
	$(PY) -m sim.scenario.reference > docs/scenarios.md
	$(PY) -m sim.outputs.metrics docs/model.md
	$(PY) -m sim.network docs/network.md
	$(PY) tools/classroom_answers.py --write

golden: $(STAMP)
	$(PY) tests/test_golden.py

# The validation report committed in docs/validation/: the baseline against the 2023 figures at
# the seeds and scale below (a few minutes on two cores; the run's tables stay in results/).
VALIDATION_OUT   := results/validation
VALIDATION_FLAGS ?= --seeds 10 --scale 1 --seed 2023
validation: $(STAMP)
	$(PY) run.py validate scenarios/baseline.yaml $(VALIDATION_FLAGS) --out $(VALIDATION_OUT) --force
	mkdir -p docs/validation/figures
	cp $(VALIDATION_OUT)/validation.md $(VALIDATION_OUT)/validation.csv docs/validation/
	cp $(VALIDATION_OUT)/figures/monthly.png docs/validation/figures/

# The shipped calibration (docs/calibration.md): ten minutes to half an hour on two cores.
calibration: $(STAMP)
	$(PY) run.py calibrate scenarios/calibration/baseline_2023.yaml --workers 2 --force

clean:
	rm -rf $(VENV) $(FLEE_VENV) results/*/ .pytest_cache
