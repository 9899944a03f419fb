"""A small HTTP/1.1 server over a real socket for the HTTP clients' tests: it records every
request (its connection's number, request line, headers, body) and answers as the test says."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Received:
    connection: int
    line: str  # the request line, e.g. "GET /air/offers?x=1 HTTP/1.1"
    headers: dict[str, str]
    body: bytes


# What the server does with a request: the raw answer, or None to close without answering.
Answer = Callable[[Received], bytes | None]


@dataclass
class Server:
    url: str
    received: list[Received] = field(default_factory=list)
    opened: int = 0
    arrivals: asyncio.Queue[Received] = field(default_factory=asyncio.Queue)


def ok(request: Received) -> bytes:
    body = request.line.encode() + b"|" + request.body
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


@asynccontextmanager
async def server(
    answer: Answer = ok, *, gate: asyncio.Event | None = None, close_after_answer: bool = False
) -> AsyncIterator[Server]:
    """A server answering each request with `answer` (after `gate` is set, when given), closing
    the connection after the first answer with `close_after_answer`."""
    state = Server(url="")
    handlers: set[asyncio.Task[None]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state.opened += 1
        number = state.opened
        handlers.add(asyncio.current_task())  # type: ignore[arg-type]
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                line, *rest = head[:-4].split("\r\n")
                headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in rest)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                request = Received(number, line, headers, body)
                state.received.append(request)
                state.arrivals.put_nowait(request)
                if gate is not None:
                    await gate.wait()
                raw = answer(request)
                if raw is None:
                    return
                writer.write(raw)
                await writer.drain()
                if close_after_answer:
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    listener = await asyncio.start_server(serve, "127.0.0.1", 0)
    state.url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}/air"
    try:
        yield state
    finally:
        listener.close()
        # The client's closes reach the handlers a loop turn or two later: let them end.
        if handlers:
            await asyncio.wait(handlers, timeout=5)
        await listener.wait_closed()
