"""The simulated SMS provider's API and its `/_sim/sms` control views.

Provider API (under `/sms`):

- `POST /sms/v1/messages`, `Authorization: Bearer <api key>`, `{"to": "+4420…", "body": "…",
  "reference": "…"}` → `201 {"id": "sms_…", "status": "queued", "to", "reference"}`.
  `401` bad or missing key; `400` malformed JSON; `422` bad fields (`to` must be E.164, `body`
  1–1600 characters, `reference` ≤ 128); `503` outage or a simulated failure. Errors are
  problem documents with `errors: [{"field", "message"}]` for 422s.

Control (on the sim's root):

- `GET /_sim/sms/messages[?limit=N]` → `{"count": n, "messages": [...]}` (the last N, oldest
  first); `DELETE` clears them.
- `GET|PUT /_sim/sms/behaviour` → `{"failure_rate": 0.0, "outage": false, "hold": false,
  "latency_ms": 0.0, "in_flight": 0}`. `hold` keeps every send waiting until released or its
  client gives up (then nothing is recorded: the sender never got a `201`).
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import random
import re
import secrets
from typing import Annotated, Any

import msgspec
from aiohttp import web

from sim.bearer import holds_key
from sim.control import json_response

SIM_API_KEY = "sim-sms-key"  # the sim's own key, not a secret (Settings' default matches it)
MAX_MESSAGES = 100_000
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_PROBLEM = "application/problem+json"


class SmsRequest(msgspec.Struct, frozen=True):
    to: str
    body: str
    reference: str | None = None


class SmsMessage(msgspec.Struct, frozen=True):
    id: str
    to: str
    body: str
    reference: str | None
    status: str
    created_at: dt.datetime


class SmsBehaviour(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    failure_rate: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 0.0
    outage: bool = False
    hold: bool = False
    latency_ms: Annotated[float, msgspec.Meta(ge=0.0)] = 0.0


class SmsProvider:
    """Accepted messages and the provider's behaviour."""

    def __init__(self, *, seed: int = 42, api_key: str = SIM_API_KEY) -> None:
        self.api_key = api_key
        self.messages: collections.deque[SmsMessage] = collections.deque(maxlen=MAX_MESSAGES)
        self.behaviour = SmsBehaviour()
        self.in_flight = 0
        self._released = asyncio.Event()
        self._rng = random.Random(f"{seed}:sms")

    def set_behaviour(self, behaviour: SmsBehaviour) -> None:
        self.behaviour = behaviour
        if behaviour.hold:
            self._released.clear()
        else:
            self._released.set()

    def release(self) -> None:
        self._released.set()

    def fails_now(self) -> bool:
        rate = self.behaviour.failure_rate
        return self.behaviour.outage or (rate > 0 and self._rng.random() < rate)

    async def accept(self, request: SmsRequest) -> SmsMessage:
        """Wait as the behaviour says, then record the message (not if cancelled meanwhile)."""
        self.in_flight += 1
        try:
            if self.behaviour.latency_ms:
                await asyncio.sleep(self.behaviour.latency_ms / 1000)
            if self.behaviour.hold:
                await self._released.wait()
        finally:
            self.in_flight -= 1
        message = SmsMessage(
            id=f"sms_{secrets.token_hex(8)}",
            to=request.to,
            body=request.body,
            reference=request.reference,
            status="queued",
            created_at=dt.datetime.now(dt.UTC),
        )
        self.messages.append(message)
        return message


SMS_PROVIDER: web.AppKey[SmsProvider] = web.AppKey("sim_sms_provider", SmsProvider)
_request_decoder = msgspec.json.Decoder(SmsRequest)
_behaviour_decoder = msgspec.json.Decoder(SmsBehaviour)
_encoder = msgspec.json.Encoder()


def _problem(status: int, title: str, detail: str, **extra: Any) -> web.Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return web.Response(body=_encoder.encode(body), status=status, content_type=_PROBLEM)


