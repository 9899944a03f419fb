"""Skyfare's PostgreSQL access through PgBouncer in transaction pooling mode (Debian's, started by
the session's `pgbouncer` fixture): a server connection is a client's for one transaction only.
The booking and payment suites run through it too (`SKYFARE_TEST_DB_POOLER=pgbouncer`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as redis

from booking.pg import Database
from booking.relay import OutboxRelay
from booking.repository import PgOrderRepository
from skyfare.migrations import migrate
from skyfare.postgres import connect_options
from skyfare.settings import load_settings
from tests.support.database import migrated_pool
from tests.support.orders import new_order
from tests.support.pgbouncer import PgBouncer

BEHIND_PGBOUNCER = connect_options(load_settings({}, db_pooler="pgbouncer"))


@pytest.fixture
async def pooled(database_url: str, pgbouncer: PgBouncer) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database_url, pooler=pgbouncer, max_size=20) as pool:
        yield pool


def test_the_pgbouncer_setting_turns_asyncpgs_statement_cache_off() -> None:
    assert BEHIND_PGBOUNCER["statement_cache_size"] == 0
    assert "statement_cache_size" not in connect_options(load_settings({}))
    assert load_settings({"SKYFARE_DB_POOLER": "pgbouncer"}).db_pooler == "pgbouncer"


async def test_many_clients_sharing_few_server_connections_run_their_queries(
    database_url: str, pgbouncer: PgBouncer, pooled: asyncpg.Pool
) -> None:
    # Forty clients over ten server connections (pgbouncer.py's max_db_connections): with
    # asyncpg's default statement cache this fails with "prepared statement … already exists".
    role = await pooled.fetchval("SELECT current_user")
    clients = [await asyncpg.connect(pgbouncer.url(role), **BEHIND_PGBOUNCER) for _ in range(40)]
    try:

        async def work(conn: asyncpg.Connection, n: int) -> None:
            for k in range(10):
                assert await conn.fetchval("SELECT $1::int + $2::int", n, k) == n + k
                async with conn.transaction():
                    await conn.execute("INSERT INTO partners_probe VALUES ($1)", n)

        await pooled.execute("CREATE TABLE partners_probe (n int)")
        await asyncio.gather(*(work(conn, n) for n, conn in enumerate(clients)))
        assert await pooled.fetchval("SELECT count(*) FROM partners_probe") == 400
    finally:
        await asyncio.gather(*(conn.close() for conn in clients))


async def test_concurrent_migrations_through_pgbouncer_apply_each_file_once(
    pooled: asyncpg.Pool, tmp_path: Path
) -> None:
    # The migration lock is transaction-scoped, so it means the same through PgBouncer.
    (tmp_path / "0900_probe.sql").write_text("CREATE TABLE probe (id int PRIMARY KEY);")
    (tmp_path / "0901_seed.sql").write_text("INSERT INTO probe VALUES (1);")
    results = await asyncio.gather(
        *(migrate(pooled, timeout=30, directories=[tmp_path]) for _ in range(5))
    )
    assert sorted(name for applied in results for name in applied) == [
        "0900_probe",
        "0901_seed",
    ]
    assert await pooled.fetchval("SELECT count(*) FROM probe") == 1


async def test_one_relay_at_a_time_through_pgbouncer(pooled: asyncpg.Pool, redis_url: str) -> None:
    # The relay's lock is transaction-scoped: of relays started together, the ones that find it
    # taken skip their round; every event is published once.
    db = Database(pooled, timeout_s=10.0)
    for n in range(5):
        await PgOrderRepository(db).create(new_order(f"owner{n}"), actor="test")
    client = redis.Redis.from_url(redis_url)
    stream = f"test:{await pooled.fetchval('SELECT current_user')}:events"
    try:
        # Patient bounds: a round timed out on a busy machine raises, which is not under test here.
        relays = [
            OutboxRelay(pooled, client, stream=stream, db_timeout_s=10.0, redis_timeout_s=10.0)
            for _ in range(4)
        ]
        published = 0
        deadline = time.monotonic() + 30.0  # another test process's relay may hold the lock
        while published < 5 and time.monotonic() < deadline:
            published += sum(await asyncio.gather(*(relay.relay_once() for relay in relays)))
            if published < 5:
                await asyncio.sleep(0.05)
        assert published == 5
        assert await client.xlen(stream) == 5
        assert await pooled.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
    finally:
        await client.delete(stream)
        await client.aclose()
