#!/usr/bin/env python3
"""Benchmarks the project's Lambda functions side by side with Python and a bare Rust floor.

Run it under scripts/with-moto, which starts moto's server on loopback and exports its
endpoint and fake credentials:

    scripts/with-moto python3 bench/run.py            # what `make bench` runs
    scripts/with-moto python3 bench/run.py --smoke    # what `make bench-smoke` runs

It builds the Rust targets and seeds moto. It starts every target many times against a local
Lambda Runtime API (cold starts) and sends one process many events (warm runs). It measures the
deployment zips and the parse and classify throughput of rds-events. Then it rewrites the
results section of BENCHMARKS.md. Every run is bounded by --runs, --warm and --timeout.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import importlib.metadata
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import build, parsing, report  # noqa: E402
from harness import fixtures as fx  # noqa: E402
from harness.measure import Context, Summary, cold_runs, warm_run  # noqa: E402
from harness.process import RunFailed  # noqa: E402
from harness.replay import ReplayStub  # noqa: E402
from harness.runtime_api import RuntimeApi  # noqa: E402
from harness.targets import FUNCTION_PACKAGES, REPO, select  # noqa: E402


PARTS = ["cold", "warm", "parse"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])

    parser.add_argument(
        "--smoke",
        action="store_true",
        help="check that the harness works: dev builds, 2 cold runs and 5 warm invocations per "
        "target, each criterion benchmark once with `cargo test --bench`; prints the results and "
        "leaves BENCHMARKS.md alone",
    )

    parser.add_argument("--runs", type=int, help="cold starts per target and endpoint (20)")
    parser.add_argument("--warm", type=int, help="timed invocations per warm run (200)")

    parser.add_argument(
        "--targets",
        nargs="+",
        metavar="NAME",
        help="labels or groups (rust, python, floor, functions) to run; default: all",
    )
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=PARTS,
        default=PARTS,
        help="what to measure: cold starts, warm runs, parse and classify; default: all",
    )
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds one process may take (120)"
    )
    parser.add_argument(
        "--parse-seconds",
        type=float,
        default=5,
        help="measurement time of each parse and classify benchmark, in seconds (5)",
    )

    parser.add_argument(
        "--no-build", action="store_true", help="use the binaries of an earlier build"
    )
    parser.add_argument(
        "--wrapper",
        type=shlex.split,
        default=[],
        help="a command to start every process under, for profiling (e.g. 'strace -f -tt -o "
        "/tmp/trace'); it makes the timings and memory those of the wrapped process",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=REPO / "BENCHMARKS.md",
        help="the file whose results section is rewritten (BENCHMARKS.md)",
    )

    args = parser.parse_args()
    args.runs = args.runs or (2 if args.smoke else 20)
    args.warm = args.warm or (5 if args.smoke else 200)
    return args


def versions() -> dict[str, str]:
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout
    found = {"rustc": rustc.split()[1] if rustc else "unknown", "Python": sys.version.split()[0]}
    for package in ("moto", "boto3", "awslambdaric", "cargo-lambda"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def check_python_packages(targets) -> None:
    needed = {"boto3", "moto"}
    if any(target.language == "python" for target in targets):
        needed.add("awslambdaric")
    missing = []
    for package in sorted(needed):
        try:
            importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            missing.append(package)
    if missing:
        raise SystemExit(
            f"missing Python packages: {', '.join(missing)}; install them with "
            "pip install -r bench/requirements.txt"
        )


def build_targets(args, targets) -> tuple[dict[str, Path], list[dict], str | None]:
    """Builds what the targets need; returns the binaries, the sizes and a note on them."""
    packages = sorted({t.entry for t in targets if t.entry in FUNCTION_PACKAGES})
    with_floor = any(t.entry == build.FLOOR_PACKAGE for t in targets)
    if args.smoke:
        binaries = build.build_dev(packages, with_floor, build=not args.no_build)
        return binaries, [], "a smoke run measures no sizes"
    if args.no_build:
        lambda_dir = build.target_dir() / "bench-lambda" / "x86_64"
        names = [*packages, *([build.FLOOR_PACKAGE] if with_floor else [])]
        binaries = {name: lambda_dir / name / "bootstrap" for name in names}
        artifacts = build.built_zips(packages, with_floor)
        note = "the sizes are of the zips of an earlier build" if artifacts else (
            "no sizes: the run reused an earlier build, which left no zips"
        )
        return binaries, [dataclasses.asdict(a) for a in artifacts], note
    binaries = build.build_release(packages, with_floor)
    artifacts, note = build.build_zips(packages, with_floor)
    return binaries, [dataclasses.asdict(a) for a in artifacts], note


def summarise_cold(samples) -> dict:
    cold: dict[str, dict] = {}
    for (label, endpoint), found in samples.items():
        cold.setdefault(label, {})[endpoint] = {
            "init": dataclasses.asdict(Summary.of(found.init)),
            "first": dataclasses.asdict(Summary.of(found.first)),
            "max_rss_kib": dataclasses.asdict(Summary.of(found.max_rss_kib)),
        }
    return cold


def measure_processes(args, targets, binaries) -> tuple[dict, dict, dict, list[str]]:
    """Runs the cold and warm runs that --parts selects, and returns their results, the SDK
    calls of each target, and the failures that were retried."""
    moto_url = fx.require_loopback_endpoint()
    fixtures = fx.seed()
    fx.drain(fixtures)
    api = RuntimeApi()
    stub = ReplayStub(moto_url)
    endpoints = {"moto": moto_url, "replay": stub.url}
    log_dir = Path(tempfile.mkdtemp(prefix="bench-logs."))
    context = Context(api, binaries, fixtures, log_dir, args.timeout, args.wrapper, stub=stub)
    print(f"bench: function logs go to {log_dir}", flush=True)
    cold: dict[str, dict] = {}
    calls: dict[str, list[str]] = {}
    warm: dict[str, dict] = {}
    try:
        if "cold" in args.parts:
            samples, calls = cold_runs(context, targets, endpoints, args.runs)
            cold = summarise_cold(samples)
        if "warm" in args.parts:
            for target in targets:
                for endpoint, url in endpoints.items():
                    result = warm_run(context, target, endpoint, url, args.warm)
                    warm.setdefault(target.label, {})[endpoint] = dataclasses.asdict(result)
                print(f"bench: warm runs of {target.label} done", flush=True)
    except RunFailed as err:
        raise SystemExit(f"bench: {err}") from None
    finally:
        api.shutdown()
        stub.shutdown()
    # The logs are kept only when a run failed, for its error.
    if not context.retried:
        shutil.rmtree(log_dir)
    return cold, warm, calls, context.retried


def measure_parsing(args) -> dict:
    """Runs the parse and classify benchmarks, or in a smoke run only checks the Rust one."""
    if "parse" not in args.parts:
        return {}
    if args.smoke:
        parsing.check_criterion()
        return {"rust": {}, "python": parsing.run_python(0.05)}
    return parsing.run_both(build.target_dir() / "criterion", args.parse_seconds)


def main() -> None:
    args = parse_args()
    targets = select(args.targets)
    fx.require_loopback_endpoint()
    check_python_packages(targets)

    binaries, sizes, size_note = build_targets(args, targets)
    for name, path in binaries.items():
        if not path.is_file():
            raise SystemExit(f"{name}: binary {path} not found; run without --no-build")

    load_before = " ".join(f"{load:.1f}" for load in os.getloadavg())
    cold, warm, calls, retried = measure_processes(args, targets, binaries)
    parse = measure_parsing(args)

    # Only a complete, unwrapped run replaces the results on record.
    recorded = not (args.smoke or args.wrapper or args.targets) and args.parts == PARTS
    if recorded:
        command = "make bench"
    elif args.smoke:
        command = "make bench-smoke"
    else:
        command = "scripts/with-moto python3 bench/run.py " + shlex.join(sys.argv[1:])
    packages = sorted({t.entry for t in targets if t.entry in FUNCTION_PACKAGES})
    results = {
        "command": command,
        "date": datetime.date.today().isoformat(),
        "machine": {**report.machine(), "load_before": load_before},
        "versions": versions(),
        "runs": args.runs,
        "warm_invocations": args.warm,
        "cold": cold,
        "warm": warm,
        "calls": calls,
        "retried": retried,
        "sizes": sizes,
        "size_note": size_note,
        "parse": parse,
        "duplicates": build.duplicate_crates(packages),
    }
    results_file = build.target_dir() / ("bench.json" if recorded else "bench-trial.json")
    results_file.write_text(json.dumps(results, indent=2))
    section = report.render(results)
    if not recorded:
        print(section)
        print(f"bench: run passed; results in {results_file}, BENCHMARKS.md left as it was")
    else:
        report.rewrite(args.output, section)
        print(f"bench: results written to {args.output} and {results_file}")


if __name__ == "__main__":
    main()
