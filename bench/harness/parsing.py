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
    results = {}
    for sample in SAMPLES:
        estimates = json.loads(
            (criterion_home / BENCH / sample / "new" / "estimates.json").read_text()
        )
        results[sample] = estimates["median"]["point_estimate"]
    return results


def check_criterion() -> None:
    """Runs each criterion benchmark once, without measuring (`cargo bench -- --test`)."""
    subprocess.run(
        ["cargo", "bench", "-p", "rds-events", "--bench", BENCH, "--", "--test"],
        cwd=REPO,
        check=True,
    )


def run_python(seconds: float) -> dict[str, float]:
    """Runs bench/python/parse_classify.py; returns its nanoseconds per event of each sample."""
    output = subprocess.run(
        [sys.executable, str(REPO / "bench" / "python" / "parse_classify.py"), "--seconds",
         str(seconds)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {sample: result["ns_per_event"] for sample, result in json.loads(output).items()}
