"""Where a measured stack's processes run: the API workers alone on the server cores, everything
they depend on beside the load generator.

`skyfare up` runs every deployable in one tree: the API workers, and their dependencies —
embedded PostgreSQL and Redis, the notification worker, the analytics consumer (which loads every
search's usage event into DuckDB), the supervisor. In a deployment the `search` deployable runs
alone on its node and those are other Deployments or machines (shared/DESIGN.md "Deployable
services", deploy/README.md); the bare handler it is compared with has its core to itself. So
for the ceiling rows the dependencies are moved to the load generator's cores, as the sim
airlines already are (`dependencies_on`); their CPU is still read and reported, not hidden.
(The outbox relay runs inside each `all` API worker and moves with it.)

The booking row compares the API with a raw asyncpg loop on the server core, both bound by
that core's PostgreSQL: there PostgreSQL and Redis stay (a hold waits for them), and only what
no request waits for moves (`consumers_on`): the notification worker and the analytics consumer,
each its own Deployment in production, and the supervisor. Runs up to `93a443b` left them on
that core (`bench/results/2026-12-05-booking-budget.md`: 0.6 ms of its 2.55 ms per order).
The cold-search step places them the same way since 2026-12-07: a search waits for PostgreSQL and
Redis, never for the consumers of the usage stream (before, they shared the API worker's core,
0.11 of it at 200/s beside the worker's 0.49).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.harness_stack import Stack, postmaster_pid
from bench.machine import listening_pids, move_process, process_tree

# `skyfare up` starts the notification worker and the analytics consumer once the API answers.
STARTED_TIMEOUT_S = 60.0
_SPAWNED = b"spawn_main"


def _spawned_children(stack: Stack) -> list[int]:
    """The supervisor's multiprocessing children (API workers, sim, worker, consumer)."""
    found = []
    for pid in process_tree(stack.pid):
        try:
            if _SPAWNED in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


def _started(stack: Stack, workers: int) -> None:
    """Wait until the supervisor has started every child: API workers, the sim, the
    notification worker and the analytics consumer (the last two once the API answers)."""
    deadline = time.monotonic() + STARTED_TIMEOUT_S
    while len(_spawned_children(stack)) < workers + 3:
        if time.monotonic() > deadline:
            raise RuntimeError("the notification worker and analytics consumer never started")
        time.sleep(0.1)


def dependency_pids(stack: Stack, workers: int) -> list[int]:
    """Every process of the stack but its API workers and the sim: the supervisor, embedded
    Redis, the notification worker, the analytics consumer and PostgreSQL's processes (when
    the stack's own), once the two late children have started."""
    _started(stack, workers)
    served = listening_pids(stack.port) | listening_pids(stack.sim_port)
    pids = [pid for pid in process_tree(stack.pid) if pid not in served]
    postmaster = postmaster_pid(stack.data_dir / "postgres")
    if postmaster is not None and postmaster not in pids:
        pids += process_tree(postmaster)  # its backends are its children
    return pids


def consumer_pids(stack: Stack, workers: int) -> list[int]:
    """The processes no request waits for: the supervisor, and the notification worker and the
    analytics consumer, which read the streams the API writes after it has answered. PostgreSQL
    and Redis, which a request does wait for, are not among them."""
    _started(stack, workers)
    served = listening_pids(stack.port) | listening_pids(stack.sim_port)
    return [stack.pid, *(pid for pid in _spawned_children(stack) if pid not in served)]


def _affinity(pid: int) -> list[int] | None:
    try:
        return sorted(os.sched_getaffinity(pid))
    except ProcessLookupError:
        return None


@contextmanager
def dependencies_on(stack: Stack, workers: int, cores: list[int]) -> Iterator[list[str]]:
    """The stack's dependencies on `cores` for the block (every thread, as `taskset -a -p`),
    then back where they were; yields the commands that reproduce it. PostgreSQL backends
    forked meanwhile inherit the postmaster's affinity and come back with it."""
    with _moved(stack, dependency_pids(stack, workers), cores) as cpus:
        yield [
            f"taskset -a -p -c {cpus} <pid>  # each of: the supervisor, embedded Redis and "
            "PostgreSQL, the notification worker, the analytics consumer"
        ]


@contextmanager
def consumers_on(stack: Stack, workers: int, cores: list[int]) -> Iterator[list[str]]:
    """`consumer_pids` on `cores` for the block, then back where they were."""
    with _moved(stack, consumer_pids(stack, workers), cores) as cpus:
        yield [
            f"taskset -a -p -c {cpus} <pid>  # each of: the supervisor, the notification "
            "worker, the analytics consumer"
        ]


@contextmanager
def _moved(stack: Stack, pids: list[int], cores: list[int]) -> Iterator[str]:
    before = {pid: cores_ for pid in pids if (cores_ := _affinity(pid)) is not None}
    for pid in before:
        move_process(pid, cores)
    try:
        yield ",".join(map(str, cores))
    finally:
        restored = {**before}
        postmaster = postmaster_pid(stack.data_dir / "postgres")
        if postmaster in before:
            for pid in process_tree(postmaster):  # backends started while moved
                restored.setdefault(pid, before[postmaster])
        for pid, original in restored.items():
            try:
                move_process(pid, original)
            except FileNotFoundError:
                continue  # ended meanwhile


def consumers_placement(
    server: list[int],
    loadgen: list[int],
    *,
    apart: bool,
    pinned: bool,
    waits: str,
    clients: str,
    turns: str = "",
) -> str:
    """Where a step that moves `consumers_on` ran, in words for its summary: `waits`, whose
    request waits for PostgreSQL and Redis ("a hold"); `clients`, the load it ran beside the sim
    airlines; `turns`, what else ran on the server cores in its turns."""
    if not pinned:
        return f"nothing pinned: the stack, {clients} and the sim airlines share the cores"
    on_server, on_loadgen = ",".join(map(str, server)), ",".join(map(str, loadgen))
    moved = "the notification worker, the analytics consumer, the supervisor"
    also = f", and {turns}" if turns else ""
    if apart:
        return (
            f"core(s) {on_server}: the API worker, PostgreSQL, Redis (what {waits} waits "
            f"for){also}; core(s) {on_loadgen}: {moved}, {clients} and the sim airlines"
        )
    return (
        f"core(s) {on_server}: the API worker, PostgreSQL, Redis, {moved}{also}; core(s) "
        f"{on_loadgen}: {clients} and the sim airlines"
    )
