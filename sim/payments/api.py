"""The simulated gateway's API (Stripe-like), mounted at `/payments`.

- `POST /v1/payment_intents` `{"amount": "612.40", "currency": "USD", "card_token": "tok_visa",
  "metadata": {...}, "return_url": "https://..."}` → 200, the intent, `status: processing`; the
  outcome comes by webhook. `tok_3ds_required`: `status: requires_action` with
  `next_action.redirect_to_url` (`url`: the challenge page, `challenge.py`; `return_url`).
- `GET /v1/payment_intents/{id}` → the intent as it is now.
- `GET /v1/payment_intents/search?query=metadata['key']:'value'` → `{"object": "search_result",
  "data": [...]}`, the intents whose metadata has that value (Stripe's search, that one clause):
  how a caller that lost a create's answer finds what it created.
- `POST /v1/payment_intents/{id}/cancel` `{"cancellation_reason": "abandoned"}` (body optional)
  → 200, the intent `canceled` (`payment_intent.canceled` follows by webhook); only from
  `requires_action` or `requires_payment_method`, else 400 `payment_intent_unexpected_state`
  (a succeeded intent, one charging after its challenge, one canceled before).
- `POST /v1/refunds` `{"payment_intent": "pi_...", "amount": "100.00"}` (amount optional: the rest)
  → 200, the refund (`status: succeeded`); `charge.refunded` follows by webhook.

Every call (the challenge page aside: the traveler's browser opens it) needs
`Authorization: Bearer <secret key>` (401 otherwise); every POST an
`Idempotency-Key` (400 otherwise), with Stripe's semantics (`sim/payments/idempotency.py`).
Errors are `{"error": {"type", "code", "message", "param"}}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
from aiohttp import web
from aiohttp.typedefs import Handler

from sim.bearer import holds_key
from sim.payments import challenge
from sim.payments.challenge import challenge_url
from sim.payments.gateway import PAYMENTS, PaymentsSim
from sim.payments.idempotency import KeyReused, fingerprint
from sim.payments.ledger import CancelIntent, CreateIntent, CreateRefund, GatewayError, invalid

T = TypeVar("T")
_encoder = msgspec.json.Encoder()


def gateway_app() -> web.Application:
    api = web.Application(middlewares=[_errors])
    api.router.add_post("/v1/payment_intents", post_intent, name="create_intent")
    api.router.add_get("/v1/payment_intents/search", search_intents, name="search_intents")
    api.router.add_get("/v1/payment_intents/{id}", get_intent, name="get_intent")
    api.router.add_post("/v1/payment_intents/{id}/cancel", post_cancel, name="cancel_intent")
    api.router.add_post("/v1/refunds", post_refund, name="create_refund")
    challenge.add_routes(api)
    return api


def _json(payload: object, status: int = 200) -> web.Response:
    return web.Response(
        body=_encoder.encode(payload), status=status, content_type="application/json"
    )


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except GatewayError as exc:
        return _json(exc.body(), exc.status)


def _authenticate(request: web.Request) -> PaymentsSim:
    sim = request.config_dict[PAYMENTS]
    if not holds_key(request.headers, sim.api_key):
        raise GatewayError(401, "authentication_error", "invalid_api_key", "invalid API key")
    return sim


async def post_intent(request: web.Request) -> web.Response:
    def create(sim: PaymentsSim, body: CreateIntent) -> object:
        return sim.create_intent(body, lambda intent_id: challenge_url(request, intent_id))

    return await _idempotent(request, CreateIntent, create)


async def post_cancel(request: web.Request) -> web.Response:
    intent_id = request.match_info["id"]
    return await _idempotent(
        request, CancelIntent, lambda sim, body: sim.cancel(intent_id, body), empty=b"{}"
    )


async def post_refund(request: web.Request) -> web.Response:
    return await _idempotent(request, CreateRefund, lambda sim, body: sim.refund(body))


async def get_intent(request: web.Request) -> web.Response:
    sim = _authenticate(request)
    intent = sim.ledger.intents.get(request.match_info["id"])
    if intent is None:
        raise invalid("resource_missing", "no such payment_intent", "id", status=404)
    return _json(intent)


_METADATA_CLAUSE = re.compile(r"^metadata\['([A-Za-z0-9_]{1,40})'\]:'([^']{1,500})'$")


async def search_intents(request: web.Request) -> web.Response:
    sim = _authenticate(request)
    clause = _METADATA_CLAUSE.match(request.query.get("query", ""))
    if clause is None:
        raise invalid("parameter_invalid", "query: only metadata['key']:'value'", "query", 400)
    key, value = clause.groups()
    found = [i for i in sim.ledger.intents.values() if i.metadata.get(key) == value]
    return _json({"object": "search_result", "data": found})


async def _idempotent(
    request: web.Request,
    type_: type[T],
    run: Callable[[PaymentsSim, T], object],
    *,
    empty: bytes | None = None,
) -> web.Response:
    """Parse, then replay the stored answer for this key or run once and store the answer."""
    sim = _authenticate(request)
    key = request.headers.get("Idempotency-Key", "")
    if not key or len(key) > 255:
        raise invalid("idempotency_key_missing", "an Idempotency-Key header is required", None, 400)
    try:
        parsed: Any = msgspec.json.decode(await request.read() or empty or b"")
    except msgspec.DecodeError:
        raise invalid("body_invalid", "the body is not JSON", None, 400) from None
    print_ = fingerprint(request.method, request.path, parsed)
    try:
        stored = sim.idempotency.replay(sim.api_key, key, print_)
    except KeyReused:
        raise GatewayError(
            422,
            "idempotency_error",
            "idempotency_key_in_use",
            "this Idempotency-Key was used with different parameters",
        ) from None
    if stored is not None:
        response = web.Response(body=stored.body, status=stored.status)
        response.content_type = "application/json"
        response.headers["Idempotent-Replayed"] = "true"
        return response
    try:
        body = msgspec.convert(parsed, type_)
    except msgspec.ValidationError as exc:
        raise invalid("parameter_invalid", str(exc)) from None  # not kept, as Stripe does
    try:
        status, encoded = 200, _encoder.encode(run(sim, body))
    except GatewayError as exc:  # a refusal of a request that ran is kept like a success
        status, encoded = exc.status, _encoder.encode(exc.body())
    sim.idempotency.store(sim.api_key, key, print_, status, encoded)
    return web.Response(body=encoded, status=status, content_type="application/json")
