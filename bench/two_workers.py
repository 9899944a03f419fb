"""Issue 18's 2-worker row, taken apart: CPU per request of every process of the stack, and the
requests each API worker served.

    python -m bench.two_workers --workers 2 --turns 5 --seconds 6 [--port-base 24000]
        [--base /tmp/base-checkout]

`skyfare up --workers N` on every core (as the ceiling's 2-worker row runs it), the fare cache
primed, then `wrk -t1 -c64` on the cached GET search, wrk pinned to the last core as the
harness pins it. Each turn reads /proc before and after: utime+stime of each process by role
(each API worker, the supervisor, embedded Redis, the notification worker, the analytics
consumer, the sim, PostgreSQL's postmaster and each of its processes by title) and each API
worker's bytes written (`wchar` in /proc/<pid>/io: ~the response bytes, so its share of the
requests) and its established connections. Medians over the turns, µs per request.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import ceilings
from bench.harness_ceiling import prime, search_url
from bench.harness_stack import Stack, postmaster_pid, running_stack
from bench.machine import children_cpu_seconds, cpu_seconds, listening_pids, process_tree

_REDIS = b"redis-server"
_SPAWNED = b"spawn_main"


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def roles(stack: Stack, notify_port: int) -> dict[str, list[int]]:
    """Every process of the stack by role: API workers one by one."""
    api = sorted(listening_pids(stack.port))
    sim = listening_pids(stack.sim_port)
    notify = listening_pids(notify_port)
    found: dict[str, list[int]] = {f"api worker {n + 1}": [pid] for n, pid in enumerate(api)}
    found.update({"sim": sorted(sim), "notification worker": sorted(notify)})
    for pid in process_tree(stack.pid):
        if pid in api or pid in sim or pid in notify:
            continue
        if pid == stack.pid:
            role = "supervisor"
        elif _REDIS in _cmdline(pid):
            role = "redis"
        elif _SPAWNED in _cmdline(pid):
            # The one spawned child left: it has the DuckDB file open only while busy.
            role = "analytics consumer"
        else:
            role = "multiprocessing resource tracker"
        found.setdefault(role, []).append(pid)
    postmaster = postmaster_pid(stack.data_dir / "postgres")
    if postmaster is not None:
        for pid in process_tree(postmaster):
            title = _cmdline(pid).split(b"\0")[0].decode(errors="replace")
            role = "postgres: " + (
                title.split(":", 1)[1].strip().split(" ")[0] if ":" in title else "postmaster"
            )
            found.setdefault(role, []).append(pid)
    return found


def _wchar(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/io").read_text().splitlines():
            if line.startswith("wchar:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _connections(pid: int, port: int) -> int:
    """Established TCP connections of `pid` whose local port is `port` (accepted ones)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
            inodes.add(f"socket:[{fields[9]}]")
    try:
        return sum(os.readlink(fd) in inodes for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return 0


def snapshot(found: Mapping[str, list[int]]) -> dict[str, float]:
    cpu = {role: sum(map(cpu_seconds, pids)) for role, pids in found.items()}
    cpu["wrk"] = children_cpu_seconds()
    return cpu


def turn(stack: Stack, found: Mapping[str, list[int]], url: str, args: argparse.Namespace,
         wrk_cores: str) -> dict[str, Any]:  # fmt: skip
    """One wrk run; the CPU read once the analytics consumer has loaded what it caused."""
    workers = {role: pids[0] for role, pids in found.items() if role.startswith("api worker")}
    before, written = snapshot(found), {r: _wchar(p) for r, p in workers.items()}
    command = ["taskset", "-c", wrk_cores,
               *ceilings.wrk_command(ceilings.Target(url), None, seconds=args.seconds,
                                     connections=args.connections)]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    time.sleep(min(1.0, args.seconds / 2))
    conns = {r: _connections(p, stack.port) for r, p in workers.items()}
    out, _ = proc.communicate(timeout=args.seconds + 30)
    result = ceilings.parse_wrk(out)
    time.sleep(args.settle)  # the consumer's batches of the run's last hits
    after = snapshot(found)
    requests = max(1.0, result["requests"])
    wrote = {r: _wchar(p) - written[r] for r, p in workers.items()}
    total_written = max(1, sum(wrote.values()))
    return {
        "rps": result["requests_per_s"],
        "requests": result["requests"],
        "non_2xx": result["non_2xx"],
        "us_per_request": {
            role: round((after[role] - before[role]) / requests * 1e6, 2) for role in after
        },
        "request_share": {r: round(w / total_written, 3) for r, w in wrote.items()},
        "connections": conns,
    }


def _medians(turns: list[dict[str, Any]]) -> dict[str, Any]:
    roles_ = turns[0]["us_per_request"]
    return {
        "rps": statistics.median(t["rps"] for t in turns),
        "us_per_request": {
            r: statistics.median(t["us_per_request"][r] for t in turns) for r in roles_
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--port-base", type=int, default=None)
    parser.add_argument(
        "--base", default=None, help="another checkout: a second stack with it first on "
        "PYTHONPATH, measured in alternating turns (an A/B run)"
    )  # fmt: skip
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0))
    sides = {"this": {}} if args.base is None else {"base": {"PYTHONPATH": args.base}, "this": {}}
    with ExitStack() as running:
        stacks = {}
        for n, (side, settings) in enumerate(sides.items()):
            port_base = None if args.port_base is None else args.port_base + 10 * n
            stack = running.enter_context(
                running_stack(
                    args.workers, cores, pinned=False, settings=settings, port_base=port_base
                )
            )
            url = search_url(stack)
            prime(url)
            stacks[side] = (stack, url)
        time.sleep(3)  # the notification worker and analytics consumer start after the API
        found = {
            side: roles(stack, int(stack.env["SKYFARE_NOTIFY_METRICS_PORT"]))
            for side, (stack, _) in stacks.items()
        }
        for _, url in stacks.values():
            ceilings.run_wrk(ceilings.wrk_command(ceilings.Target(url), None, seconds=2,
                                                  connections=args.connections))  # fmt: skip
        turns: dict[str, list[dict[str, Any]]] = {side: [] for side in stacks}
        order = list(stacks)
        for n in range(args.turns):
            for side in order if n % 2 == 0 else reversed(order):
                stack, url = stacks[side]
                turns[side].append(turn(stack, found[side], url, args, str(cores[-1])))
        commands = {side: stack.command for side, (stack, _) in stacks.items()}
    summary = {
        "command": "python -m bench.two_workers " + " ".join(sys.argv[1:]),
        "stacks": commands,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "medians": {side: _medians(t) for side, t in turns.items()},
        "turns": turns,
    }
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    print(json.dumps({k: summary[k] for k in ("medians", "load_average_after")}, indent=1))
    for side, side_turns in turns.items():
        for t in side_turns:
            print(side, t["rps"], t["request_share"], t["connections"])


if __name__ == "__main__":
    main()
