SHELL := /bin/bash
# The interface of the project: `make run` starts the local stack, `make test` proves it works.
# Each target installs what it needs (virtual environments from the pinned requirements/).

PYTHON ?= python3.11
VENV := .venv
SAMVENV := .venv-sam
BIN := $(VENV)/bin
SAM := $(SAMVENV)/bin/sam
BUILD_RUNTIME ?= python3.11
REGION ?= us-east-1
PYTEST_WORKERS ?= 2
export AWS_DEFAULT_REGION ?= $(REGION)
export SAM_CLI_TELEMETRY = 0

.PHONY: run test unit integration e2e lint format validate build deploy bench layer-requirements clean

$(VENV)/.installed: requirements/runtime.txt requirements/dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(SAMVENV)/.installed: requirements/sam.txt
	test -x $(SAMVENV)/bin/python || $(PYTHON) -m venv $(SAMVENV)
	$(SAMVENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/sam.txt
	touch $@

## run: the local stack (moto server, Cnova sandbox, event pumps, API on :3000) until Ctrl-C
run: $(VENV)/.installed
	$(BIN)/cnova-local-stack

## test: lint, template checks, SAM build, then unit, integration and end-to-end tests
test: lint validate build
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadgroup tests

unit: $(VENV)/.installed
	$(BIN)/pytest -q tests/unit

integration: $(VENV)/.installed
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadgroup tests/integration

e2e: $(VENV)/.installed
	$(BIN)/pytest -q tests/e2e

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	for handler in functions/*/app.py; do $(BIN)/mypy $$handler || exit 1; done
	@diff -q <(grep -v '^#' requirements/runtime.txt) <(grep -v '^#' src/requirements.txt) >/dev/null || \
		{ echo "src/requirements.txt is stale: run make layer-requirements"; exit 1; }

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## layer-requirements: regenerate the Lambda layer's requirements from the one pinned list
layer-requirements:
	{ echo '# GENERATED from requirements/runtime.txt by `make layer-requirements`: edit that file, not this one.'; \
	  grep -v '^#' requirements/runtime.txt; } > src/requirements.txt

validate: $(SAMVENV)/.installed
	$(SAM) validate --lint --region $(REGION)

build: $(SAMVENV)/.installed
	$(SAM) build --parameter-overrides PythonRuntime=$(BUILD_RUNTIME) --region $(REGION)

## deploy: build for the template's default runtime and deploy with samconfig.toml (asks on first use)
deploy: $(SAMVENV)/.installed
	$(SAM) build
	$(SAM) deploy --guided

## bench: benchmarks, printed as ratios against a baseline measured in the same run
bench: $(VENV)/.installed
	$(BIN)/python -m bench

clean:
	rm -rf .aws-sam .local .pytest_cache .mypy_cache .ruff_cache
