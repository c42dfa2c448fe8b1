# Two commands do all the set-up on a fresh machine:
#   make lab    JupyterLab with jupyter_mlver on the demo notebooks
#   make test   install everything the tests need (Docker engine included) and run every test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_PORT ?= 8888

.PHONY: lab test setup lint typecheck check pytest services benchmarks clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "jupyter_mlver needs Python 3.10 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[lab,test,dev]'
	@touch $@

setup: $(STAMP)

lab: $(STAMP)
	@echo "Opening JupyterLab on notebooks/ — the URL with its token follows."
	$(BIN)/jupyter lab --notebook-dir=notebooks --port=$(LAB_PORT) --no-browser $(ROOT_FLAG)

lint: $(STAMP)
	$(BIN)/ruff check jupyter_mlver tests benchmarks
	$(BIN)/ruff format --check jupyter_mlver tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck

# Engine, base image and registry for the image tests; each script is idempotent and prints
# what the tests need on its last line.
test: $(STAMP) check
	@set -euo pipefail; \
	DOCKER_HOST="$$(scripts/ensure-docker.sh | tail -n1)"; export DOCKER_HOST; \
	MLVER_TEST_BASE_IMAGE="$$(scripts/ensure-base-image.sh | tail -n1)"; export MLVER_TEST_BASE_IMAGE; \
	MLVER_TEST_REGISTRY="$$(scripts/ensure-registry.sh | tail -n1)"; export MLVER_TEST_REGISTRY; \
	$(BIN)/pytest $(PYTEST_ARGS)

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/bench_data.py
	$(BIN)/python benchmarks/bench_diff.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache benchmarks/.work
