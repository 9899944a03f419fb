"""What the plumbing tells a view and its logs about each request: its request id (the one sent
when sane, else a minted one) and its trace id, set for every request, so nothing of one request
shows in the next that runs in the same context."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from kernel.http import add_response_headers
from skyfare.plumbing import plumbed
from skyfare.request_id import current_request_id, current_trace_id

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE}-00f067aa0ba902b7-01"


async def _seen(headers: dict[str, str]) -> tuple[str, str, str]:
    """The request id and trace id the view saw, and the X-Request-Id answered."""
    seen: list[str] = []

    async def view(request: web.Request) -> web.Response:
        seen.extend((current_request_id.get(), current_trace_id.get()))
        return web.Response(text="ok")

    response = await plumbed(view, None)(make_mocked_request("GET", "/v1/x", headers=headers))
    return seen[0], seen[1], response.headers["X-Request-Id"]


async def test_a_request_without_ids_follows_one_with_them_and_keeps_none_of_them() -> None:
    assert await _seen({"X-Request-Id": "req-42", "traceparent": TRACEPARENT}) == (
        "req-42",
        TRACE,
        "req-42",
    )

    request_id, trace_id, answered = await _seen({})

    assert request_id not in ("req-42", "-")
    assert answered == request_id
    assert trace_id == "-"


@pytest.mark.parametrize("sent", ["", "with space", "a" * 129])
async def test_an_unsafe_request_id_is_replaced_and_the_replacement_answered(sent: str) -> None:
    request_id, trace_id, answered = await _seen({"X-Request-Id": sent, "traceparent": "bad"})

    assert request_id != sent
    assert answered == request_id
    assert trace_id == "-"


async def test_each_answer_owes_its_own_headers_in_one_order() -> None:
    """A route's override of an owed header (the docs' assets: cacheable) is its request's alone,
    and every answer lists the owed headers in the same order after the view's own."""

    async def cacheable(request: web.Request) -> web.Response:
        add_response_headers(request, {"Cache-Control": "public, max-age=60"})
        return web.Response(text="ok", headers={"X-Cache": "HIT"})

    async def plain(request: web.Request) -> web.Response:
        return web.Response(text="ok", headers={"X-Cache": "HIT"})

    first = await plumbed(cacheable, None)(make_mocked_request("GET", "/a"))
    second = await plumbed(plain, None)(make_mocked_request("GET", "/b"))

    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert second.headers["Cache-Control"] == "no-store"
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    for response in (first, second):
        assert list(response.headers) == [
            "X-Cache",
            "Content-Type",
            "X-Request-Id",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Content-Security-Policy",
            "Cache-Control",
            "Server",
        ]
