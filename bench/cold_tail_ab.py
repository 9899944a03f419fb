"""Cold search at fixed rates on one stack, with what the harness's figure leaves out: the API
worker's CPU per search, every process's share of a core, and where the slowest 1 % of searches
spent the time over their slowest airline (bench/results/2026-12-04-cold-tail.md).

    python -m bench.cold_tail_ab --rates 40,200 --seconds 20 --label after

One stack pinned as `make bench` pins it (`skyfare up --workers 1` on core 0, its sim moved to
core 1, this process on core 1), the airlines at `bench.harness_cold`'s fixed latencies, a 2 s
warm-up at 40/s, then one open-loop run per rate. An A/B compares two checkouts by running this
module twice, alternating, from a directory outside both (so `PYTHONPATH` picks the code; copy
this file and `bench/open_loop.py` into the base's `bench/` first):

    cd /tmp && PYTHONPATH=<base worktree> <venv>/bin/python -m bench.cold_tail_ab --label A-1
    cd /tmp && PYTHONPATH=<this checkout> <venv>/bin/python -m bench.cold_tail_ab --label B-1

Each search's answer says how long the handler took (`meta.took_ms`, kept by `bench.open_loop`)
and how long each airline took, so its time over the slowest airline splits into "in the handler
after the airlines" (ranking, cache writes, encoding, and any loop stall meanwhile) and
"outside the handler" (accept, parse, write, queueing). Writes `<label>.json` into `--out`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import harness_stack, open_loop
from bench.harness_cold import AIRLINE_LATENCY_MS, WARMUP_S, _run, figures, url_template
from bench.harness_stack import postmaster_pid, reset_sim, running_stack, set_sim_latency
from bench.machine import cpu_seconds, listening_pids, process_tree


def _split(samples: list[open_loop.Sample]) -> tuple[float | None, float | None]:
    """Median ms (in the handler after the airlines, outside the handler) of `samples`: the
    handler's `meta.took_ms` less its slowest airline's latency, and the rest of the latency."""
    timed = [s for s in samples if s.took_ms is not None and s.slowest_connector_ms is not None]
    inside = [(s.took_ms or 0) - (s.slowest_connector_ms or 0) for s in timed]
    outside = [s.latency_ms - (s.took_ms or 0) for s in timed]
    return (
        round(statistics.median(inside), 1) if inside else None,
        round(statistics.median(outside), 1) if outside else None,
    )


def _roles(stack_pid: int, port: int, sim_port: int, data_dir: Path) -> dict[int, str]:
    pids = set(process_tree(stack_pid))
    postmaster = postmaster_pid(data_dir / "postgres")
    if postmaster is not None:
        pids |= set(process_tree(postmaster))
    roles = {}
    for pid in pids:
        try:
            role = Path(f"/proc/{pid}/comm").read_text().strip()
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        roles[pid] = "analytics" if any("duckdb" in link for link in links) else role
    roles.update({pid: "api" for pid in listening_pids(port)})
    roles.update({pid: "sim" for pid in listening_pids(sim_port)})
    return roles


def _spy(wanted: bool, api: list[int], out: Path, seconds: float) -> subprocess.Popen[bytes] | None:
    """py-spy on the (one) API worker for the run, if asked (`--profile`)."""
    if not wanted or len(api) != 1:
        return None
    spy = str(Path(sys.executable).with_name("py-spy"))
    args = ["record", "-r", "250", "--nonblocking", "-f", "raw", "-o", str(out)]
    return subprocess.Popen(
        [spy, *args, "-d", f"{seconds:g}", "-p", str(api[0])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rates", default="40,200", help="searches a second, one run each")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--label", default="run")
    parser.add_argument("--out", default="/tmp")
    parser.add_argument(
        "--base-port",
        type=int,
        default=0,
        help="the stack's ports from this one up (a machine shared by several stacks); 0: any free",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="py-spy (raw, 250 Hz, nonblocking) on the API worker during each rate's run,"
        " into <out>/<label>-<rate>.spy",
    )
    args = parser.parse_args()
    if args.base_port:
        ports = itertools.count(args.base_port)
        harness_stack.free_port = lambda: next(ports)  # type: ignore[attr-defined]
    os.sched_setaffinity(0, {1})
    with running_stack(1, [0], pinned=True, sim_cores=[1]) as stack:
        set_sim_latency(stack, AIRLINE_LATENCY_MS)
        template = url_template(stack)
        _run(template, open_loop.schedule(40, WARMUP_S))
        roles = _roles(stack.pid, stack.port, stack.sim_port, stack.data_dir)
        api = [pid for pid, role in roles.items() if role == "api"]
        results = []
        for rate in (float(r) for r in args.rates.split(",")):
            spy = _spy(
                args.profile, api, Path(args.out, f"{args.label}-{rate:g}.spy"), args.seconds
            )
            before = {pid: cpu_seconds(pid) for pid in roles}
            started = time.monotonic()
            samples = _run(template, open_loop.schedule(rate, args.seconds))
            wall = time.monotonic() - started
            if spy is not None:
                spy.wait()
            used = {pid: cpu_seconds(pid) - before[pid] for pid in roles}
            result = figures(samples, args.seconds)
            over = sorted(
                (s for s in samples if s.status == 200 and s.slowest_connector_ms is not None),
                key=lambda s: s.latency_ms - (s.slowest_connector_ms or 0),
                reverse=True,
            )
            tail = over[: max(1, len(over) // 100)]
            result.update(
                rate=rate,
                load1=round(os.getloadavg()[0], 2),
                api_cpu_ms_per_search=round(
                    sum(used[p] for p in api) * 1000 / max(1, result["ok"]), 2
                ),
                cores_busy={
                    f"{pid} {roles[pid]}": round(s / wall, 3)
                    for pid, s in used.items()
                    if s > 0.01 * wall
                },
                slowest_1pct_in_handler_after_airlines_ms=_split(tail)[0],
                slowest_1pct_outside_handler_ms=_split(tail)[1],
                all_in_handler_after_airlines_ms=_split(over)[0],
                all_outside_handler_ms=_split(over)[1],
            )
            results.append(result)
            print(json.dumps(result), flush=True)
        reset_sim(stack)
    Path(args.out, f"{args.label}.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
