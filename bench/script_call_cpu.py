"""Client CPU per Redis script call: redis-py's `AsyncScript.__call__` against
`cache.batch.evalsha` (the same EVALSHA), on the API worker's client, alternating turns.

    REDIS_URL=redis://127.0.0.1:6379/N python -m bench.script_call_cpu [--turns 7] [--calls 3000]

The script is the traveler rate limit's (skyfare/ratelimit.py, one key); CPU is
`time.process_time()` around the calls, so Redis's own CPU and the wait are not in it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import uvloop

from cache.batch import evalsha
from skyfare.ratelimit import GCRA_SCRIPT
from skyfare.redis_client import redis_client
from skyfare.settings import load_settings


async def measure(turns: int, calls: int) -> dict[str, list[float]]:
    client = redis_client(load_settings({}), url=os.environ["REDIS_URL"], socket_timeout=1.0,
                          connect_timeout=1.0, max_connections=200, pool_timeout=1.0)  # fmt: skip
    script = client.register_script(GCRA_SCRIPT)
    keys, args = ["bench:script-call-cpu"], [1.0, 1_000_000]
    ways: dict[str, Callable[[], Awaitable[Any]]] = {
        "AsyncScript.__call__": lambda: script(keys=keys, args=args),
        "cache.batch.evalsha": lambda: evalsha(script, keys, args),
    }
    for call in ways.values():  # connect, load the script, warm the code paths
        for _ in range(200):
            await call()
    used: dict[str, list[float]] = {name: [] for name in ways}
    for turn in range(turns):
        for name in list(ways)[:: 1 if turn % 2 else -1]:
            started = time.process_time()
            for _ in range(calls):
                await ways[name]()
            used[name].append((time.process_time() - started) / calls * 1e6)
    await client.aclose()
    return used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--turns", type=int, default=7)
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()
    used = uvloop.run(measure(args.turns, args.calls))
    for name, turns in used.items():
        print(f"{name}: µs per call {[round(t, 1) for t in turns]} → median "
              f"{statistics.median(turns):.1f}")  # fmt: skip
    print(json.dumps({"load_average": os.getloadavg()}))


if __name__ == "__main__":
    main()
