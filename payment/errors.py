"""The exception tree of the payment gateway boundary.

`HttpPaymentGateway` translates everything the gateway (or the network) does wrong into one of
these, in one place (`payment.gateway._translate`), so the payment service never sees aiohttp:

- `GatewayError` — base; a call to the gateway failed.
  - `GatewayUnavailable` — no usable answer: network failure, 5xx, 429, a body we cannot parse.
    Whether the call took effect is unknown: retry with the same idempotency key.
    - `GatewayTimeout` — no answer within the time we allowed.
  - `GatewayRejected` — the gateway answered and refused; retrying the same call will not help.
    - `CardRejected` — the card cannot be charged (an unknown token, a card error).
    - `RefundRejected` — the refund is not possible (more than is left, nothing captured).
    - `CancelRefused` — the intent cannot be canceled: it charged, or is charging (its bank's
      challenge was answered), or was canceled before. Read it to learn which.
    - `IntentNotFound` — no such payment intent.
    - `IdempotencyKeyReused` — our key was first sent with other parameters (a bug of ours).
    - `GatewayAuthFailed` — the gateway refused our API key (a configuration error).
"""

from __future__ import annotations


class GatewayError(Exception):
    """A call to the payment gateway failed; `code` is the gateway's error code, if it sent one."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class GatewayUnavailable(GatewayError):
    pass


class GatewayTimeout(GatewayUnavailable):
    pass


class GatewayRejected(GatewayError):
    pass


class CardRejected(GatewayRejected):
    pass


class RefundRejected(GatewayRejected):
    pass


class CancelRefused(GatewayRejected):
    pass


class IntentNotFound(GatewayRejected):
    pass


class IdempotencyKeyReused(GatewayRejected):
    pass


class GatewayAuthFailed(GatewayRejected):
    pass
