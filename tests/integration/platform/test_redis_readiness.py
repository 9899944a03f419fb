"""/readyz's Redis check (skyfare/ops.py `check_cache`) with a Redis Cluster client that has not
reached the cluster yet, as after a start-up at which no node answered: the cluster answers now,
so the check must say "ok": it answered "down" without asking any node, since the client knew
none until some other command made it learn them, and a process out of rotation gets no
requests to do that."""

from __future__ import annotations

from skyfare.ops import check_cache
from skyfare.redis_client import redis_client
from skyfare.settings import load_settings
from tests.support.redis_cluster import RedisClusterHandle

TIMEOUT_S = 5.0  # a bound on each connect and command, far above what one takes here


async def test_readiness_asks_a_cluster_its_client_has_not_reached_yet(
    redis_cluster: RedisClusterHandle,
) -> None:
    client = redis_client(
        load_settings({}),
        url=redis_cluster.url,
        socket_timeout=TIMEOUT_S,
        connect_timeout=TIMEOUT_S,
    )
    try:
        assert await check_cache(client, timeout_s=TIMEOUT_S) == "ok"
    finally:
        await client.aclose()
