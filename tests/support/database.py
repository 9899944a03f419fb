"""A PostgreSQL schema of a test's own, with every migration applied, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from skyfare.migrations import migrate


@asynccontextmanager
async def migrated_pool(
    database_url: str, *, prefix: str = "test", max_size: int = 10
) -> AsyncIterator[asyncpg.Pool]:
    """A pool whose `search_path` is a fresh schema holding every package's tables, so tests
    sharing one database never see each other's rows."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        async with asyncpg.create_pool(
            database_url, min_size=0, max_size=max_size, server_settings={"search_path": schema}
        ) as pool:
            await migrate(pool, timeout=30)
            yield pool
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await admin.close()


# What a test waits for PostgreSQL when the wait is not what it tests (creating a partner,
# reading a row back): the shared server of a busy machine can take seconds, and the 1 s budget
# of the request path then fails a test that is about something else.
SETUP_TIMEOUT_S = 30.0
