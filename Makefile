# rds-event-lambdas: common tasks. Every target that talks to AWS runs against moto's server
# on 127.0.0.1, started by scripts/with-moto with fake credentials.

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
