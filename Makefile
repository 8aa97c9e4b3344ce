# The two commands a newcomer needs: `make run` (set up, then code the main job) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED_DATA ?= $(abspath $(CURDIR)/../shared/data)
# The release: an explicit CLH_ICD_DIR wins; in a checkout beside shared/, use its files.
ifeq ($(origin CLH_ICD_DIR), undefined)
  ifneq ($(wildcard $(SHARED_DATA)/icd10cm),)
    export CLH_ICD_DIR := $(SHARED_DATA)/icd10cm:$(SHARED_DATA)/guidelines
  endif
endif

.PHONY: setup run test lint typecheck clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

## Main job: build the release artifact (once), show what it holds, and look up codes.
run: setup
	$(BIN)/clh resources stats
	$(BIN)/clh lookup E11.22
	$(BIN)/clh lookup T36.0X1A

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

## Everything CI runs: lint, types and the whole test suite.
test: lint typecheck
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
