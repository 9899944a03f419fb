"""A py-spy profile of the API worker under the booking load (issue 18's flame graphs).

    python -m bench.booking_profile --out bench/results/<date>-booking-after
                                    [--skyfare /other/checkout/.venv/bin/skyfare] [--seconds 4]
                                    [--bare]

Starts `skyfare up --workers 1` pinned to the server core (its sim on the load generator's, every
sim airline at 0 ms, as the harness's booking step has them), runs `bench.booking_rate api` (16
concurrent holds) and, once its searches and warm-up are over, records the API worker with
`py-spy record --nonblocking`: `<out>.speedscope.json` (open it at https://www.speedscope.app)
and `<out>.collapsed.txt` (one line per stack, for grep). Prints the load generator's figures.

py-spy counts a thread that is runnable but not running (preempted on a write that woke
PostgreSQL or Redis on the same core) as busy in that call, so its shares lean towards the
statements and commands; `--worker-alone` moves PostgreSQL and Redis (with the rest of the
stack's dependencies) to the load generator's cores, so the worker has its core to itself and
the profile shows its own time (the orders/s then are not the harness's).

`--bare` records the bare hold (`bench.bare_hold`, the booking row's floor: a hold's I/O with
no Skyfare code) under its own load (`bench.booking_rate bare`) instead of the API worker, on
the same core beside the same PostgreSQL and Redis: where the floor's time goes.

`--perf` records with `perf record -e cpu-clock` instead: CPU time only, by shared object
(`<out>.perf-dso.txt`: the interpreter, each C extension, libc, the kernel) and by symbol
(`<out>.perf-symbols.txt`), with no Python frames (CPython 3.11 has no perf trampoline); it
needs `perf` (Debian: `linux-perf`).
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.harness_booking import bare_hold, database_url
from bench.harness_stack import Stack, running_stack, set_sim_latency, sim_airlines
from bench.machine import available_cpus, listening_pids, pin, plan_cores
from bench.placement import consumers_on, dependencies_on

SETTLE_S = 6.0  # the load generator's searches, token minting and warm-up


def booking_load(
    stack: Stack, seconds: float, cores: list[int], *, pinned: bool, bare_url: str | None = None
) -> subprocess.Popen[str]:
    """`bench.booking_rate api` against `stack` for `seconds` (16 concurrent holds) on `cores`
    (`bare`, against the bare hold at `bare_url`, when given); its figures are the last line of
    its stdout."""
    mode, url = ("api", stack.url) if bare_url is None else ("bare", bare_url)
    command = [
        *(sys.executable, "-m", "bench.booking_rate", mode),
        *("--url", url, "--sim-url", stack.sim_url),
        *("--seconds", f"{seconds:g}", "--concurrency", "16"),
    ]
    return subprocess.Popen(pin(command, cores, enabled=pinned), stdout=subprocess.PIPE, text=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, required=True, help="path stem of the two profiles")
    parser.add_argument("--skyfare", help="another checkout's skyfare CLI (default: this one's)")
    parser.add_argument("--seconds", type=float, default=4.0, help="of each recording")
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument(
        "--perf", action="store_true", help="record CPU time with perf (by shared object, symbol)"
    )
    parser.add_argument("--port-base", type=int, help="listen on this port … +3 (a shared machine)")
    parser.add_argument(
        "--bare", action="store_true", help="record the bare hold (bench.bare_hold) instead"
    )
    parser.add_argument(
        "--consumers-apart",
        action="store_true",
        help="the notification worker, analytics consumer and supervisor on the load generator's"
        " cores, as the harness's booking step has them since 93a443b (bench/placement.py)",
    )
    parser.add_argument(
        "--worker-alone",
        action="store_true",
        help="every dependency (PostgreSQL and Redis too) on the load generator's cores: the"
        " worker's own time, without py-spy's lean towards writes that wake them",
    )
    args = parser.parse_args(argv)
    server, loadgen = plan_cores(available_cpus(), 1)
    pinned = server != loadgen
    py_spy = str(Path(sys.executable).with_name("py-spy"))
    with (
        running_stack(
            1,
            server,
            pinned=pinned,
            sim_cores=loadgen,
            skyfare=args.skyfare,
            port_base=args.port_base,
        ) as stack,
        contextlib.ExitStack() as moved,
    ):
        if args.worker_alone and pinned:
            moved.enter_context(dependencies_on(stack, 1, loadgen))
        elif args.consumers_apart and pinned:
            moved.enter_context(consumers_on(stack, 1, loadgen))
        set_sim_latency(stack, dict.fromkeys(sim_airlines(stack), 0.0))
        worker = max(listening_pids(stack.port))  # the supervisor's child: the newest pid
        bare_url = None
        if args.bare:
            dsn = moved.enter_context(database_url(stack))
            floor = moved.enter_context(bare_hold(stack, dsn, server, pinned=pinned))
            worker, bare_url = floor.pid, floor.url
        load_s = SETTLE_S + 2 * args.seconds + 2
        load = booking_load(stack, load_s, loadgen, pinned=pinned, bare_url=bare_url)
        time.sleep(SETTLE_S)
        if args.perf:
            _perf(worker, args.seconds * 2, args.rate, args.out)
        else:
            for fmt, suffix in (("speedscope", "speedscope.json"), ("raw", "collapsed.txt")):
                subprocess.run(
                    [
                        *(py_spy, "record", "-p", str(worker), "-d", f"{args.seconds:g}"),
                        *("-r", str(args.rate), "--format", fmt, "--nonblocking"),
                        *("-o", f"{args.out}.{suffix}"),
                    ],
                    check=True,
                )
        print(load.communicate()[0].strip())


def _perf(worker: int, seconds: float, rate: int, out: Path) -> None:
    """`perf record` of `worker`'s CPU time for `seconds`, then its reports by shared object
    and by symbol beside `out`."""
    data = f"{out}.perf.data"
    subprocess.run(
        [
            *("perf", "record", "-e", "cpu-clock", "-F", str(rate), "-p", str(worker)),
            *("-o", data, "--", "sleep", f"{seconds:g}"),
        ],
        check=True,
    )
    for sort, suffix in (("dso", "perf-dso.txt"), ("sym", "perf-symbols.txt")):
        report = subprocess.run(
            ["perf", "report", "-i", data, "--no-children", "--sort", sort, "--stdio"],
            check=True,
            capture_output=True,
            text=True,
        )
        Path(f"{out}.{suffix}").write_text(report.stdout)
    Path(data).unlink()


if __name__ == "__main__":
    main()
