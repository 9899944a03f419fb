"""Operations routes: liveness, readiness, Prometheus metrics, the OpenAPI document and its page."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

import msgspec
import redis.asyncio as redis
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from redis.asyncio.cluster import RedisCluster

from kernel.errors import ServiceUnavailable
from kernel.openapi import Operation
from skyfare import docs
from skyfare.database_check import DatabaseCheck
from skyfare.keys import (
    CACHE_CHECK,
    DATABASE_CHECK,
    OPENAPI_DOCUMENT,
    READY_CHECKS,
    READY_OUTAGES,
    SETTINGS,
)
from skyfare.metrics import exposition
from skyfare.outages import Check, Outages
from skyfare.settings import Settings

logger = logging.getLogger(__name__)

# What a service's /readyz may check: PostgreSQL, Redis (each service checks only what it needs:
# skyfare/app.py, `_READY_CHECKS`).
ReadyCheck = Literal["database", "cache"]


class Health(msgspec.Struct, frozen=True):
    status: str


class Readiness(msgspec.Struct, frozen=True):
    status: str
    checks: dict[str, Check]


_HEALTHY = msgspec.json.encode(Health(status="ok"))
_encoder = msgspec.json.Encoder()


async def healthz(request: web.Request) -> web.Response:
    return web.Response(body=_HEALTHY, content_type="application/json")


def ready_timeout_s(settings: Settings) -> float:
    """How long each readiness check may take (`SKYFARE_READY_TIMEOUT_MS`); they run
    concurrently, so /readyz answers within about it."""
    return settings.ready_timeout_ms / 1000


async def readyz(request: web.Request) -> web.Response:
    config = request.config_dict
    names = config[READY_CHECKS]
    outages = config[READY_OUTAGES]
    timeout_s = ready_timeout_s(config[SETTINGS])
    states = await asyncio.gather(
        *(
            _check_database(config[DATABASE_CHECK], outages, timeout_s)
            if name == "database"
            else check_cache(config[CACHE_CHECK], outages, timeout_s=timeout_s)
            for name in names
        )
    )
    checks: dict[str, Check] = dict(zip(names, states, strict=True))
    down = [name for name, state in checks.items() if state == "down"]
    if down:
        # The bound in the sentence: an operator reading a 503 sees whether a slow store (over
        # it) or a dead one made it, and what SKYFARE_READY_TIMEOUT_MS is here.
        raise ServiceUnavailable(
            f"not ready: {', '.join(down)} down (each store has "
            f"{config[SETTINGS].ready_timeout_ms} ms to answer)",
            checks=checks,
        )
    return web.Response(
        body=_encoder.encode(Readiness(status="ready", checks=checks)),
        content_type="application/json",
    )


async def _check_database(database: DatabaseCheck, outages: Outages, timeout_s: float) -> Check:
    try:
        async with asyncio.timeout(timeout_s):
            await database.check()
    except Exception as exc:  # refused, timed out, auth, protocol: all mean "not ready"
        return outages.failed("database", exc)
    return outages.passed("database")


async def check_cache(
    client: redis.Redis, outages: Outages | None = None, *, timeout_s: float
) -> Check:
    """ "ok" when Redis answers within `timeout_s`. On a Redis Cluster, when any node answers:
    PING goes to every node there, and one master down (its slots are misses until its replica
    takes over) must not take every search process out of its load balancer."""
    try:
        async with asyncio.timeout(timeout_s):
            if isinstance(client, RedisCluster):
                await _ping_any(client)
            else:
                await client.ping()
    except Exception as exc:
        return (outages or Outages()).failed("cache", exc)
    return (outages or Outages()).passed("cache")


async def _ping_any(cluster: RedisCluster) -> None:
    if not cluster.get_nodes():
        # Never reached yet (no node answered at start-up): it knows no node to ask until it
        # learns them, which raises why it cannot (refused, a certificate) while none answers.
        await cluster.initialize()
    # The first node to answer decides: a dead one may take its connect timeout to fail.
    pings = [asyncio.ensure_future(cluster.ping(target_nodes=node)) for node in cluster.get_nodes()]
    failure: BaseException | None = None
    try:
        for answered in asyncio.as_completed(pings):
            try:
                if await answered is True:
                    return
            except (redis.RedisError, OSError) as exc:
                failure = exc
    finally:
        for ping in pings:
            ping.cancel()
    # The last node's reason, for the log line: why they do not answer (refused, a certificate
    # that failed verification or was not presented), not only that.
    raise ConnectionError("no node of the Redis Cluster answers") from failure


async def metrics(request: web.Request) -> web.Response:
    response = web.Response(body=exposition())
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response


async def openapi(request: web.Request) -> web.Response:
    return web.Response(body=request.config_dict[OPENAPI_DOCUMENT], content_type="application/json")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/healthz", healthz, name="healthz")
    router.add_get("/readyz", readyz, name="readyz")
    router.add_get("/metrics", metrics, name="metrics")
    router.add_get("/openapi.json", openapi, name="openapi")
    docs.add_routes(router)  # /docs and its assets


_DOWN = "a dependency (named in `checks`) did not answer within its timeout"
OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "get", "/healthz", "healthz", "Liveness: 200 while the process runs", "operations",
        response=Health,
    ),
    Operation(
        "get", "/readyz", "readyz", "Readiness: what this service needs answers", "operations",
        response=Readiness, errors={503: _DOWN},
    ),
    Operation(
        "get", "/metrics", "metrics", "Prometheus metrics (text exposition format)", "operations",
        response_media=("text/plain",),
    ),
    Operation(
        "get", "/openapi.json", "openapi", "This OpenAPI 3.1 document", "operations",
        response_media=("application/json",),
    ),
    Operation(
        "get", "/docs", "docs", "A page that renders the OpenAPI document", "operations",
        response_media=("text/html",),
    ),
    Operation(
        "get", "/docs/assets/{name}", "docs_asset",
        "A file /docs loads (Swagger UI, pinned; content-hashed names, cached as immutable)",
        "operations", response_media=("text/javascript", "text/css", "image/png"),
        errors={404: "No such file"},
    ),
)  # fmt: skip
