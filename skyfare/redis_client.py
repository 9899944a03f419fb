"""The Redis client every Skyfare process uses: one Redis, or a Redis Cluster.

`SKYFARE_REDIS_CLUSTER=true` (or a `redis+cluster://host:port` URL; `rediss+cluster://` over
TLS) makes it redis-py's `RedisCluster`, seeded with that one node: it discovers the others and
the slot map, follows MOVED/ASK redirections, and after a failover asks again who serves a slot.
Everything Skyfare keeps in Redis works on a cluster (deploy/README.md, "Redis Cluster"): keys
that one command or script touches together share a hash tag, and nothing calls across slots.

Over TLS, every connection (to each node of a cluster, and the relay's own to the stream's
master) checks the server's certificate against `SKYFARE_REDIS_TLS_CA_FILE` when it is set, else
against the system's trusted CAs; a certificate it cannot verify fails the connection at once
(`CERTIFICATE_VERIFY_FAILED` in the error), never a hang. With `SKYFARE_REDIS_TLS_CERT_FILE`
and `SKYFARE_REDIS_TLS_KEY_FILE` every such connection also presents that client certificate,
for servers that ask for one (`tls-auth-clients yes`).

`RedisCluster` answers the same commands as `Redis`, so the rest of the code types its client as
`redis.asyncio.Redis` and never knows which one it got.

Either way its connections bound a command's write by `socket_timeout` without the Task per
command redis-py's `asyncio.wait_for` costs on Python 3.11 (skyfare/redis_connections.py).

With `max_connections`, one Redis gets a blocking pool that takes a free connection without
redis-py's Condition and timer, and serves its waiters in order (skyfare/redis_pool.py). A
cluster does not: redis-py's cluster nodes keep their own connection lists, which take a free
connection without a lock and, past `max_connections` per node, fail instead of waiting.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, cast

import redis.asyncio as redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException

from kernel.logs import describe
from skyfare.redis_connections import bound_writes_without_task, checked_redis_version
from skyfare.redis_pool import FifoBlockingConnectionPool
from skyfare.settings import Settings, SettingsError

logger = logging.getLogger(__name__)

CLUSTER_SCHEME = "redis+cluster://"
# Each scheme that names a cluster, and the scheme of the node URL redis-py is given.
_NODE_SCHEMES = {CLUSTER_SCHEME: "redis://", "rediss+cluster://": "rediss://"}
_TLS_SCHEMES = ("rediss://", "rediss+cluster://")
WARM_UP_TIMEOUT_S = 2.0


def is_cluster(settings: Settings, url: str | None = None) -> bool:
    named = (url or settings.redis_url or "").startswith(tuple(_NODE_SCHEMES))
    return settings.redis_cluster or named


def node_url(url: str) -> str:
    """The URL of the node a cluster client starts from: a `redis+cluster://` or
    `rediss+cluster://` URL names a cluster by its scheme; a `redis://` or `rediss://` one (with
    `SKYFARE_REDIS_CLUSTER=true`) is that node's already. TLS and credentials are kept."""
    for scheme, plain in _NODE_SCHEMES.items():
        if url.startswith(scheme):
            return plain + url.removeprefix(scheme)
    return url


def tls_options(settings: Settings, url: str) -> dict[str, Any]:
    """redis-py's options for `url`'s TLS: the CA its servers are checked against
    (`SKYFARE_REDIS_TLS_CA_FILE`) and the certificate and key this client presents
    (`SKYFARE_REDIS_TLS_CERT_FILE`, `SKYFARE_REDIS_TLS_KEY_FILE`); only for a TLS URL, only
    those set. A certificate without its key (or the reverse), or a file that cannot be read, is
    a deployment's mistake, said at start-up: redis-py would read the files only at the first
    connect, and every command would then fail as though Redis were down."""
    cert_file, key_file = settings.redis_tls_cert_file, settings.redis_tls_key_file
    if (cert_file is None) != (key_file is None):
        given, missing = (
            ("SKYFARE_REDIS_TLS_CERT_FILE", "SKYFARE_REDIS_TLS_KEY_FILE")
            if key_file is None
            else ("SKYFARE_REDIS_TLS_KEY_FILE", "SKYFARE_REDIS_TLS_CERT_FILE")
        )
        raise SettingsError(f"{missing}: unset, but {given} is set: give both or neither")
    if not url.startswith(_TLS_SCHEMES):
        return {}
    files = {
        "ssl_ca_certs": ("SKYFARE_REDIS_TLS_CA_FILE", settings.redis_tls_ca_file),
        "ssl_certfile": ("SKYFARE_REDIS_TLS_CERT_FILE", cert_file),
        "ssl_keyfile": ("SKYFARE_REDIS_TLS_KEY_FILE", key_file),
    }
    options: dict[str, Any] = {}
    for option, (variable, path) in files.items():
        if path is None:
            continue
        if not (os.path.isfile(path) and os.access(path, os.R_OK)):
            raise SettingsError(f"{variable}: no readable file at {path!r}")
        options[option] = path
    return options


