"""redis-py's client CPU per command, in this process: redis-py's own connection with
`socket_timeout` (its write in a `wait_for` Task on Python 3.11), Skyfare's
(skyfare/redis_connections.py: no Task, no timer unless the write has to wait), no timeout at
all; and behind a blocking pool, as the API worker's client (skyfare/redis_client.py): redis-py's
`BlockingConnectionPool` with redis-py's or Skyfare's connections, and Skyfare's pool
(skyfare/redis_pool.py: no Condition, no timer while a connection is free) with Skyfare's.

    REDIS_URL=redis://127.0.0.1:6379/4 python -m bench.redis_command_cpu --turns 7 --commands 5000

Each turn runs every client once, in a rotated order, `--commands` sequential `GET`s (and as
many 3-command pipelines, `--pipelines`) under uvloop; CPU is `time.process_time()` around the
loop, so Redis's own CPU and the wait are not in it. Also counts the Tasks created per command
(a task factory). Prints per-turn figures and the medians as JSON.

Instructions per command, which the machine's load does not move: one client per process under
callgrind, at two numbers of commands; the difference over the difference of commands:

    for n in 500 2500; do REDIS_URL=... valgrind --tool=callgrind --callgrind-out-file=/dev/null \
      python -m bench.redis_command_cpu --only "skyfare" --turns 1 --commands $n --pipelines 0
    done 2>&1 | grep Collected
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
import uvloop

from skyfare.redis_client import redis_client
from skyfare.redis_connections import bound_writes_without_task
from skyfare.settings import load_settings

TIMEOUT_S = 1.0  # as skyfare/search_contexts.py REDIS_TIMEOUT_S
POOL_MAX = 200  # the API worker's blocking pool (skyfare/settings_model.py redis_pool_max)


def clients(url: str) -> dict[str, Callable[[], aioredis.Redis]]:
    def blocking(settings_url: str) -> aioredis.Redis:  # as the API worker's (search_contexts)
        pool = aioredis.BlockingConnectionPool.from_url(
            settings_url, max_connections=POOL_MAX, timeout=TIMEOUT_S, socket_timeout=TIMEOUT_S
        )
        return aioredis.Redis.from_pool(pool)

    return {
        "redis-py wait_for": lambda: aioredis.Redis.from_url(url, socket_timeout=TIMEOUT_S),
        "skyfare": lambda: bound_writes_without_task(
            aioredis.Redis.from_url(url, socket_timeout=TIMEOUT_S)
        ),
        "no socket_timeout": lambda: aioredis.Redis.from_url(url, socket_timeout=None),
        "redis-py wait_for, blocking pool": lambda: blocking(url),
        "skyfare connections, redis-py blocking pool": lambda: bound_writes_without_task(
            blocking(url)
        ),
        "skyfare, blocking pool": lambda: redis_client(
            load_settings({}),
            url=url,
            socket_timeout=TIMEOUT_S,
            connect_timeout=TIMEOUT_S,
            max_connections=POOL_MAX,
            pool_timeout=TIMEOUT_S,
        ),
    }


async def one_turn(
    make: Callable[[], aioredis.Redis], commands: int, pipelines: int
) -> dict[str, float]:
    created = 0

    def counting_factory(
        loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any
    ) -> asyncio.Task[Any]:
        nonlocal created
        created += 1
        return asyncio.Task(coro, loop=loop, **kwargs)

    client = make()
    try:
        await client.set("bench:redis-cpu", b"x" * 64)
        for _ in range(200):  # connect, warm the code paths
            await client.get("bench:redis-cpu")
        loop = asyncio.get_running_loop()
        loop.set_task_factory(counting_factory)
        start = time.process_time()
        for _ in range(commands):
            await client.get("bench:redis-cpu")
        per_command = (time.process_time() - start) / max(commands, 1) * 1e6
        tasks_per_command = created / max(commands, 1)
        start = time.process_time()
        for _ in range(pipelines):
            async with client.pipeline(transaction=False) as pipe:
                pipe.get("bench:redis-cpu")
                pipe.exists("bench:redis-cpu")
                pipe.ttl("bench:redis-cpu")
                await pipe.execute()
        per_pipeline = (time.process_time() - start) / max(pipelines, 1) * 1e6
        loop.set_task_factory(None)
    finally:
        await client.aclose()
    return {
        "us_per_get": per_command,
        "us_per_pipeline_of_3": per_pipeline,
        "tasks_per_get": tasks_per_command,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=7)
    parser.add_argument("--commands", type=int, default=5000)
    parser.add_argument("--pipelines", type=int, default=2000)
    parser.add_argument("--only", help="one client, one turn (e.g. under valgrind: see above)")
    args = parser.parse_args()
    makers = clients(os.environ["REDIS_URL"])
    names = [args.only] if args.only else list(makers)
    turns: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for turn in range(args.turns):
        order = names[turn % len(names) :] + names[: turn % len(names)]
        for name in order:
            result = uvloop.run(one_turn(makers[name], args.commands, args.pipelines))
            turns[name].append(result)
            print(turn, name, json.dumps({k: round(v, 2) for k, v in result.items()}), flush=True)
    medians = {
        name: {key: round(statistics.median(r[key] for r in results), 2) for key in results[0]}
        for name, results in turns.items()
    }
    print(json.dumps({"load_average": os.getloadavg(), "medians": medians}, indent=2))


if __name__ == "__main__":
    main()
