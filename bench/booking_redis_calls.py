"""Redis commands the API worker sends per hold attempt, by command, read with MONITOR.

    REDIS_URL=redis://127.0.0.1:6379/N python -m bench.booking_redis_calls
        [--skyfare /other/checkout/.venv/bin/skyfare] [--seconds 4] [--concurrency 4]
        [--port-base 22000]

Starts `skyfare up --workers 1` on the Redis database of REDIS_URL (FLUSHDB first: give it a
database of its own) with its embedded PostgreSQL and the sim airlines at 0 ms, runs
`bench.booking_rate api` and counts, with MONITOR, the commands that arrive on the API worker's
own connections (found from its sockets), so the relay, the notification worker and the other
processes of the stack do not count. A script's inner commands are not counted: each EVALSHA is
one round trip. Counts are per attempt (201s and 409s: the sim's fares move with each sale).
Round trips are what the figures compare; unlike CPU time they do not move with the machine's load.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import redis

from bench.harness_stack import running_stack, set_sim_latency, sim_airlines
from bench.machine import available_cpus, listening_pids, plan_cores


def worker_ports(pid: int, redis_port: int) -> set[int]:
    """The local ports of `pid`'s TCP connections to `redis_port` (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if inode in inodes and int(remote.rsplit(":", 1)[1], 16) == redis_port:
                ports.add(int(local.rsplit(":", 1)[1], 16))
    return ports


def script_names() -> dict[str, str]:
    """EVALSHA digests → the scripts' names in this checkout (a base shares those it has)."""
    from analytics import publisher
    from booking import relay
    from cache import flight_lock, tags
    from search import fare_index_redis
    from skyfare import ratelimit

    named = {
        "rate limit (GCRA)": ratelimit.GCRA_SCRIPT,
        "flight lock release": flight_lock._RELEASE,
        "tags add": tags._ADD,
        "tags take": tags._TAKE,
        "tags take owed": tags._TAKE_OWED,
        "tags contains each": getattr(tags, "_CONTAINS_EACH", ""),
        "evict + feed + settle": _evict_settle_script(),
        "tags overdue": tags._OVERDUE,
        "fare index record": fare_index_redis._RECORD,
        "fare index forget": fare_index_redis._FORGET,
        "relay publish once": relay._PUBLISH_ONCE,
        "usage xadd all": publisher._XADD_ALL,
    }
    return {hashlib.sha1(text.encode()).hexdigest(): name for name, text in named.items()}


def _evict_settle_script() -> str:
    try:
        from cache import evict_settle
    except ImportError:  # a checkout before it
        return ""
    return evict_settle._EVICT_SETTLE


def command_name(command: str, scripts: dict[str, str]) -> str:
    words = command.split()
    name = words[0].upper()
    if name in ("EVALSHA", "XADD", "XREAD") and len(words) > 1:
        key = words[1] if name != "XREAD" else "stream"
        return f"{name} {scripts.get(key, key)[:60]}"
    return name


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--skyfare", help="another checkout's skyfare CLI (default: this one's)")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port-base", type=int, help="the stack's ports (default: free ones)")
    args = parser.parse_args(argv)
    url = os.environ["REDIS_URL"]
    admin = redis.Redis.from_url(url, decode_responses=True)
    admin.flushdb()
    db, redis_port = (
        admin.connection_pool.connection_kwargs["db"],
        admin.connection_pool.connection_kwargs["port"],
    )
    server, loadgen = plan_cores(available_cpus(), 1)
    seen: list[tuple[int, str]] = []
    listening, caught_up = threading.Event(), threading.Event()
    marker = f"bench-booking-redis-calls-{os.getpid()}"

    def monitor() -> None:
        client = redis.Redis.from_url(url, decode_responses=True)
        with client.monitor() as feed:  # type: ignore[no-untyped-call]
            listening.set()
            for item in feed.listen():
                if marker in item["command"]:  # MONITOR lags under load: read to the end
                    caught_up.set()
                    return
                if item.get("db") == db and item.get("client_type") != "lua":
                    seen.append((int(item["client_port"] or 0), item["command"]))

    with running_stack(
        1,
        server,
        pinned=server != loadgen,
        sim_cores=loadgen,
        skyfare=args.skyfare,
        port_base=args.port_base,
    ) as stack:
        set_sim_latency(stack, dict.fromkeys(sim_airlines(stack), 0.0))
        worker = max(listening_pids(stack.port))
        threading.Thread(target=monitor, daemon=True).start()
        listening.wait(10)
        load = [
            *(sys.executable, "-m", "bench.booking_rate", "api"),
            *("--url", stack.url, "--sim-url", stack.sim_url),
            *("--seconds", f"{args.seconds:g}", "--concurrency", str(args.concurrency)),
        ]
        figures = json.loads(
            subprocess.run(load, check=True, capture_output=True, text=True).stdout
        )
        ports = worker_ports(worker, redis_port)
        admin.echo(marker)
        if not caught_up.wait(60):
            raise SystemExit("MONITOR did not catch up within 60 s")
    scripts = script_names()
    counts = Counter(command_name(c, scripts) for port, c in seen if port in ports)
    attempts = figures["attempts_total"]
    ok, conflicts = figures.get("outcome_ok", 0), figures.get("outcome_409", 0)
    print(f"attempts {attempts:.0f} (in the measured window: 201 {ok:.0f}, 409 {conflicts:.0f})")
    print(f"API worker Redis commands per attempt: {sum(counts.values()) / attempts:.2f}")
    for name, count in counts.most_common():
        print(f"  {count / attempts:6.2f}  {name}")


if __name__ == "__main__":
    main()
