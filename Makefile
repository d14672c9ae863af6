# Every verb installs what it needs on first use; nothing has to be set up by hand.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON_BOOTSTRAP ?= python3
PIPENV_PIN := pipenv==2026.10.3
TOOLS_VENV := .venv-tools
PIPENV := $(TOOLS_VENV)/bin/pipenv
# CDK=cdktn synthesizes with CDK Terrain, the maintained fork of CDK for Terraform
# (archived 2025-12-10), from its own environment (tools/cdktn/Pipfile).
CDK ?= cdktf
ifeq ($(CDK),cdktn)
APP_PIPFILE := tools/cdktn/Pipfile
VENV := tools/cdktn/.venv
APP_SYNC := sync
export FOUNDATION_CDK := cdktn
else ifeq ($(CDK),cdktf)
APP_PIPFILE := Pipfile
VENV := .venv
APP_SYNC := sync --dev
else
$(error CDK=$(CDK): use cdktf (the default) or cdktn)
endif
PY := $(VENV)/bin/python
CHECKOV_DIR := tools/checkov
CDKTF := node_modules/.bin/cdktf

# Virtualenvs inside the project (one for the app, one for Checkov, whose pins clash with ours).
export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIPENV_NOSPIN := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# jsii prints a large end-of-life banner under Node 20 on every run.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CHECKPOINT_DISABLE := 1

