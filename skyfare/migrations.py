"""Plain-SQL schema migrations: `NNNN_name.sql` files applied once each, in numeric order.

- Every package with tables ships a folder of `.sql` files and is listed, once, in
  `MIGRATION_DIRECTORIES` (booking will add `booking/sql`). Versions are global across folders
  (a duplicate is an error), so each package takes its own range: the platform 0001–0099,
  booking 0100–0199, payment 0200–0299, users 0300–0399,
  support 0400–0499.
- Each file runs in its own transaction together with its row in `schema_migrations`, so a file
  is either applied and recorded, or neither.
- Several API processes may start at once: every transaction first takes one PostgreSQL
  advisory lock (`pg_advisory_xact_lock`, released by the commit) and re-reads what is applied,
  so each file runs exactly once. A transaction-scoped lock cannot leak: a connection returned to
  a pool mid-migration (a timeout, a cancel) holds nothing.
- An applied file must not change: its checksum is recorded and compared on every run.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import cast

import asyncpg
import msgspec

from kernel.logs import describe
from skyfare.postgres import connect_options
from skyfare.settings import Settings

logger = logging.getLogger(__name__)

# Folders of migrations, in the order their packages were added; the files of all of them are
# applied in version order.
MIGRATION_DIRECTORIES: tuple[Traversable, ...] = (
    files("skyfare") / "sql",
    files("booking") / "sql",
    files("payment") / "sql",
    files("users") / "sql",
    files("support") / "sql",
)

# An arbitrary constant identifying "Skyfare migrates" among the advisory locks of the database.
ADVISORY_LOCK_KEY = 0x5C1F_A4E0
_FILE_NAME = re.compile(r"^(\d{4,})_([a-z0-9_]+)\.sql$")

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""


class MigrationError(RuntimeError):
    """Migrations cannot be applied: a bad or duplicate file name, or an applied file changed."""


class Migration(msgspec.Struct, frozen=True):
    version: int
    name: str  # the file name without `.sql`, e.g. "0001_partners"
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def parse_migrations(sources: Iterable[tuple[str, str]]) -> list[Migration]:
    """(file name, SQL) pairs → migrations in version order; pure, so it is unit-tested."""
    by_version: dict[int, Migration] = {}
    for file_name, sql in sources:
        match = _FILE_NAME.match(file_name)
        if match is None:
            raise MigrationError(f"{file_name}: expected a name like 0001_create_things.sql")
        version = int(match.group(1))
        migration = Migration(version, file_name.removesuffix(".sql"), sql)
        if version in by_version:
            other = by_version[version].name
            raise MigrationError(f"{migration.name} and {other} share version {version}")
        by_version[version] = migration
    return [by_version[version] for version in sorted(by_version)]


def load_migrations(directories: Sequence[Traversable] = MIGRATION_DIRECTORIES) -> list[Migration]:
    return parse_migrations(
        (entry.name, entry.read_text(encoding="utf-8"))
        for directory in directories
        for entry in directory.iterdir()
        if entry.name.endswith(".sql")
    )


async def migrate(
    pool_or_conn: asyncpg.Pool | asyncpg.Connection,
    *,
    timeout: float,
    directories: Sequence[Traversable] = MIGRATION_DIRECTORIES,
) -> list[str]:
    """Apply the migrations not yet applied; the names of those this call applied.

    Raises MigrationError (an applied file changed, a bad file name), TimeoutError after
    `timeout` seconds in all, or asyncpg/OS errors when the database cannot be reached.
    """
    migrations = load_migrations(directories)
    async with asyncio.timeout(timeout):
        if isinstance(pool_or_conn, asyncpg.Pool):
            async with pool_or_conn.acquire() as proxy:
                # The proxy forwards every Connection method; the stubs type it apart.
                return await _migrate(cast(asyncpg.Connection, proxy), migrations)
        return await _migrate(pool_or_conn, migrations)


async def _migrate(conn: asyncpg.Connection, migrations: list[Migration]) -> list[str]:
    async with conn.transaction():
        await _lock(conn)
        await conn.execute(_CREATE_TABLE)
        applied = await _applied(conn)
    _check_unchanged(migrations, applied)
    done: list[str] = []
    for migration in migrations:
        if migration.version in applied:
            continue
        async with conn.transaction():
            await _lock(conn)
            if await _applied_one(conn, migration):  # another process applied it meanwhile
                continue
            try:
                await conn.execute(migration.sql)
            except asyncpg.PostgresError as exc:  # rolled back with its transaction
                raise MigrationError(f"migration {migration.name} failed: {exc}") from exc
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
        logger.info("applied migration %s", migration.name)
        done.append(migration.name)
    return done


async def _lock(conn: asyncpg.Connection) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock($1)", ADVISORY_LOCK_KEY)


async def _applied(conn: asyncpg.Connection) -> dict[int, tuple[str, str]]:
    rows = await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
    return {row["version"]: (row["name"], row["checksum"]) for row in rows}


async def _applied_one(conn: asyncpg.Connection, migration: Migration) -> bool:
    row = await conn.fetchrow(
        "SELECT name, checksum FROM schema_migrations WHERE version = $1", migration.version
    )
    if row is None:
        return False
    _check_unchanged([migration], {migration.version: (row["name"], row["checksum"])})
    return True


def _check_unchanged(migrations: list[Migration], applied: dict[int, tuple[str, str]]) -> None:
    for migration in migrations:
        recorded = applied.get(migration.version)
        if recorded is not None and recorded != (migration.name, migration.checksum):
            raise MigrationError(
                f"migration {migration.name} was changed after it was applied "
                f"(applied as {recorded[0]} with checksum {recorded[1][:12]}…); "
                "add a new migration instead of editing an applied one"
            )


# Time for all migrations of one start-up; they are small DDL, but a lock held by another
# process's long migration is waited for.
MIGRATE_TIMEOUT_S = 60.0
# How often a worker tries again to migrate a database the start could not reach.
RETRY_S = 5.0


async def run_migrations_once(settings: Settings, *, quiet: bool = False) -> list[str] | None:
    """Migrate `settings.database_url` before the API workers start; never raises for a down DB.

    The parent process of `skyfare up/serve` calls it once. A database that cannot be reached is
    logged (unless `quiet`) and skipped, None: searches do not need PostgreSQL and must still be
    served, and a worker applies them once it answers (`migrate_when_reachable`). A changed
    applied migration (MigrationError) is a deploy bug: it is raised.
    """
    if settings.database_url is None:
        raise ValueError("database_url is unset: start the embedded PostgreSQL first")
    try:
        conn = await asyncpg.connect(
            settings.database_url, timeout=settings.db_timeout_s, **connect_options(settings)
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        if not quiet:
            logger.error("PostgreSQL unreachable, migrations not applied: %s", describe(exc))
        return None
    try:
        applied = await migrate(conn, timeout=MIGRATE_TIMEOUT_S)
    except (OSError, asyncpg.exceptions.ConnectionDoesNotExistError, TimeoutError) as exc:
        logger.error("migrations interrupted (the database went away?): %s", describe(exc))
        return None
    finally:
        await conn.close(timeout=settings.db_timeout_s)
    logger.info("schema up to date (%d migrations applied now)", len(applied))
    return applied


async def migrate_when_reachable(
    settings: Settings,
    *,
    retry_s: float = RETRY_S,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> list[str]:
    """The start's migrations, applied once PostgreSQL answers: one API worker runs this when
    the start could not reach it. Before, the API served on until restarted, and a database
    that came up after it (a fresh one, or one a release had new migrations for) answered every
    order with a 500 on a table or column not there yet, while /readyz said ready."""
    while (applied := await run_migrations_once(settings, quiet=True)) is None:
        await sleep(retry_s)
    return applied
