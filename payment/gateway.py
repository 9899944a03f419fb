"""The `PaymentGateway` port and its HTTP adapter for the (Stripe-like) card gateway.

Every mutating call carries our idempotency key, derived from our payment id
(`payment.model.intent_key` / `refund_key`), so any call may be retried, by us or after a crash,
without charging or refunding twice. What goes wrong is translated into `payment.errors` in one
place (`_translate`, `_once`).
"""

from __future__ import annotations

import asyncio
import logging
import urllib.parse
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import aiohttp
import msgspec

from kernel.logs import describe
from payment import errors
from payment.model import GatewayIntent, GatewayRefund
from payment.wire import (
    decode_error,
    decode_intent,
    decode_refund,
    decode_search,
    gateway_code,
    intent_from_wire,
    refund_from_wire,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

_encoder = msgspec.json.Encoder()


class PaymentGateway(Protocol):
    """The card gateway. Every call takes `timeout`: the seconds it may take, retries included.

    Raises `payment.errors.GatewayError` subclasses: `GatewayUnavailable` (unknown whether it
    took effect: retry with the same key), `GatewayRejected` (it will not).
    """

    async def create_intent(
        self,
        *,
        amount: Decimal,
        currency: str,
        card_token: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
        timeout: float,
        return_url: str | None = None,
    ) -> GatewayIntent:
        """Charge a card; answers `processing` at once, the outcome comes by webhook; or
        `requires_action` with its `action_url` when the card's bank asks the traveler to
        confirm (3-D Secure), after which the browser is sent to `return_url`."""

    async def get_intent(self, intent_id: str, *, timeout: float) -> GatewayIntent:
        """The intent as it is now (reconciling a webhook that never came)."""

    async def cancel_intent(
        self, intent_id: str, *, idempotency_key: str, timeout: float
    ) -> GatewayIntent:
        """Cancel an intent that has not charged (Stripe's `POST
        /v1/payment_intents/{id}/cancel`): one awaiting the traveler's bank, or declined. The
        intent, `failed` (canceled: it can never charge now); raises `CancelRefused` when it
        has charged or is charging (or was canceled before, under another key)."""

    async def search_intents(
        self, metadata_key: str, value: str, *, timeout: float
    ) -> list[GatewayIntent]:
        """The intents whose metadata has `value` under `metadata_key` (finding a charge whose
        creation answered nobody)."""

    async def refund(
        self,
        *,
        intent_id: str,
        amount: Decimal | None,
        idempotency_key: str,
        timeout: float,
        metadata: Mapping[str, str] | None = None,
    ) -> GatewayRefund:
        """Give back `amount` (None: all that is left) of a captured intent; `metadata` goes
        with the refund (the gateway lists it on the intent's refunds)."""

    async def close(self) -> None: ...


async def cancel_or_read(
    gateway: PaymentGateway, intent_id: str, key: str, *, timeout_s: float
) -> GatewayIntent:
    """Cancel the intent at the gateway under `key` (a retry replays the one cancel): the
    intent, `failed` once canceled; or, the cancel refused (charged, charging, or canceled
    before under another key), the intent as it is now. Raises the gateway's errors."""
    try:
        return await gateway.cancel_intent(intent_id, idempotency_key=key, timeout=timeout_s)
    except errors.CancelRefused:
        return await gateway.get_intent(intent_id, timeout=timeout_s)


class HttpPaymentGateway:
    """`PaymentGateway` over HTTP: one `ClientSession`, a bounded pool, explicit timeouts.

    `timeout_s` is a ceiling per call (a caller's `timeout` usually binds first); a call that
    got no usable answer is retried up to `attempts` times in all, with a short backoff, within
    the caller's timeout. Must be created inside a running event loop.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout_s: float = 10.0,
        connect_timeout_s: float = 2.0,
        max_connections: int = 32,
        attempts: int = 3,
        backoff_s: float = 0.05,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._auth = f"Bearer {api_key}"
        self._connect_timeout_s = connect_timeout_s
        self._attempts = max(1, attempts)
        self._backoff_s = backoff_s
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout_s, connect=connect_timeout_s),
            connector=aiohttp.TCPConnector(limit=max_connections),
        )

    async def close(self) -> None:
        await self._session.close()

    async def create_intent(
        self,
        *,
        amount: Decimal,
        currency: str,
        card_token: str,
        metadata: Mapping[str, str],
        idempotency_key: str,
        timeout: float,
        return_url: str | None = None,
    ) -> GatewayIntent:
        body: dict[str, Any] = {
            "amount": str(amount),
            "currency": currency,
            "card_token": card_token,
            "metadata": dict(metadata),
        }
        if return_url is not None:  # absent otherwise: a seat's or a change's body as before
            body["return_url"] = return_url
        raw = await self._call("POST", "/v1/payment_intents", body, idempotency_key, timeout)
        return intent_from_wire(_decode(decode_intent, raw))

    async def get_intent(self, intent_id: str, *, timeout: float) -> GatewayIntent:
        raw = await self._call("GET", f"/v1/payment_intents/{intent_id}", None, None, timeout)
        return intent_from_wire(_decode(decode_intent, raw))

    async def cancel_intent(
        self, intent_id: str, *, idempotency_key: str, timeout: float
    ) -> GatewayIntent:
        path = f"/v1/payment_intents/{intent_id}/cancel"
        body = {"cancellation_reason": "abandoned"}  # the traveler left it for another card
        raw = await self._call("POST", path, body, idempotency_key, timeout, errors.CancelRefused)
        return intent_from_wire(_decode(decode_intent, raw))

    async def search_intents(
        self, metadata_key: str, value: str, *, timeout: float
    ) -> list[GatewayIntent]:
        query = urllib.parse.urlencode({"query": f"metadata['{metadata_key}']:'{value}'"})
        path = f"/v1/payment_intents/search?{query}"
        raw = await self._call("GET", path, None, None, timeout)
        return [intent_from_wire(i) for i in _decode(decode_search, raw).data]

    async def refund(
        self,
        *,
        intent_id: str,
        amount: Decimal | None,
        idempotency_key: str,
        timeout: float,
        metadata: Mapping[str, str] | None = None,
    ) -> GatewayRefund:
        body: dict[str, Any] = {"payment_intent": intent_id}
        if amount is not None:
            body["amount"] = str(amount)
        if metadata:  # absent otherwise: the body a key was asked with before stays the same
            body["metadata"] = dict(metadata)
        raw = await self._call(
            "POST", "/v1/refunds", body, idempotency_key, timeout, errors.RefundRejected
        )
        return refund_from_wire(_decode(decode_refund, raw))

    async def _call(
        self,
        method: str,
        path: str,
        body: Any,
        key: str | None,
        timeout: float,
        rejected: type[errors.GatewayRejected] = errors.GatewayRejected,
    ) -> bytes:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        for attempt in range(1, self._attempts + 1):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise errors.GatewayTimeout(f"no time left for {method} {path}")
            try:
                return await self._once(method, path, body, key, remaining, rejected)
            except errors.GatewayUnavailable as exc:
                pause = min(self._backoff_s * 2 ** (attempt - 1), deadline - loop.time())
                if attempt == self._attempts or pause <= 0:
                    raise
                logger.warning("gateway %s %s failed (%s); retrying", method, path, exc)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")  # the loop returns or raises

    async def _once(
        self,
        method: str,
        path: str,
        body: Any,
        key: str | None,
        timeout: float,
        rejected: type[errors.GatewayRejected],
    ) -> bytes:
        headers = {"Authorization": self._auth}
        if key is not None:
            headers["Idempotency-Key"] = key
        data = None
        if body is not None:
            data = _encoder.encode(body)
            headers["Content-Type"] = "application/json"
        per_call = aiohttp.ClientTimeout(
            total=timeout, connect=min(timeout, self._connect_timeout_s)
        )
        try:
            async with self._session.request(
                method, self._base_url + path, data=data, headers=headers, timeout=per_call
            ) as response:
                payload = await response.read()
                status = response.status
        except TimeoutError as exc:
            raise errors.GatewayTimeout(f"{method} {path}: no answer in {timeout:.2f}s") from exc
        except aiohttp.ClientError as exc:
            raise errors.GatewayUnavailable(f"{method} {path}: {describe(exc)}") from exc
        if status < 300:
            return payload
        raise _translate(status, payload, f"{method} {path}", rejected)


def owed_after(intent: GatewayIntent, owed: Decimal, given: Decimal) -> Decimal:
    """What of `owed` is still to ask back of `intent`, as read (pure), when the gateway has
    refunded more of it than the `given` we recorded (under a key of ours that moved money with
    other figures, or by hand at its dashboard): never asked again, so no money goes back
    twice."""
    if intent.amount_refunded is None:
        return owed
    return owed - max(intent.amount_refunded - given, Decimal(0))


def _translate(
    status: int, payload: bytes, call: str, rejected: type[errors.GatewayRejected]
) -> errors.GatewayError:
    """The one mapping from a gateway error answer to our exception tree; `rejected` is the
    class of a plain refusal of this call (e.g. `RefundRejected` for a refund)."""
    try:
        body = decode_error(payload).error
        kind, code, message = body.type, body.code, body.message or ""
        if kind == "card_error" and gateway_code(body.decline_code):
            code = body.decline_code  # the issuer's reason, as a webhook's decline names it
        code = gateway_code(code)
    except msgspec.DecodeError:
        kind, code, message = None, None, payload[:200].decode("utf-8", "replace")
    text = f"{call} → {status} {code or ''}: {message}".strip()
    if status == 429 or status >= 500 or status == 409:  # 409: the same key is in flight
        return errors.GatewayUnavailable(text, code=code)
    if status in (401, 403):
        return errors.GatewayAuthFailed(text, code=code)
    if status == 404:
        return errors.IntentNotFound(text, code=code)
    if kind == "idempotency_error":
        return errors.IdempotencyKeyReused(text, code=code)
    if kind == "card_error" and rejected is errors.GatewayRejected:
        return errors.CardRejected(text, code=code)
    return rejected(text, code=code)


def _decode(decode: Callable[[bytes], T], raw: bytes) -> T:
    try:
        return decode(raw)
    except msgspec.DecodeError as exc:
        raise errors.GatewayUnavailable(f"unreadable gateway answer: {exc}") from exc
