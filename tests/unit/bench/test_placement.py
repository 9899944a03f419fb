"""`bench.placement`: a stack's dependencies move to the load generator's cores for a block and
come back; its API workers and sim stay; for booking only its consumers and supervisor move.
Against a real process tree shaped like `skyfare up`'s (a parent, its multiprocessing-spawned
children, two of them listening, and a plain child like embedded Redis), on real cores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from bench.harness_stack import Stack
from bench.machine import listening_pids, process_tree
from bench.placement import consumers_on, dependencies_on
from bench.processes import free_port
from bench.report import Ceilings
from bench.summary import ceilings_table

# A supervisor-like parent: spawns one child listening on argv[1] (the "API worker"), one on
# argv[2] (the "sim") and two that only wait (the "notification worker", the "analytics
# consumer"), every one with multiprocessing's spawn method, and starts a plain waiting
# process (the "embedded Redis"), then waits itself.
_TREE = """
import multiprocessing, socket, subprocess, sys, time

def listen(port):
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    sock.listen()
    time.sleep(600)

def idle():
    time.sleep(600)

if __name__ == "__main__":
    ctx = multiprocessing.get_context("spawn")
    children = [ctx.Process(target=listen, args=(int(sys.argv[1]),)),
                ctx.Process(target=listen, args=(int(sys.argv[2]),)),
                ctx.Process(target=idle), ctx.Process(target=idle)]
    for child in children:
        child.start()
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    time.sleep(600)
"""

pytestmark = pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="placement needs two cores"
)


def _cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def _affinities(pids: list[int]) -> dict[int, set[int]]:
    return {pid: os.sched_getaffinity(pid) for pid in pids}


class Tree(msgspec.Struct):
    stack: Stack
    api: set[int]
    sim: set[int]
    spawned_idle: list[int]  # the "notification worker" and the "analytics consumer"
    plain: list[int]  # the "embedded Redis"

    @property
    def everyone(self) -> list[int]:
        return [self.stack.pid, *self.api, *self.sim, *self.spawned_idle, *self.plain]


@pytest.fixture
def tree(tmp_path: Path) -> Iterator[Tree]:
    port, sim_port = free_port(), free_port()
    script = tmp_path / "tree.py"
    script.write_text(_TREE)
    # The whole tree starts on core 0, as `taskset -c 0 skyfare up` would.
    proc = subprocess.Popen(
        ["taskset", "-c", "0", sys.executable, str(script), str(port), str(sim_port)],
        cwd=tmp_path,
        start_new_session=True,
    )
    try:
        stack = Stack(
            url="", sim_url="", port=port, sim_port=sim_port, data_dir=tmp_path,
            env={}, pid=proc.pid, command=[],
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while len(process_tree(proc.pid)) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        while not (listening_pids(port) and listening_pids(sim_port)):
            assert time.monotonic() < deadline, "the listening children never listened"
            time.sleep(0.05)
        api, sim = listening_pids(port), listening_pids(sim_port)
        children = [pid for pid in process_tree(proc.pid) if pid not in api | sim | {proc.pid}]
        spawned = [p for p in children if b"spawn_main" in _cmdline(p)]
        plain = [p for p in children if b"import time" in _cmdline(p)]
        assert len(spawned) == 2, spawned
        assert len(plain) == 1, plain
        yield Tree(stack=stack, api=api, sim=sim, spawned_idle=spawned, plain=plain)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_dependencies_move_beside_the_load_generator_and_come_back(tree: Tree) -> None:
    others = [tree.stack.pid, *tree.spawned_idle, *tree.plain]  # and multiprocessing's tracker
    with dependencies_on(tree.stack, 1, [1]) as commands:
        moved = _affinities(others)
        stayed = _affinities([*tree.api, *tree.sim])
    back = _affinities(tree.everyone)

    assert all(cores == {1} for cores in moved.values()), moved
    assert all(cores == {0} for cores in stayed.values()), stayed
    assert all(cores == {0} for cores in back.values()), back
    assert "taskset -a -p -c 1" in commands[0]


def test_for_booking_only_what_no_request_waits_for_moves_and_comes_back(tree: Tree) -> None:
    consumers = [tree.stack.pid, *tree.spawned_idle]
    with consumers_on(tree.stack, 1, [1]) as commands:
        moved = _affinities(consumers)
        stayed = _affinities([*tree.api, *tree.sim, *tree.plain])
    back = _affinities(tree.everyone)

    assert all(cores == {1} for cores in moved.values()), moved
    assert all(cores == {0} for cores in stayed.values()), stayed  # Redis stays with the API
    assert all(cores == {0} for cores in back.values()), back
    assert "notification worker" in commands[0]


def test_the_summary_names_the_ceiling_rows_placement_when_the_run_recorded_one() -> None:
    table = Ceilings(wrk="wrk -t1 -c64 -d6s", turns=5, seconds=6, response_bytes=9000, rows=[])
    placed = msgspec.structs.replace(table, placement="the API worker alone on core(s) 0")

    lines = ceilings_table(placed)
    assert lines[2] == "Placement: the API worker alone on core(s) 0."
    assert lines.index(lines[2]) < next(i for i, line in enumerate(lines) if line.startswith("|"))
    assert not any(line.startswith("Placement") for line in ceilings_table(table))  # older runs