def redis_client(
    settings: Settings,
    *,
    url: str | None = None,
    socket_timeout: float | None,
    connect_timeout: float,
    max_connections: int | None = None,
    pool_timeout: float | None = None,
) -> redis.Redis:
    """A client of `settings.redis_url`. `max_connections`: a blocking pool of that size (past
    it a command waits up to `pool_timeout` for a free connection); on a cluster, per node
    (past it a command fails: `pool_timeout` does not apply).
    `url`: instead of `settings.redis_url` (the embedded Redis of `skyfare up`)."""
    url = url or settings.redis_url
    if url is None:
        raise RuntimeError("redis_url is unset: start the embedded Redis first")
    tls = tls_options(settings, url)
    if is_cluster(settings, url):
        cluster = RedisCluster.from_url(
            node_url(url),
            **tls,
            socket_timeout=socket_timeout,
            socket_connect_timeout=connect_timeout,
            max_connections=max_connections or 2**31,
            # A master that is down leaves its slots uncovered until its replica is promoted;
            # the other slots must keep answering meanwhile (the servers run with
            # `cluster-require-full-coverage no` for the same reason).
            require_full_coverage=False,
        )
        return bound_writes_without_task(cast(redis.Redis, cluster))
    if max_connections is None:
        return bound_writes_without_task(
            redis.Redis.from_url(
                url, socket_timeout=socket_timeout, socket_connect_timeout=connect_timeout, **tls
            )
        )
    # A blocking pool: past its size a command waits (bounded by the timeout) for a free
    # connection, where redis-py's default pool fails at once with "Too many connections".
    # Skyfare's costs next to nothing over the plain pool while a connection is free, and
    # serves its waiters in order (skyfare/redis_pool.py).
    pool_class = (
        FifoBlockingConnectionPool if checked_redis_version() else redis.BlockingConnectionPool
    )
    pool = pool_class.from_url(
        url,
        max_connections=max_connections,
        timeout=pool_timeout,
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
        **tls,
    )
    # Closing the client closes the pool.
    return bound_writes_without_task(redis.Redis.from_pool(pool))


async def warm_up(client: redis.Redis) -> None:
    """On a cluster, learn the slot map and open a connection to every node before requests
    come: redis-py's cluster client (8.1) has failed commands ("'NoneType' object has no
    attribute 'writelines'") when a hundred of them met a client that had not connected yet.
    Never fails: a cluster that is down now is the requests' problem, as without a cluster; but
    it says why, so that a certificate the client cannot verify is in the log at start-up."""
    if not isinstance(client, RedisCluster):
        return
    try:
        async with asyncio.timeout(WARM_UP_TIMEOUT_S):
            await client.ping(target_nodes=RedisCluster.ALL_NODES)
    # A cluster none of whose nodes can be reached (down, or a certificate that fails
    # verification) raises RedisClusterException, which is not a RedisError.
    except (redis.RedisError, RedisClusterException, OSError, TimeoutError) as exc:
        # asyncio's timeout says nothing but its type: the bound says more.
        timed_out = isinstance(exc, TimeoutError) and not str(exc)
        reason = f"no answer within {WARM_UP_TIMEOUT_S} s" if timed_out else describe(exc)
        logger.warning("Redis Cluster: not every node answered at start-up: %s", reason)
