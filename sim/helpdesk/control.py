"""The helpdesk's part of the sim's control API (`/_sim/helpdesk/...`): tests act as agents.

- `GET|PUT /_sim/helpdesk/webhook` — where and how webhooks go (the payment sim's
  `WebhookConfig`: `url`, `secrets`, retries…); GET never shows the secrets.
- `GET /_sim/helpdesk/cases[?external_id=]` — every case with its messages and booking updates.
- `POST /_sim/helpdesk/cases/{id}/reply` `{"agent": {"id", "name"}, "body"}` — an agent answers
  (`case.replied` webhook) → 202 `{"event_id"}`.
- `POST /_sim/helpdesk/cases/{id}/actions` `{"agent": …, "action": {"type": "cancel" |
  "correct_name" | "resend_itinerary", "passenger_index", "given_name", "family_name", "note"}}`
  — an agent requests a booking modification (`case.action_requested`) → 202 `{"event_id"}`.
- `GET /_sim/helpdesk/deliveries[?event_id=]` — every webhook delivery and its attempts.
- `POST /_sim/helpdesk/events/{id}/redeliver` — deliver an event once more (202).
- `POST /_sim/helpdesk/reset` — forget everything; back to the start-up configuration.
"""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web

from sim.control import error_response, json_response
from sim.helpdesk.desk import HELPDESK, Action, Agent
from sim.payments.webhooks import WebhookConfig


class Reply(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    agent: Agent
    body: str


class ActionRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    agent: Agent
    action: Action


_reply = msgspec.json.Decoder(Reply)
_action = msgspec.json.Decoder(ActionRequest)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/_sim/helpdesk/webhook", get_webhook, name="sim_helpdesk_webhook")
    router.add_put("/_sim/helpdesk/webhook", put_webhook, name="sim_helpdesk_webhook_put")
    router.add_get("/_sim/helpdesk/cases", get_cases, name="sim_helpdesk_cases")
    router.add_post("/_sim/helpdesk/cases/{id}/reply", post_reply, name="sim_helpdesk_reply")
    router.add_post("/_sim/helpdesk/cases/{id}/actions", post_action, name="sim_helpdesk_action")
    router.add_get("/_sim/helpdesk/deliveries", get_deliveries, name="sim_helpdesk_deliveries")
    router.add_post(
        "/_sim/helpdesk/events/{id}/redeliver", post_redeliver, name="sim_helpdesk_redeliver"
    )
    router.add_post("/_sim/helpdesk/reset", post_reset, name="sim_helpdesk_reset")


def _public(config: WebhookConfig) -> dict[str, Any]:
    shown = msgspec.structs.asdict(config)
    shown["secrets"] = len(config.secrets)
    return shown


async def get_webhook(request: web.Request) -> web.Response:
    return json_response(_public(request.app[HELPDESK].webhooks.config))


async def put_webhook(request: web.Request) -> web.Response:
    webhooks = request.app[HELPDESK].webhooks
    try:
        changes = msgspec.json.decode(await request.read(), type=dict[str, Any])
        config = msgspec.convert(
            {**msgspec.structs.asdict(webhooks.config), **changes}, WebhookConfig, strict=False
        )
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return error_response(400, "bad_request", str(exc))
    if not config.secrets:
        return error_response(400, "bad_request", "at least one webhook secret is needed")
    webhooks.config = config
    return json_response(_public(config))


async def get_cases(request: web.Request) -> web.Response:
    external_id = request.query.get("external_id")
    cases = [
        c for c in request.app[HELPDESK].cases.values() if external_id in (None, c.external_id)
    ]
    return json_response({"cases": cases})


async def post_reply(request: web.Request) -> web.Response:
    sim = request.app[HELPDESK]
    case = sim.cases.get(request.match_info["id"])
    if case is None:
        return error_response(404, "not_found", "no such case")
    try:
        reply = _reply.decode(await request.read())
    except msgspec.DecodeError as exc:
        return error_response(400, "bad_request", str(exc))
    event_id = sim.act(case, reply.agent, reply=reply.body, action=None)
    return json_response({"event_id": event_id}, status=202)


async def post_action(request: web.Request) -> web.Response:
    sim = request.app[HELPDESK]
    case = sim.cases.get(request.match_info["id"])
    if case is None:
        return error_response(404, "not_found", "no such case")
    try:
        asked = _action.decode(await request.read())
    except msgspec.DecodeError as exc:
        return error_response(400, "bad_request", str(exc))
    event_id = sim.act(case, asked.agent, reply=None, action=asked.action)
    return json_response({"event_id": event_id}, status=202)


async def get_deliveries(request: web.Request) -> web.Response:
    event_id = request.query.get("event_id")
    deliveries = [
        d for d in request.app[HELPDESK].webhooks.deliveries if event_id in (None, d.event_id)
    ]
    return json_response({"deliveries": deliveries})


async def post_redeliver(request: web.Request) -> web.Response:
    sim = request.app[HELPDESK]
    event = sim.events.get(request.match_info["id"])
    if event is None:
        return error_response(404, "event_not_found", "no such event")
    return json_response(sim.webhooks.redeliver(event), status=202)


async def post_reset(request: web.Request) -> web.Response:
    request.app[HELPDESK].reset()
    return web.Response(status=204)
