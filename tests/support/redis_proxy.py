"""A TCP proxy in front of the test Redis that a test can cut and restore: Redis "going away"
for one client only (the server is shared with every other test), on the same address.

`async with RedisProxy(redis_url) as proxy:` → `proxy.url` reaches the same Redis database
through 127.0.0.1:<port>; `await proxy.cut()` closes every connection and refuses new ones;
`await proxy.restore()` listens on the same port again. The upstream may be TCP (`redis://`) or
a unix socket (`unix://`, the embedded Redis).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.support.tcp_proxy import CuttableProxy


class RedisProxy(CuttableProxy):
    def __init__(self, redis_url: str) -> None:
        parts = urlsplit(redis_url)
        db = parse_qs(parts.query).get("db", [""])[0] or (
            parts.path.lstrip("/") if parts.scheme != "unix" else ""
        )
        self._db = db or "0"
        super().__init__(
            (parts.hostname or "127.0.0.1", parts.port or 6379),
            parts.path if parts.scheme == "unix" else None,
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/{self._db}"
