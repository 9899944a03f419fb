"""A database the start could not reach gets its schema once it answers
(`migrate_when_reachable`, run by one API worker). Before, the API served on without it until
restarted: a database that came up after Skyfare (a fresh one, or one a release brought new
migrations for) answered every order with a 500 on a table not there, while /readyz said
ready."""

from __future__ import annotations

import urllib.parse
import uuid

import asyncpg

from skyfare.migrations import load_migrations, migrate_when_reachable
from skyfare.settings import load_settings


def _with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


async def test_a_database_that_answers_only_later_is_migrated_then(database_url: str) -> None:
    name = f"late_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(database_url)
    attempts = 0

    async def until_the_database_exists(seconds: float) -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 3:  # it "comes up": until now, every connection failed (no database)
            await admin.execute(f'CREATE DATABASE "{name}"')

    late = _with_database(database_url, name)
    try:
        applied = await migrate_when_reachable(
            load_settings({}, database_url=late), sleep=until_the_database_exists
        )
        assert attempts == 3
        assert applied == [m.name for m in load_migrations()]
        conn = await asyncpg.connect(late)
        try:
            assert await conn.fetchval("SELECT to_regclass('public.orders')") is not None
        finally:
            await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
