"""Rendering the results as Markdown, and rewriting the results section of BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

from harness.build import HTTP_TLS_CRATES
from harness.parsing import SAMPLES
from harness.targets import TARGETS

START_MARKER = "<!-- results: start (bench/run.py rewrites this section) -->"
END_MARKER = "<!-- results: end -->"
MIB = 1024 * 1024


def machine() -> dict[str, str]:
    """Describes this machine: CPU count and model, memory, kernel."""
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kib = int(line.split()[1])
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return {
        "nproc": nproc,
        "cpu": model,
        "memory": f"{memory_kib / 1024 / 1024:.1f} GiB",
        "kernel": f"{platform.system()} {platform.release()} {platform.machine()}",
        "load": " ".join(f"{load:.1f}" for load in os.getloadavg()),
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}" if seconds < 0.1 else f"{seconds * 1000:.0f}"


def _mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def _ratio(value: float) -> str:
    return f"{value:.1f}×" if value < 100 else f"{value:.0f}×"


def _cold_table(cold: dict, endpoint: str) -> list[str]:
    lines = [
        "| function | init, median (p90) ms | first invocation, median (p90) ms "
        "| peak RSS, median (max) MiB |",
        "| --- | ---: | ---: | ---: |",
    ]
    for target in TARGETS:
        result = cold.get(target.label, {}).get(endpoint)
        if not result:
            continue
        init, first, rss = result["init"], result["first"], result["max_rss_kib"]
        lines.append(
            f"| {target.label} | {_ms(init['median'])} ({_ms(init['p90'])}) "
            f"| {_ms(first['median'])} ({_ms(first['p90'])}) "
            f"| {_mib(rss['median'])} ({_mib(rss['max'])}) |"
        )
    return lines


def _calls_table(calls: dict[str, list[str]]) -> list[str]:
    lines = [
        "Recorded by the replay stub in the first cold round; the harness stops when a "
        "function's calls differ from its Python reference's or its floor's.",
        "",
        "| function | calls |",
        "| --- | --- |",
    ]
    for target in TARGETS:
        if target.label in calls:
            lines.append(f"| {target.label} | {', '.join(calls[target.label])} |")
    return lines


def _warm_table(warm: dict) -> list[str]:
    lines = [
        "| function | moto: events/s | moto: invocation, median (p90) ms "
        "| replay: events/s | replay: invocation, median (p90) ms | peak RSS MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for target in TARGETS:
        result = warm.get(target.label)
        if not result:
            continue
        cells = []
        for endpoint in ("moto", "replay"):
            run = result.get(endpoint)
            if run is None:
                cells += ["-", "-"]
                continue
            duration = run["duration"]
            cells += [
                f"{run['events_per_second']:.0f}",
                f"{_ms(duration['median'])} ({_ms(duration['p90'])})",
            ]
        peak = max(run["max_rss_kib"] for run in result.values())
        lines.append(f"| {target.label} | " + " | ".join(cells) + f" | {_mib(peak)} |")
    return lines


def _goal_rows(results: dict) -> list[str]:
    """Achieved against goal, for each function that was measured."""
    cold = results["cold"]
    rows = []

    def median(label: str | None, metric: str, endpoint: str = "moto") -> float | None:
        if label is None:
            return None
        result = cold.get(label, {}).get(endpoint)
        return result[metric]["median"] if result else None

    def row(goal: str, achieved: str, met: bool, by: str) -> None:
        rows.append(f"| {goal} | {achieved} | {'met' if met else 'missed'} | {by} |")

    for target in TARGETS:
        if target.python_reference is None or target.label not in cold:
            continue
        name = target.label
        comparisons = (
            ("init", "moto", "init", 50.0),
            ("first", "moto", "first invocation", 10.0),
            ("first", "replay", "first invocation against the replay stub", 10.0),
        )
        for metric, endpoint, word, goal in comparisons:
            rust = median(name, metric, endpoint)
            python = median(target.python_reference, metric, endpoint)
            if rust and python:
                ratio = python / rust
                row(
                    f"{name}: {word} ≥ {goal:.0f}× shorter than Python",
                    f"{_ratio(ratio)} ({_ms(rust)} vs {_ms(python)} ms)",
                    ratio >= goal,
                    "-" if ratio >= goal else f"{goal / ratio:.1f}× short",
                )
            floor = median(target.floor, metric, endpoint)
            if rust and floor:
                ratio = rust / floor
                row(
                    f"{name}: {word} within 1.2× of the floor",
                    f"{ratio:.2f}× ({_ms(rust)} vs {_ms(floor)} ms)",
                    ratio <= 1.2,
                    "-" if ratio <= 1.2 else f"{ratio / 1.2:.2f}× over",
                )
        rust, python = median(name, "max_rss_kib"), median(target.python_reference, "max_rss_kib")
        if rust and python:
            ratio = rust / python
            row(
                f"{name}: peak RSS ≤ ⅓ of Python",
                f"{ratio:.2f} of Python ({_mib(rust)} vs {_mib(python)} MiB)",
                ratio <= 1 / 3,
                "-" if ratio <= 1 / 3 else f"{ratio * 3:.2f}× over",
            )
        if rust:
            megabytes = rust * 1024 / 1e6
            row(
                f"{name}: peak RSS < 20 MB",
                f"{megabytes:.1f} MB",
                megabytes < 20,
                "-" if megabytes < 20 else f"{megabytes - 20:.1f} MB over",
            )
    for artifact in results.get("sizes", []):
        if artifact["zip_bytes"] is None or artifact["package"] == "bench-floor":
            continue
        megabytes = artifact["zip_bytes"] / 1e6
        row(
            f"{artifact['package']}: {artifact['arch']} zip ≤ 6 MB",
            f"{megabytes:.2f} MB",
            megabytes <= 6,
            "-" if megabytes <= 6 else f"{megabytes - 6:.2f} MB over",
        )
    parse = results.get("parse")
    if parse and parse.get("rust"):
        for sample in SAMPLES:
            ratio = parse["python"][sample] / parse["rust"][sample]
            row(
                f"parse and classify ({sample}) ≥ 30× Python",
                f"{_ratio(ratio)}",
                ratio >= 30,
                "-" if ratio >= 30 else f"{30 / ratio:.1f}× short",
            )
    return rows


def _header(results: dict) -> list[str]:
    m = results["machine"]
    versions = ", ".join(f"{name} {version}" for name, version in results["versions"].items())
    return [
        f"Measured {results['date']} with `{results['command']}`, on {m['nproc']} CPUs "
        f"({m['cpu']}), {m['memory']} of memory, {m['kernel']}, load average "
        f"{m['load_before']} before the runs and {m['load']} after; {versions}.",
        "",
        f"Cold starts: {results['runs']} processes per function and endpoint, one SNS event "
        f"each. Warm runs: {results['warm_invocations']} events through one process after a "
        "first, untimed one.",
        "",
        *_retried_text(results.get("retried", [])),
    ]


def _retried_text(retried: list[str]) -> list[str]:
    if not retried:
        return ["No run failed."]
    return [
        f"{len(retried)} run(s) failed and were repeated; the failures are left out of the "
        "numbers:",
        "",
        *[f"- {reason}" for reason in retried],
    ]


def _size_table(results: dict) -> list[str]:
    lines = []
    if results.get("size_note"):
        lines += [f"N.B. {results['size_note']}.", ""]
    lines += ["| package | arch | zip bytes | binary bytes |", "| --- | --- | ---: | ---: |"]
    for artifact in results.get("sizes", []):
        zip_bytes = artifact["zip_bytes"]
        zip_cell = "-" if zip_bytes is None else f"{zip_bytes:,}"
        lines.append(
            f"| {artifact['package']} | {artifact['arch']} | {zip_cell} "
            f"| {artifact['binary_bytes']:,} |"
        )
    return lines


def _parse_table(parse: dict) -> list[str]:
    if not parse.get("rust"):
        return ["Not measured in this run."]
    lines = [
        "| payload | rds-events, median ns/event | Python, ns/event | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for sample in SAMPLES:
        rust, python = parse["rust"][sample], parse["python"][sample]
        lines.append(f"| {sample} | {rust:,.0f} | {python:,.0f} | {_ratio(python / rust)} |")
    lines += [
        "",
        "The steps of the SNS iteration, each timed alone:",
        "",
        "| step | ns |",
        "| --- | ---: |",
    ]
    for side, label in (("rust", "rds-events"), ("python", "Python")):
        for key, nanoseconds in parse[side].items():
            if key.startswith("sns_steps/"):
                step = key.removeprefix("sns_steps/")
                lines.append(f"| {label}: `{step}` | {nanoseconds:,.0f} |")
    return lines


def _duplicates_text(duplicates: dict[str, list[str]]) -> list[str]:
    if not duplicates:
        return ["None."]
    lines = [
        "`cargo tree --duplicates --edges normal,no-proc-macro` of the functions: "
        + ", ".join(f"{name} {' and '.join(versions)}" for name, versions in duplicates.items())
        + "."
    ]
    http_tls = [name for name in duplicates if name in HTTP_TLS_CRATES]
    if http_tls:
        lines += ["", "Second HTTP or TLS stack: " + ", ".join(http_tls) + "."]
    return lines


def render(results: dict) -> str:
    """Returns the results section, from the first marker to the last, inclusive."""
    sections = [
        ("", _header(results)),
        (
            "Goals",
            [
                "| goal | achieved | result | by how much |",
                "| --- | --- | --- | --- |",
                *_goal_rows(results),
            ],
        ),
        ("SDK calls per event", _calls_table(results.get("calls", {}))),
        ("Cold start against moto's server", _cold_table(results["cold"], "moto")),
        ("Cold start against the replay stub", _cold_table(results["cold"], "replay")),
        ("Warm invocations", _warm_table(results["warm"])),
        ("Size", _size_table(results)),
        ("Parse and classify", _parse_table(results.get("parse") or {})),
        ("Crates built in two versions", _duplicates_text(results.get("duplicates", {}))),
    ]
    lines = [START_MARKER]
    for title, body in sections:
        lines.append("")
        if title:
            lines += [f"### {title}", ""]
        lines += body
    lines += ["", END_MARKER]
    return "\n".join(lines)


def rewrite(path: Path, section: str) -> None:
    """Replaces the results section of `path` with `section`."""
    text = path.read_text()
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    if start < 0 or end < start:
        raise SystemExit(f"{path}: results markers not found; expected {START_MARKER!r}")
    path.write_text(text[:start] + section + text[end + len(END_MARKER) :])