def _field_of(message: str) -> str:
    """The field msgspec names: "… - at `$.to`" or "… missing required field `to`"."""
    for marker in ("at `$.", "required field `"):
        if marker in message:
            return message.split(marker, 1)[1].split("`", 1)[0]
    return ""


def _invalid_fields(request: SmsRequest) -> list[dict[str, str]]:
    errors = []
    if not _E164.match(request.to):
        errors.append({"field": "to", "message": "not an E.164 number like +442071838750"})
    if not 1 <= len(request.body) <= 1600:
        errors.append({"field": "body", "message": "must be 1 to 1600 characters"})
    if request.reference is not None and len(request.reference) > 128:
        errors.append({"field": "reference", "message": "must be at most 128 characters"})
    return errors


async def send_message(request: web.Request) -> web.Response:
    provider = request.config_dict[SMS_PROVIDER]
    if provider.behaviour.outage:
        return _problem(503, "Service Unavailable", "simulated outage")
    if not holds_key(request.headers, provider.api_key):
        return _problem(401, "Unauthorized", "missing or unknown API key")
    try:
        sms = _request_decoder.decode(await request.read())
    except msgspec.ValidationError as exc:
        error = {"field": _field_of(str(exc)), "message": str(exc)}
        return _problem(422, "Invalid message", str(exc), errors=[error])
    except msgspec.DecodeError as exc:
        return _problem(400, "Malformed JSON", str(exc))
    errors = _invalid_fields(sms)
    if errors:
        return _problem(422, "Invalid message", "some fields are invalid", errors=errors)
    if provider.fails_now():
        return _problem(503, "Service Unavailable", "simulated failure")
    message = await provider.accept(sms)
    view = {"id": message.id, "status": message.status, "to": message.to}
    return json_response({**view, "reference": message.reference}, status=201)


async def list_messages(request: web.Request) -> web.Response:
    provider = request.app[SMS_PROVIDER]
    messages = list(provider.messages)
    limit = request.query.get("limit")
    if limit is not None and limit.isdigit():
        messages = messages[len(messages) - int(limit) :] if int(limit) else []
    return json_response({"count": len(provider.messages), "messages": messages})


async def clear_messages(request: web.Request) -> web.Response:
    request.app[SMS_PROVIDER].messages.clear()
    return web.Response(status=204)


async def get_behaviour(request: web.Request) -> web.Response:
    return json_response(_behaviour_view(request.app[SMS_PROVIDER]))


async def put_behaviour(request: web.Request) -> web.Response:
    provider = request.app[SMS_PROVIDER]
    try:
        provider.set_behaviour(_behaviour_decoder.decode(await request.read()))
    except msgspec.DecodeError as exc:
        return json_response({"error": {"code": "bad_request", "message": str(exc)}}, 400)
    return json_response(_behaviour_view(provider))


def _behaviour_view(provider: SmsProvider) -> dict[str, Any]:
    return {**msgspec.structs.asdict(provider.behaviour), "in_flight": provider.in_flight}


def install_sms(app: web.Application, *, seed: int = 42) -> SmsProvider:
    """The provider at `/sms` and its `/_sim/sms` control views, on the sim's root app."""
    provider = app[SMS_PROVIDER] = SmsProvider(seed=seed)
    api = web.Application()
    api.router.add_post("/v1/messages", send_message, name="sms_send")
    app.add_subapp("/sms", api)
    app.router.add_get("/_sim/sms/messages", list_messages, name="sms_messages")
    app.router.add_delete("/_sim/sms/messages", clear_messages, name="sms_clear")
    app.router.add_get("/_sim/sms/behaviour", get_behaviour, name="sms_behaviour")
    app.router.add_put("/_sim/sms/behaviour", put_behaviour, name="sms_set_behaviour")

    async def release_held(app: web.Application) -> None:
        provider.release()

    app.on_shutdown.append(release_held)
    return provider
