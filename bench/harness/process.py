"""Starting a function process against the local Runtime API and measuring one run of it."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from harness.fixtures import Fixtures
from harness.runtime_api import RuntimeApi, Session
from harness.targets import MEMORY_MB, Target

# The environment variables Lambda sets that are not the function's own. lambda_runtime 1.5
# panics at start without the function name, memory size and version
# (lambda_runtime::Config::from_env).
AWS_SETTINGS = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


class RunFailed(Exception):
    """A function process that did not complete its run."""


@dataclass
class ProcessRun:
    """One function process from start to stop."""

    session: Session
    started_at: float
    max_rss_kib: int

    @property
    def init(self) -> float:
        """Seconds from process start to its first request for an event."""
        assert self.session.first_next_at is not None
        return self.session.first_next_at - self.started_at


def environment(
    target: Target, runtime_api: str, endpoint_url: str, fixtures: Fixtures
) -> dict[str, str]:
    """Returns the environment Lambda would give the function, aimed at loopback."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_LAMBDA_FUNCTION_NAME": target.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": MEMORY_MB,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{target.function_name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]bench",
        "AWS_ENDPOINT_URL": endpoint_url,
    }
    for name in AWS_SETTINGS:
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(target.own_environment(fixtures))
    return env


def run_function(
    target: Target,
    payloads: list[bytes],
    *,
    api: RuntimeApi,
    binaries: dict[str, Path],
    endpoint_url: str,
    fixtures: Fixtures,
    log_dir: Path,
    timeout: float,
    wrapper: list[str] | None = None,
) -> ProcessRun:
    """Starts the function, hands it `payloads` one by one, and kills it after the last response.

    Raises RunFailed when the function reports an init or invocation error, exits early, or
    has not answered every event within `timeout` seconds. A `wrapper` command (a profiler)
    starts the function; its time and memory are then part of the measurements.
    """
    session = api.start_session(target.function_name, payloads)
    env = environment(target, api.address, endpoint_url, fixtures)
    log_fd, log_name = tempfile.mkstemp(
        prefix=target.label.replace(": ", "-").replace(" ", "-") + ".", suffix=".log", dir=log_dir
    )
    started_at = time.perf_counter()
    process = subprocess.Popen(
        [*(wrapper or []), *target.command(binaries)],
        cwd=target.workdir(),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_fd,
        stderr=subprocess.STDOUT,
    )
    os.close(log_fd)
    exit_status = None
    peak_rss_kib = None
    try:
        deadline = started_at + timeout
        while not session.finished.wait(0.01):
            pid, status, _ = os.wait4(process.pid, os.WNOHANG)
            if pid:
                exit_status = status
                break
            if time.perf_counter() > deadline:
                break
    finally:
        if exit_status is None:
            peak_rss_kib = _peak_rss_kib(process.pid)
            process.send_signal(signal.SIGKILL)
            os.wait4(process.pid, 0)
        # The process is reaped; keep Popen from waiting for it again.
        process.returncode = -signal.SIGKILL if exit_status is None else exit_status
        session.close()

    problem = _problem(session, exit_status, timeout)
    if problem:
        log_tail = Path(log_name).read_text(errors="replace")[-2000:]
        raise RunFailed(
            f"{target.label} against {endpoint_url}: {problem}\n--- log {log_name} ---\n{log_tail}"
        )
    assert peak_rss_kib is not None, "_problem reports every process that exited"
    return ProcessRun(session=session, started_at=started_at, max_rss_kib=peak_rss_kib)


def _peak_rss_kib(pid: int) -> int:
    """Returns the peak resident set size of a running process (VmHWM), in KiB.

    The rusage of a reaped child (ru_maxrss) would not do: Linux carries the high-water mark
    of the memory the child had before exec, a copy of this harness, into it.
    """
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RunFailed(f"/proc/{pid}/status has no VmHWM line")


def _problem(session: Session, exit_status: int | None, timeout: float) -> str | None:
    if session.init_error is not None:
        return f"init error: {session.init_error.decode(errors='replace')}"
    for invocation in session.invocations:
        if invocation.is_error:
            return f"invocation error: {(invocation.response or b'').decode(errors='replace')}"
    if exit_status is not None:
        # A Lambda runtime requests events until it is stopped, so any exit is a failure.
        return f"process exited with wait status {exit_status}"
    if not session.finished.is_set():
        handed = sum(1 for i in session.invocations if i.handed_at is not None)
        answered = sum(1 for i in session.invocations if i.answered_at is not None)
        stage = "never requested an event" if session.first_next_at is None else (
            f"received {handed} and answered {answered} of {len(session.invocations)} events"
        )
        return f"timed out after {timeout:.0f} s: the process {stage}"
    return None
