"""The Lambda functions the harness runs, how to start each one, and what it is compared with.

Every target speaks the Lambda Runtime API. They are the project's Rust functions, the bare Rust
floor (bench/floor), and the Python references (bench/python) under awslambdaric, Lambda's own
runtime interface client for Python.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from harness.fixtures import Fixtures

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "events"
PYTHON_REFERENCES = REPO / "bench" / "python"

# The memory size Lambda would report; the project deploys its functions with 128 MB.
MEMORY_MB = "128"


@dataclass(frozen=True)
class Target:
    """One function as the harness starts it."""

    # The name in the results, e.g. "backup-notifier" or "python: backup-notifier".
    label: str
    # "rust" or "python".
    language: str
    # The function name Lambda would report (AWS_LAMBDA_FUNCTION_NAME).
    function_name: str
    # The SNS event file under events/ handed to the function.
    event_file: str
    # How many notifications one invocation publishes to the topic.
    notifications: int = 1
    # The Rust binary name (the Cargo package), or the Python handler ("module.function").
    entry: str = ""
    # The function's own environment variables; "{topic_arn}" is replaced by the seeded topic.
    environment: dict[str, str] = field(default_factory=dict)
    # The labels of the Python reference and the floor this target is compared with.
    python_reference: str | None = None
    floor: str | None = None

    def payload(self) -> bytes:
        return (EVENTS / self.event_file).read_bytes()

    def command(self, binaries: dict[str, Path]) -> list[str]:
        if self.language == "python":
            # The interpreter itself, not a shim in PATH: pyenv's shims are shell scripts that
            # would add their own start-up time to every cold start.
            return [sys.executable, "-m", "awslambdaric", self.entry]
        return [str(binaries[self.entry])]

    def workdir(self) -> Path:
        return PYTHON_REFERENCES if self.language == "python" else REPO

    def own_environment(self, fixtures: Fixtures) -> dict[str, str]:
        return {
            name: value.format(topic_arn=fixtures.topic_arn)
            for name, value in self.environment.items()
        }


BACKUP_EVENT = "sns-snapshot-created.json"
FAILOVER_EVENT = "sns-cluster-failover.json"
TOPIC_ENV = {"NOTIFICATION_TOPIC_ARN": "{topic_arn}"}

TARGETS = [
    Target(
        label="backup-notifier",
        language="rust",
        function_name="backup-notifier",
        event_file=BACKUP_EVENT,
        entry="backup-notifier",
        environment=TOPIC_ENV,
        python_reference="python: backup-notifier",
        floor="floor: backup event",
    ),
    Target(
        label="failover-reactor",
        language="rust",
        function_name="failover-reactor",
        event_file=FAILOVER_EVENT,
        entry="failover-reactor",
        environment=TOPIC_ENV,
        python_reference="python: failover-reactor",
        floor="floor: failover event",
    ),
    Target(
        label="floor: backup event",
        language="rust",
        function_name="bench-floor",
        event_file=BACKUP_EVENT,
        entry="bench-floor",
        environment=TOPIC_ENV,
    ),
    Target(
        label="floor: failover event",
        language="rust",
        function_name="bench-floor",
        event_file=FAILOVER_EVENT,
        entry="bench-floor",
        environment=TOPIC_ENV,
    ),
    Target(
        label="python: backup-notifier",
        language="python",
        function_name="backup-notifier-python",
        event_file=BACKUP_EVENT,
        entry="backup_notifier.lambda_handler",
        environment=TOPIC_ENV,
    ),
    Target(
        label="python: failover-reactor",
        language="python",
        function_name="failover-reactor-python",
        event_file=FAILOVER_EVENT,
        entry="failover_reactor.lambda_handler",
        environment=TOPIC_ENV,
    ),
]

# The Cargo packages of the project's functions, built with `-p`.
FUNCTION_PACKAGES = ["backup-notifier", "failover-reactor"]


def select(names: list[str] | None) -> list[Target]:
    """Returns the targets whose label, or whose group ("rust", "python", "floor",
    "functions"), is named; all targets for None."""
    if not names:
        return list(TARGETS)
    chosen = []
    for target in TARGETS:
        groups = {target.label, target.language}
        groups.add("floor" if target.entry == "bench-floor" else "")
        groups.add("functions" if target.entry in FUNCTION_PACKAGES else "")
        if groups & set(names):
            chosen.append(target)
    known = [t.label for t in TARGETS] + ["rust", "python", "floor", "functions"]
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(f"unknown target {unknown[0]!r}; known: {', '.join(known)}")
    return chosen
