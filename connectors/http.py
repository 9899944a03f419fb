"""What every airline client shares at the HTTP level: its session (opened, closed and capped
the same way for REST, SOAP and NDC), and its network errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import aiohttp

from connectors import errors

USER_AGENT = "skyfare/0.1"


def airline_session(
    *, max_connections: int, max_timeout_s: float, headers: Mapping[str, str] | None = None
) -> aiohttp.ClientSession:
    """One airline's own session: its pool (the size of its bulkhead) and a ceiling per call."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=max_connections, keepalive_timeout=30),
        # Never the 300 s library default: each call passes its own remaining budget.
        timeout=aiohttp.ClientTimeout(total=max_timeout_s),
        headers={"User-Agent": USER_AGENT, **(headers or {})},
    )


class AirlineSession:
    """One airline's `airline_session`, opened by its connector's start (or by the first call
    of a client used on its own) and closed with it; and the ceiling on each call's budget."""

    def __init__(
        self,
        airline: str,
        *,
        max_connections: int,
        max_timeout_s: float,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._airline = airline
        self._max_connections = max_connections
        self.max_timeout_s = max_timeout_s
        self._headers = headers
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        if self._session is None:
            self._session = airline_session(
                max_connections=self._max_connections,
                max_timeout_s=self.max_timeout_s,
                headers=self._headers,
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def opened(self) -> aiohttp.ClientSession:
        """The session, opened now if it was not yet."""
        await self.open()
        assert self._session is not None
        return self._session

    def started(self) -> aiohttp.ClientSession:
        """The session of a started client; `ConnectorUnavailable` before `open`."""
        if self._session is None:
            raise errors.ConnectorUnavailable(f"{self._airline}: not started")
        return self._session

    def budget(self, timeout: float, what: str) -> float:
        """The time `what` may take: the caller's `timeout`, never over the airline's ceiling;
        `ConnectorTimeout` when none is left."""
        budget = min(timeout, self.max_timeout_s)
        if budget <= 0:
            raise errors.ConnectorTimeout(f"{self._airline}: no time left for {what}")
        return budget


@contextmanager
def network_errors(airline: str, what: str, budget: float) -> Iterator[None]:
    """Translate what the network raises during `what` into the airline boundary's errors."""
    try:
        yield
    except TimeoutError as exc:  # before OSError, of which it is a subclass
        raise errors.ConnectorTimeout(f"{airline}: {what} took over {budget:.3f}s") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise errors.ConnectorUnavailable(f"{airline}: {what}: {exc!r}") from exc
