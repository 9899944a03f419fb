"""An airline's connections (connectors/http.py over kernel/http1.py) against a real socket: what
every call carries, the pool sized by the bulkhead, and the boundary's errors with their shape."""

from __future__ import annotations

import asyncio

import pytest

from connectors import errors
from connectors.http import USER_AGENT, AirlineSession
from kernel.timeouts import Cut
from tests.support.http1_server import Received, server


async def test_calls_carry_the_user_agent_and_the_airlines_headers_under_its_base_path() -> None:
    async with server() as srv:
        session = AirlineSession(
            "air", srv.url + "/", max_connections=2, max_timeout_s=5.0, headers={"X-Key": "k"}
        )
        status, body = await session.call("GET", "/bookings?reference=AB1", timeout=5.0)
        await session.close()

    assert (status, body) == (200, b"GET /air/bookings?reference=AB1 HTTP/1.1|")
    assert srv.received[0].headers["user-agent"] == USER_AGENT
    assert srv.received[0].headers["x-key"] == "k"


async def test_an_airline_never_has_more_connections_than_its_pool() -> None:
    gate = asyncio.Event()
    async with server(gate=gate) as srv:
        session = AirlineSession("air", srv.url, max_connections=3, max_timeout_s=5.0)
        calls = [
            asyncio.create_task(session.call("POST", "/search", body=b"q", timeout=5.0))
            for _ in range(8)
        ]
        for _ in range(3):
            await srv.arrivals.get()
        gate.set()
        answers = await asyncio.gather(*calls)
        await session.close()

    assert {status for status, _ in answers} == {200}
    assert srv.opened == 3


async def test_a_call_over_its_budget_is_the_airlines_timeout_and_its_connection_is_dropped() -> (
    None
):
    gate = asyncio.Event()
    async with server(gate=gate) as srv:
        session = AirlineSession("air", srv.url, max_connections=1, max_timeout_s=5.0)
        with pytest.raises(errors.ConnectorTimeout, match=r"air: /search took over 0\.050s"):
            await session.call("POST", "/search", body=b"q", timeout=0.05)
        gate.set()  # the late answer to the first call must not be taken for the second's
        status, body = await session.call("POST", "/search", body=b"again", timeout=5.0)
        await session.close()

    assert (status, body) == (200, b"POST /air/search HTTP/1.1|again")
    assert [r.connection for r in srv.received] == [1, 2]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"SSH-2.0-OpenSSH\r\n\r\n", "BadAnswer: the answer is not HTTP/1.x"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\ncut", "ConnectionResetError"),
        (None, "ClosedBeforeAnswer: the connection closed before the answer"),
    ],
    ids=["not http", "cut off", "closed"],
)
async def test_what_the_network_does_wrong_makes_the_airline_unavailable(
    raw: bytes | None, error: str
) -> None:
    def answer(request: Received) -> bytes | None:
        return raw

    async with server(answer, close_after_answer=True) as srv:
        session = AirlineSession("air", srv.url, max_connections=1, max_timeout_s=5.0)
        with pytest.raises(errors.ConnectorUnavailable) as failure:
            await session.call("POST", "/search?x=1", body=b"q", timeout=5.0)
        await session.close()

    assert str(failure.value).startswith(f"air: /search: {error}")


async def test_an_answer_over_the_cap_makes_the_airline_unavailable() -> None:
    def huge(request: Received) -> bytes:
        return b"HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n"

    async with server(huge) as srv:
        session = AirlineSession("air", srv.url, max_connections=1, max_timeout_s=5.0)
        with pytest.raises(errors.ConnectorUnavailable, match="body is too long"):
            await session.call("GET", "/offers", timeout=5.0)
        await session.close()


async def test_a_call_given_a_cut_is_cut_by_its_callers_timer_and_its_connection_dropped() -> None:
    gate = asyncio.Event()
    async with server(gate=gate) as srv:
        session = AirlineSession("air", srv.url, max_connections=1, max_timeout_s=5.0)
        with pytest.raises(TimeoutError) as cut:  # the caller's, untranslated: none of its own
            async with asyncio.timeout(0.05):
                await session.call("POST", "/search", body=b"q", timeout=Cut(0.05))
        gate.set()
        status, body = await session.call("POST", "/search", body=b"again", timeout=5.0)
        await session.close()

    assert not isinstance(cut.value, errors.ConnectorTimeout)
    assert (status, body) == (200, b"POST /air/search HTTP/1.1|again")
    assert [r.connection for r in srv.received] == [1, 2]


async def test_the_airlines_ceiling_still_cuts_a_call_given_a_longer_cut() -> None:
    gate = asyncio.Event()
    async with server(gate=gate) as srv:
        session = AirlineSession("air", srv.url, max_connections=1, max_timeout_s=0.05)
        with pytest.raises(errors.ConnectorTimeout, match=r"air: /search took over 0\.050s"):
            await session.call("POST", "/search", body=b"q", timeout=Cut(5.0))
        gate.set()
        await session.close()
