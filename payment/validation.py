"""`POST /v1/orders/{id}/payments` bodies, checked field by field (every bad field is named)."""

from __future__ import annotations

from typing import Any

from kernel.errors import FieldError, ValidationFailed, absent_or_invalid
from kernel.http import json_object
from payment.model import PaymentRequest

_FIELDS = frozenset({"card_token"})
MAX_TOKEN_LENGTH = 255


def decode_payment_body(body: bytes) -> tuple[PaymentRequest, dict[str, Any]]:
    """The typed request and the decoded JSON (what the idempotency fingerprint hashes).

    `BadRequest` for malformed JSON or a body that is not an object; `ValidationFailed` naming
    each unknown field (the amount, in particular, is the order's: a client cannot set it) and a
    missing or malformed `card_token`.
    """
    data = json_object(body)
    errors = [
        FieldError(name, "unknown field (the amount is always the order's)")
        for name in sorted(set(data) - _FIELDS)
    ]
    token = data.get("card_token")
    if type(token) is not str or not 1 <= len(token) <= MAX_TOKEN_LENGTH or not _compact(token):
        expected = "a card token from the payment gateway"
        errors.append(FieldError("card_token", absent_or_invalid(token is None, expected)))
    if errors:
        raise ValidationFailed(errors)
    return PaymentRequest(card_token=str(token)), data


def _compact(token: str) -> bool:
    return token.isprintable() and not any(c.isspace() for c in token)
