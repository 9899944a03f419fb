"""What every airline client shares at the HTTP level: its session, and its network errors."""

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


@contextmanager
def network_errors(airline: str, what: str, budget: float) -> Iterator[None]:
    """Translate what the network raises during `what` into the airline boundary's errors."""
    try:
        yield
    except TimeoutError as exc:  # before OSError, of which it is a subclass
        raise errors.ConnectorTimeout(f"{airline}: {what} took over {budget:.3f}s") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise errors.ConnectorUnavailable(f"{airline}: {what}: {exc!r}") from exc
