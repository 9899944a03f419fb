"""A PostgreSQL schema of a test's own, with every migration applied, dropped afterwards."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import asyncpg

from skyfare.migrations import MIGRATION_DIRECTORIES, migrate
from tests.support import spare_schemas
from tests.support.pgbouncer import PgBouncer


@asynccontextmanager
async def migrated_pool(
    database_url: str,
    *,
    prefix: str = "test",
    max_size: int = 10,
    pooler: PgBouncer | None = None,
) -> AsyncIterator[asyncpg.Pool]:
    """A pool whose `search_path` is a fresh schema holding every package's tables, so tests
    sharing one database never see each other's rows.

    With `pooler`, the pool goes through PgBouncer in transaction mode, as a role of the
    schema's own whose `search_path` is the schema (tests/support/pgbouncer.py says why), with
    asyncpg's statement cache off as Skyfare runs behind it (skyfare/postgres.py).

    Fresh means as just migrated, not necessarily just created: building the schema (every
    migration's DDL) cost ~0.6 s a test, so a schema a test is done with is emptied and kept
    for the next (tests/support/spare_schemas.py), unless the test changed its definition."""
    key = (database_url, prefix, None if pooler is None else id(pooler))
    # No JIT: PostgreSQL's estimates for its own catalogs (bloated by every schema a session
    # made and dropped) priced spare_schemas' catalog query over its threshold, and compiling
    # it took ~0.3 s of a query that runs in ~0.02 s.
    admin = await asyncpg.connect(database_url, server_settings={"jit": "off"})
    try:
        spare = spare_schemas.take(key)
        if spare is None:
            schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
            if pooler is None:
                await admin.execute(f"CREATE SCHEMA {schema}")
            else:
                await admin.execute(f"CREATE ROLE {schema} LOGIN")
                await admin.execute(f"CREATE SCHEMA {schema} AUTHORIZATION {schema}")
                await admin.execute(f"ALTER ROLE {schema} SET search_path = {schema}")
        else:
            schema = spare.schema
        if pooler is None:
            pool = asyncpg.create_pool(
                database_url, min_size=0, max_size=max_size, server_settings={"search_path": schema}
            )
        else:
            pool = asyncpg.create_pool(
                pooler.url(schema), min_size=0, max_size=max_size, statement_cache_size=0
            )
        async with pool:
            # On a kept schema this applies nothing: it checks what is applied, as on a new one.
            await migrate(pool, timeout=30)
            if spare is None:
                spare = await spare_schemas.describe(admin, schema, role=pooler is not None)
            yield pool
        if not await spare_schemas.give_back(admin, key, spare):
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")
            if pooler is not None:
                await admin.execute(f"DROP ROLE {schema}")
    finally:
        await admin.close()


@asynccontextmanager
async def bare_pool_of(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool over a fresh, empty schema (the test migrates it: a migration's own tests)."""
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        async with asyncpg.create_pool(
            database_url, min_size=0, max_size=4, server_settings={"search_path": schema}
        ) as pool:
            yield pool
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
    finally:
        await admin.close()


@asynccontextmanager
async def statement_recording_pool(
    database_url: str, schema: str, statements: list[str], *, min_size: int = 0, max_size: int = 10
) -> AsyncIterator[asyncpg.Pool]:
    """A pool over `schema` whose every connection appends each statement it runs to
    `statements` (asyncpg's query logger), so a test counts what reached PostgreSQL, never time.
    The pool's own `RESET ALL …` on each release is recorded too."""

    async def record_statements(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(lambda logged: statements.append(logged.query))

    async with asyncpg.create_pool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        init=record_statements,
        server_settings={"search_path": schema},
    ) as pool:
        yield pool


async def record_statements_of(pool: asyncpg.Pool, statements: list[str]) -> None:
    """From now on, every connection of `pool` (an app's, made elsewhere) appends each
    statement it runs to `statements`: all `max_size` of them are opened at once and given
    asyncpg's query logger, which outlives their release. A connection the pool opens later,
    in place of one closed, records nothing: count what must be there, so a miss fails."""
    async with AsyncExitStack() as held:
        for _ in range(pool.get_max_size()):
            conn = await held.enter_async_context(pool.acquire(timeout=SETUP_TIMEOUT_S))
            conn.add_query_logger(lambda logged: statements.append(logged.query))


# What today's order insert (booking/create_sql.py) writes beyond the oldest schemas a test
# builds: a test writing orders through the repository on a schema "before N" needs these too.
ORDER_INSERT_NEEDS = (147, 157)  # orders.seats_taken, order_passengers.infant_position


def migrations_before(version: int, into: Path, *, plus: Sequence[int] = ()) -> Path:
    """Every migration file older than `version`, and those of versions `plus` (e.g.
    `ORDER_INSERT_NEEDS`), copied into one folder (made if need be)."""
    into.mkdir(parents=True, exist_ok=True)
    for folder in MIGRATION_DIRECTORIES:
        for item in folder.iterdir():
            number = int(item.name[:4]) if item.name[:4].isdigit() else None
            if (
                item.name.endswith(".sql")
                and number is not None
                and (number < version or number in plus)
            ):
                with item.open("rb") as source, (into / item.name).open("wb") as target:
                    shutil.copyfileobj(source, target)
    return into


# What a test waits for PostgreSQL when the wait is not what it tests (creating a partner,
# reading a row back): the shared server of a busy machine can take seconds, and the 1 s budget
# of the request path then fails a test that is about something else.
SETUP_TIMEOUT_S = 30.0
