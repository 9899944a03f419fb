"""A TCP proxy in front of the test Redis that a test can cut and restore: Redis "going away"
for one client only (the server is shared with every other test), on the same address.

`async with RedisProxy(redis_url) as proxy:` → `proxy.url` reaches the same Redis database
through 127.0.0.1:<port>; `await proxy.cut()` closes every connection and refuses new ones;
`await proxy.restore()` listens on the same port again. The upstream may be TCP (`redis://`) or
a unix socket (`unix://`, the embedded Redis).
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from tests.support.fake_server import Faults
from tests.support.tcp_proxy import _pipe


class RedisProxy:
    def __init__(self, redis_url: str) -> None:
        parts = urlsplit(redis_url)
        self._unix_path = parts.path if parts.scheme == "unix" else None
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 6379)
        db = parse_qs(parts.query).get("db", [""])[0] or (
            parts.path.lstrip("/") if parts.scheme != "unix" else ""
        )
        self._db = db or "0"
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.faults = Faults()  # a proxy that breaks on its own fails the test on leaving
        self.port = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/{self._db}"

    async def __aenter__(self) -> RedisProxy:
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

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._unix_path is not None:
            up_reader, up_writer = await asyncio.open_unix_connection(self._unix_path)
        else:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        self._writers |= {writer, up_writer}
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
