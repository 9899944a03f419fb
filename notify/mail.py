"""Email over SMTP (aiosmtplib), reusing a few open connections.

A new connection per mail costs a handshake (connect, banner, EHLO) on top of the transaction;
an idle connection is reused while the server keeps it open. Any error closes the connection it
happened on: its SMTP state is unknown.
"""

from __future__ import annotations

import asyncio
import email.utils
import socket
from email.charset import QP, Charset
from email.header import Header
from email.message import Message

import aiosmtplib

from notify.errors import DeliveryError, PermanentDeliveryError
from notify.templates import Email

MESSAGE_ID_DOMAIN = "notify.skyfare.example"
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP


def message_id(key: str) -> str:
    """The Message-ID of the mail for `key` (event id + channel): a resend carries the same one."""
    return f"<{key}@{MESSAGE_ID_DOMAIN}>"


def build_message(mail: Email, *, mail_from: str, key: str) -> Message:
    """A plain-text mail, UTF-8, quoted-printable (readable in any mail source view).

    The `compat32` Message, not `EmailMessage`: the default policy parses every header it is
    given into objects, which made building a mail a third of the worker's CPU per event.
    """
    message = Message()
    message["From"] = mail_from
    message["To"] = mail.to
    # A non-ASCII subject as RFC 2047 encoded words; `encode()` keeps the header a str.
    subject = mail.subject
    message["Subject"] = subject if subject.isascii() else Header(subject, _UTF8).encode()
    message["Message-ID"] = message_id(key)
    message["Date"] = email.utils.formatdate(usegmt=True)
    message["MIME-Version"] = "1.0"
    message.set_payload(mail.body, _UTF8)
    return message


class SmtpMailer:
    """Sends through host:port, at most `connections` at once, each within `timeout_s`."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        mail_from: str,
        timeout_s: float,
        connections: int = 8,
    ) -> None:
        self._host = host
        self._port = port
        self._mail_from = mail_from
        self._timeout_s = timeout_s
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[aiosmtplib.SMTP] = []
        self._local_hostname = socket.gethostname()  # not getfqdn(): no DNS lookup per connection

    async def send(self, mail: Email, *, key: str) -> None:
        """Deliver `mail`; DeliveryError (temporary) or PermanentDeliveryError (a 5xx refusal)."""
        try:
            message = build_message(mail, mail_from=self._mail_from, key=key)
        except ValueError as exc:  # a header that cannot be written (UnicodeError included)
            raise PermanentDeliveryError("the mail cannot be built") from exc
        async with self._slots:
            client = self._idle.pop() if self._idle else None
            try:
                async with asyncio.timeout(self._timeout_s):
                    if client is None or not client.is_connected:
                        client = await self._connect()
                    await client.send_message(message)
            except BaseException as exc:
                if client is not None:
                    client.close()
                translated = _translate(exc)
                if translated is exc:
                    raise
                raise translated from exc
            self._idle.append(client)

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            timeout=self._timeout_s,
            local_hostname=self._local_hostname,
        )
        await client.connect()
        return client

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client in idle:
            try:
                await client.quit(timeout=1.0)
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                pass
            finally:
                client.close()


def _translate(exc: BaseException) -> BaseException:
    """SMTP failures → DeliveryError; anything else (a cancellation, a bug) as it is."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [error.code for error in exc.recipients]
        permanent = all(500 <= code < 600 for code in codes)
        kind = PermanentDeliveryError if permanent else DeliveryError
        return kind(f"SMTP refused the recipient ({', '.join(map(str, codes))})")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        # The server's text may quote the address: only the code is kept.
        kind = PermanentDeliveryError if 500 <= exc.code < 600 else DeliveryError
        return kind(f"SMTP answered {exc.code}")
    if isinstance(exc, aiosmtplib.SMTPException | OSError | TimeoutError):
        return DeliveryError(f"SMTP server unavailable ({type(exc).__name__})")
    return exc
