# The two front-door commands are `make run` and `make test`; everything else is for builders.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
SENTIMENT := $(VENV)/bin/sentiment

.PHONY: venv run test lint format data train train-dry-run bench demo-shop clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required (looked for '$(PYTHON)')"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet -e . --no-deps  # the project itself: the `sentiment` command, importable packages
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(SENTIMENT) serve

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy       # core/ models/ scraping/ dashboard/ ([tool.mypy] in pyproject.toml)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

data: $(STAMP)
	$(PY) -m models.data

train: $(STAMP)
	$(SENTIMENT) train

train-dry-run: $(STAMP)
	$(SENTIMENT) train --dry-run

bench: $(STAMP)
	$(SENTIMENT) bench      # model: throughput vs VADER, load time, memory, accuracy table
	$(PY) -m bench.calibration  # model: accuracy vs confidence (ECE) by text length
	$(PY) -m bench.store    # store: 100k-row import, dashboard queries over 1M reviews
	$(PY) -m bench.adapt    # adaptation: time for 1k/5k reviews, base vs adapted vs VADER

demo-shop: $(STAMP)
	$(PY) -m scraping.demo_shop

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info
