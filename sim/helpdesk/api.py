"""The helpdesk's ticketing API, mounted at `/helpdesk` (see API.md beside this file).

Every call: `Authorization: Bearer <api key>`, else 401. Errors: `{"error": {"code", "message"}}`.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from aiohttp import web

from sim.bearer import holds_key
from sim.control import error_response, json_response
from sim.helpdesk.desk import HELPDESK, HelpdeskSim, Message

_MAX_TEXT = 10_000


class NewCase(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    external_id: str
    subject: str
    message: str
    requester: dict[str, Any] = msgspec.field(default_factory=dict)
    context: dict[str, Any] = msgspec.field(default_factory=dict)


class NewMessage(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    body: str


_new_case = msgspec.json.Decoder(NewCase)
_new_message = msgspec.json.Decoder(NewMessage)
_update = msgspec.json.Decoder(dict[str, Any])


def helpdesk_app() -> web.Application:
    app = web.Application(middlewares=[_require_key])
    app.router.add_post("/v1/cases", create_case)
    app.router.add_get("/v1/cases", list_cases)
    app.router.add_get("/v1/cases/{id}", get_case)
    app.router.add_post("/v1/cases/{id}/messages", add_message)
    app.router.add_post("/v1/bookings/{reference}/updates", booking_update)
    return app


@web.middleware
async def _require_key(request: web.Request, handler: Any) -> web.StreamResponse:
    sim = request.config_dict[HELPDESK]
    if not holds_key(request.headers, sim.api_key):
        return error_response(401, "unauthorized", "a valid API key is required")
    response: web.StreamResponse = await handler(request)
    return response


def _sim(request: web.Request) -> HelpdeskSim:
    return request.config_dict[HELPDESK]


async def create_case(request: web.Request) -> web.Response:
    try:
        new = _new_case.decode(await request.read())
    except msgspec.DecodeError as exc:
        return error_response(400, "bad_request", str(exc))
    if not new.subject.strip() or not new.message.strip() or len(new.message) > _MAX_TEXT:
        return error_response(422, "invalid", "subject and message must be given")
    case = _sim(request).open_case(
        new.external_id, new.subject, new.message, new.requester, new.context
    )
    return json_response(case, status=201)


async def list_cases(request: web.Request) -> web.Response:
    external_id = request.query.get("external_id")
    cases = [c for c in _sim(request).cases.values() if external_id in (None, c.external_id)]
    return json_response({"cases": cases})


async def get_case(request: web.Request) -> web.Response:
    case = _sim(request).cases.get(request.match_info["id"])
    if case is None:
        return error_response(404, "not_found", "no such case")
    return json_response(case)


async def add_message(request: web.Request) -> web.Response:
    sim = _sim(request)
    case = sim.cases.get(request.match_info["id"])
    if case is None:
        return error_response(404, "not_found", "no such case")
    try:
        new = _new_message.decode(await request.read())
    except msgspec.DecodeError as exc:
        return error_response(400, "bad_request", str(exc))
    message = Message(sim.next_id("msg"), "customer", new.body, time.time())
    case.messages.append(message)
    case.status = "open"
    return json_response(message, status=201)


async def booking_update(request: web.Request) -> web.Response:
    try:
        update = _update.decode(await request.read())
    except msgspec.DecodeError as exc:
        return error_response(400, "bad_request", str(exc))
    if not isinstance(update.get("id"), str):
        return error_response(422, "invalid", "an update needs its event id")
    touched = _sim(request).booking_update(request.match_info["reference"], update)
    return json_response({"cases": touched})
