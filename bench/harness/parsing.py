"""The parse and classify benchmark: criterion for rds-events, and its Python reference."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from harness.targets import REPO

BENCH = "parse_classify"
SAMPLES = ("sns", "eventbridge")
# The criterion benchmarks of the steps of the SNS iteration.
RUST_STEPS = ("json_text_to_value", "parse_payload", "catalogue_and_routes")


def run_criterion(criterion_home: Path, seconds: float) -> dict[str, float]:
    """Runs the criterion benchmark; returns the median nanoseconds per event of each sample."""
    subprocess.run(
        [
            "cargo",
            "bench",
            "-p",
            "rds-events",
            "--bench",
            BENCH,
            "--",
            "--warm-up-time",
            "2",
            "--measurement-time",
            str(seconds),
            "--noplot",
        ],
        cwd=REPO,
        check=True,
        env={**os.environ, "CRITERION_HOME": str(criterion_home)},
    )
    results = {sample: _median(criterion_home / BENCH / sample) for sample in SAMPLES}
    for step in RUST_STEPS:
        results[f"sns_steps/{step}"] = _median(criterion_home / "sns_steps" / step)
    return results


def _median(bench_dir: Path) -> float:
    estimates = json.loads((bench_dir / "new" / "estimates.json").read_text())
    return estimates["median"]["point_estimate"]


def run_both(criterion_home: Path, seconds: float, passes: int = 2) -> dict[str, dict]:
    """Runs the Python and the criterion benchmarks in turn, `passes` times; returns the
    fastest median of each side per sample.

    The two sides run one after the other, so a busy spell of the machine would otherwise
    slow one side only and skew the ratio.
    """
    rust: dict[str, float] = {}
    python: dict[str, float] = {}
    for _ in range(passes):
        for sample, value in run_python(seconds).items():
            python[sample] = min(value, python.get(sample, value))
        for sample, value in run_criterion(criterion_home, seconds).items():
            rust[sample] = min(value, rust.get(sample, value))
    return {"rust": rust, "python": python}


def check_criterion() -> None:
    """Runs each criterion benchmark once, without measuring, in the test profile.

    With `--workspace`, features resolve as in `make test`, so the build reuses the tests'
    dependencies, where `cargo bench -- --test` would build rds-events and its
    dev-dependencies, the AWS SDK among them, with optimization.
    """
    subprocess.run(
        ["cargo", "test", "--workspace", "--bench", BENCH],
        cwd=REPO,
        check=True,
    )


def run_python(seconds: float) -> dict[str, float]:
    """Runs bench/python/parse_classify.py; returns its nanoseconds per event of each sample,
    and of each step of the SNS iteration."""
    output = subprocess.run(
        [sys.executable, str(REPO / "bench" / "python" / "parse_classify.py"), "--seconds",
         str(seconds)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = json.loads(output)
    results = {sample: found[sample]["ns_per_event"] for sample in SAMPLES}
    for step, nanoseconds in found["sns_steps"].items():
        results[f"sns_steps/{step}"] = nanoseconds
    return results
