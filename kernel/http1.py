"""Requests to one HTTP/1.1 origin over kept-alive connections: the SMS provider's client and the
airlines' (connectors/http.py).

aiohttp's client cost ~100 µs of CPU per SMS and ~250–300 µs per airline call in Python alone
(merging headers, the connector, timers, tracing hooks, its parser; bench/results/
2026-12-04-cold-cpu.md). Calls to one origin with a few fixed headers need none of it: the
request is one write, and the answer is read with asyncio's stream reader (status line, headers,
a body by Content-Length, chunked or to the end of the connection). TLS when the URL is https.

At most `connections` are open at once; a call waits for one. A connection is reused only after
an answer read whole; a call that fails, times out or is cancelled part-way closes its own, so
nothing half-read is ever reused. An idle connection older than `idle_timeout_s` is closed
rather than reused (the server may be about to close it). One that the server closed while
idle, found closed only after the request was written (nothing of an answer read), is tried once
more on a new connection when the method is idempotent; a POST that may have been received is
never sent twice (the caller's retry policy decides, knowing what the call does).

With tracing on (kernel/tracing.py), each request is a CLIENT span whose `traceparent` goes
with it, as aiohttp's client instrumentation did; off, that costs one check.

Errors: OSError (ConnectionError included) when the connection fails or closes early,
`BadAnswer` (a ValueError) when the answer is not HTTP/1.x or is over the size limits. The caller
bounds each call with its own timeout (`asyncio.timeout`).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

from kernel import tracing

MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024
# RFC 9110 §9.2.2: sending one of these twice has the effect of sending it once.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
_TARGET_SAFE = "/?&=%:@!$'()*+,;~-._"


class BadAnswer(ValueError):
    """The answer is not HTTP/1.x, or its head or body is over the limits."""


class ClosedBeforeAnswer(ConnectionResetError):
    """The connection closed (or was reset) before a whole status line and head arrived."""


class _Connection:
    __slots__ = ("idle_since", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    @property
    def usable(self) -> bool:
        return not (self.reader.at_eof() or self.writer.is_closing())

    def close(self) -> None:
        self.writer.close()


class Http1Origin:
    """`await origin.request("POST", body=b"…")` → (status, body), to `url`'s scheme, host and
    port, with `headers` on every request; `target` (a path with its query) defaults to `url`'s."""

    def __init__(
        self,
        url: str,
        headers: Mapping[str, str],
        *,
        connections: int,
        idle_timeout_s: float = 30.0,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self._origin = (parts.scheme, parts.netloc)
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._ssl = ssl.create_default_context() if parts.scheme == "https" else None
        self.path = self.target(url)
        self._fixed = _header_lines({"Host": parts.netloc, **headers})
        self._idle_timeout_s = idle_timeout_s
        self._max_body_bytes = max_body_bytes
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[_Connection] = []  # the most recently used last
        self._closed = False

    def target(self, url: str) -> str:
        """The request target (path and query) of `url`; `ValueError` if on another origin."""
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin:
            raise ValueError(f"{url!r} is not on {self._origin[0]}://{self._origin[1]}")
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    async def request(
        self,
        method: str,
        target: str | None = None,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        target = self.path if target is None else target
        if tracing.enabled():
            return await self._traced(method, target, body, headers)
        return await self._request(method, target, body, headers)

    async def _traced(
        self, method: str, target: str, body: bytes | None, headers: Mapping[str, str] | None
    ) -> tuple[int, bytes]:
        scheme, netloc = self._origin
        attributes: dict[str, tracing.AttributeValue] = {
            "http.request.method": method,
            "url.full": f"{scheme}://{netloc}{target}",
            "server.address": self._host,
            "server.port": self._port,
        }
        with tracing.span(method, client=True, attributes=attributes) as current:
            traceparent = tracing.current_traceparent()
            if traceparent is not None:
                headers = {**(headers or {}), tracing.TRACEPARENT: traceparent}
            status, answer = await self._request(method, target, body, headers)
            if current is not None:
                current.set_attribute("http.response.status_code", status)
            return status, answer

    async def _request(
        self, method: str, target: str, body: bytes | None, headers: Mapping[str, str] | None
    ) -> tuple[int, bytes]:
        message = self._message(method, target, body, headers)
        async with self._slots:
            connection = self._idle_connection()
            if connection is None:
                return await self._exchange(await self._connect(), message, method)
            try:
                return await self._exchange(connection, message, method)
            except ClosedBeforeAnswer:
                if method not in IDEMPOTENT_METHODS:
                    raise  # it may have been received: never sent twice
            # A kept-alive connection the server had closed: once more, on a new one.
            return await self._exchange(await self._connect(), message, method)

    async def post(self, body: bytes) -> tuple[int, bytes]:
        """POST `body` to the URL's own target."""
        return await self.request("POST", body=body)

    def _message(
        self, method: str, target: str, body: bytes | None, headers: Mapping[str, str] | None
    ) -> bytes:
        if not (target.isascii() and target.isprintable()) or " " in target:
            target = quote(target, safe=_TARGET_SAFE)
        head = f"{method} {target} HTTP/1.1\r\n{self._fixed}"
        if headers:
            head += _header_lines(headers)
        if body is None:
            return (head + "\r\n").encode("latin-1")
        return (head + f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body

    async def _exchange(
        self, connection: _Connection, message: bytes, method: str
    ) -> tuple[int, bytes]:
        try:
            connection.writer.write(message)
            status, answer, keep = await _read_response(
                connection.reader, self._max_body_bytes, head_only=method == "HEAD"
            )
        except BaseException:
            connection.close()  # its state is unknown: never reused
            raise
        if keep and not self._closed:
            connection.idle_since = asyncio.get_running_loop().time()
            self._idle.append(connection)
        else:
            connection.close()
        return status, answer

    def _idle_connection(self) -> _Connection | None:
        if not self._idle:
            return None
        too_old = asyncio.get_running_loop().time() - self._idle_timeout_s
        while self._idle and self._idle[0].idle_since <= too_old:
            self._idle.pop(0).close()
        while self._idle:
            connection = self._idle.pop()
            if connection.usable:
                return connection
            connection.close()  # the server closed it while it was idle
        return None

    async def _connect(self) -> _Connection:
        reader, writer = await asyncio.open_connection(
            self._host, self._port, ssl=self._ssl, limit=MAX_HEAD_BYTES
        )
        return _Connection(reader, writer)

    async def close(self) -> None:
        """Close the idle connections; those in use close when their call ends."""
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _header_lines(headers: Mapping[str, str]) -> str:
    text = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    # A CR or LF inside a name or value would start a header (or a request) of its own.
    if text.count("\n") != len(headers) or text.count("\r") != len(headers):
        raise ValueError("a header name or value holds a line break")
    return text


async def _read_response(
    reader: asyncio.StreamReader, max_body: int, *, head_only: bool = False
) -> tuple[int, bytes, bool]:
    """(status, body, whether the connection can be reused)."""
    status, headers, keep = await _read_head(reader)
    while 100 <= status < 200:  # interim answers (103 Early Hints): the final one follows
        status, headers, keep = await _read_head(reader)
    try:
        if head_only or status in (204, 304):  # no body, whatever the headers say
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = await _chunked(reader, max_body)
        elif "content-length" in headers:
            length = int(headers["content-length"])
            if not 0 <= length <= max_body:
                raise BadAnswer("the answer's body is too long")
            body = await reader.readexactly(length)
        else:  # the body runs to the end of the connection
            body, keep = await _to_the_end(reader, max_body), False
    except asyncio.IncompleteReadError as exc:
        raise ConnectionResetError("the connection closed in the answer's body") from exc
    except asyncio.LimitOverrunError as exc:
        raise BadAnswer("a chunk's size line is too long") from exc
    except BadAnswer:
        raise
    except ValueError as exc:  # int() of a length or a chunk size
        raise BadAnswer(f"the answer's framing is not HTTP/1.1: {exc}") from exc
    return status, body, keep


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bool]:
    """(status, headers by lower-case name, whether HTTP/1.1 keeps the connection)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise ConnectionResetError("the connection closed in the answer's head") from exc
        raise ClosedBeforeAnswer("the connection closed before the answer") from exc
    except asyncio.LimitOverrunError as exc:
        raise BadAnswer("the answer's head is too long") from exc
    except ConnectionResetError as exc:  # a reset drops whatever part of a head had arrived
        raise ClosedBeforeAnswer(f"the connection was reset before the answer: {exc}") from exc
    status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
        raise BadAnswer("the answer is not HTTP/1.x")
    headers: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    return int(rest[:3]), headers, keep


async def _to_the_end(reader: asyncio.StreamReader, max_body: int) -> bytes:
    # `read(n)` answers with what has arrived so far, not with everything up to n bytes.
    body = bytearray()
    while part := await reader.read(MAX_HEAD_BYTES):
        body += part
        if len(body) > max_body:
            raise BadAnswer("the answer's body is too long")
    return bytes(body)


async def _chunked(reader: asyncio.StreamReader, max_body: int) -> bytes:
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
            return bytes(body)
        if len(body) + size > max_body:
            raise BadAnswer("the answer's body is too long")
        body += await reader.readexactly(size)
        await reader.readexactly(2)
