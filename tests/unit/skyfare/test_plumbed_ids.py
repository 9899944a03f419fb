"""What the plumbing tells a view and its logs about each request: its request id (the one sent
when sane, else a minted one) and its trace id, set for every request, so nothing of one request
shows in the next that runs in the same context."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

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
