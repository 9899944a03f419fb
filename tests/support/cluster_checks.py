"""Checks that both TLS clusters' tests (tests/integration/platform/test_redis_tls_cluster.py,
and test_redis_mtls_cluster.py with client certificates) make of a Skyfare client: the same
assertions, so that the two clusters are held to the same bar."""

from __future__ import annotations

import uuid

import asyncpg
import redis.asyncio as aioredis

from booking.relay import OutboxRelay
from tests.support.notify import eventually, insert_outbox, order_event
from tests.support.redis_cluster import RedisClusterHandle


async def assert_keys_round_trip_on_every_master(
    client: aioredis.Redis, cluster: RedisClusterHandle, prefix: str
) -> None:
    """A key written through `client` on each master is read back, and found on the master
    serving its slot, asked of that node alone."""
    keys = cluster.key_on_each_master(prefix)
    assert len(keys) == 3
    try:
        for port, key in keys.items():
            await client.set(key, f"on {port}", ex=60)
        for port, key in keys.items():
            assert await client.get(key) == f"on {port}".encode()
            assert cluster.value_on(port, key) == f"on {port}".encode()
    finally:
        await client.delete(*keys.values())


async def assert_the_relay_waits_for_a_replica(
    client: aioredis.Redis,
    cluster: RedisClusterHandle,
    outbox: asyncpg.Pool,
    *,
    reference_prefix: str,
    timeout_s: float,
) -> None:
    """Three outbox events published through `client` by the relay, whose WAIT (over a
    connection of its own) answered once a replica held them."""
    stream = f"test:{uuid.uuid4().hex}:events"
    references = [f"{reference_prefix}{n}" for n in range(3)]
    await insert_outbox(outbox, *(order_event(reference=ref) for ref in references))
    relay = OutboxRelay(outbox, client, stream=stream, replicas=1, redis_timeout_s=timeout_s)
    published: list[int] = []

    async def all_published() -> bool:
        # A round skips while another relay of the database holds the relay's lock.
        published.append(await relay.relay_once())
        return sum(published) == 3

    try:
        await eventually(all_published, timeout_s=30.0)
        assert cluster.replicated(stream, 3)  # WAIT answered once the replica held it
    finally:
        await client.delete(stream)


def causes_of(error: BaseException) -> list[BaseException]:
    """`error` and each exception it was raised from (`raise … from`), outermost first."""
    causes: list[BaseException] = []
    link: BaseException | None = error
    while link is not None:
        causes.append(link)
        link = link.__cause__
    return causes
