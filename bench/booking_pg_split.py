"""Booking: whose work the stack's PostgreSQL CPU per hold is, under the harness's booking load.

    python -m bench.booking_pg_split [--seconds 10] [--port-base 25000] [--out FILE.json]

Starts `skyfare up --workers 1` pinned to the server core (its sim on the load generator's, every
sim airline at 0 ms) and runs `bench.booking_rate api` (16 concurrent holds) as the harness's
booking step does. Over a window after the load's searches and warm-up it reads, from /proc, the
CPU of every PostgreSQL process, each client backend named by the process at the other end of
its unix socket (`ss -xp`): the API worker's pool (the holds' statements and the outbox relay,
which shares that pool), the notification worker, the other stack processes; PostgreSQL's own
background processes (WAL writer, checkpointer, autovacuum launcher, …) by their title; and the
postmaster's reaped children (autovacuum workers, mostly). Per order made: the window's CPU over
the orders that turned `held` in it (counted in the database). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import subprocess
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import asyncpg

from bench.booking_profile import booking_load
from bench.harness_booking import database_url
from bench.harness_stack import postmaster_pid, running_stack, set_sim_latency, sim_airlines
from bench.machine import available_cpus, listening_pids, plan_cores, process_tree
from bench.placement import consumers_on

SETTLE_S = 8.0  # the load generator's searches, token minting and warm-up
_TICKS = 100.0
_USERS = re.compile(r'users:\(\("[^"]*",pid=(\d+)')


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _cpu(pid: int, *, reaped: bool = False) -> float:
    fields = _stat(pid)
    return sum(int(v) for v in fields[(13 if reaped else 11) : (15 if reaped else 13)]) / _TICKS


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == parent:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _title(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return "?"


def stack_processes(root: int, skip: set[int]) -> dict[int, str]:
    """`skyfare up`'s other processes (supervisor, Redis, notification worker, …) by title."""
    named = {}
    for pid in process_tree(root):
        if pid not in skip:
            named[pid] = _role(pid)
    return named


def _role(pid: int) -> str:
    """A process's role; `skyfare up`'s spawned children share one command line, and of those
    left (not the API worker, not the sim) only the analytics consumer loads DuckDB."""
    title = _title(pid)
    if "spawn_main" not in title:
        return " ".join(a.rsplit("/", 1)[-1] for a in title.split()[:4])[:70]
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return "?"
    return "analytics consumer" if "duckdb" in maps else "notification worker"


def _own(names: dict[int, str]) -> dict[str, float]:
    used: dict[str, float] = defaultdict(float)
    for pid, name in names.items():
        with contextlib.suppress(OSError):
            used[name] += _cpu(pid)
    return used


def unix_peers() -> dict[int, set[int]]:
    """pid → pids at the other end of its connected unix sockets (`ss -xpn`)."""
    return peers_of(
        subprocess.run(["ss", "-xpnH"], capture_output=True, text=True, check=True).stdout
    )


def peers_of(ss_output: str) -> dict[int, set[int]]:
    """`unix_peers` from `ss -xpnH`'s lines: a socket's inode and its peer's, and its owner."""
    owner: dict[str, int] = {}
    pairs: list[tuple[str, str]] = []
    for line in ss_output.splitlines():
        fields = line.split()
        found = _USERS.search(line)
        if len(fields) < 8 or found is None or fields[1] != "ESTAB":
            continue
        local, peer = fields[5], fields[7]
        owner[local] = int(found.group(1))
        pairs.append((local, peer))
    peers: dict[int, set[int]] = defaultdict(set)
    for local, peer in pairs:
        if peer in owner:
            peers[owner[local]].add(owner[peer])
    return peers


def classify(postmaster: int, worker: int) -> dict[int, str]:
    """Every living PostgreSQL process → who its work is for."""
    peers = unix_peers()
    named: dict[int, str] = {}
    for pid in _children(postmaster):
        title = _title(pid)
        clients = peers.get(pid, set())
        if worker in clients:
            named[pid] = "backends of the API worker (holds + relay)"
        elif clients:
            named[pid] = f"backends of the {_role(min(clients))}"
        else:
            named[pid] = re.sub(r"^postgres: ", "", title).split(" [")[0][:60] or "?"
    return named


