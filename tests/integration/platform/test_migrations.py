"""Migrations against real PostgreSQL: once each, exactly once under concurrency, no edits."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path

import asyncpg
import pytest

from skyfare.migrations import MigrationError, load_migrations, migrate, run_migrations_once
from skyfare.settings import load_settings
from tests.e2e.conftest import closed_port


def _write(directory: Path, name: str, sql: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(sql)


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    _write(tmp_path / "a", "0001_things.sql", "CREATE TABLE things (id int PRIMARY KEY);")
    # Not idempotent on purpose: a second run of this file would fail with a unique violation.
    _write(tmp_path / "a", "0002_seed.sql", "INSERT INTO things VALUES (1);")
    return tmp_path / "a"


async def test_platform_migrations_create_the_partners_table(pool: asyncpg.Pool) -> None:
    applied = await migrate(pool, timeout=10)
    # Every package's migrations, the platform's first (booking 0100…, payment 0200…).
    assert applied == [m.name for m in load_migrations()]
    assert applied[0] == "0001_partners"
    assert await pool.fetchval("SELECT count(*) FROM partners") == 0


async def test_migrations_apply_in_order_once_and_are_recorded(
    pool: asyncpg.Pool, migrations_dir: Path
) -> None:
    assert await migrate(pool, timeout=10, directories=[migrations_dir]) == [
        "0001_things",
        "0002_seed",
    ]
    assert await migrate(pool, timeout=10, directories=[migrations_dir]) == []
    rows = await pool.fetch("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [(r["version"], r["name"]) for r in rows] == [(1, "0001_things"), (2, "0002_seed")]


async def test_directories_merge_in_version_order_and_later_files_apply_later(
    pool: asyncpg.Pool, migrations_dir: Path, tmp_path: Path
) -> None:
    await migrate(pool, timeout=10, directories=[migrations_dir])
    _write(tmp_path / "b", "0100_more.sql", "INSERT INTO things VALUES (100);")
    applied = await migrate(pool, timeout=10, directories=[migrations_dir, tmp_path / "b"])
    assert applied == ["0100_more"]
    assert await pool.fetchval("SELECT sum(id) FROM things") == 101


async def test_five_concurrent_migrations_apply_each_file_exactly_once(
    pool: asyncpg.Pool, migrations_dir: Path
) -> None:
    results = await asyncio.gather(
        *(migrate(pool, timeout=10, directories=[migrations_dir]) for _ in range(5))
    )
    applied = [name for result in results for name in result]
    assert sorted(applied) == ["0001_things", "0002_seed"]
    assert await pool.fetchval("SELECT count(*) FROM things") == 1


async def test_a_changed_applied_migration_is_an_error_naming_it(
    pool: asyncpg.Pool, migrations_dir: Path
) -> None:
    await migrate(pool, timeout=10, directories=[migrations_dir])
    _write(migrations_dir, "0002_seed.sql", "INSERT INTO things VALUES (2);")
    with pytest.raises(MigrationError, match="0002_seed was changed"):
        await migrate(pool, timeout=10, directories=[migrations_dir])
    assert await pool.fetchval("SELECT count(*) FROM things") == 1


async def test_a_failing_migration_leaves_nothing_half_applied(
    pool: asyncpg.Pool, migrations_dir: Path
) -> None:
    _write(migrations_dir, "0003_broken.sql", "CREATE TABLE other (id int); SELECT nope;")
    with pytest.raises(MigrationError, match='0003_broken failed: column "nope"'):
        await migrate(pool, timeout=10, directories=[migrations_dir])
    assert await pool.fetchval("SELECT to_regclass('other')") is None
    assert await pool.fetchval("SELECT max(version) FROM schema_migrations") == 2


async def test_startup_migration_logs_and_continues_when_postgres_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = load_settings({}, database_url=f"postgresql://u@127.0.0.1:{closed_port()}/db")
    assert await run_migrations_once(settings) is None
    assert "migrations not applied" in caplog.text


async def test_startup_migration_names_a_timeout_when_postgres_never_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as silent:  # accepts connections (the backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"postgresql://u@127.0.0.1:{silent.getsockname()[1]}/db"
        settings = load_settings({}, database_url=url, db_timeout_s=0.2)
        with caplog.at_level(logging.ERROR, logger="skyfare.migrations"):
            assert await run_migrations_once(settings) is None
    # A TimeoutError's message is empty: its type is all that says why (the line ended in ": ").
    [line] = [r.getMessage() for r in caplog.records if r.name == "skyfare.migrations"]
    assert line == "PostgreSQL unreachable, migrations not applied: TimeoutError"


async def test_startup_migration_brings_the_database_up_to_date(database_url: str) -> None:
    await run_migrations_once(load_settings({}, database_url=database_url))
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT to_regclass('public.partners')") is not None
    finally:
        await conn.close()
