"""The whole app over HTTP: `create_app` on a real socket (aiohttp TestServer), real PG/Redis."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator

import asyncpg
import msgspec
import pytest
import redis.asyncio as redis
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.migrations import migrate
from skyfare.partners import PartnerKeys
from skyfare.settings import Settings, load_settings
from tests.support.database import SETUP_TIMEOUT_S
from tests.support.pgbouncer import PgBouncer
from tests.support.sim import fast_profiles, running_sim

MAX_BODY_BYTES = 4096
# Bounds on PostgreSQL and Redis calls for the app under test. Production's are tight (2 s, 50 ms)
# so a slow store degrades an answer instead of holding it; on a busy test machine (the suite must
# pass beside `stress --cpu 2`) they would turn slowness into 503s and uncached answers that no
# test is about (seen: every airline timed out of a search at the 2.5 s deadline, fifty
# concurrent orders met 503s, the rate limiter failed open and limited nothing). Tests about a
# deadline, or a store that hangs or is down, set their own.
PATIENT_STORES = {
    "db_timeout_s": 30.0,
    "cache_redis_timeout_ms": 2000,
    "redis_timeout_ms": 10_000,
    "rate_limit_timeout_ms": 10_000,
    "search_deadline_ms": 8000,
    # The identity provider (the sim, in this process) too: a token's first use fetches its
    # keys, and the 2 s default made a slow answer a 503 (tests/e2e/test_slow_identity_provider.py).
    "jwks_timeout_ms": 10_000,
    # /readyz's own bound (500 ms): a busy machine's PING could miss it and read a healthy
    # store as down (tests/e2e/test_readiness_hung_store.py sets its own).
    "ready_timeout_ms": 10_000,
}
# The suite's travelers do what no person does (six holds racing six cancels, hundreds of
# orders in a stress run, fifty requests at once), so the caps are off here (0; and so is the
# per-traveler lock, whose queue of fifty creates outlasts the query timeout on a busy machine)
# and the rate limit far above its default; tests/e2e/booking/test_traveler_limits.py tests the
# limits at their defaults.
SUITE_TRAVELER_LIMITS = {
    "order_max_open_holds": 0,
    "order_max_held_seats": 0,
    "order_max_held_seats_per_flight": 0,
    "traveler_rate_per_s": 10_000.0,
    "traveler_burst": 100_000,
}


@pytest.fixture
def settings(database_url: str, redis_url: str, db_pooler: PgBouncer | None) -> Settings:
    # SKYFARE_TEST_DB_POOLER=pgbouncer: the app reaches PostgreSQL through PgBouncer.
    pooled = {} if db_pooler is None else {"db_pooler": "pgbouncer"}
    return load_settings(
        {},
        database_url=database_url if db_pooler is None else db_pooler.url(db_pooler.user),
        redis_url=redis_url,
        **pooled,
        max_body_bytes=MAX_BODY_BYTES,
        connectors=(),
        **PATIENT_STORES,
        **SUITE_TRAVELER_LIMITS,
    )


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return create_app(settings)


@pytest.fixture
async def client(app: web.Application) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
async def sim_client(settings: Settings) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """The whole app in front of the simulated airlines (fast profiles), with the default body
    limit (`settings` lowers it for the 413 test): a bulk batch of 1000 queries must fit."""
    async with running_sim(profiles=fast_profiles()) as sim:
        configured = msgspec.structs.replace(
            settings, connectors=sim.connector_settings(), max_body_bytes=Settings().max_body_bytes
        )
        async with TestClient(TestServer(create_app(configured))) as client:
            yield client


@pytest.fixture
async def stream(redis_url: str) -> AsyncIterator[str]:
    """An event stream of this test's own (the outbox relay publishes there), deleted after it
    with every key named after it (the dead-letter stream, the worker's)."""
    name = f"test:{uuid.uuid4().hex}:events"
    yield name
    async with redis.Redis.from_url(redis_url) as client:
        keys = [key async for key in client.scan_iter(match=f"{name}*", count=1000)]
        if keys:
            await client.delete(*keys)


@pytest.fixture
async def api_key(database_url: str) -> str:
    """A fresh metasearch partner's key, with a rate limit no test reaches."""
    async with asyncpg.create_pool(database_url, min_size=0) as pool:
        await migrate(pool, timeout=10)
        _, raw_key = await PartnerKeys(pool, timeout_s=SETUP_TIMEOUT_S).create(
            f"e2e-{uuid.uuid4().hex[:8]}", rate_per_s=1000, burst=1000
        )
    return raw_key


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
