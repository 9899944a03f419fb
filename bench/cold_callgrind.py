"""Instructions per cold search in the API worker, counted by callgrind: `bench.cold_cpu`'s
sequential `cache=false` searches (the whole app, started without a listening socket, against a
running sim), a figure a busy machine does not move as it moves CPU time.

    DATABASE_URL=… REDIS_URL=… python -m bench.cold_callgrind --sim-port 22060 [-n 200] \
        [--tree DIR]

Instrumentation is switched on after start-up and the warm-up searches and off after `-n` more
with their writes settled (`bench.ceiling_callgrind.counted`), so start-up is not in the count.
User space only: the kernel's socket work is not counted (a profile with `perf` puts it at
~8 % of a cold search's CPU: bench/results/2026-12-05-cold-cpu-cut.md). Not exact to the
instruction: the app's background tasks run by the clock, and valgrind's slowdown gives them
~50x more turns per search, so the relay's and the sweepers' intervals are set to an hour here
(what is left: the usage buffer's flushes, the eviction follower's reads); compare runs of
equal `-n`.
`--tree`: another checkout's code first on PYTHONPATH (copy this file and `bench/cold_cpu.py`
into it, as `bench.ceiling_callgrind` says).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.ceiling_callgrind import counted

_TIMERS = (
    "SKYFARE_EVENT_RELAY_INTERVAL_S",
    "SKYFARE_EVENT_RELAY_IDLE_INTERVAL_S",
    "SKYFARE_RECONCILE_INTERVAL_S",
    "SKYFARE_HOLD_SWEEP_INTERVAL_S",
    "SKYFARE_CHANGE_SWEEP_INTERVAL_S",
    "SKYFARE_CHANGE_SWEEP_IDLE_S",
)


async def _child(sim_port: int, n: int) -> None:
    from bench.cold_cpu import _request, warm_app

    # The app's own timers, quiet: under valgrind each search lasts ~50x longer, and the relay's
    # and the sweepers' rounds by the clock would be most of the run-to-run spread.
    quiet = {name: "3600" for name in _TIMERS}
    # Patient: valgrind runs the worker ~50x slower, and a timeout is not what is measured (the
    # search deadline is `warm_app`'s, under the airlines' ceiling as production's is).
    patience = {"db_timeout_s": 60.0, "cache_redis_timeout_ms": 5000}
    async with warm_app(sim_port, quiet, **patience) as (service, fares):
        print("ready", flush=True)
        sys.stdin.readline()
        for i in range(n):
            await service.search_body(_request(i))
        await fares.settle()
        print("done", flush=True)
        sys.stdin.readline()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sim-port", type=int, required=True)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import uvloop

        uvloop.run(_child(args.sim_port, args.n))
        return
    driver = ["-m", "bench.cold_callgrind", "--child", "--sim-port", str(args.sim_port)]
    driver += ["-n", str(args.n)]
    per_search = counted(driver, args.n, "cold search", tree=args.tree)
    print(f"{per_search:,} instructions per cold search ({args.n} searches)", flush=True)


if __name__ == "__main__":
    main()
