"""Email over SMTP (notify/smtp.py: pipelined where the server offers it), reusing open
connections.

A new connection per mail costs a handshake (connect, banner, EHLO) on top of the transaction;
an idle connection is reused while the server keeps it open, and one the server closed while it
sat idle (a timeout, a restart) is replaced at once: its MAIL fails before anything was sent.
Any other error closes the connection it happened on: its SMTP state is unknown.
"""

from __future__ import annotations

import asyncio
import binascii
import email.utils
import functools
import socket
import time
from email.charset import QP, Charset
from email.header import Header

from notify.errors import DeliveryError, PermanentDeliveryError
from notify.smtp import SmtpConnection, SmtpDisconnected, SmtpReplyError
from notify.templates import Email

MESSAGE_ID_DOMAIN = "notify.skyfare.example"
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP
_FOLD_AT = 78 - len("Subject: ")  # RFC 5322's recommended line length, header name included
_BODY_HEADERS = (
    "MIME-Version: 1.0\r\n"
    'Content-Type: text/plain; charset="utf-8"\r\n'
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
)


def message_id(key: str) -> str:
    """The Message-ID of the mail for `key` (event id + channel): a resend carries the same one."""
    return f"<{key}@{MESSAGE_ID_DOMAIN}>"


def mail_bytes(mail: Email, *, mail_from: str, key: str) -> bytes:
    """The mail as DATA carries it: plain text, UTF-8, quoted-printable (readable in any mail
    source view), CRLF line ends. ValueError if a header cannot be written.

    Written out directly rather than through `email.message` and its generator, which were a
    third of the worker's CPU per mail: the headers are a few known strings, `mail.to` an ASCII
    addr-spec (checked before sending) and `mail_from` a header made once (`from_header`).
    """
    if not (mail.to.isascii() and mail.to.isprintable()):
        raise ValueError("the recipient is not one ASCII address")
    headers = (
        f"From: {mail_from}\r\nTo: {mail.to}\r\nSubject: {_subject(mail.subject)}\r\n"
        f"Message-ID: {message_id(key)}\r\nDate: {_date(int(time.time()))}\r\n"
    )
    body = binascii.b2a_qp(mail.body.replace("\r\n", "\n").encode(), istext=True)
    return (headers + _BODY_HEADERS).encode("ascii") + body.replace(b"\n", b"\r\n")


@functools.lru_cache(maxsize=1)
def _date(second: int) -> str:
    """The Date header's value, formatted once per second (formatdate costs more than the rest
    of the headers together)."""
    return email.utils.formatdate(second, usegmt=True)


def _subject(subject: str) -> str:
    """The Subject header's value: a line break in it would end the header (and start another
    one), so whitespace runs become one space; beyond ASCII, RFC 2047 encoded words; folded at
    spaces past 78 characters."""
    if not subject.isprintable():
        subject = " ".join(subject.split())
    if subject.isascii() and subject.isprintable():
        if len(subject) <= _FOLD_AT:
            return subject
        return Header(subject, header_name="Subject").encode(linesep="\r\n")
    return Header(subject, _UTF8, header_name="Subject").encode(linesep="\r\n")


def from_header(mail_from: str) -> tuple[str, str]:
    """(the From header's value, the envelope sender) of a configured `Name <address>`."""
    name, address = email.utils.parseaddr(mail_from)
    if not address:
        raise ValueError(f"not a sender address: {mail_from!r}")
    return email.utils.formataddr((name, address), charset="utf-8"), address


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
        self._from_header, self._sender = from_header(mail_from)
        self._timeout_s = timeout_s
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[SmtpConnection] = []
        self._local_hostname = socket.gethostname()  # not getfqdn(): no DNS lookup per connection

    async def send(self, mail: Email, *, key: str) -> None:
        """Deliver `mail`; DeliveryError (temporary) or PermanentDeliveryError (a 5xx refusal)."""
        try:
            message = mail_bytes(mail, mail_from=self._from_header, key=key)
        except ValueError as exc:  # a header that cannot be written (UnicodeError included)
            raise PermanentDeliveryError("the mail cannot be built") from exc
        async with self._slots:
            try:
                async with asyncio.timeout(self._timeout_s):
                    connection = await self._send(mail.to, message)
            except BaseException as exc:
                translated = _translate(exc)
                if translated is exc:
                    raise
                raise translated from exc
            self._idle.append(connection)

    async def _send(self, to: str, message: bytes) -> SmtpConnection:
        """The mail sent on an idle connection, else a new one; the connection, to reuse."""
        while self._idle:
            connection = self._idle.pop()
            if not connection.is_connected:
                continue
            try:
                await connection.send(self._sender, to, message)
            except (SmtpDisconnected, SmtpReplyError) as exc:
                connection.close()
                if _closed_while_idle(exc):
                    # Nothing was sent on it (the content waits for DATA's 354): the mail
                    # goes on a fresh connection rather than back to the queue.
                    continue
                raise
            except BaseException:
                connection.close()
                raise
            return connection
        connection = await SmtpConnection.open(
            self._host, self._port, local_hostname=self._local_hostname
        )
        try:
            await connection.send(self._sender, to, message)
        except BaseException:
            connection.close()  # any error: its SMTP state is unknown
            raise
        return connection

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            try:
                async with asyncio.timeout(1.0):
                    await connection.quit()
            except (SmtpDisconnected, SmtpReplyError, OSError, TimeoutError):
                pass
            finally:
                connection.close()


def _closed_while_idle(exc: Exception) -> bool:
    """Did a reused connection fail before any of the mail went out: gone before the content
    was written, or MAIL refused (a 421: the server is closing it)?"""
    if isinstance(exc, SmtpReplyError):
        return exc.command == "MAIL"
    return isinstance(exc, SmtpDisconnected) and not exc.after_content


def _translate(exc: BaseException) -> BaseException:
    """SMTP failures → DeliveryError; anything else (a cancellation, a bug) as it is."""
    if isinstance(exc, SmtpReplyError):
        # Only the code: the server's text may quote the address.
        kind = PermanentDeliveryError if 500 <= exc.code < 600 else DeliveryError
        if exc.command == "RCPT":
            return kind(f"SMTP refused the recipient ({exc.code})")
        return kind(f"SMTP answered {exc.code}")
    if isinstance(exc, OSError | TimeoutError):  # SmtpDisconnected is a ConnectionError
        return DeliveryError(f"SMTP server unavailable ({type(exc).__name__})")
    return exc
