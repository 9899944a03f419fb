"""skyfare/redis_client.py: which URLs name a Redis Cluster, the node URL its client starts
from keeps TLS and credentials, a TLS client trusts the CA of SKYFARE_REDIS_TLS_CA_FILE and
presents the certificate of SKYFARE_REDIS_TLS_CERT_FILE / _KEY_FILE (both or neither).
No network: redis-py connects lazily (and reads the CA file only then)."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio.cluster import RedisCluster

from skyfare.redis_client import is_cluster, node_url, redis_client, tls_options
from skyfare.redis_connections import NoTaskConnection, NoTaskSSLConnection
from skyfare.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("url", "node"),
    [
        ("redis+cluster://10.0.0.1:6379", "redis://10.0.0.1:6379"),
        ("rediss+cluster://:secret@10.0.0.1:6380", "rediss://:secret@10.0.0.1:6380"),
        ("redis://app:secret@10.0.0.1:6379", "redis://app:secret@10.0.0.1:6379"),
        ("rediss://10.0.0.1:6380", "rediss://10.0.0.1:6380"),
    ],
)
def test_the_node_url_keeps_tls_and_credentials(url: str, node: str) -> None:
    assert node_url(url) == node


def test_a_cluster_is_named_by_either_scheme_or_by_the_setting() -> None:
    plain = load_settings({})
    assert is_cluster(plain, "redis+cluster://10.0.0.1:6379")
    assert is_cluster(plain, "rediss+cluster://10.0.0.1:6380")
    assert not is_cluster(plain, "rediss://10.0.0.1:6380")
    assert is_cluster(load_settings({"SKYFARE_REDIS_CLUSTER": "true"}), "rediss://10.0.0.1:6380")


@pytest.mark.parametrize(
    ("env", "url", "connection_class"),
    [
        ({"SKYFARE_REDIS_CLUSTER": "true"}, "rediss://:secret@127.0.0.1:1", NoTaskSSLConnection),
        ({}, "rediss+cluster://:secret@127.0.0.1:1", NoTaskSSLConnection),
        ({}, "redis+cluster://:secret@127.0.0.1:1", NoTaskConnection),
    ],
)
async def test_a_cluster_client_connects_to_its_nodes_with_the_urls_tls_and_password(
    env: dict[str, str], url: str, connection_class: type
) -> None:
    client = redis_client(load_settings(env), url=url, socket_timeout=1.0, connect_timeout=1.0)
    try:
        assert isinstance(client, RedisCluster)
        (node,) = client.nodes_manager.startup_nodes.values()
        assert (node.host, node.port) == ("127.0.0.1", 1)
        assert node.connection_class is connection_class
        assert node.connection_kwargs["password"] == "secret"
        kwargs = client.nodes_manager.connection_kwargs  # the nodes it discovers
        assert kwargs["connection_class"] is connection_class
        assert kwargs["password"] == "secret"
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({"SKYFARE_REDIS_CLUSTER": "true"}, "rediss://:secret@127.0.0.1:1"),
        ({}, "rediss+cluster://:secret@127.0.0.1:1"),
    ],
)
async def test_a_tls_cluster_client_trusts_the_ca_of_the_setting_on_every_node(
    env: dict[str, str], url: str, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_text("a CA certificate\n")  # read only when a connection is made
    settings = load_settings({**env, "SKYFARE_REDIS_TLS_CA_FILE": str(ca)})
    client = redis_client(settings, url=url, socket_timeout=1.0, connect_timeout=1.0)
    try:
        assert isinstance(client, RedisCluster)
        (node,) = client.nodes_manager.startup_nodes.values()
        assert node.connection_kwargs["ssl_ca_certs"] == str(ca)
        assert client.nodes_manager.connection_kwargs["ssl_ca_certs"] == str(ca)
    finally:
        await client.aclose()


@pytest.mark.parametrize("max_connections", [None, 4])
async def test_a_tls_client_of_one_redis_trusts_the_ca_of_the_setting(
    max_connections: int | None, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_text("a CA certificate\n")
    settings = load_settings({"SKYFARE_REDIS_TLS_CA_FILE": str(ca)})
    client = redis_client(
        settings,
        url="rediss://127.0.0.1:1",
        socket_timeout=1.0,
        connect_timeout=1.0,
        max_connections=max_connections,
    )
    try:
        assert client.connection_pool.connection_kwargs["ssl_ca_certs"] == str(ca)
    finally:
        await client.aclose()


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1", "redis+cluster://127.0.0.1:1"])
def test_the_ca_setting_is_not_given_to_a_client_without_tls(url: str, tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_text("a CA certificate\n")
    assert tls_options(load_settings({"SKYFARE_REDIS_TLS_CA_FILE": str(ca)}), url) == {}


def test_a_ca_file_that_cannot_be_read_is_said_at_start_naming_the_setting(
    tmp_path: Path,
) -> None:
    settings = load_settings({"SKYFARE_REDIS_TLS_CA_FILE": str(tmp_path / "missing.crt")})
    with pytest.raises(SettingsError, match="SKYFARE_REDIS_TLS_CA_FILE"):
        redis_client(settings, url="rediss://127.0.0.1:1", socket_timeout=1.0, connect_timeout=1.0)


def _client_cert_env(tmp_path: Path) -> dict[str, str]:
    """A client certificate and key (their content read only when a connection is made)."""
    cert, key = tmp_path / "client.crt", tmp_path / "client.key"
    cert.write_text("a client certificate\n")
    key.write_text("its key\n")
    return {"SKYFARE_REDIS_TLS_CERT_FILE": str(cert), "SKYFARE_REDIS_TLS_KEY_FILE": str(key)}


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({"SKYFARE_REDIS_CLUSTER": "true"}, "rediss://:secret@127.0.0.1:1"),
        ({}, "rediss+cluster://:secret@127.0.0.1:1"),
    ],
)
async def test_a_tls_cluster_client_presents_the_client_certificate_on_every_node(
    env: dict[str, str], url: str, tmp_path: Path
) -> None:
    cert_env = _client_cert_env(tmp_path)
    settings = load_settings({**env, **cert_env})
    client = redis_client(settings, url=url, socket_timeout=1.0, connect_timeout=1.0)
    try:
        assert isinstance(client, RedisCluster)
        (node,) = client.nodes_manager.startup_nodes.values()
        # The relay's own WAIT connection is built from a node's connection_kwargs too.
        for kwargs in (node.connection_kwargs, client.nodes_manager.connection_kwargs):
            assert kwargs["ssl_certfile"] == cert_env["SKYFARE_REDIS_TLS_CERT_FILE"]
            assert kwargs["ssl_keyfile"] == cert_env["SKYFARE_REDIS_TLS_KEY_FILE"]
    finally:
        await client.aclose()


@pytest.mark.parametrize("max_connections", [None, 4])
async def test_a_tls_client_of_one_redis_presents_the_client_certificate(
    max_connections: int | None, tmp_path: Path
) -> None:
    cert_env = _client_cert_env(tmp_path)
    client = redis_client(
        load_settings(cert_env),
        url="rediss://127.0.0.1:1",
        socket_timeout=1.0,
        connect_timeout=1.0,
        max_connections=max_connections,
    )
    try:
        kwargs = client.connection_pool.connection_kwargs
        assert kwargs["ssl_certfile"] == cert_env["SKYFARE_REDIS_TLS_CERT_FILE"]
        assert kwargs["ssl_keyfile"] == cert_env["SKYFARE_REDIS_TLS_KEY_FILE"]
    finally:
        await client.aclose()


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ("SKYFARE_REDIS_TLS_CERT_FILE", "SKYFARE_REDIS_TLS_KEY_FILE"),
        ("SKYFARE_REDIS_TLS_KEY_FILE", "SKYFARE_REDIS_TLS_CERT_FILE"),
    ],
)
@pytest.mark.parametrize("url", ["rediss://127.0.0.1:1", "redis://127.0.0.1:1"])
def test_a_client_certificate_without_its_key_or_the_reverse_is_said_at_start(
    given: str, missing: str, url: str, tmp_path: Path
) -> None:
    """Even for a plain URL (where both are ignored): half a pair is always a mistake."""
    settings = load_settings({given: _client_cert_env(tmp_path)[given]})
    with pytest.raises(SettingsError, match=f"^{missing}: .*{given}"):
        tls_options(settings, url)


@pytest.mark.parametrize(
    "unreadable", ["SKYFARE_REDIS_TLS_CERT_FILE", "SKYFARE_REDIS_TLS_KEY_FILE"]
)
def test_a_client_certificate_or_key_that_cannot_be_read_is_said_at_start_naming_it(
    unreadable: str, tmp_path: Path
) -> None:
    env = {**_client_cert_env(tmp_path), unreadable: str(tmp_path / "missing.pem")}
    with pytest.raises(SettingsError, match=f"^{unreadable}: no readable file"):
        redis_client(
            load_settings(env), url="rediss://127.0.0.1:1", socket_timeout=1.0, connect_timeout=1.0
        )
