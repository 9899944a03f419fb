"""POSTs to one HTTP/1.1 origin over kept-alive connections: the SMS provider's client.

aiohttp's client spent ~100 µs of the worker's CPU per SMS (merging headers, the connector,
timers, tracing hooks, its parser), a quarter of the worker's time per event. One request shape
to one origin needs none of it: the request head is built once, a request is one write, and the
answer is read with asyncio's stream reader (status line, headers, a body by Content-Length or
chunked). TLS when the URL is https. Errors: OSError (ConnectionError included) when the
connection fails or closes early, ValueError when the answer is not HTTP/1.x; the caller bounds
each call with its own timeout.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @property
    def usable(self) -> bool:
        return not (self.reader.at_eof() or self.writer.is_closing())

    def close(self) -> None:
        self.writer.close()


class Http1Origin:
    """`await origin.post(body)` → (status, body) for `url`, sent with `headers`; at most
    `connections` open at once (further calls wait for one)."""

    def __init__(self, url: str, headers: Mapping[str, str], *, connections: int) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._ssl = ssl.create_default_context() if parts.scheme == "https" else None
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
        lines = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self._head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode("latin-1")
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[_Connection] = []

    async def post(self, body: bytes) -> tuple[int, bytes]:
        async with self._slots:
            connection = await self._connection()
            try:
                connection.writer.write(self._head + b"%d\r\n\r\n" % len(body) + body)
                status, answer, keep = await _read_response(connection.reader)
            except BaseException:
                connection.close()  # its state is unknown: never reused
                raise
            if keep:
                self._idle.append(connection)
            else:
                connection.close()
            return status, answer

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            if connection.usable:
                return connection
            connection.close()  # the server closed it while it was idle
        reader, writer = await asyncio.open_connection(
            self._host, self._port, ssl=self._ssl, limit=MAX_HEAD_BYTES
        )
        return _Connection(reader, writer)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, whether the connection can be reused)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        raise ConnectionResetError("the connection closed before the answer") from exc
    except asyncio.LimitOverrunError as exc:
        raise ValueError("the answer's head is too long") from exc
    status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
        raise ValueError("the answer is not HTTP/1.x")
    headers: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    status = int(rest[:3])
    keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    try:
        if status in (204, 304) or 100 <= status < 200:  # no body, whatever the headers say
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = await _chunked(reader)
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if not 0 <= length <= MAX_BODY_BYTES:
                raise ValueError("the answer's body is too long")
            body = await reader.readexactly(length)
        else:  # the body runs to the end of the connection
            body, keep = await _to_the_end(reader), False
    except asyncio.IncompleteReadError as exc:
        raise ConnectionResetError("the connection closed in the answer's body") from exc
    return status, body, keep


async def _to_the_end(reader: asyncio.StreamReader) -> bytes:
    # `read(n)` answers with what has arrived so far, not with everything up to n bytes.
    body = bytearray()
    while part := await reader.read(MAX_HEAD_BYTES):
        body += part
        if len(body) > MAX_BODY_BYTES:
            raise ValueError("the answer's body is too long")
    return bytes(body)


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
            return bytes(body)
        if len(body) + size > MAX_BODY_BYTES:
            raise ValueError("the answer's body is too long")
        body += await reader.readexactly(size)
        await reader.readexactly(2)
