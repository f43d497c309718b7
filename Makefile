# Private data labeling on AWS as code. `make help` lists the targets.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Tools and virtualenvs live outside the repository, so a fresh clone reuses them.
export CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/gt-labeling
VENV      := $(CACHE_DIR)/venv
PY        := $(VENV)/bin/python
CHECKOV   := $(CACHE_DIR)/checkov/bin/checkov
CHOOSE    := python3 scripts/toolchain/choose.py
export PATH := $(CACHE_DIR)/bin:$(VENV)/bin:$(PATH)
export TF_IN_AUTOMATION := 1

# The Terraform or OpenTofu CLI every target runs: the one `make setup` chose and recorded (see
# scripts/toolchain/choose.py), unless TF=terraform or TF=tofu names another. On the offline path
# its providers come from the mirror of the source build, through that build's CLI configuration;
# on the connected path the user's own CLI configuration is left alone.
TF_GIVEN := $(if $(filter command line environment,$(origin TF)),$(TF))
-include $(CACHE_DIR)/toolchain.env
TF := $(or $(TF),$(TOOLCHAIN_TF))
export TF
ifdef TOOLCHAIN_CLI_CONFIG
export TF_CLI_CONFIG_FILE := $(TOOLCHAIN_CLI_CONFIG)
export TOOLCHAIN_MIRROR := $(CACHE_DIR)/providers
endif

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
setup: ## Install everything: your Terraform/OpenTofu with the registry, or an offline source build (TF=, TOOLCHAIN=source)
	@command -v python3 >/dev/null || { echo "error: 'python3' is not installed; install Python 3.11+"; exit 1; }
	@$(CHOOSE) setup --cache "$(CACHE_DIR)" $(if $(TF_GIVEN),--tf "$(TF_GIVEN)") $(if $(TOOLCHAIN),--toolchain "$(TOOLCHAIN)")
	@scripts/toolchain/python.sh "$(CACHE_DIR)" "$(CURDIR)"
	@scripts/toolchain/build.sh "$(CACHE_DIR)"
	@$(MAKE) package
	@echo "setup complete: tools in $(CACHE_DIR)"

.PHONY: toolchain
toolchain: check-tf ## Show the Terraform/OpenTofu CLI the targets use, and where its providers come from
	@echo "$(TF) ($(or $(TOOLCHAIN_PATH),unknown) path; CLI configuration: $(or $(TF_CLI_CONFIG_FILE),the default))"
	@CHECKPOINT_DISABLE=1 "$(TF)" version

.PHONY: check-venv check-tf lint-tools
check-venv:
	@[[ -x "$(PY)" ]] || { echo "error: $(PY) is missing; run 'make setup' first"; exit 1; }

check-tf:
	@[[ -n "$(TF)" ]] || { echo "error: no Terraform/OpenTofu chosen yet; run 'make setup' first (or pass TF=terraform)"; exit 1; }
	@command -v "$(TF)" >/dev/null || { echo "error: $(TF) is missing; run 'make setup' first"; exit 1; }

# tflint and terraform-config-inspect: from the PATH, else built with Go on first use.
lint-tools: check-venv
	@command -v tflint >/dev/null && command -v terraform-config-inspect >/dev/null || scripts/toolchain/build.sh "$(CACHE_DIR)" lint

.PHONY: package
package: check-venv ## Build the Lambda deployment packages into build/lambda
	@$(PY) scripts/package_lambda.py --source lambda --out build/lambda

# --- quality ------------------------------------------------------------------------------------
.PHONY: fmt
fmt: check-tf check-venv ## Format Terraform and Python in place
	@$(TF) fmt -recursive
	@$(VENV)/bin/ruff format bench emulator labeling_cli lambda scripts tests
	@$(VENV)/bin/ruff check --fix bench emulator labeling_cli lambda scripts tests

.PHONY: lint lint-python lint-terraform lint-tflint lint-docs
lint: lint-python lint-terraform lint-tflint lint-docs ## ruff, mypy, fmt -check, validate (with each CLI), tflint, module docs freshness

lint-python: check-venv
	@echo "== ruff"; $(VENV)/bin/ruff check bench emulator labeling_cli lambda scripts tests; $(VENV)/bin/ruff format --check bench emulator labeling_cli lambda scripts tests
	@echo "== mypy"; $(VENV)/bin/mypy bench emulator labeling_cli lambda scripts tests

