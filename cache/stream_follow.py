"""Following a capped Redis stream from every process: a blocking `XREAD` loop that resumes.

Each API process keeps things in memory that another process may make wrong (the fare cache's
L1: cache/evictions.py; the session cutoffs: skyfare/auth/cutoffs.py). The process that makes
the change appends it to a stream; every process runs `follow`, on a connection of its own (a
blocking read holds it), and applies each entry as it comes.

A stream rather than pub/sub: a follower that loses its connection resumes from the last entry
it read. Entries the cap dropped meanwhile are lost, so once the follower reads again after a
failure it calls `on_gap` once (drop what may be stale), and its caller reloads on demand.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, cast

import redis.asyncio as aioredis

from cache.model import REDIS_FAILURES
from kernel.logs import describe

logger = logging.getLogger(__name__)

# XRANGE's answer, and XREAD's: [(stream, XRANGE's answer), ...]
_Entries = list[tuple[str | bytes, dict[Any, Any]]]
_Read = list[tuple[Any, _Entries]]

Apply = Callable[[dict[Any, Any]], None]


async def follow(
    client: aioredis.Redis,
    stream: str,
    apply: Apply,
    *,
    on_gap: Callable[[], None],
    what: str,
    block_ms: int = 2000,
    retry_s: float = 1.0,
    log_every_s: float = 30.0,
) -> None:
    """`apply` the fields of every entry appended to `stream` from now on, until cancelled;
    `what` names the stream in the warning logged (at most every `log_every_s`) while it fails."""
    last: str | bytes | None = None
    last_log = -float("inf")
    failed = False
    while True:
        try:
            if last is None:
                last = await _newest(client, stream)
            found = cast(_Read, await client.xread({stream: last}, count=512, block=block_ms))
        except REDIS_FAILURES as exc:
            failed = True
            if time.monotonic() - last_log >= log_every_s:
                last_log = time.monotonic()
                logger.warning("%s unreadable, retrying: %s", what, describe(exc))
            await asyncio.sleep(retry_s)
            continue
        if failed:
            on_gap()
            failed = False
        for _stream, entries in found or ():
            for entry_id, fields in entries:
                last = entry_id
                apply(fields)


def field(fields: dict[Any, Any], name: str) -> str | None:
    """The text of one field of a stream entry (redis-py answers bytes unless it decodes)."""
    value = fields.get(name.encode(), fields.get(name))
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)


async def _newest(client: aioredis.Redis, stream: str) -> str | bytes:
    """The id of the newest entry ("0-0" for none): what came before it is already applied (a new
    process starts with nothing in memory)."""
    newest = cast(_Entries, await client.xrevrange(stream, count=1))
    if not newest:
        return "0-0"
    return newest[0][0]
