"""Several adapters' Redis commands in one round trip: a non-transactional pipeline.

Each adapter says what it would send (`Queued`: the command, and for a script how to run it on
its own); `send` writes them all at once and hands each its own reply or error, in order. One
Redis runs the commands of one connection in the order sent, so a command still sees what the
ones before it wrote. Not for Redis Cluster: a cluster pipeline sends each shard its commands
concurrently, so that order would be lost (callers keep their separate calls there).

A script goes as a plain EVALSHA. redis-py's own scripts in a pipeline first ask Redis whether
they exist (SCRIPT EXISTS), a round trip of its own on every execute; here only a script Redis
answers NOSCRIPT for (a restart, SCRIPT FLUSH) is run again through its `Script`, which loads
it. That second call comes after the pipeline, so it still follows the commands before it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NamedTuple

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError


class Queued(NamedTuple):
    """One command for `send`, and what runs it on its own (its adapter's unbatched call; for
    a script, one that loads it when Redis does not hold it)."""

    command: tuple[Any, ...]
    alone: Callable[[], Awaitable[Any]]


def script_call(script: AsyncScript, keys: Sequence[Any], args: Sequence[Any]) -> Queued:
    """`script(keys=keys, args=args)` as a queued EVALSHA."""
    return Queued(
        ("EVALSHA", script.sha, len(keys), *keys, *args),
        lambda: script(keys=list(keys), args=list(args)),
    )


async def evalsha(script: AsyncScript, keys: Sequence[Any], args: Sequence[Any]) -> Any:
    """`await script(keys=keys, args=args)`, ~10 µs of CPU cheaper per call: redis-py's
    `AsyncScript.__call__` runs two imports and two `isinstance` checks against its pipeline
    classes (one through typing's slow Protocol check) before the same EVALSHA
    (bench/results/2026-12-05-hold-redis.md). A script Redis does not hold (NOSCRIPT: a first
    call, a restart, SCRIPT FLUSH) is loaded and sent again, as `AsyncScript.__call__` does,
    without a second NOSCRIPT round trip through it first."""
    client = script.registered_client
    command = ("EVALSHA", script.sha, len(keys), *keys, *args)
    try:
        return await client.execute_command(*command)
    except NoScriptError:
        await client.script_load(script.script)
        return await client.execute_command(*command)


async def send(client: aioredis.Redis, queued: Sequence[Queued]) -> list[Any]:
    """Each command's reply, or the exception Redis answered it with (one failing command does
    not stop the others). A failed round trip (connection, timeout) raises; bound it with the
    caller's timeout."""
    if not queued:
        return []
    async with client.pipeline(transaction=False) as pipe:
        for item in queued:
            pipe.execute_command(*item.command)
        replies: list[Any] = await pipe.execute(raise_on_error=False)
    for i, (item, reply) in enumerate(zip(queued, replies, strict=True)):
        if isinstance(reply, NoScriptError):
            try:
                replies[i] = await item.alone()
            except Exception as exc:  # handed to its caller like any reply
                replies[i] = exc
    return replies
