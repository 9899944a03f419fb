"""What every airline client shares at the HTTP level: its pool of kept-alive connections
(opened, closed and capped the same way for REST, SOAP and NDC), and its network errors.

The HTTP/1.1 client is kernel/http1.py (aiohttp's client cost ~250–300 µs of Python per airline
call, six calls a cold search: bench/results/2026-12-04-airline-client.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import urlsplit

from connectors import errors
from kernel.http1 import BadAnswer, Http1Origin
from kernel.logs import describe
from kernel.timeouts import within

USER_AGENT = "skyfare/0.1"
# Closed before the airline's server would (aiohttp's server keeps 75 s, most load balancers 60 s):
# a connection it is closing as we write to it fails a call that cannot always be sent again.
KEEPALIVE_S = 30.0
# Far above any answer of the airlines we map (a 3-slice SOAP shopping answer is ~0.5 MB): a
# runaway or hostile answer fails the call instead of filling the API's memory.
MAX_ANSWER_BYTES = 16 * 1024 * 1024


class AirlineSession:
    """One airline's connections to `base_url` (at most `max_connections`: the size of its
    bulkhead), opened by its connector's start (or by the first call of a client used on its
    own) and closed with it; and the ceiling on each call's budget."""

    def __init__(
        self,
        airline: str,
        base_url: str,
        *,
        max_connections: int,
        max_timeout_s: float,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._airline = airline
        self.base_url = base_url.rstrip("/")
        self._prefix = urlsplit(self.base_url).path  # of every call's path
        self._max_connections = max_connections
        self.max_timeout_s = max_timeout_s
        self._headers = {"User-Agent": USER_AGENT, **(headers or {})}
        self._origin: Http1Origin | None = None

    async def open(self) -> None:
        if self._origin is None:
            self._origin = Http1Origin(
                self.base_url,
                self._headers,
                connections=self._max_connections,
                idle_timeout_s=KEEPALIVE_S,
                max_body_bytes=MAX_ANSWER_BYTES,
            )

    async def close(self) -> None:
        if self._origin is not None:
            await self._origin.close()
            self._origin = None

    async def opened(self) -> Http1Origin:
        """The connections, opened now if they were not yet."""
        await self.open()
        assert self._origin is not None
        return self._origin

    def started(self) -> Http1Origin:
        """The connections of a started client; `ConnectorUnavailable` before `open`."""
        if self._origin is None:
            raise errors.ConnectorUnavailable(f"{self._airline}: not started")
        return self._origin

    def budget(self, timeout: float, what: str) -> float:
        """The time `what` may take: the caller's `timeout`, never over the airline's ceiling;
        `ConnectorTimeout` when none is left."""
        budget = min(timeout, self.max_timeout_s)
        if budget <= 0:
            raise errors.ConnectorTimeout(f"{self._airline}: no time left for {what}")
        return budget

    async def call(
        self,
        method: str,
        path: str,
        *,
        timeout: float,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """(status, body) of `method` on `base_url + path`, within the caller's `timeout` (never
        over the airline's ceiling); network failures raised as the airline boundary's errors.

        Given a `Cut` (the resilience layer's, unless the ceiling comes first) it arms no timer of
        its own: the caller's cuts the call, as it did first when both were armed, with the same
        `ConnectorTimeout`, outcome and breaker verdict (kernel/timeouts.py)."""
        origin = await self.opened()
        what = path.partition("?")[0]
        budget = self.budget(timeout, what)
        with network_errors(self._airline, what, budget):
            return await within(
                budget, origin.request(method, self._prefix + path, body=body, headers=headers)
            )


@contextmanager
def network_errors(airline: str, what: str, budget: float) -> Iterator[None]:
    """Translate what the network raises during `what` into the airline boundary's errors."""
    try:
        yield
    except TimeoutError as exc:  # before OSError, of which it is a subclass
        raise errors.ConnectorTimeout(f"{airline}: {what} took over {budget:.3f}s") from exc
    except (OSError, BadAnswer) as exc:
        raise errors.ConnectorUnavailable(f"{airline}: {what}: {describe(exc)}") from exc
