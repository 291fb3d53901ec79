"""Cold and warm runs of the targets, with the statistics the report needs."""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from harness import fixtures as fx
from harness.process import ProcessRun, RunFailed, run_function
from harness.replay import ReplayStub
from harness.runtime_api import RuntimeApi
from harness.targets import Target


@dataclass
class Summary:
    """Median, 90th percentile (nearest rank) and maximum of a set of samples."""

    median: float
    p90: float
    max: float
    count: int

    @classmethod
    def of(cls, values: list[float]) -> Summary:
        ordered = sorted(values)
        rank = max(1, math.ceil(0.9 * len(ordered)))
        return cls(statistics.median(ordered), ordered[rank - 1], ordered[-1], len(ordered))


@dataclass
class ColdSamples:
    """The cold runs of one target against one endpoint."""

    init: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    max_rss_kib: list[float] = field(default_factory=list)


@dataclass
class WarmResult:
    """Invocations after the first, through one process."""

    invocations: int
    events_per_second: float
    duration: Summary
    max_rss_kib: int


@dataclass
class Context:
    """The Runtime API, binaries, fixtures and log directory that every run uses."""

    api: RuntimeApi
    binaries: dict[str, Path]
    fixtures: fx.Fixtures
    log_dir: Path
    timeout: float
    # A command that each process runs under, such as strace, for profiling; none by default.
    wrapper: list[str] = field(default_factory=list)
    # The first line of each failure that was retried.
    retried: list[str] = field(default_factory=list)
    # The replay stub, which records the SDK calls of the runs against it.
    stub: ReplayStub | None = None


def _check_notifications(
    context: Context, target: Target, endpoint_name: str, invocations: int
) -> None:
    """Empties the notification queue; after a run against moto, fails unless the target
    published its notifications once per invocation.

    The replay stub forwards the first request of each action to moto, a publish included, so
    runs against it can leave a notification behind, which is drained here without a check.
    """
    received = fx.drain(context.fixtures)
    expected = target.notifications * invocations
    if endpoint_name == "moto" and received != expected:
        raise RunFailed(
            f"{target.label}: {received} notifications reached the queue, expected {expected}"
        )


def _run(
    context: Context, target: Target, events: int, endpoint_name: str, endpoint_url: str
) -> ProcessRun:
    """Runs one process of the target that receives `events` copies of its event, and checks
    its notifications.

    A failed run is retried once and its failure kept in `context.retried`, so that one stall
    of moto's server does not end a long benchmark unseen. A second failure raises RunFailed.
    """
    for attempt in (1, 2):
        try:
            run = run_function(
                target,
                [target.payload()] * events,
                api=context.api,
                binaries=context.binaries,
                endpoint_url=endpoint_url,
                fixtures=context.fixtures,
                log_dir=context.log_dir,
                timeout=context.timeout,
                wrapper=context.wrapper,
            )
            _check_notifications(context, target, endpoint_name, events)
            return run
        except RunFailed as err:
            if attempt == 2:
                raise
            reason = str(err).splitlines()[0]
            context.retried.append(reason)
            print(f"bench: run failed, retrying once: {err}", flush=True)
            fx.drain(context.fixtures)
    raise AssertionError("unreachable")


def check_same_calls(targets: list[Target], calls: dict[str, list[str]]) -> None:
    """Fails unless each function made the same SDK calls as its Python reference and its
    floor, so that the comparison is of the same work."""
    for target in targets:
        for other in (target.python_reference, target.floor):
            if other in calls and target.label in calls and calls[other] != calls[target.label]:
                raise RunFailed(
                    f"{target.label} made the SDK calls {calls[target.label]} for one event, "
                    f"but {other} made {calls[other]}; make them do the same work"
                )


def cold_runs(
    context: Context, targets: list[Target], endpoints: dict[str, str], runs: int
) -> tuple[dict[tuple[str, str], ColdSamples], dict[str, list[str]]]:
    """Starts each target `runs` times per endpoint, one event per process; returns the
    samples and the SDK calls each target made for its event.

    The targets take turns in a shuffled order in each round, so that a slow spell of the
    machine falls on all of them alike.
    """
    samples = {(t.label, name): ColdSamples() for t in targets for name in endpoints}
    calls: dict[str, list[str]] = {}
    order = list(targets)
    shuffle = random.Random(0)
    for round_number in range(runs):
        shuffle.shuffle(order)
        for endpoint_name, endpoint_url in endpoints.items():
            for target in order:
                recorded = context.stub.call_count if context.stub else 0
                run = _run(context, target, 1, endpoint_name, endpoint_url)
                if context.stub and endpoint_name == "replay" and round_number == 0:
                    requests = context.stub.calls_since(recorded)
                    calls[target.label] = sorted(f"{service} {name}" for service, name in requests)
                first = run.session.invocations[0].duration
                assert first is not None
                sample = samples[(target.label, endpoint_name)]
                sample.init.append(run.init)
                sample.first.append(first)
                sample.max_rss_kib.append(run.max_rss_kib)
        if round_number == 0:
            check_same_calls(targets, calls)
        print(f"bench: cold round {round_number + 1}/{runs} done", flush=True)
    return samples, calls


def warm_run(
    context: Context, target: Target, endpoint_name: str, endpoint_url: str, invocations: int
) -> WarmResult:
    """Sends one process `invocations` events after a first, untimed one."""
    run = _run(context, target, invocations + 1, endpoint_name, endpoint_url)
    timed = run.session.invocations[1:]
    # From the first response to the last, `invocations` events were handed out and answered.
    elapsed = timed[-1].answered_at - run.session.invocations[0].answered_at
    return WarmResult(
        invocations=invocations,
        events_per_second=invocations / elapsed,
        duration=Summary.of([i.duration for i in timed]),
        max_rss_kib=run.max_rss_kib,
    )
