"""The outbox relay against real PostgreSQL and Redis: order, gaps, concurrency, outages."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as redis
from prometheus_client import REGISTRY

from booking.events import decode_event
from booking.relay import OutboxRelay
from kernel.tasks import stop_task
from skyfare.embedded import EmbeddedRedis
from tests.e2e.conftest import closed_port
from tests.support.database import statement_recording_pool
from tests.support.notify import eventually, insert_outbox, order_event
from tests.support.redis_cluster import redis_or_cluster

PATIENT_TIMEOUT_S = 10.0  # a bound on a reply the test waits for, far above what one takes


@pytest.fixture(params=["redis", "cluster"])
def redis_url(request: pytest.FixtureRequest, redis_url: str) -> str:
    """Each test against one Redis and against a Redis Cluster (tests/support/redis_cluster.py)."""
    return redis_or_cluster(request, redis_url)


@pytest.fixture
async def closed_redis() -> AsyncIterator[redis.Redis]:
    """A client of a Redis that refuses every connection: nothing listens on its port."""
    client = redis.Redis(port=closed_port(), socket_connect_timeout=0.5)
    yield client
    await client.aclose()


def _relay(pool: asyncpg.Pool, client: redis.Redis, stream: str, **options: float) -> OutboxRelay:
    # Bounds far above a round's work unless a test is about them: on a busy machine a first
    # connection to the cluster took longer than the relay's 2 s default, and the round failed.
    defaults: dict[str, float] = {
        "interval_s": 0.01,
        "idle_interval_s": 0.01,
        "max_backoff_s": 0.1,
        "db_timeout_s": PATIENT_TIMEOUT_S,
        "redis_timeout_s": PATIENT_TIMEOUT_S,
    }
    return OutboxRelay(pool, client, stream, **{**defaults, **options})  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def _running(*relays: OutboxRelay) -> AsyncIterator[list[asyncio.Task[None]]]:
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        yield tasks
    finally:
        # One cancel() can be swallowed by asyncpg's timeouts (kernel/tasks.py).
        await asyncio.gather(*(stop_task(task) for task in tasks))


async def _stream_ids(client: redis.Redis, stream: str) -> list[str]:
    return [fields[b"id"].decode() for _, fields in await client.xrange(stream)]


async def _unpublished(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    return count


async def test_relay_publishes_outbox_rows_in_id_order_and_marks_them_published(
    pool: asyncpg.Pool, redis_client: redis.Redis, stream: str
) -> None:
    events = [order_event(reference=f"REF00{i}") for i in range(5)]
    await insert_outbox(pool, *events)

    published = await _relay(pool, redis_client, stream).relay_once()

    assert published == 5
    entries = await redis_client.xrange(stream)
    assert [fields[b"id"].decode() for _, fields in entries] == [e.id for e in events]
    first = entries[0][1]
    assert first[b"type"] == b"order.held"
    assert decode_event(first[b"event"]) == events[0]  # the whole event, as JSON
    assert await _unpublished(pool) == 0
    assert await _relay(pool, redis_client, stream).relay_once() == 0  # nothing twice


async def test_a_batch_sent_again_after_its_marking_failed_adds_nothing_to_the_stream(
    pool: asyncpg.Pool, redis_client: redis.Redis, stream: str
) -> None:
    # What a Redis killed after the XADD, or a relay timed out waiting for its answer, leaves:
    # the entries are in the stream, the rows unmarked, and the next round sends them again.
    events = [order_event(reference=f"AGAIN{i}") for i in range(3)]
    await insert_outbox(pool, *events)
    relay = _relay(pool, redis_client, stream)
    await pool.execute(_REFUSE_MARKING)
    with pytest.raises(asyncpg.RaiseError):
        await relay.relay_once()
    await pool.execute("DROP TRIGGER refuse_marking ON outbox")

    assert await relay.relay_once() == 3
    assert await _stream_ids(redis_client, stream) == [e.id for e in events]  # each once
    assert await _unpublished(pool) == 0


_REFUSE_MARKING = """
CREATE FUNCTION refuse_marking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'marking refused'; END $$;
CREATE TRIGGER refuse_marking BEFORE UPDATE ON outbox EXECUTE FUNCTION refuse_marking();
"""


async def test_a_lower_id_committed_after_a_higher_one_was_published_is_still_published(
    pool: asyncpg.Pool, redis_client: redis.Redis, stream: str
) -> None:
    late, early = order_event(reference="LATE01"), order_event(reference="EARLY1")
    relay = _relay(pool, redis_client, stream)
    async with pool.acquire() as slow:
        transaction = slow.transaction()
        await transaction.start()
        await insert_outbox(slow, late)  # takes the lower id, commits last
        await insert_outbox(pool, early)
        assert await relay.relay_once() == 1
        await transaction.commit()

    assert await relay.relay_once() == 1
    assert await _stream_ids(redis_client, stream) == [early.id, late.id]
    ids = await pool.fetch("SELECT id, event_id::text FROM outbox ORDER BY id")
    assert [row["event_id"] for row in ids] == [late.id, early.id]


async def test_two_relays_publish_every_one_of_500_events_concurrently_inserted_exactly_once(
    pool: asyncpg.Pool, redis_client: redis.Redis, stream: str
) -> None:
    events = [order_event(reference=f"C{i:05d}") for i in range(500)]

    async with _running(
        _relay(pool, redis_client, stream, batch_size=37),
        _relay(pool, redis_client, stream, batch_size=37),
    ):
        # 50 transactions of 10 rows, 10 at a time, while both relays poll.
        chunks = [events[i : i + 10] for i in range(0, 500, 10)]
        for start in range(0, len(chunks), 10):
            await asyncio.gather(
                *(_insert_in_one_transaction(pool, c) for c in chunks[start:][:10])
            )

        async def all_published() -> bool:
            return await _unpublished(pool) == 0 and await redis_client.xlen(stream) >= 500

        await eventually(all_published)

    ids = await _stream_ids(redis_client, stream)
    assert sorted(ids) == sorted(e.id for e in events)  # none lost, none twice


async def _insert_in_one_transaction(pool: asyncpg.Pool, events: list[object]) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await insert_outbox(conn, *events)  # type: ignore[arg-type]


def _failures() -> float:
    return REGISTRY.get_sample_value("skyfare_outbox_relay_failures_total") or 0.0


async def test_relay_waits_out_a_redis_outage_and_publishes_what_was_written_meanwhile(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    server = EmbeddedRedis(tmp_path / "redis")
    url = await asyncio.to_thread(server.start)
    # Patient: the outage refuses connections at once (nothing listens on the socket), so no
    # short bound is needed to end a command; the XRANGE below and the relay's XADDs on a
    # restarted server are ordinary commands, which a busy machine can keep past 0.5 s. The
    # relay's own bound (redis_timeout_s) stays short: a publish it cut is tried again.
    client = redis.Redis.from_url(
        url, socket_timeout=PATIENT_TIMEOUT_S, socket_connect_timeout=PATIENT_TIMEOUT_S
    )
    try:
        before, during = order_event(reference="BEFORE"), order_event(reference="DURING")

        async def all_published() -> bool:
            return await _unpublished(pool) == 0

        async with _running(_relay(pool, client, "events", redis_timeout_s=0.5)) as (task,):
            await insert_outbox(pool, before)
            await eventually(all_published)

            await asyncio.to_thread(server.stop)
            failures = _failures()
            await insert_outbox(pool, during)
            await eventually(lambda: _failures() > failures)
            assert await _unpublished(pool) == 1  # not marked: its XADD failed
            assert not task.done()

            await asyncio.to_thread(server.start)
            await eventually(all_published)
        assert during.id in await _stream_ids(client, "events")
    finally:
        await client.aclose()
        await asyncio.to_thread(server.stop)


async def test_relay_keeps_trying_while_postgresql_is_unreachable(
    redis_client: redis.Redis, stream: str
) -> None:
    # A pool to a port nothing listens on: every attempt fails to connect.
    async with asyncpg.create_pool(
        "postgresql://postgres@127.0.0.1:1/none", min_size=0, timeout=0.2
    ) as dead_pool:
        failures = _failures()
        async with _running(_relay(dead_pool, redis_client, stream, db_timeout_s=0.2)) as (task,):
            await eventually(lambda: _failures() >= failures + 2)
            assert not task.done()


async def test_an_idle_round_is_one_statement_and_a_round_with_events_publishes_them(
    pool: asyncpg.Pool, redis_client: redis.Redis, stream: str, database_url: str
) -> None:
    # Ten idle rounds a second run in every API process: no transaction, no lock for nothing.
    schema = await pool.fetchval("SHOW search_path")
    statements: list[str] = []
    async with statement_recording_pool(
        database_url, schema, statements, min_size=1, max_size=1
    ) as logged:
        relay = _relay(logged, redis_client, stream)
        assert await relay.relay_once() == 0
        idle = [q for q in statements if "RESET ALL" not in q]  # the pool's own, on release
        await insert_outbox(pool, order_event(reference="IDLE1"))
        assert await relay.relay_once() == 1
    assert len(idle) == 1
    assert "published_at IS NULL" in idle[0]
    assert await _unpublished(pool) == 0
    assert await _stream_ids(redis_client, stream) != []


async def test_an_idle_relay_looks_less_often_and_snaps_back_when_an_event_appears(
    pool: asyncpg.Pool, redis_client: redis.Redis, stream: str
) -> None:
    # Every API process relays: an idle one must not poll PostgreSQL ten times a second.
    # Timeouts far beyond a round's work: a round that timed out on a busy machine backs off
    # (a failure's pause, not the pacing under test).
    relay = _relay(
        pool, redis_client, stream, interval_s=0.1, idle_interval_s=0.5, db_timeout_s=30.0,
        redis_timeout_s=30.0,
    )  # fmt: skip
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 5:  # after an idle spell, an event is written
            await insert_outbox(pool, order_event(reference="SNAP1"))
        if len(pauses) == 8:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await relay.run(sleep=sleep)

    assert pauses == [0.1, 0.2, 0.4, 0.5, 0.5, 0.1, 0.2, 0.4]
    assert await _unpublished(pool) == 0


async def test_the_outbox_lag_is_reported_while_redis_refuses_the_batch(
    pool: asyncpg.Pool, closed_redis: redis.Redis
) -> None:
    # What the SkyfareOutboxLag alert is for ("cannot reach Redis"): the relay saw the oldest
    # unpublished event's age, then its batch failed. Before, the gauge was set only after a
    # batch published, so it kept its last value (0) all through the outage and never paged.
    await insert_outbox(pool, order_event())
    await pool.execute("UPDATE outbox SET created_at = now() - interval '90 seconds'")

    with pytest.raises((redis.RedisError, OSError)):
        await _relay(pool, closed_redis, "events", redis_timeout_s=0.5).relay_once()

    assert (REGISTRY.get_sample_value("skyfare_outbox_lag_seconds") or 0) >= 90
