"""migrated_pool keeps a schema its test is done with for the next test, only as a fresh one."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from skyfare.migrations import load_migrations
from tests.support.database import migrated_pool

PARTNER = (
    "INSERT INTO partners (name, key_prefix, key_hash, rate_per_s, burst) "
    "VALUES ($1, 'sk_live_abcd', sha256(convert_to($1::text, 'UTF8')), 1, 1) RETURNING id"
)


@pytest.fixture
def prefix() -> str:
    """A prefix no other test's schemas have: the kept schemas of this test's own."""
    return f"spare{uuid.uuid4().hex[:8]}"


async def _exists(database_url: str, schema: str) -> bool:
    conn = await asyncpg.connect(database_url)
    try:
        found: bool = await conn.fetchval(
            "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)", schema
        )
        return found
    finally:
        await conn.close()


async def test_a_kept_schema_comes_back_empty_with_its_sequences_restarted(
    database_url: str, prefix: str
) -> None:
    async with migrated_pool(database_url, prefix=prefix) as pool:
        schema = await pool.fetchval("SHOW search_path")
        first = [await pool.fetchval(PARTNER, name) for name in ("a", "b", "c")]
    async with migrated_pool(database_url, prefix=prefix) as pool:
        assert await pool.fetchval("SHOW search_path") == schema
        assert await pool.fetchval("SELECT count(*) FROM partners") == 0
        assert await pool.fetchval(PARTNER, "d") == first[0]
        applied = await pool.fetchval("SELECT count(*) FROM schema_migrations")
        assert applied == len(load_migrations())


@pytest.mark.parametrize(
    "change",
    [
        "DROP TRIGGER live_order_refunded_once_paid_back ON orders",
        "ALTER TABLE orders DISABLE TRIGGER ALL",
        "CREATE TABLE probe (n int)",
        "ALTER TABLE partners ALTER COLUMN burst SET DEFAULT 2",
        "ALTER TABLE partners DROP CONSTRAINT partners_key_hash_key",
        "DELETE FROM schema_migrations WHERE version = 1",
    ],
)
async def test_a_schema_its_test_changed_is_dropped_and_never_handed_out(
    database_url: str, prefix: str, change: str
) -> None:
    async with migrated_pool(database_url, prefix=prefix) as pool:
        changed = await pool.fetchval("SHOW search_path")
        await pool.execute(change)
    assert not await _exists(database_url, changed)
    async with migrated_pool(database_url, prefix=prefix) as pool:
        assert await pool.fetchval("SHOW search_path") != changed
