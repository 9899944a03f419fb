"""The one mapping from a gateway's error answer to our exception tree (payment/gateway.py's
`_translate`, named there as the place): a card the gateway refuses at once carries the issuer's
reason, as a declined intent's webhook does."""

from __future__ import annotations

import msgspec

from payment import errors
from payment.gateway import _translate
from payment.wire import CODE_MAX, gateway_code


def _answer(**error: str) -> bytes:
    return msgspec.json.encode({"error": error})


def test_a_card_error_carries_the_issuers_decline_code_as_its_code() -> None:
    body = _answer(type="card_error", code="card_declined", decline_code="insufficient_funds")
    error = _translate(402, body, "POST /v1/payment_intents", errors.GatewayRejected)
    assert isinstance(error, errors.CardRejected)
    assert error.code == "insufficient_funds"


def test_a_card_error_without_one_keeps_the_gateways_code() -> None:
    body = _answer(type="card_error", code="invalid_card_token", message="no such card token")
    error = _translate(422, body, "POST /v1/payment_intents", errors.GatewayRejected)
    assert isinstance(error, errors.CardRejected)
    assert error.code == "invalid_card_token"


def test_another_refusal_ignores_a_decline_code() -> None:
    body = _answer(type="invalid_request_error", code="amount_too_large", decline_code="x")
    error = _translate(400, body, "POST /v1/refunds", errors.RefundRejected)
    assert isinstance(error, errors.RefundRejected)
    assert error.code == "amount_too_large"


def test_a_code_of_another_shape_is_kept_printable_and_bounded() -> None:
    """Any code a gateway sends is kept (payment/wire.py `gateway_code`): less NUL, which
    PostgreSQL cannot store, and control characters, which would forge a log line; at most
    `CODE_MAX` characters; a decline code left empty falls back to the gateway's code."""
    sent = "  Do Not Honor\x00\r\n(N7) " + "x" * 200
    body = _answer(type="card_error", code="card_declined", decline_code=sent)
    error = _translate(402, body, "POST /v1/payment_intents", errors.GatewayRejected)
    assert error.code == ("Do Not Honor(N7) " + "x" * 200)[:CODE_MAX]
    blank = _answer(type="card_error", code="card_declined", decline_code="\x00\t ")
    assert _translate(402, blank, "POST /v1/payment_intents", errors.GatewayRejected).code == (
        "card_declined"
    )
    assert gateway_code("\x00") is None
    assert gateway_code(None) is None
