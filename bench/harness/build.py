"""Building the Rust targets, and reading the sizes and duplicate crates of what was built."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from harness.targets import FUNCTION_PACKAGES, REPO

FLOOR_MANIFEST = REPO / "bench" / "floor" / "Cargo.toml"
FLOOR_PACKAGE = "bench-floor"
# Crates whose second version means a second HTTP or TLS stack in the binary.
HTTP_TLS_CRATES = (
    "h2",
    "http",
    "http-body",
    "hyper",
    "hyper-rustls",
    "ring",
    "rustls",
    "rustls-webpki",
    "tokio-rustls",
)


@dataclass
class Artifact:
    """One deployment zip, or one binary when no zip was built."""

    package: str
    arch: str
    zip_bytes: int | None
    binary_bytes: int


def target_dir() -> Path:
    """Returns the Cargo target directory of the workspace (CARGO_TARGET_DIR when set)."""
    output = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--no-deps"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return Path(json.loads(output)["target_directory"])


def _cargo(args: list[str], env: dict[str, str] | None = None) -> None:
    print("+ cargo " + " ".join(args), flush=True)
    subprocess.run(["cargo", *args], cwd=REPO, check=True, env={**os.environ, **(env or {})})


def _floor_env() -> dict[str, str]:
    """Copies the workspace's Cargo.lock to the floor, so that both build the same crate
    versions, and returns the environment that shares the workspace's target directory.

    The directory goes in CARGO_TARGET_DIR because cargo-lambda 1.9.2 passes a `--target-dir`
    argument on to `cargo metadata`, which rejects it.
    """
    shutil.copyfile(REPO / "Cargo.lock", FLOOR_MANIFEST.parent / "Cargo.lock")
    return {"CARGO_TARGET_DIR": str(target_dir())}


def build_dev(packages: list[str], with_floor: bool, build: bool = True) -> dict[str, Path]:
    """Builds the packages and the floor in the dev profile, unless `build` is false; returns
    each binary's path."""
    target = target_dir()
    binaries = {p: target / "debug" / p for p in packages}
    if with_floor:
        binaries[FLOOR_PACKAGE] = target / "debug" / FLOOR_PACKAGE
    if not build:
        return binaries
    if packages:
        _cargo(["build", *[arg for p in packages for arg in ("-p", p)]])
    if with_floor:
        _cargo(["build", "--manifest-path", str(FLOOR_MANIFEST)], _floor_env())
    return binaries


def _lambda_build(packages: list[str], with_floor: bool, extra: list[str], lambda_dir: Path):
    """Runs `cargo lambda build --release` for the packages and the floor."""
    lambda_dir.mkdir(parents=True, exist_ok=True)
    common = ["lambda", "build", "--release", *extra, "--lambda-dir", str(lambda_dir)]
    if packages:
        _cargo([*common, *[arg for p in packages for arg in ("-p", p)]])
    if with_floor:
        _cargo([*common, "--manifest-path", str(FLOOR_MANIFEST)], _floor_env())


def build_release(packages: list[str], with_floor: bool) -> dict[str, Path]:
    """Builds x86_64 release binaries with cargo-lambda (the optimisations of a deployment
    build) to run on this machine; returns each binary's path."""
    lambda_dir = target_dir() / "bench-lambda" / "x86_64"
    _lambda_build(packages, with_floor, ["--x86-64"], lambda_dir)
    names = [*packages, *([FLOOR_PACKAGE] if with_floor else [])]
    return {name: lambda_dir / name / "bootstrap" for name in names}


def build_zips(packages: list[str], with_floor: bool) -> tuple[list[Artifact], str | None]:
    """Builds the arm64 deployment zips; falls back to x86_64 zips when the arm64 build fails.

    Returns the artifacts and, after a fallback, the reason for it.
    """
    names = [*packages, *([FLOOR_PACKAGE] if with_floor else [])]
    for arch, flag in (("arm64", "--arm64"), ("x86_64", "--x86-64")):
        lambda_dir = target_dir() / "bench-lambda" / f"{arch}-zip"
        try:
            _lambda_build(packages, with_floor, [flag, "--output-format", "zip"], lambda_dir)
        except subprocess.CalledProcessError as err:
            if arch == "x86_64":
                raise
            fallback = f"the arm64 build failed ({err}), so the sizes are of x86_64 zips"
            print(f"bench: {fallback}", flush=True)
            continue
        artifacts = [
            _zip_artifact(name, arch, lambda_dir / name / "bootstrap.zip") for name in names
        ]
        return artifacts, (None if arch == "arm64" else fallback)
    raise AssertionError("unreachable")


def built_zips(packages: list[str], with_floor: bool) -> list[Artifact]:
    """Returns the zips an earlier `build_zips` left, arm64 ones first, or none."""
    names = [*packages, *([FLOOR_PACKAGE] if with_floor else [])]
    for arch in ("arm64", "x86_64"):
        paths = [target_dir() / "bench-lambda" / f"{arch}-zip" / n / "bootstrap.zip" for n in names]
        if all(path.is_file() for path in paths):
            return [_zip_artifact(name, arch, path) for name, path in zip(names, paths)]
    return []


def _zip_artifact(package: str, arch: str, path: Path) -> Artifact:
    with zipfile.ZipFile(path) as archive:
        binary_bytes = archive.getinfo("bootstrap").file_size
    return Artifact(package, arch, path.stat().st_size, binary_bytes)


def duplicate_crates(packages: list[str]) -> dict[str, list[str]]:
    """Returns {crate: [versions]} for the crates built in more than one version into the
    packages' binaries (`cargo tree -d`, normal dependencies, proc macros left out)."""
    if not packages:
        return {}
    output = subprocess.run(
        [
            "cargo",
            "tree",
            "--duplicates",
            "--edges",
            "normal,no-proc-macro",
            "--depth",
            "0",
            "--prefix",
            "none",
            *[arg for p in packages for arg in ("-p", p)],
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "CARGO_TERM_COLOR": "never"},
    ).stdout
    versions: dict[str, set[str]] = {}
    for line in output.splitlines():
        match = re.match(r"^(\S+) v(\S+)", line)
        if match:
            versions.setdefault(match.group(1), set()).add(match.group(2))
    return {name: sorted(found) for name, found in sorted(versions.items()) if len(found) > 1}
