"""skyfare/redis_tls_refusal.py: which failures of a TLS connect read as a server refusing a
client without a certificate. The errors are built as redis-py raises them (its ConnectionError,
the socket's error as the cause), with the words each was seen with against the tests' cluster
that asks for a certificate (the TLS 1.2 one against that cluster limited to TLS 1.2)."""

from __future__ import annotations

import ssl

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from skyfare.redis_tls_refusal import refused_at_connect


def _ssl_error(kind: type[ssl.SSLError], reason: str) -> ssl.SSLError:
    error = kind(1, f"[SSL: {reason}] {reason.lower()} (_ssl.c:2546)")
    error.reason = reason  # what OpenSSL's error sets
    return error


def _raised_by_redis(cause: BaseException | None) -> RedisConnectionError:
    error = RedisConnectionError(f"Error while reading from 127.0.0.1:6380 : {cause}")
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    "cause",
    [
        ConnectionResetError(104, "Connection reset by peer"),  # TLS 1.3, the first read
        _ssl_error(ssl.SSLError, "TLSV13_ALERT_CERTIFICATE_REQUIRED"),  # TLS 1.3, the first read
        _ssl_error(ssl.SSLError, "SSLV3_ALERT_HANDSHAKE_FAILURE"),  # TLS 1.2, the handshake
    ],
)
def test_a_reset_or_a_refusing_alert_reads_as_a_refusal(cause: BaseException) -> None:
    assert refused_at_connect(_raised_by_redis(cause))


@pytest.mark.parametrize(
    "cause",
    [
        # The client rejected the server's certificate: nothing to do with its own.
        _ssl_error(ssl.SSLCertVerificationError, "CERTIFICATE_VERIFY_FAILED"),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError(),
        None,
    ],
)
def test_other_failures_do_not(cause: BaseException | None) -> None:
    assert not refused_at_connect(_raised_by_redis(cause))
