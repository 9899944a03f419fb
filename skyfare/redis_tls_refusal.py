"""A TLS connection to Redis that the server refused, made by a client with no certificate to
present, says that the server may require one and which settings give it.

Why: redis-server asks every TLS client for a certificate unless told not to (`tls-auth-clients
yes` is its default), and the client's side of the refusal says nothing of certificates. Against
the tests' cluster that asks for one (tests/integration/platform/test_redis_mtls_cluster.py), a
client without one saw, in turns: over TLS 1.3, where the server checks the certificate only
after the client's handshake is done, its first read (AUTH, CLIENT SETINFO) failing with
`Connection reset by peer` or with `tlsv13 alert certificate required`; over TLS 1.2, the
handshake itself failing with `sslv3 alert handshake failure`. "peer did not return a
certificate" is in the node's log alone, which the operator reading Skyfare's log may not have.

Every such failure happens in redis-py's `connect_check_health` (the connect, the handshake and
the connection's first exchange, which redis-py always has: CLIENT SETINFO, AUTH with a
password), never later on a connection that answered: so a reset of a connection in use, a
server's certificate this client rejects (`CERTIFICATE_VERIFY_FAILED`) or a client that has a
certificate get no hint. "may": a reset or a handshake failure can have other causes.
"""

from __future__ import annotations

import ssl

from redis.asyncio.connection import SSLConnection
from redis.exceptions import ConnectionError as RedisConnectionError

HINT = (
    "the server may require a client certificate, and this client presents none "
    "(SKYFARE_REDIS_TLS_CERT_FILE and SKYFARE_REDIS_TLS_KEY_FILE are unset)"
)
# The TLS alerts a server that wants a certificate was seen to send, by OpenSSL's reason names.
_REFUSING_ALERTS = frozenset({"TLSV13_ALERT_CERTIFICATE_REQUIRED", "SSLV3_ALERT_HANDSHAKE_FAILURE"})


def refused_at_connect(error: BaseException) -> bool:
    """Whether `error`, raised while a TLS connection was being made, reads as the server's
    refusal: a reset, or one of the alerts such a server sends (redis-py's ConnectionError
    keeps the socket's error as its direct cause)."""
    cause = error.__cause__
    if isinstance(cause, ConnectionResetError):
        return True
    return isinstance(cause, ssl.SSLError) and cause.reason in _REFUSING_ALERTS


class HintingSSLConnection(SSLConnection):
    """redis-py's TLS connection, its connect's failure carrying HINT when it reads as a refusal
    and this client has no certificate."""

    async def connect_check_health(
        self, check_health: bool = True, retry_socket_connect: bool = True
    ) -> None:
        try:
            await super().connect_check_health(check_health, retry_socket_connect)
        except RedisConnectionError as exc:
            if self.certfile is not None or not refused_at_connect(exc):
                raise
            # The socket's error stays the direct cause, as redis-py leaves it: its retry policy
            # reads the cause's errno.
            raise RedisConnectionError(f"{exc}; {HINT}") from exc.__cause__
