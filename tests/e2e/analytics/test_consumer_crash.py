"""`skyfare analytics` as a real process, killed (SIGKILL) while it loads batches, then started
again: the store ends with every stream entry exactly once — no duplicate, no gap."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as redis

from analytics.consumer import GROUP
from analytics.publisher import UsageBuffer
from analytics.store import AnalyticsStore
from kernel.usage import BreakerEvent

EVENTS = 3000
# Published once the first consumer is dead: only the second can load them, so the wait for it
# to be done cannot end before it has started (and a SIGTERM then would not find its handler:
# a first consumer that got through every entry before its kill made that possible).
LATER = 50
BOUND_S = 60.0
# Two waits of BOUND_S and a stop: past the suite's 60 s default, which fired before a wait's own
# message (the group's state, naming what it waited for) could say why the consumer looked stuck.
pytestmark = pytest.mark.timeout(3 * BOUND_S)


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url, socket_timeout=5.0)
    yield client
    await client.aclose()


@pytest.fixture
async def streams(client: redis.Redis) -> AsyncIterator[tuple[str, str]]:
    names = (f"test:{uuid.uuid4().hex}:usage", f"test:{uuid.uuid4().hex}:events")
    yield names
    await client.delete(*names)


def _start(redis_url: str, streams: tuple[str, str], directory: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "SKYFARE_USAGE_STREAM": streams[0],
        "SKYFARE_EVENT_STREAM": streams[1],
        "SKYFARE_ANALYTICS_DIR": str(directory),
        "SKYFARE_ANALYTICS_BATCH_SIZE": "25",
        "SKYFARE_ANALYTICS_PORT": "0",  # the consumer alone: no reports on 8083
        "SKYFARE_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "skyfare.cli", "analytics"],
        env=env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


async def _publish(client: redis.Redis, stream: str, numbers: range) -> None:
    buffer = UsageBuffer(client, stream, maxlen=100_000)
    for n in numbers:
        buffer.emit(BreakerEvent(at=1_800_000_000 + n, connector=f"c{n}", state="open"))
    await buffer.drain()


async def _group(client: redis.Redis, stream: str) -> dict[str, object]:
    for group in await client.xinfo_groups(stream):
        if group["name"] in (GROUP, GROUP.encode()):
            return dict(group)
    return {}


async def _read(client: redis.Redis, stream: str, group: dict[str, object]) -> int:
    """How many entries the group has been handed so far. Counted from `last-delivered-id`:
    the embedded Redis (6.2) has no `entries-read` or `lag` in XINFO GROUPS."""
    last = group["last-delivered-id"]
    return len(await client.xrange(stream, "-", last)) if last not in (b"0-0", "0-0") else 0


async def _until(client: redis.Redis, stream: str, done: str) -> dict[str, object]:
    deadline = time.monotonic() + BOUND_S
    while time.monotonic() < deadline:
        group = await _group(client, stream)
        if group and (
            (done == "busy" and int(group["pending"]) > 0)  # type: ignore[call-overload]
            or (
                done == "idle"
                and group["pending"] == 0
                and await _read(client, stream, group) == EVENTS + LATER
            )
        ):
            return group
        await asyncio.sleep(0.005)
    raise AssertionError(f"the consumer never became {done}: {await _group(client, stream)}")


async def test_a_consumer_killed_mid_batch_resumes_with_no_duplicate_and_no_gap(
    client: redis.Redis, redis_url: str, streams: tuple[str, str], tmp_path: Path
) -> None:
    await _publish(client, streams[0], range(EVENTS))

    first = _start(redis_url, streams, tmp_path)
    try:
        busy = await _until(client, streams[0], "busy")  # a batch delivered, not yet committed
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert await _read(client, streams[0], busy) < EVENTS
    await _publish(client, streams[0], range(EVENTS, EVENTS + LATER))

    second = _start(redis_url, streams, tmp_path)
    try:
        await _until(client, streams[0], "idle")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        assert second.wait(timeout=30) == 0

    ids = [entry_id.decode() for entry_id, _ in await client.xrange(streams[0])]
    store = AnalyticsStore(str(tmp_path), read_only=True)
    _, rows = store.query("SELECT stream_id FROM breakers ORDER BY ms, seq")
    assert [row[0] for row in rows] == ids
    assert len(ids) == EVENTS + LATER
