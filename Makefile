# Private data labeling on AWS as code. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Tools and virtualenvs live outside the repository, so a fresh clone reuses them.
CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/gt-labeling
VENV      := $(CACHE_DIR)/venv
PY        := $(VENV)/bin/python
TOFU      := $(CACHE_DIR)/bin/tofu
TFLINT    := $(CACHE_DIR)/bin/tflint
CHECKOV   := $(CACHE_DIR)/checkov/bin/checkov
export TF_CLI_CONFIG_FILE := $(CACHE_DIR)/tofu.rc
export PATH := $(CACHE_DIR)/bin:$(VENV)/bin:$(PATH)
export TF_IN_AUTOMATION := 1

EMULATOR_HOST ?= 127.0.0.1
EMULATOR_PORT ?= 4566
EMULATOR_URL  := http://$(EMULATOR_HOST):$(EMULATOR_PORT)
EMULATOR_DIR  := $(CURDIR)/.emulator

ENVS    := local dev staging prod
MODULES := modules/workforce modules/labeling_pipeline
ENV     ?=

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  \033[1m%-15s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# --- setup ------------------------------------------------------------------------------------
.PHONY: setup
setup: ## Install everything: Python virtualenvs, OpenTofu, providers, tflint (cached outside the repo)
	@command -v go >/dev/null || { echo "error: 'go' is not installed; install Go 1.26+ (it builds OpenTofu and the providers)"; exit 1; }
	@command -v python3 >/dev/null || { echo "error: 'python3' is not installed; install Python 3.11+"; exit 1; }
	@scripts/toolchain/python.sh "$(CACHE_DIR)" "$(CURDIR)"
	@scripts/toolchain/build.sh "$(CACHE_DIR)"
	@$(MAKE) package
	@echo "setup complete: tools in $(CACHE_DIR)"

.PHONY: check-venv check-tools
check-venv:
	@[[ -x "$(PY)" ]] || { echo "error: $(PY) is missing; run 'make setup' first"; exit 1; }

check-tools:
	@for t in "$(PY)" "$(TOFU)" "$(TFLINT)" "$(CHECKOV)"; do \
	  [[ -x "$$t" ]] || { echo "error: $$t is missing; run 'make setup' first"; exit 1; }; done

.PHONY: package
package: check-venv ## Build the Lambda deployment packages into build/lambda
	@$(PY) scripts/package_lambda.py --source lambda --out build/lambda

# --- quality ------------------------------------------------------------------------------------
.PHONY: fmt
fmt: check-tools ## Format Terraform and Python in place
	@$(TOFU) fmt -recursive
	@$(VENV)/bin/ruff format lambda scripts tests
	@$(VENV)/bin/ruff check --fix lambda scripts tests

.PHONY: lint lint-python lint-terraform lint-tflint lint-docs
lint: lint-python lint-terraform lint-tflint lint-docs ## ruff, mypy, tofu fmt -check, tofu validate, tflint, module docs freshness

lint-python: check-tools
	@echo "== ruff"; $(VENV)/bin/ruff check lambda scripts tests; $(VENV)/bin/ruff format --check lambda scripts tests
	@echo "== mypy"; $(VENV)/bin/mypy lambda scripts tests

lint-terraform: check-tools
	@echo "== tofu fmt"; $(TOFU) fmt -check -recursive -diff
	@echo "== tofu validate"; scripts/tf_each.sh validate $(MODULES) $(wildcard modules/*/examples/*) $(addprefix envs/,$(ENVS))

lint-tflint: check-tools
	@echo "== tflint"; scripts/tf_each.sh tflint $(MODULES) $(addprefix envs/,$(ENVS))

lint-docs: check-tools
	@echo "== module READMEs"; $(PY) scripts/tfdocs.py --check $(MODULES)

.PHONY: docs
docs: check-tools ## Regenerate the inputs/outputs sections of the module READMEs
	@$(PY) scripts/tfdocs.py $(MODULES)

.PHONY: scan
scan: check-tools 
	@mkdir -p reports
	@$(CHECKOV) --quiet --compact --framework terraform --download-external-modules false --skip-download \
	  $(foreach d,$(MODULES) $(addprefix envs/,$(ENVS)),-d $(d)) \
	  --output cli --output sarif --output-file-path console,reports/checkov.sarif

# --- tests ----------------------------------------------------------------------------------------
.PHONY: test
test: check-tools package lint ## The whole test suite: lint, tofu test, pytest (unit, emulator, end to end), scan
	@echo "== tofu test"; scripts/tf_each.sh test $(MODULES)
	@echo "== pytest"; $(PY) -m pytest -n 2 --dist loadgroup
	@$(MAKE) scan

.PHONY: unit
unit: check-tools ## Only the fast Python tests (no emulator, no OpenTofu)
	@$(PY) -m pytest -m "not emulator and not infra"

# --- local AWS emulator ----------------------------------------------------------------------------
.PHONY: emulator-up
emulator-up: check-venv ## Start the local AWS emulator in the background (EMULATOR_PORT=4566)
	@$(PY) -m moto_ext.ctl up --host $(EMULATOR_HOST) --port $(EMULATOR_PORT) --state-dir "$(EMULATOR_DIR)"

.PHONY: emulator-down
emulator-down: ## Stop the local AWS emulator
	@$(PY) -m moto_ext.ctl down --state-dir "$(EMULATOR_DIR)"

# --- environments ----------------------------------------------------------------------------------
.PHONY: check-env
check-env:
	@[[ -n "$(ENV)" ]] || { echo "error: set ENV to one of: $(ENVS) (e.g. make plan ENV=dev)"; exit 1; }
	@[[ " $(ENVS) " == *" $(ENV) "* ]] || { echo "error: unknown ENV '$(ENV)'; use one of: $(ENVS)"; exit 1; }

.PHONY: plan apply destroy
plan: check-tools check-env package ## tofu plan for ENV (local, dev, staging, prod)
	@scripts/env.sh "$(ENV)" plan
apply: check-tools check-env package ## tofu apply for ENV
	@scripts/env.sh "$(ENV)" apply
destroy: check-tools check-env ## tofu destroy for ENV
	@scripts/env.sh "$(ENV)" destroy

# --- demo and benchmarks ---------------------------------------------------------------------------
.PHONY: demo
demo: setup ## Set up, then the whole product on the local emulator: deploy, invite, upload, label, show, tear down (KEEP=1 keeps it)
	@$(PY) scripts/demo.py $(if $(KEEP),--keep)

.PHONY: bench
bench: check-tools package ## Benchmarks against the local emulator; prints a table, writes reports/bench.json (options: BENCH_ARGS="--help")
	@$(PY) scripts/bench/run.py --out reports/bench.json $(BENCH_ARGS)

.PHONY: lock
lock: ## Re-resolve requirements*.in into fully pinned requirements*.txt
	@scripts/toolchain/lock.sh
