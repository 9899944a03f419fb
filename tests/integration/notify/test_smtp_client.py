"""The worker's SMTP client over sockets: pipelined (RFC 2920) against the sim's sink, one
command at a time against a server that does not offer it, refusals translated either way."""

from __future__ import annotations

import asyncio
import email
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from notify.errors import DeliveryError, PermanentDeliveryError
from notify.mail import SmtpMailer
from notify.smtp import SmtpConnection
from notify.templates import Email
from sim.smtp import Mailbox
from tests.support.notify import NotifySim

MAIL = Email("ada@example.com", "Booking K7Q2MZ is held", ".a line that starts with a dot\n.\nend")


class PlainServer:
    """An aiosmtpd handler with aiosmtpd's own EHLO (no PIPELINING); RCPT to `refused` → 550."""

    def __init__(self) -> None:
        self.contents: list[bytes] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith("refused@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.contents.append(envelope.original_content or b"")
        return "250 OK: queued"


@asynccontextmanager
async def plain_server() -> AsyncIterator[tuple[PlainServer, int]]:
    handler = PlainServer()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, loop=loop), "127.0.0.1", 0)
    try:
        yield handler, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def _mailer(port: int) -> SmtpMailer:
    return SmtpMailer("127.0.0.1", port, mail_from="Skyfare <b@x.example>", timeout_s=5.0)


async def test_the_sink_offers_pipelining_and_mails_arrive_whole(sim: NotifySim) -> None:
    connection = await SmtpConnection.open("127.0.0.1", sim.sink.port, local_hostname="test")
    assert connection.pipelining
    connection.close()
    mailer = _mailer(sim.sink.port)

    await asyncio.gather(*(mailer.send(MAIL, key=f"e{i}.email") for i in range(5)))
    await mailer.send(MAIL, key="e5.email")  # on a connection reused from the first ones
    await mailer.close()

    mails = await sim.mails()
    assert sorted(m["message_id"] for m in mails) == [
        f"<e{i}.email@notify.skyfare.example>" for i in range(6)
    ]
    # Dot-stuffed on the way and undone by the sink; SMTP content ends with a line break.
    assert {m["body"] for m in mails} == {MAIL.body + "\n"}


async def test_a_server_without_pipelining_gets_one_command_at_a_time() -> None:
    async with plain_server() as (server, port):
        connection = await SmtpConnection.open("127.0.0.1", port, local_hostname="test")
        assert not connection.pipelining
        connection.close()
        mailer = _mailer(port)

        await asyncio.gather(*(mailer.send(MAIL, key=f"e{i}.email") for i in range(3)))
        await mailer.send(MAIL, key="e3.email")
        await mailer.close()

    bodies = [email.message_from_bytes(c).get_payload(decode=True) for c in server.contents]
    assert len(bodies) == 4
    assert {bytes(b).replace(b"\r\n", b"\n") for b in bodies} == {MAIL.body.encode() + b"\n"}


@pytest.mark.parametrize("pipelined", [True, False])
async def test_a_refused_recipient_is_a_permanent_failure_and_the_next_mail_goes_out(
    pipelined: bool,
) -> None:
    refused = Email("refused@example.com", MAIL.subject, "x")
    async with plain_server() as (server, port):
        if pipelined:  # the sink's EHLO hook, in front of the same refusing handler
            server.handle_EHLO = Mailbox.handle_EHLO.__get__(server)  # type: ignore[attr-defined]
        connection = await SmtpConnection.open("127.0.0.1", port, local_hostname="test")
        assert connection.pipelining is pipelined
        connection.close()
        mailer = _mailer(port)
        with pytest.raises(PermanentDeliveryError, match="refused the recipient"):
            await mailer.send(refused, key="r.email")
        await mailer.send(MAIL, key="ok.email")
        await mailer.close()

    assert len(server.contents) == 1


async def test_an_unreachable_server_is_a_temporary_failure() -> None:
    async with plain_server() as (_, port):
        pass  # closed: nothing listens there now
    with pytest.raises(DeliveryError) as failed:
        await _mailer(port).send(MAIL, key="e.email")
    assert not isinstance(failed.value, PermanentDeliveryError)
