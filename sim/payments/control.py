"""The gateway's part of the sim's control API (`/_sim/payments/...`), for tests and demos.

- `GET|PUT /_sim/payments/webhook` — where and how webhooks go (`WebhookConfig`; PUT takes any
  subset of its fields: `url`, `secrets`, `duplicate_rate`, `reorder_ms`, `retry_base_ms`,
  `retry_max_ms`, `max_attempts`, `timeout_ms`). GET never shows the secrets.
- `GET|PUT /_sim/payments/timing` — `settle_ms`, `slow_ms`.
- `GET /_sim/payments/intents[?order_id=]` — every intent with its refunds.
- `POST /_sim/payments/intents/{id}/refuse_refunds` `{"times": 1, "code": "charge_disputed"}` —
  the intent's next `times` refunds are refused with `code` (422; a new key may then succeed).
- `POST /_sim/payments/intents/{id}/challenge` `{"outcome": "complete" | "fail"}` — answer the
  intent's 3-D Secure challenge as the traveler's browser would (200, the intent; 409 when it
  awaits no answer: answered before, nothing changes).
- `GET /_sim/payments/events[?payment_intent=]` — every event raised, oldest first.
- `GET /_sim/payments/deliveries[?event_id=]` — every delivery and its attempts.
- `POST /_sim/payments/events/{id}/redeliver` — deliver an event once more (202).
- `POST /_sim/payments/reset` — forget everything; back to the start-up configuration.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec
from aiohttp import web

from sim.control import error_response, json_response
from sim.payments.gateway import PAYMENTS, Timing
from sim.payments.ledger import ChallengeAnswered, ChallengeOutcome, Event
from sim.payments.webhooks import WebhookConfig

T = TypeVar("T")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/_sim/payments/webhook", get_webhook, name="sim_payments_webhook")
    router.add_put("/_sim/payments/webhook", put_webhook, name="sim_payments_webhook_put")
    router.add_get("/_sim/payments/timing", get_timing, name="sim_payments_timing")
    router.add_put("/_sim/payments/timing", put_timing, name="sim_payments_timing_put")
    router.add_get("/_sim/payments/intents", get_intents, name="sim_payments_intents")
    router.add_post(
        "/_sim/payments/intents/{id}/refuse_refunds",
        post_refuse_refunds,
        name="sim_payments_refuse_refunds",
    )
    router.add_post(
        "/_sim/payments/intents/{id}/challenge", post_challenge, name="sim_payments_challenge"
    )
    router.add_get("/_sim/payments/events", get_events, name="sim_payments_events")
    router.add_get("/_sim/payments/deliveries", get_deliveries, name="sim_payments_deliveries")
    router.add_post(
        "/_sim/payments/events/{id}/redeliver", post_redeliver, name="sim_payments_redeliver"
    )
    router.add_post("/_sim/payments/reset", post_reset, name="sim_payments_reset")


def _public(config: WebhookConfig) -> dict[str, Any]:
    shown = msgspec.structs.asdict(config)
    shown["secrets"] = len(config.secrets)  # how many, never which
    return shown


async def _merged(request: web.Request, current: msgspec.Struct) -> Any:
    """`current` with the fields of the request body applied, validated as its type."""
    try:
        changes = msgspec.json.decode(await request.read(), type=dict[str, Any])
        return msgspec.convert(
            {**msgspec.structs.asdict(current), **changes}, type(current), strict=False
        )
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None


async def get_webhook(request: web.Request) -> web.Response:
    return json_response(_public(request.app[PAYMENTS].webhooks.config))


async def put_webhook(request: web.Request) -> web.Response:
    webhooks = request.app[PAYMENTS].webhooks
    config: WebhookConfig = await _merged(request, webhooks.config)
    if not config.secrets:
        return error_response(400, "bad_request", "at least one webhook secret is needed")
    webhooks.config = config
    return json_response(_public(config))


async def get_timing(request: web.Request) -> web.Response:
    return json_response(request.app[PAYMENTS].timing)


async def put_timing(request: web.Request) -> web.Response:
    sim = request.app[PAYMENTS]
    timing: Timing = await _merged(request, sim.timing)
    sim.timing = timing
    return json_response(timing)


async def get_intents(request: web.Request) -> web.Response:
    order_id = request.query.get("order_id")
    intents = [
        intent
        for intent in request.app[PAYMENTS].ledger.intents.values()
        if order_id is None or intent.metadata.get("order_id") == order_id
    ]
    return json_response({"intents": intents})


class RefundRefusals(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    times: int = msgspec.field(default=1)
    code: str = "charge_disputed"


async def _intent_call(request: web.Request, type_: type[T], empty: bytes = b"") -> T:
    """The body of a call about the intent of the path (`empty`: the body of none); raises
    404 for an unknown intent, 400 for a bad body."""
    intent_id = request.match_info["id"]
    if intent_id not in request.app[PAYMENTS].ledger.intents:
        missing = error_response(404, "not_found", f"no intent {intent_id}")
        raise web.HTTPNotFound(body=missing.body, content_type="application/json")
    try:
        return msgspec.json.decode(await request.read() or empty, type=type_)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None


async def post_refuse_refunds(request: web.Request) -> web.Response:
    sim = request.app[PAYMENTS]
    intent_id = request.match_info["id"]
    refusals = await _intent_call(request, RefundRefusals, b"{}")
    sim.ledger.refusals.setdefault(intent_id, []).extend([refusals.code] * refusals.times)
    return json_response({"payment_intent": intent_id, "refusals": sim.ledger.refusals[intent_id]})


class ChallengeAnswer(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    outcome: ChallengeOutcome


async def post_challenge(request: web.Request) -> web.Response:
    sim = request.app[PAYMENTS]
    intent_id = request.match_info["id"]
    answer = await _intent_call(request, ChallengeAnswer)
    try:
        return json_response(sim.answer_challenge(intent_id, answer.outcome))
    except ChallengeAnswered:
        return error_response(409, "challenge_answered", f"{intent_id} awaits no 3-D Secure answer")


def _intent_of(event: Event) -> str:
    obj = event.data["object"]
    return str(obj["payment_intent"] if obj.get("object") == "charge" else obj["id"])


async def get_events(request: web.Request) -> web.Response:
    intent = request.query.get("payment_intent")
    events = [
        event
        for event in request.app[PAYMENTS].ledger.events.values()
        if intent is None or _intent_of(event) == intent
    ]
    return json_response({"events": events})


async def get_deliveries(request: web.Request) -> web.Response:
    event_id = request.query.get("event_id")
    deliveries = [
        delivery
        for delivery in request.app[PAYMENTS].webhooks.deliveries
        if event_id is None or delivery.event_id == event_id
    ]
    return json_response({"deliveries": deliveries})


async def post_redeliver(request: web.Request) -> web.Response:
    sim = request.app[PAYMENTS]
    event = sim.ledger.events.get(request.match_info["id"])
    if event is None:
        return error_response(404, "event_not_found", "no such event")
    return json_response(sim.webhooks.redeliver(event), status=202)


async def post_reset(request: web.Request) -> web.Response:
    request.app[PAYMENTS].reset()
    return web.Response(status=204)