ENV ?=
ENVS := $(basename $(notdir $(wildcard environments/*.toml)))

.PHONY: examples golden imports docs ci-environments help install check synth test e2e prices lint plan deploy diff cli bench clean require-env outputs validate cost-comment ruff mypy

help:
	@echo "make check            synthesize every stack and run the gates (no AWS account needed)"
	@echo "make check CDK=cdktn  the same with CDK Terrain, the maintained fork of CDK for Terraform"
	@echo "make test             run the test suite"
	@echo "make synth            synthesize every stack into cdktf.out/stacks/"
	@echo "make examples         synthesize and gate the example systems of examples/"
	@echo "make plan ENV=prod    gates, then terraform init/plan in cdktf.out/stacks/prod"
	@echo "make deploy ENV=prod  gates, plan, then apply after confirmation (AUTO_APPROVE=1 in CI)"
	@echo "make diff ENV=prod    resource changes since the last gated run (REF=main: since a commit), no credentials needed"
	@echo "make outputs ENV=prod write .env.prod from terraform output (ids, endpoints, ARNs; no secret values)"
	@echo "make validate ENV=prod check the deployed resources against intent with boto3 (reads .env.prod)"
	@echo "make e2e              the file-sharing flow against a local moto server (no AWS account)"
	@echo "make prices           refresh policies/pricing/ from the AWS Price List API (needs credentials)"
	@echo "make lint             ruff, mypy and the import rules (what pre-commit and CI run)"
	@echo "make ruff             ruff lint and format check only"
	@echo "make mypy             strict type check only"
	@echo "make docs             regenerate docs/configuration.md and environments/schema.json"
	@echo "make golden           refresh tests/golden/ after a reviewed change to the shipped stacks"
	@echo "make cost-comment     the pull-request comment: verdicts, cost change, new risks, details (after make check)"
	@echo "make bench            naive path, cold and warm runs, scaling by environments, side by side"
	@echo "make imports          the import rules only (part of make lint)"
	@echo "make ci-environments  the environment files by profile, as CI matrices"
	@echo "make cli              install the pinned cdktf CLI into node_modules/"
	@echo "make install          install everything (every verb does it on first use)"
	@echo "make clean            remove cdktf.out/ and the tool caches"
	@echo "make help             this list"

$(PIPENV):
	$(PYTHON_BOOTSTRAP) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/pip install --quiet "$(PIPENV_PIN)"

$(VENV)/.synced: $(APP_PIPFILE).lock | $(PIPENV)
	PIPENV_PIPFILE=$(APP_PIPFILE) $(PIPENV) $(APP_SYNC)
	touch $@

$(CHECKOV_DIR)/.venv/.synced: $(CHECKOV_DIR)/Pipfile.lock | $(PIPENV)
	PIPENV_PIPFILE=$(CHECKOV_DIR)/Pipfile $(PIPENV) sync
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The AWS provider's JavaScript package with an index that loads each resource module on
# first use (the shipped one loads all ~2,200); modules/core/aws.py hands it to jsii.
$(VENV)/.lazy-provider: $(VENV)/.synced tools/lazy_provider.py
	$(PY) tools/lazy_provider.py
	touch $@

install: $(VENV)/.synced $(CHECKOV_DIR)/.venv/.synced $(if $(filter cdktf,$(CDK)),$(VENV)/.lazy-provider,)

# COMPARE_TO=<reports folder of the base branch> adds the monthly cost change per resource.
check: install
	@if [ -n "$(COMPARE_TO)" ] && [ ! -e "$(COMPARE_TO)" ]; then \
	  echo "COMPARE_TO=$(COMPARE_TO) does not exist: no cost comparison in this run." >&2; fi
	$(PY) main.py --gate $(if $(wildcard $(COMPARE_TO)),--compare-to $(COMPARE_TO),)

# The seed systems of examples/, each its own system: synthesized and gated in one run.
examples: install
	@if ls examples/*.toml >/dev/null 2>&1; then \
	  $(PY) main.py --gate --independent --environments-dir examples --outdir cdktf.out/examples; \
	else echo "No examples/*.toml to gate."; fi

# The pull-request comment (after make check): verdict, cost change and new risks first, details
# folded, each environment's diagram; COMPARE_TO=<base reports folder> names the new risks.
cost-comment: $(VENV)/.synced
	$(PY) -m gates.comment $(if $(COMPARE_TO),--compare-to $(COMPARE_TO),)

synth: install
	$(PY) main.py

# Tests run in parallel, one worker per core (TEST_WORKERS=1: serially in this process; TEST_WORKERS=N: N workers).
# --dist loadfile keeps a file's tests on one worker, so its session fixtures are built once there.
TEST_WORKERS ?= auto
# node_modules: the Mermaid parser the diagram tests use.
test: install node_modules/.installed
	@status=0; $(PY) -m pytest $(if $(filter 1,$(TEST_WORKERS)),-p no:xdist,-n $(TEST_WORKERS) --dist loadfile) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no test: that is a failure, not a pass." >&2; fi; \
	exit $$status

# Upload URL -> real HTTP upload -> processor -> download URL -> same bytes, on loopback.
e2e: $(VENV)/.synced
	$(PY) -m pytest tests/lambda_src -v

prices: $(VENV)/.synced
	$(PY) tools/prices.py

lint: ruff mypy imports

# The import rules of the architecture (components never import each other, and so on).
imports: $(VENV)/.synced
	$(VENV)/bin/lint-imports

# docs/configuration.md and environments/schema.json from the settings models.
docs: $(VENV)/.synced
	$(PY) -m modules.config.reference

# The environments present, by profile, as JSON lists (CI matrices follow the files).
ci-environments: $(VENV)/.synced
	@$(PY) tools/environments.py

ruff: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

mypy: $(VENV)/.synced
	$(VENV)/bin/mypy

require-env:
	@if [ -z "$(ENV)" ]; then echo "Name the environment: make $(MAKECMDGOALS) ENV=<$(subst $() ,|,$(ENVS))>" >&2; exit 2; fi
	@if [ ! -f "environments/$(ENV).toml" ]; then echo "Unknown environment '$(ENV)': no environments/$(ENV).toml (available: $(ENVS))" >&2; exit 2; fi

plan: require-env install
	$(PY) main.py --gate --env $(ENV)
	$(PY) tools/terraform.py plan $(ENV)

deploy: require-env install
	$(PY) main.py --gate --env $(ENV)
	$(PY) tools/terraform.py apply $(ENV) $(if $(AUTO_APPROVE),--auto-approve,)

# After a deploy: OUTPUTS_ARGS="--from saved.json" reads a saved `terraform output -json`.
outputs: require-env $(VENV)/.synced
	$(PY) -m operations.outputs $(ENV) $(OUTPUTS_ARGS)

# VALIDATE_ARGS="--env-file FILE --region REGION" override the defaults.
validate: require-env $(VENV)/.synced
	$(PY) -m operations.validate $(ENV) $(VALIDATE_ARGS)

# Offline: the current synthesis against the last gated copy (or REF=<git ref>), stateful
# replacements flagged; then terraform plan where Terraform, providers and credentials allow.
diff: require-env $(VENV)/.synced
	$(PY) main.py --env $(ENV)
	$(PY) tools/diff.py $(ENV) $(if $(REF),--ref $(REF),)

# The pinned cdktf CLI (0.21.0) in node_modules/: `node_modules/.bin/cdktf deploy prod`
# runs the gated app command from cdktf.json before Terraform.
cli: node_modules/.installed

# BENCH_ARGS="--tests" also times make test serially and in parallel; "--baseline REV" measures commit REV
# (its own worktree and install): its cost per added environment and its test suite, against today's;
# "--scaling 1,3" fewer environments.
bench: install
	$(PY) tools/bench.py $(BENCH_ARGS)

clean:
	rm -rf cdktf.out .pytest_cache .mypy_cache .ruff_cache

# After a reviewed change to what the shipped environments synthesize.
golden: $(VENV)/.synced
	$(PY) tools/golden.py
