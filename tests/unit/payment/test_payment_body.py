"""The payment request body: a card token, nothing else, each bad field named."""

from __future__ import annotations

import pytest

from kernel.errors import ValidationFailed
from payment.validation import decode_payment_body


def _messages(body: bytes) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        decode_payment_body(body)
    return {e.field: e.message for e in caught.value.errors}


def test_a_card_token_is_decoded() -> None:
    request, data = decode_payment_body(b'{"card_token": "tok_visa"}')
    assert (request.card_token, data) == ("tok_visa", {"card_token": "tok_visa"})


@pytest.mark.parametrize("body", [b"{}", b'{"card_token": null}'])
def test_a_missing_card_token_is_called_required(body: bytes) -> None:
    assert _messages(body) == {"card_token": "required: a card token from the payment gateway"}


@pytest.mark.parametrize("token", [b"123", b'""', b'"tok visa"', b'["tok_visa"]'])
def test_a_card_token_sent_wrong_is_not_called_missing(token: bytes) -> None:
    assert _messages(b'{"card_token": ' + token + b"}") == {
        "card_token": "must be a card token from the payment gateway"
    }
