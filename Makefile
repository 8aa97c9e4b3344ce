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

.PHONY: setup run dev serve serve-setup test lint typecheck clean constraints

## Two steps: what coding needs (make run), then what development and evaluation add (the
## linters, the test runner, LangGraph Studio, the plots), so first codes wait for no more.
## constraints.txt holds every package at the version CI passed with, so a new release of a
## dependency we do not pin ourselves cannot reach a fresh install unseen.
$(VENV)/.base: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed: $(VENV)/.base
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,eval]'
	touch $@

setup: $(VENV)/.installed

## Main job: code the bundled sample note end to end on the embedded defaults. The first run
## builds the release artifact, the index collection and the model weights (minutes); later
## runs reuse them from ~/.cache/clh.
run: $(VENV)/.base
	$(BIN)/clh code sample

## LangGraph Studio / API server on a free port (2024 is often taken): make dev PORT=8123
PORT ?= 8123
dev: setup
	$(BIN)/langgraph dev --port $(PORT) --no-browser --allow-blocking

## The self-hosted deployment (docs/deploy.md) in its own venv: Postgres, Redis (throwaway ones
## unless DATABASE_URI / REDIS_URI are set) and WORKERS server workers from port PORT on.
## The model is CLH_LLM_BASE_URL; the index must be built first (clh index build).
SERVER_VENV := .venv-server
WORKERS ?= 1
$(SERVER_VENV)/.installed: pyproject.toml constraints-server.txt
	$(PYTHON) -m venv $(SERVER_VENV)
	$(SERVER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SERVER_VENV)/bin/python -m pip install --quiet -c constraints-server.txt -e '.[server]'
	touch $@

serve-setup: $(SERVER_VENV)/.installed

serve: serve-setup
	VENV=$(SERVER_VENV) WORKERS=$(WORKERS) PORT=$(PORT) deploy/serve.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

## Everything CI runs: lint, types and the whole test suite.
test: lint typecheck
	$(BIN)/python -m pytest

## After a change to pyproject.toml's pins: resolve both venvs afresh in a scratch venv and write
## what they installed to the constraints files (then run .ci/run before committing them).
LOCK_VENV := .venv-lock
constraints:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet -e '.[dev,eval]'
	deploy/write-constraints.sh $(LOCK_VENV) "make setup" constraints.txt
	$(LOCK_VENV)/bin/python -m pip install --quiet -e '.[server]'
	deploy/write-constraints.sh $(LOCK_VENV) "the server extra" constraints-server.txt
	rm -rf $(LOCK_VENV)

clean:
	rm -rf $(VENV) $(SERVER_VENV) .serve .mypy_cache .ruff_cache .pytest_cache
