"""A TCP proxy in front of PostgreSQL that a test can cut and restore: a database "going down"
and "coming back" on the same address, without touching the real server.

`async with PostgresProxy(database_url) as proxy:` → `proxy.url` reaches the same database through
127.0.0.1:<port>; `await proxy.cut()` closes every connection and refuses new ones;
`await proxy.restore()` listens on the same port again; `proxy.stall()` holds every byte until
`proxy.resume()` (a server that hangs); `proxy.slow_on(marker, seconds)` stalls for `seconds`
when a client next sends `marker` (a server slow to answer that command);
`await proxy.send_to_clients(data)` writes `data` to every client as if the server had sent it
(a server's FATAL on an idle session, before it closes the socket).
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
from collections.abc import Callable
from types import TracebackType
from typing import Self
from urllib.parse import parse_qs, urlsplit

from tests.support.fake_server import Faults


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 to one upstream (TCP `host:port`, or a unix socket), which a
    test can `cut()` (every connection closed, new ones refused) and `restore()` on the same
    port. A subclass names its upstream and its `url`."""

    def __init__(self, upstream: tuple[str, int], unix_path: str | None) -> None:
        self._upstream = upstream
        self._unix_path = unix_path
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._clients: set[asyncio.StreamWriter] = set()
        # A proxy that breaks on its own would look like the server going down: record it and
        # fail the test on leaving (tests/support/fake_server.py).
        self.faults = Faults()
        self.port = 0
        self._flowing = asyncio.Event()  # cleared: a stall, bytes held both ways
        self._flowing.set()
        self._slow_on: tuple[bytes, float] | None = None

    async def __aenter__(self) -> Self:
        await self.restore()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.cut()
        if exc is None:
            self.faults.check()

    async def restore(self) -> None:
        self._server = await asyncio.start_server(
            self.faults.guard(self._serve), "127.0.0.1", self.port
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()
        self._clients.clear()

    def stall(self) -> None:
        """Hold every byte, both ways, until `resume`: the server hangs, its sockets stay open."""
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    def slow_on(self, marker: bytes, seconds: float) -> None:
        """Once, when a client sends bytes holding `marker` (in one read: keep it short), stall
        them and all else for `seconds`: the server slow to answer that one command."""
        self._slow_on = (marker, seconds)

    def _sent(self, data: bytes) -> None:
        if self._slow_on is None or self._slow_on[0] not in data:
            return
        seconds = self._slow_on[1]
        self._slow_on = None
        self.stall()
        asyncio.get_running_loop().call_later(seconds, self.resume)

    async def send_to_clients(self, data: bytes) -> None:
        for writer in list(self._clients):
            writer.write(data)
            await writer.drain()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._unix_path is not None:
            up_reader, up_writer = await asyncio.open_unix_connection(self._unix_path)
        else:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        self._writers |= {writer, up_writer}
        self._clients.add(writer)
        flowing = self._flowing
        await asyncio.gather(
            _pipe(reader, up_writer, flowing, self._sent), _pipe(up_reader, writer, flowing)
        )


class PostgresProxy(CuttableProxy):
    def __init__(self, database_url: str) -> None:
        parts = urlsplit(database_url)
        self._user = parts.username or "postgres"
        self._database = parts.path.lstrip("/") or self._user
        socket_dir = parse_qs(parts.query).get("host", [None])[0] or (
            parts.hostname if parts.hostname and parts.hostname.startswith("/") else None
        )
        super().__init__(
            (parts.hostname or "127.0.0.1", parts.port or 5432),
            _socket_file(socket_dir) if socket_dir else None,
        )

    @property
    def url(self) -> str:
        return f"postgresql://{self._user}@127.0.0.1:{self.port}/{self._database}"


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    flowing: asyncio.Event,
    seen: Callable[[bytes], None] | None = None,
) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            if seen is not None:
                seen(data)
            await flowing.wait()
            writer.write(data)
            await writer.drain()
    writer.close()


def _socket_file(directory: str) -> str:
    found = sorted(glob.glob(f"{directory}/.s.PGSQL.*"))
    found = [path for path in found if not path.endswith(".lock")]
    if not found:
        raise FileNotFoundError(f"no PostgreSQL socket in {directory}")
    return found[0]