def snapshot(postmaster: int, names: dict[int, str]) -> dict[str, float]:
    used: dict[str, float] = defaultdict(float)
    for pid, name in names.items():
        try:
            used[name] += _cpu(pid)
        except OSError:
            used["backends gone during the window"] += 0.0
    used["postmaster itself"] = _cpu(postmaster)
    used["postmaster's reaped children (autovacuum workers, …)"] = _cpu(postmaster, reaped=True)
    return used


async def alter_system(dsn: str, name: str, value: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        await conn.execute("SELECT pg_reload_conf()")
    finally:
        await conn.close()


async def fetch_int(dsn: str, query: str) -> int:
    """`query`'s one value, on a connection of its own."""
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(query))
    finally:
        await conn.close()


async def held_count(dsn: str) -> int:
    return await fetch_int(dsn, "SELECT count(*) FROM orders WHERE status = 'held'")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="of the measured window")
    parser.add_argument("--port-base", type=int, help="listen on this port … +3")
    parser.add_argument("--out", type=Path, help="the figures as JSON")
    parser.add_argument(
        "--setting", action="append", default=[], metavar="SKYFARE_X=V", help="for the stack"
    )
    parser.add_argument(
        "--consumers-apart",
        action="store_true",
        help="the notification worker, analytics consumer and supervisor on the load generator's"
        " cores, as the harness's booking step has them since 93a443b (bench/placement.py)",
    )
    parser.add_argument(
        "--pg-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="ALTER SYSTEM SET on the stack's PostgreSQL (reloaded) before the load, e.g."
        " synchronous_commit=off: what its commits' WAL flushes cost (not a deployable setting)",
    )
    args = parser.parse_args(argv)
    settings = dict(value.split("=", 1) for value in args.setting)
    server, loadgen = plan_cores(available_cpus(), 1)
    pinned = server != loadgen
    with running_stack(
        1, server, pinned=pinned, sim_cores=loadgen, port_base=args.port_base, settings=settings
    ) as s:
        set_sim_latency(s, dict.fromkeys(sim_airlines(s), 0.0))
        worker = max(listening_pids(s.port))
        postmaster = postmaster_pid(s.data_dir / "postgres")
        assert postmaster is not None, "the stack runs no embedded PostgreSQL"
        with contextlib.ExitStack() as moved, database_url(s) as dsn:
            if args.consumers_apart and pinned:
                moved.enter_context(consumers_on(s, 1, loadgen))
            for setting in args.pg_setting:
                asyncio.run(alter_system(dsn, *setting.split("=", 1)))
            load = booking_load(s, SETTLE_S + args.seconds + 2, loadgen, pinned=pinned)
            time.sleep(SETTLE_S)
            names = classify(postmaster, worker)
            skip = listening_pids(s.port) | listening_pids(s.sim_port) | {postmaster}
            others = stack_processes(s.pid, skip | set(_children(postmaster)))
            others_before = _own(others)
            held_before = asyncio.run(held_count(dsn))
            before, started = snapshot(postmaster, names), time.monotonic()
            worker_before, stack_before = _cpu(worker), s.cpu()
            time.sleep(args.seconds)
            after, wall = snapshot(postmaster, names), time.monotonic() - started
            worker_used, stack_after = _cpu(worker) - worker_before, s.cpu()
            others_after = _own(others)
            made = asyncio.run(held_count(dsn)) - held_before
            load_figures = json.loads(load.communicate()[0].strip().splitlines()[-1])
    per_order = {k: round((after[k] - before.get(k, 0.0)) * 1000 / made, 3) for k in after}
    result = {
        "window_s": round(wall, 2),
        "orders_made": made,
        "orders_per_s": round(made / wall, 1),
        "api_worker_cpu_ms_per_order": round(worker_used * 1000 / made, 3),
        "postgresql_cpu_ms_per_order": round(sum(per_order.values()), 3),
        "postgresql_by_whom_ms_per_order": dict(sorted(per_order.items(), key=lambda kv: -kv[1])),
        "stack_cpu_ms_per_order": {
            k: round((v - stack_before.get(k, 0.0)) * 1000 / made, 3)
            for k, v in stack_after.items()
        },
        "the_rest_ms_per_order": {
            k: round((v - others_before.get(k, 0.0)) * 1000 / made, 3)
            for k, v in sorted(others_after.items(), key=lambda kv: -kv[1])
        },
        "settings": settings,
        "pg_settings": args.pg_setting,
        "consumers_apart": args.consumers_apart and pinned,
        "load": load_figures,
    }
    print(json.dumps(result, indent=1))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
