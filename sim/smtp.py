"""The SMTP sink: a real SMTP server (aiosmtpd) that keeps every message it accepts.

`skyfare sim` starts it on `sim_smtp_port` beside the HTTP sim, in the same event loop, and the
HTTP sim lists what it received:

- `GET /_sim/smtp/messages[?limit=N]` → `{"count": n, "messages": [{"to", "mail_from",
  "subject", "body", "message_id", "headers", "received_at"}, ...]}` (the last N, oldest first)
- `DELETE /_sim/smtp/messages` → 204, the mailbox is empty
- `GET|PUT /_sim/smtp/behaviour` → `{"hold": false, "fail_rate": 0.0, "in_flight": 0}`:
  `hold` keeps every DATA waiting (until released or the client gives up: then the message is
  dropped, as its sender never got a `250`), `fail_rate` answers that share of DATAs with
  `451 4.3.0` (a temporary failure).

Tests start and stop the listener (`SmtpSink.start/stop`) to simulate the mail server going away.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import email
import logging
import random
import weakref
from email.header import decode_header, make_header
from email.message import Message
from typing import Annotated, Any

import msgspec
from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

from sim.control import json_response

logger = logging.getLogger(__name__)
# aiosmtpd logs every connection at INFO: too chatty beside the sim's own log.
logging.getLogger("mail.log").setLevel(logging.WARNING)

MAX_MESSAGES = 100_000  # the oldest go first beyond this


class SinkMessage(msgspec.Struct, frozen=True):
    to: list[str]
    mail_from: str
    subject: str
    body: str
    message_id: str
    headers: dict[str, str]
    received_at: dt.datetime


class SmtpBehaviour(msgspec.Struct, forbid_unknown_fields=True):
    hold: bool = False
    fail_rate: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 0.0


class Received:
    """A message as accepted, parsed when first listed: parsing on receipt cost the sink a
    tenth of its CPU per mail in the notification benchmark, which only counts them."""

    __slots__ = ("_envelope", "_message", "_received_at")

    def __init__(self, envelope: Envelope) -> None:
        self._envelope: Envelope | None = envelope
        self._received_at = dt.datetime.now(dt.UTC)
        self._message: SinkMessage | None = None

    def message(self) -> SinkMessage:
        if self._message is None:
            assert self._envelope is not None
            self._message = _parse(self._envelope, self._received_at)
            self._envelope = None
        return self._message


class Mailbox:
    """What the sink accepted, and how it behaves; shared by the SMTP server and the HTTP views."""

    def __init__(self, *, seed: int = 42) -> None:
        self.messages: collections.deque[Received] = collections.deque(maxlen=MAX_MESSAGES)
        self.behaviour = SmtpBehaviour()
        self.in_flight = 0
        self._released = asyncio.Event()
        self._rng = random.Random(f"{seed}:smtp")

    def set_behaviour(self, behaviour: SmtpBehaviour) -> None:
        self.behaviour = behaviour
        if behaviour.hold:
            self._released.clear()
        else:
            self._released.set()

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        """aiosmtpd's hook: offer PIPELINING (RFC 2920). aiosmtpd reads one command line at a
        time from its buffer, so commands that came together are answered in order."""
        session.host_name = hostname  # what aiosmtpd does itself when there is no hook
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """aiosmtpd's hook: called once the client sent the whole message."""
        self.in_flight += 1
        try:
            if self.behaviour.hold:
                # Cancelled by aiosmtpd when the client disconnects: nothing is stored then.
                await self._released.wait()
            if self.behaviour.fail_rate and self._rng.random() < self.behaviour.fail_rate:
                return "451 4.3.0 simulated temporary failure"
            self.messages.append(Received(envelope))
            return "250 2.0.0 OK: queued"
        finally:
            self.in_flight -= 1


def _parse(envelope: Envelope, received_at: dt.datetime) -> SinkMessage:
    # compat32 parsing (the default): the modern policy's header objects cost ten times as much.
    message = email.message_from_bytes(envelope.original_content or b"")
    return SinkMessage(
        to=list(envelope.rcpt_tos),
        mail_from=envelope.mail_from or "",
        subject=_header(message.get("Subject", "")),
        body=_text_body(message),
        message_id=_header(message.get("Message-ID", "")),
        headers={name: _header(value) for name, value in message.items()},
        received_at=received_at,
    )


def _header(value: str) -> str:
    """A header as text: RFC 2047 words decoded, folding undone."""
    return str(make_header(decode_header(value))).strip()


def _text_body(message: Message) -> str:
    """The first text/plain part, decoded; SMTP's CRLF line ends back to `\\n`."""
    for part in message.walk():
        if part.get_content_type() == "text/plain" and not part.is_multipart():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                text = payload.decode(part.get_content_charset() or "utf-8", "replace")
                return text.replace("\r\n", "\n")
    return ""


class SmtpSink:
    """The SMTP listener on host:port (port 0: a free one, see `port` once started)."""

    def __init__(self, mailbox: Mailbox, host: str, port: int) -> None:
        self.mailbox = mailbox
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._sessions: weakref.WeakSet[SMTP] = weakref.WeakSet()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()

        def protocol() -> SMTP:
            session = SMTP(self.mailbox, hostname="sim.skyfare.test", timeout=60, loop=loop)
            self._sessions.add(session)
            return session

        self._server = await loop.create_server(protocol, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        logger.info("sim: SMTP sink on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening and drop the open connections (a mail server going away)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for session in list(self._sessions):
            if session.transport is not None:
                session.transport.close()
        await server.wait_closed()


MAILBOX: web.AppKey[Mailbox] = web.AppKey("sim_mailbox", Mailbox)
_behaviour_decoder = msgspec.json.Decoder(SmtpBehaviour)


async def list_messages(request: web.Request) -> web.Response:
    mailbox = request.app[MAILBOX]
    received = list(mailbox.messages)
    limit = request.query.get("limit")
    if limit is not None and limit.isdigit():
        received = received[len(received) - int(limit) :] if int(limit) else []
    messages = [entry.message() for entry in received]
    return json_response({"count": len(mailbox.messages), "messages": messages})


async def clear_messages(request: web.Request) -> web.Response:
    request.app[MAILBOX].messages.clear()
    return web.Response(status=204)


async def get_behaviour(request: web.Request) -> web.Response:
    return json_response(_behaviour_view(request.app[MAILBOX]))


async def put_behaviour(request: web.Request) -> web.Response:
    mailbox = request.app[MAILBOX]
    try:
        mailbox.set_behaviour(_behaviour_decoder.decode(await request.read()))
    except msgspec.DecodeError as exc:
        return json_response({"error": {"code": "bad_request", "message": str(exc)}}, 400)
    return json_response(_behaviour_view(mailbox))


def _behaviour_view(mailbox: Mailbox) -> dict[str, Any]:
    return {**msgspec.structs.asdict(mailbox.behaviour), "in_flight": mailbox.in_flight}


def install_smtp_sink(app: web.Application, *, seed: int = 42) -> Mailbox:
    """The mailbox and its `/_sim/smtp` views on the sim app; the listener is `SmtpSink`."""
    mailbox = app[MAILBOX] = Mailbox(seed=seed)
    app.router.add_get("/_sim/smtp/messages", list_messages, name="smtp_messages")
    app.router.add_delete("/_sim/smtp/messages", clear_messages, name="smtp_clear")
    app.router.add_get("/_sim/smtp/behaviour", get_behaviour, name="smtp_behaviour")
    app.router.add_put("/_sim/smtp/behaviour", put_behaviour, name="smtp_set_behaviour")
    return mailbox
