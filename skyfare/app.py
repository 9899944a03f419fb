"""The composition root: `create_app(settings)` wires every resource, route and middleware.

Each resource has its own cleanup context, so a failure while starting one closes those already
started, in reverse order. Neither PostgreSQL nor Redis being down stops the app from starting:
the pool is created with `min_size=0` (it connects on first use) and the Redis client connects
lazily, so searches are served and `/readyz` reports what is down until it comes back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from importlib.metadata import PackageNotFoundError, version

import asyncpg
import redis.asyncio as redis
from aiohttp import web

from connectors.registry import build_connectors
from search import routes as search_routes
from search.service import SearchService
from skyfare import openapi, ops
from skyfare.keys import CONNECTORS, OPENAPI_DOCUMENT, PG_POOL, REDIS, SETTINGS
from skyfare.middleware import plumbing_middleware, stamp_request_id
from skyfare.settings import Settings

logger = logging.getLogger(__name__)

# How long Redis may take to connect or answer one command before the caller sees an error.
REDIS_TIMEOUT_S = 1.0


def create_app(settings: Settings) -> web.Application:
    app = web.Application(
        middlewares=[plumbing_middleware], client_max_size=settings.max_body_bytes
    )
    app[SETTINGS] = settings
    app.on_response_prepare.append(stamp_request_id)
    app.cleanup_ctx.extend((_postgres, _redis, _connectors))
    ops.add_routes(app.router)
    search_routes.add_routes(app.router)
    app[OPENAPI_DOCUMENT] = openapi.encode_document(
        (*ops.OPERATIONS, *search_routes.OPERATIONS), version=_version()
    )
    return app


async def _postgres(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if settings.database_url is None:
        raise RuntimeError("database_url is unset: start the embedded PostgreSQL first")
    # min_size=0: creating the pool opens no connection, so a database that is down at startup
    # does not keep the API (and its searches) from serving.
    pool = await asyncpg.create_pool(
        settings.database_url,
        min_size=0,
        max_size=settings.db_pool_max,
        command_timeout=settings.db_timeout_s,
        timeout=settings.db_timeout_s,  # connect timeout
    )
    app[PG_POOL] = pool
    yield
    await pool.close()


async def _redis(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if settings.redis_url is None:
        raise RuntimeError("redis_url is unset: start the embedded Redis first")
    client = redis.Redis.from_url(
        settings.redis_url,
        socket_timeout=REDIS_TIMEOUT_S,
        socket_connect_timeout=REDIS_TIMEOUT_S,
    )
    app[REDIS] = client
    yield
    await client.aclose()


async def _connectors(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    connectors = build_connectors(settings.connectors)
    # Concurrently: each start learns a route network under its own timeout, and one airline
    # slow to answer at boot must not hold the others (and the whole start-up) behind it.
    results = await asyncio.gather(*(c.start() for c in connectors), return_exceptions=True)
    started = [c for c, result in zip(connectors, results, strict=True) if result is None]
    try:
        for result in results:
            if isinstance(result, BaseException):
                raise result
        app[CONNECTORS] = connectors
        service = app[search_routes.SEARCH_SERVICE] = SearchService(
            connectors, default_deadline_ms=settings.search_deadline_ms
        )
        yield
        # Stops connector calls that ignored cancellation at their search's deadline.
        await service.close()
    finally:
        for connector in reversed(started):
            try:
                await connector.close()
            except Exception:
                logger.exception("closing connector %s failed", connector.name)


def _version() -> str:
    try:
        return version("skyfare")
    except PackageNotFoundError:
        return "0.0.0"
