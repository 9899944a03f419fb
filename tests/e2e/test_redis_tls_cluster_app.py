"""The whole app (every service in one: search, booking with its support-desk sync, the relay)
on a Redis Cluster over TLS only (tests/conftest.py `redis_tls_cluster`), given its CA through
SKYFARE_REDIS_TLS_CA_FILE: it starts, and says it is ready because Redis answers."""

from __future__ import annotations

import msgspec
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.settings import Settings
from tests.support.redis_cluster import RedisClusterHandle


async def test_the_whole_app_starts_and_is_ready_on_a_tls_cluster_given_its_ca(
    settings: Settings, redis_tls_cluster: RedisClusterHandle
) -> None:
    assert redis_tls_cluster.tls is not None
    on_the_cluster = msgspec.structs.replace(
        settings,
        redis_url=redis_tls_cluster.url,  # rediss+cluster://
        redis_tls_ca_file=str(redis_tls_cluster.tls.ca_cert),
    )
    async with TestClient(TestServer(create_app(on_the_cluster))) as client:
        response = await client.get("/readyz")
        assert response.status == 200, await response.text()
        assert (await response.json())["checks"]["cache"] == "ok"
