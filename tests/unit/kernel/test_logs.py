"""kernel.logs.describe: what a log line says about an exception."""

from __future__ import annotations

import asyncio

import pytest
import redis
from redis.exceptions import RedisClusterException

from kernel.logs import describe

REFUSED = "Error 111 connecting to 127.0.0.1:1. Connection refused."


def _raised_from(exc: BaseException, cause: BaseException | None) -> BaseException:
    """`exc` as `raise exc from cause` leaves it."""
    try:
        raise exc from cause
    except BaseException as raised:
        return raised


def test_a_redis_error_is_named_with_its_message_which_its_repr_drops() -> None:
    error = redis.ConnectionError(REFUSED)
    assert repr(error) == "network:ConnectionError"  # why %r is not enough
    assert describe(error) == f"ConnectionError: {REFUSED}"


@pytest.mark.parametrize(
    ("error", "described"),
    [
        (redis.TimeoutError("Timeout reading"), "TimeoutError: Timeout reading"),
        (RedisClusterException("no node"), "RedisClusterException: no node"),
        (ConnectionRefusedError(111, "refused"), "ConnectionRefusedError: [Errno 111] refused"),
        (KeyError("fare"), "KeyError: 'fare'"),
    ],
)
def test_the_type_name_comes_before_the_message(error: BaseException, described: str) -> None:
    assert describe(error) == described


def test_an_error_without_a_message_is_its_type_name_alone() -> None:
    assert describe(TimeoutError()) == "TimeoutError"
    assert describe(redis.ConnectionError()) == "ConnectionError"


def test_an_empty_message_is_followed_by_the_direct_cause() -> None:
    error = _raised_from(TimeoutError(), redis.ConnectionError(REFUSED))
    assert describe(error) == f"TimeoutError (from ConnectionError: {REFUSED})"


def test_a_generic_message_is_followed_by_the_direct_cause() -> None:
    error = _raised_from(RuntimeError("the stream cannot be written"), OSError("disk full"))
    assert describe(error) == "RuntimeError: the stream cannot be written (from OSError: disk full)"


def test_a_cause_the_message_already_quotes_is_not_said_twice() -> None:
    cause = redis.ConnectionError(REFUSED)
    error = _raised_from(RuntimeError(f"redis GET failed: {describe(cause)}"), cause)
    assert describe(error) == f"RuntimeError: redis GET failed: ConnectionError: {REFUSED}"


@pytest.mark.parametrize(
    "os_error",
    [
        ConnectionRefusedError(111, "Connection refused"),  # as uvloop raises it
        ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 1)"),  # as asyncio does
    ],
)
def test_an_os_error_redis_py_quotes_is_not_said_twice(os_error: OSError) -> None:
    message = f"Error 111 connecting to 127.0.0.1:1. {os_error.strerror}."  # redis-py's words
    error = _raised_from(redis.ConnectionError(message), os_error)
    assert describe(error) == f"ConnectionError: {message}"


def test_a_cause_without_a_message_adds_nothing() -> None:
    error = _raised_from(TimeoutError(), asyncio.CancelledError())
    assert describe(error) == "TimeoutError"


def test_only_the_direct_cause_is_followed() -> None:
    middle = _raised_from(redis.ConnectionError(REFUSED), OSError("deeper"))
    error = _raised_from(TimeoutError(), middle)
    assert describe(error) == f"TimeoutError (from ConnectionError: {REFUSED})"


def test_an_implicit_context_is_not_a_cause() -> None:
    error = TimeoutError()
    error.__context__ = OSError("raised while handling this one")  # not `from`: not the why
    assert describe(error) == "TimeoutError"
