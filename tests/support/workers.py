"""pytest-xdist's workers (`make test` runs two): PostgreSQL and Redis of each worker's own.

With the embedded servers that is so already: each worker's session starts its own. With
DATABASE_URL / REDIS_URL the workers would share one database's public schema (the e2e and
browser apps migrate and write there, and each app's outbox relay publishes every unpublished
event it finds, another worker's too) and one Redis' keys (cached fares, rate limits, consumer
groups). So worker gwN takes database `<name>_gwN` (made when missing, kept for the next run, as
the database it is named after is) and Redis database `<index> + N` of the same servers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
from urllib.parse import urlsplit, urlunsplit

import asyncpg

# Redis' default `databases`: a higher index is refused by the server, naming no cause.
REDIS_DATABASES = 16


def worker_number() -> int | None:
    """This process' worker under pytest-xdist (gw0 → 0), or None when pytest runs alone."""
    name = os.environ.get("PYTEST_XDIST_WORKER")
    return None if name is None else int(name.removeprefix("gw"))


def database_of_worker(url: str, number: int) -> str:
    """`url` naming database `<its name>_gw<number>` instead."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or (parts.username or "postgres")  # libpq's default
    return urlunsplit(parts._replace(path=f"/{name}_gw{number}"))


def redis_of_worker(url: str, number: int) -> str:
    """`url` naming Redis database `<its index> + number` instead (index 0 when it names none)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":  # a socket names its database as ?db=N; no test runs on one
        raise ValueError(f"REDIS_URL {url!r}: give each pytest-xdist worker a TCP URL")
    index = int(parts.path.lstrip("/") or 0) + number
    if index >= REDIS_DATABASES:
        raise ValueError(
            f"REDIS_URL {url!r} leaves worker gw{number} database {index}, past Redis' "
            f"{REDIS_DATABASES}: name a lower database, or run fewer workers (-n)"
        )
    return urlunsplit(parts._replace(path=f"/{index}"))


def ensure_database(url: str) -> None:
    """Create `url`'s database when it does not exist (connecting to the server's `postgres`).
    On a loop of its own in a thread: a session that starts with browser tests has Playwright's
    loop running on this thread when the first test asks for the database."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")

    async def create() -> None:
        admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
        try:
            exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            # Suppressed: another run may make it between the two statements.
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                if not exists:
                    await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()

    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="ensure-database") as pool:
        pool.submit(asyncio.run, create()).result(timeout=60)