lint-terraform: check-tf
	@echo "== $(notdir $(TF)) fmt"; $(TF) fmt -check -recursive -diff
	@echo "== validate"; scripts/tf_each.sh validate $(MODULES) $(wildcard modules/*/examples/*) $(addprefix envs/,$(ENVS))

lint-tflint: lint-tools
	@echo "== tflint"; scripts/tf_each.sh tflint $(MODULES) $(addprefix envs/,$(ENVS))

lint-docs: lint-tools
	@echo "== module READMEs"; $(PY) scripts/tfdocs.py --check $(MODULES)

.PHONY: docs
docs: lint-tools ## Regenerate the inputs/outputs sections of the module READMEs
	@$(PY) scripts/tfdocs.py $(MODULES)

.PHONY: scan
scan: check-venv ## checkov security scan of the modules and environments; writes reports/checkov.sarif
	@mkdir -p reports
	@$(CHECKOV) --quiet --compact --framework terraform --download-external-modules false --skip-download \
	  $(foreach d,$(MODULES) $(addprefix envs/,$(ENVS)),-d $(d)) \
	  --output cli --output sarif --output-file-path console,reports/checkov.sarif

# --- tests ----------------------------------------------------------------------------------------
.PHONY: test
test: check-tf package lint ## The whole test suite: lint, module tests with each CLI, pytest (unit, emulator, end to end), scan
	@echo "== module tests"; scripts/tf_each.sh test $(MODULES)
	@echo "== pytest"; $(PY) -m pytest -n 2 --dist loadgroup
	@$(MAKE) scan

.PHONY: unit
unit: check-venv ## Only the fast Python tests (no emulator, no OpenTofu)
	@$(PY) -m pytest -m "not emulator and not infra"

# --- local AWS emulator ----------------------------------------------------------------------------
.PHONY: emulator-up
emulator-up: check-venv ## Start the local AWS emulator in the background (EMULATOR_PORT=4566)
	@$(PY) -m emulator.ctl up --host $(EMULATOR_HOST) --port $(EMULATOR_PORT) --state-dir "$(EMULATOR_DIR)"

.PHONY: emulator-down
emulator-down: ## Stop the local AWS emulator
	@$(PY) -m emulator.ctl down --state-dir "$(EMULATOR_DIR)"

# --- environments ----------------------------------------------------------------------------------
.PHONY: check-env
check-env:
	@[[ -n "$(ENV)" ]] || { echo "error: set ENV to one of: $(ENVS) (e.g. make plan ENV=dev)"; exit 1; }
	@[[ " $(ENVS) " == *" $(ENV) "* ]] || { echo "error: unknown ENV '$(ENV)'; use one of: $(ENVS)"; exit 1; }

.PHONY: plan apply destroy
plan: check-tf check-env package ## init + plan for ENV (local, dev, staging, prod)
	@scripts/env.sh "$(ENV)" plan
apply: check-tf check-env package ## init + apply for ENV
	@scripts/env.sh "$(ENV)" apply
destroy: check-tf check-venv check-env ## init + destroy for ENV
	@scripts/env.sh "$(ENV)" destroy

# Lock files with the registry's checksums for the platforms teams deploy from (README, "Lock files").
LOCK_PLATFORMS := linux_amd64 linux_arm64 darwin_amd64 darwin_arm64

.PHONY: providers-lock
providers-lock: check-tf check-env ## Write envs/ENV/.terraform.lock.hcl from the public registry (connected path), to commit
	@[[ -z "$(TOOLCHAIN_MIRROR)" ]] || { echo "error: providers-lock needs the public registry; run it where 'make setup' took the connected path"; exit 1; }
	@$(TF) -chdir=envs/$(ENV) init -backend=false -input=false >/dev/null
	@$(TF) -chdir=envs/$(ENV) providers lock $(addprefix -platform=,$(LOCK_PLATFORMS))
	@echo "commit it (lock files are git-ignored until added): git add -f envs/$(ENV)/.terraform.lock.hcl"

# --- demo and benchmarks ---------------------------------------------------------------------------
.PHONY: demo demo-run
demo: setup ## Set up, then the whole product on the local emulator: deploy, invite, upload, label, show, tear down (KEEP=1 keeps it)
	@$(MAKE) demo-run # a new make reads the CLI that setup has just chosen

demo-run: check-tf check-venv ## The demo alone, without running setup first (KEEP=1 keeps it running)
	@PYTHONPATH=lambda $(PY) scripts/demo.py $(if $(KEEP),--keep)

.PHONY: bench
bench: check-venv package ## Benchmarks against the local emulator; prints a table, writes reports/bench.json (options: BENCH_ARGS="--help")
	@PYTHONPATH=lambda $(PY) -m bench.run --out reports/bench.json $(BENCH_ARGS)

.PHONY: lock
lock: ## Re-resolve requirements*.in into fully pinned requirements*.txt
	@scripts/toolchain/lock.sh
