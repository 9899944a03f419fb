"""One SMTP connection, with command pipelining (RFC 2920) when the server offers it.

A mail takes MAIL FROM, RCPT TO, DATA and the content. With PIPELINING the first three go out
in one write and their replies are read in order: two round trips a mail instead of four, which
halved the writes and wake-ups the worker spent per mail. aiosmtplib reads one reply per command
written and cannot pipeline, hence this small client. Without PIPELINING (a server that does
not offer it) the commands go one at a time, as before.

Errors: `SmtpReplyError` (the server answered `code` to a command; its text is not kept: it may
quote the address), `SmtpDisconnected` (the connection is gone, or spoke no SMTP). Cancel a
command (a timeout) and the connection's state is unknown: close it.
"""

from __future__ import annotations

import asyncio
import collections
import re
from typing import cast

MAX_REPLY_BYTES = 64 * 1024  # a reply (EHLO's is the longest) is a few hundred bytes
_LEADING_DOT = re.compile(rb"(?m)^\.")


class SmtpDisconnected(ConnectionError):
    """The connection was lost or closed, or the server's answer was not SMTP; `after_content`:
    after the mail's content was written (the server may have taken it)."""

    def __init__(self, message: str, *, after_content: bool = False) -> None:
        super().__init__(message)
        self.after_content = after_content


class SmtpReplyError(Exception):
    """The server answered `code` to `command` (`MAIL`, `RCPT`, `DATA`, `EHLO`, …)."""

    def __init__(self, command: str, code: int) -> None:
        super().__init__(f"SMTP answered {code} to {command}")
        self.command = command
        self.code = code


class SmtpConnection(asyncio.Protocol):
    """`await SmtpConnection.open(host, port, local_hostname=...)`, then `send` per mail."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiting: collections.deque[asyncio.Future[int]] = collections.deque()
        self._lost: SmtpDisconnected | None = None
        self._extensions: list[bytes] = []
        self.pipelining = False

    @classmethod
    async def open(cls, host: str, port: int, *, local_hostname: str) -> SmtpConnection:
        """Connected, greeted and introduced (EHLO, else HELO); unbounded: bound it."""
        _, connection = await asyncio.get_running_loop().create_connection(cls, host, port)
        try:
            await connection._expect(b"", "greeting", 220)
            connection.pipelining = await connection._hello(local_hostname)
        except BaseException:
            connection.close()
            raise
        return connection

    @property
    def is_connected(self) -> bool:
        return self._lost is None and self._transport is not None

    async def send(self, sender: str, recipient: str, message: bytes) -> None:
        """One mail: `message` with CRLF line ends (dot-stuffed here). SmtpReplyError for a
        refusal, SmtpDisconnected when the connection is gone. The content goes out only after
        the server answered 354 to DATA."""
        commands = (f"MAIL FROM:<{sender}>\r\n".encode(), f"RCPT TO:<{recipient}>\r\n".encode())
        steps = (*commands, b"DATA\r\n")
        codes = await self._execute(b"".join(steps), 3) if self.pipelining else []
        for number, (command, wanted) in enumerate((("MAIL", 250), ("RCPT", 250), ("DATA", 354))):
            code = codes[number] if codes else (await self._execute(steps[number], 1))[0]
            if code != wanted and not (command == "RCPT" and code == 251):
                raise SmtpReplyError(command, code)
        if not message.endswith(b"\r\n"):
            message += b"\r\n"
        try:
            await self._expect(_LEADING_DOT.sub(b"..", message) + b".\r\n", "DATA", 250)
        except SmtpDisconnected as exc:
            raise SmtpDisconnected(str(exc), after_content=True) from exc

    async def quit(self) -> None:
        await self._execute(b"QUIT\r\n", 1)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    async def _hello(self, local_hostname: str) -> bool:
        """EHLO (HELO for a server that refuses it); whether the server offers PIPELINING."""
        code = (await self._execute(f"EHLO {local_hostname}\r\n".encode(), 1))[0]
        if code != 250:
            await self._expect(f"HELO {local_hostname}\r\n".encode(), "HELO", 250)
            return False
        return any(line.upper() == b"PIPELINING" for line in self._extensions)

    async def _expect(self, data: bytes, command: str, wanted: int) -> None:
        code = (await self._execute(data, 1))[0]
        if code != wanted:
            raise SmtpReplyError(command, code)

    async def _execute(self, data: bytes, replies: int) -> list[int]:
        """Write `data` (nothing for b"") and read `replies` replies' codes, in order."""
        if self._lost is not None or self._transport is None:
            raise self._lost or SmtpDisconnected("not connected")
        loop = asyncio.get_running_loop()
        futures = [loop.create_future() for _ in range(replies)]
        self._waiting.extend(futures)
        if data:
            self._transport.write(data)
        self._deliver()  # the greeting may have come before anyone waited for it
        return [await future for future in futures]

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is no subclass of it

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._deliver()

    def eof_received(self) -> bool:
        return False  # the server closed its side: close ours (connection_lost follows)

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = SmtpDisconnected("the SMTP connection was lost")
        self._fail(self._lost)

    def _deliver(self) -> None:
        while self._waiting:
            try:
                code = self._reply()
            except SmtpDisconnected as exc:
                self._lost = exc
                self._fail(exc)
                self.close()
                return
            if code is None:
                return
            future = self._waiting.popleft()
            if not future.done():
                future.set_result(code)

    def _reply(self) -> int | None:
        """The code of the next complete reply in the buffer (taken out of it), or None. The
        first words of a multi-line reply's further lines (EHLO's keywords) go to `_extensions`."""
        offset, lines = 0, []
        while (end := self._buffer.find(b"\n", offset)) >= 0:
            line = bytes(self._buffer[offset:end]).rstrip(b"\r")
            offset = end + 1
            if len(line) < 3 or not line[:3].isdigit():
                raise SmtpDisconnected("the server's answer is not an SMTP reply")
            lines.append(line)
            if line[3:4] == b"-":  # a multi-line reply goes on
                continue
            del self._buffer[:offset]
            if len(lines) > 1:
                self._extensions = [text[4:].split(b" ", 1)[0] for text in lines[1:]]
            return int(line[:3])
        if len(self._buffer) > MAX_REPLY_BYTES:
            raise SmtpDisconnected("the server's reply is too long")
        return None

    def _fail(self, exc: SmtpDisconnected) -> None:
        waiting, self._waiting = self._waiting, collections.deque()
        for future in waiting:
            if not future.done():
                future.set_exception(exc)
                future.exception()  # retrieved: nobody may await the later ones
