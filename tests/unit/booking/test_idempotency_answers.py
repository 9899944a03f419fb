"""What the idempotency store keeps of an answer, and how a replay renders it again."""

from __future__ import annotations

import pytest

from booking.idempotency import check_key, fingerprint, raise_stored, stored_error
from kernel.errors import (
    BadRequest,
    Conflict,
    DomainError,
    FieldError,
    Gone,
    NotFound,
    ValidationFailed,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Conflict("the price changed", total_amount="700.00", total_currency="USD"), 409),
        (Gone("expired"), 410),
        (NotFound("unknown offer"), 404),
        (ValidationFailed([FieldError("passengers", "the offer is for 1 adult")]), 422),
    ],
)
def test_a_stored_error_replays_as_the_same_error(error: DomainError, status: int) -> None:
    stored = stored_error(error)

    with pytest.raises(type(error)) as replayed:
        raise_stored(stored)

    assert stored.status == status
    assert replayed.value.detail == error.detail
    assert replayed.value.extensions == error.extensions
    if isinstance(error, ValidationFailed):
        assert isinstance(replayed.value, ValidationFailed)
        assert replayed.value.errors == error.errors


def test_the_fingerprint_ignores_key_order_but_not_values() -> None:
    a = fingerprint("POST", "/v1/orders", {"a": 1, "b": [1, 2]})

    assert a == fingerprint("POST", "/v1/orders", {"b": [1, 2], "a": 1})
    assert a != fingerprint("POST", "/v1/orders", {"a": 1, "b": [2, 1]})
    assert a != fingerprint("POST", "/v1/orders/x", {"a": 1, "b": [1, 2]})


def test_a_missing_key_is_a_bad_request_naming_the_header() -> None:
    with pytest.raises(BadRequest, match="Idempotency-Key"):
        check_key(None)


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
def test_a_malformed_key_is_refused_naming_the_header(key: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_key(key)

    assert [e.field for e in caught.value.errors] == ["headers.Idempotency-Key"]
