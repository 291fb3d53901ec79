#!/usr/bin/env python3
"""Profiles the init of a benchmark target with perf: where the time to the first `next` goes.

Run it under scripts/with-moto after `make bench` has built the release binaries:

    scripts/with-moto python3 bench/profile_init.py "floor: backup event" --runs 20

Each run starts the target under `perf record`, waits for its first request for an event (the
end of init, as the benchmark times it) and stops it there, so the samples cover init only.
It prints the share of samples per binary or library. The release binaries are stripped, so
their own functions have no names. Then it times init with three CA certificate settings:
the default, where rustls-native-certs reads the bundle and every file of the certificate
directory; SSL_CERT_FILE naming the bundle only; and SSL_CERT_FILE naming one certificate.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import build  # noqa: E402
from harness import fixtures as fx  # noqa: E402
from harness.process import environment  # noqa: E402
from harness.runtime_api import RuntimeApi  # noqa: E402
from harness.targets import TARGETS, Target  # noqa: E402

CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def start_until_first_next(
    target: Target, api: RuntimeApi, fixtures: fx.Fixtures, binaries, wrapper, extra_env
) -> float:
    """Starts the target, stops it (SIGINT) at its first `next`; returns the init seconds."""
    session = api.start_session(target.function_name, [])
    env = {**environment(target, api.address, os.environ["AWS_ENDPOINT_URL"], fixtures),
           **extra_env}
    started = time.perf_counter()
    process = subprocess.Popen(
        [*wrapper, *target.command(binaries)],
        cwd=target.workdir(),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = started + 30
    while session.first_next_at is None and time.perf_counter() < deadline:
        time.sleep(0.0005)
    init = session.first_next_at
    # perf record writes its data when interrupted; the target ends with it.
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    session.close()
    if init is None:
        raise SystemExit(f"{target.label}: no request for an event within 30 s")
    return init - started


def dso_shares(data_files: list[Path]) -> dict[str, float]:
    """Returns the share of samples per binary or library, over all perf data files."""
    samples: dict[str, float] = {}
    for data in data_files:
        report = subprocess.run(
            ["perf", "report", "-i", str(data), "--sort", "dso", "--stdio", "--show-nr-samples"],
            capture_output=True,
            text=True,
        ).stdout
        for line in report.splitlines():
            match = re.match(r"\s*([\d.]+)%\s+(\d+)\s+(\S+)", line)
            if match:
                samples[match.group(3)] = samples.get(match.group(3), 0) + int(match.group(2))
    total = sum(samples.values()) or 1
    return {dso: count / total for dso, count in sorted(samples.items(), key=lambda i: -i[1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", help="a target label, such as 'floor: backup event'")
    parser.add_argument("--runs", type=int, default=20, help="processes per setting (20)")
    args = parser.parse_args()
    fx.require_loopback_endpoint()
    target = next((t for t in TARGETS if t.label == args.target), None)
    if target is None or target.language != "rust":
        raise SystemExit(f"{args.target!r} is not a Rust target: {[t.label for t in TARGETS]}")
    lambda_dir = build.target_dir() / "bench-lambda" / "x86_64"
    binaries = {target.entry: lambda_dir / target.entry / "bootstrap"}
    if not binaries[target.entry].is_file():
        raise SystemExit(f"{binaries[target.entry]} not found; run make bench first")

    fixtures = fx.seed()
    api = RuntimeApi()
    work = Path(tempfile.mkdtemp(prefix="profile-init."))
    one_certificate = work / "one-certificate.pem"
    bundle = CA_BUNDLE.read_text()
    one_certificate.write_text(bundle[: bundle.index("-----END CERTIFICATE-----") + 26])
    settings = {
        "default": {},
        "SSL_CERT_FILE=bundle": {"SSL_CERT_FILE": str(CA_BUNDLE)},
        "SSL_CERT_FILE=one certificate": {"SSL_CERT_FILE": str(one_certificate)},
    }
    try:
        data_files = []
        for run in range(args.runs):
            data = work / f"perf-{run}.data"
            perf = ["perf", "record", "-F", "20000", "-q", "-o", str(data), "--"]
            start_until_first_next(target, api, fixtures, binaries, perf, {})
            data_files.append(data)
        print(f"{target.label}: share of init samples by binary or library ({args.runs} runs)")
        for dso, share in dso_shares(data_files).items():
            if share >= 0.01:
                print(f"  {share:6.1%}  {dso}")

        times: dict[str, list[float]] = {name: [] for name in settings}
        for _ in range(args.runs):
            for name, extra_env in settings.items():
                times[name].append(
                    start_until_first_next(target, api, fixtures, binaries, [], extra_env)
                )
        print(f"{target.label}: init, median of {args.runs} runs without perf")
        for name, values in times.items():
            print(f"  {statistics.median(values) * 1000:6.1f} ms  {name}")
    finally:
        api.shutdown()
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
