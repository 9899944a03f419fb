"""The cached search's lane (skyfare/cached_lane.py) from outside, over raw sockets: which
requests it answers, and that its answers are the full path's. A query or body the full path has
validated once is answered by the lane; aiohttp's path stays the reference."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from skyfare.cached_lane import CachedSearchLane
from tests.e2e.cached_lane.wire import (
    comparable,
    get,
    gzipped,
    header,
    post,
    query,
    search_body,
)
from tests.support.metrics_text import sample_value
from tests.support.sim import SimHandle

UNSUPPORTED = b"HTTP/1.1 415 Unsupported Media Type"


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_remembered_search_is_answered_by_the_lane_as_the_full_path_answers_it(
    connect: Any, lane_answered: list[str], sim: SimHandle, method: str
) -> None:
    if method == "GET":
        request, other_spelling = get(query(40)), get(query(40).replace(b"LHR", b"lhr"))
    else:
        body = search_body(40)
        request, other_spelling = post(body), post(body.replace(b"{", b"{ ", 1))
    conn = await connect()

    miss = await conn.exchange(request)  # the full path: it validates and remembers it
    by_full_path = await conn.exchange(other_spelling)  # a new spelling: the full path's hit
    by_lane = [await conn.exchange(request) for _ in range(3)]

    assert (
        lane_answered
        == [f"{method} /v1/search{'?' + query(40).decode() if method == 'GET' else ''}"] * 3
    )
    assert header(miss, b"x-cache") == b"MISS"
    assert all(comparable(a) == comparable(by_full_path) for a in by_lane)
    assert [n for n, _ in by_lane[0][1]] == [n for n, _ in by_full_path[1]]  # same order
    ids = {msgspec.json.decode(a[2])["search_id"] for a in [miss, by_full_path, *by_lane]}
    assert len(ids) == 5  # each answer its own search id
    request_ids = {header(a, b"x-request-id") for a in [by_full_path, *by_lane]}
    assert len(request_ids) == 4
    assert int(header(by_lane[0], b"content-length") or 0) == len(by_lane[0][2])


async def test_a_sane_request_id_is_echoed_and_another_replaced(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(get(query(42)))

    echoed = await conn.exchange(get(query(42), b"X-Request-Id: trip-42.a/b"))
    replaced = await conn.exchange(get(query(42), b"X-Request-Id: <script>"))

    assert len(lane_answered) == 2
    assert header(echoed, b"x-request-id") == b"trip-42.a/b"
    minted = header(replaced, b"x-request-id") or b""
    assert minted
    assert b"script" not in minted


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (get(query(43), version=b"1.0"), b"HTTP/1.0 200 OK"),
        # A public search answers a token that does not verify as if none came.
        (get(query(43), b"Authorization: Bearer not-a-token"), b"HTTP/1.1 200 OK"),
        (get(query(43), b"Expect: 100-continue"), b"HTTP/1.1 200 OK"),
        (post(search_body(43), content_type=b"text/plain"), UNSUPPORTED),
        (gzipped(post(search_body(43), b"Content-Encoding: gzip")), b"HTTP/1.1 200 OK"),
        (get(query(43), b"Content-Length: 2") + b"{}", b"HTTP/1.1 200 OK"),
        (get(query(43) + b"#top"), b"HTTP/1.1 200 OK"),
        (get(query(43) + b"&limit=50"), b"HTTP/1.1 200 OK"),
    ],
    ids=[
        "http-1.0", "signed-in", "expect", "not-json", "encoded-body", "get-with-body",
        "fragment", "other-query",
    ],
)  # fmt: skip
async def test_requests_outside_the_lane_are_answered_by_aiohttps_path(
    connect: Any, lane_answered: list[str], request_: bytes, status: bytes
) -> None:
    conn = await connect()
    await conn.exchange(get(query(43)))
    await conn.exchange(post(search_body(43)))

    answer = await conn.exchange(request_)

    assert answer[0] == status
    assert lane_answered == []


async def test_connection_close_is_answered_by_aiohttp_and_closes(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(get(query(44)))

    answer = await conn.exchange(get(query(44), b"Connection: close"))

    assert (answer[0], header(answer, b"connection")) == (b"HTTP/1.1 200 OK", b"close")
    assert await conn.closed()
    assert lane_answered == []


async def test_a_streamed_search_is_left_to_aiohttp(connect: Any, lane_answered: list[str]) -> None:
    conn = await connect()
    await conn.exchange(post(search_body(45)))

    await conn.send(post(search_body(45), b"Accept: application/x-ndjson", b"Connection: close"))
    answer = await conn.answer()

    assert header(answer, b"content-type") == b"application/x-ndjson"
    assert lane_answered == []


async def test_a_body_the_lane_read_but_cannot_answer_reaches_the_full_path(
    connect: Any, lane_answered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[bytes] = []
    takes_body = CachedSearchLane.takes_body

    def spy(self: CachedSearchLane, message: Any, size: int) -> bool:
        taken = takes_body(self, message, size)
        if taken:
            asked.append(message.path.encode())
        return taken

    monkeypatch.setattr(CachedSearchLane, "takes_body", spy)
    conn = await connect()
    await conn.exchange(get(query(46)))

    answer = await conn.exchange(post(search_body(47)))  # never searched: read, not answered

    assert asked == [b"/v1/search"]
    assert lane_answered == []
    assert answer[0] == b"HTTP/1.1 200 OK"
    assert header(answer, b"x-cache") == b"MISS"
    assert msgspec.json.decode(answer[2])["offers"]


async def test_lane_answers_are_counted_in_the_metrics(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(get(query(49)))
    await conn.exchange(post(search_body(49)))
    before = await conn.exchange(b"GET /metrics HTTP/1.1\r\nHost: skyfare\r\n\r\n")

    await conn.exchange(get(query(49)))
    await conn.exchange(get(query(49)))
    await conn.exchange(post(search_body(49)))
    after = await conn.exchange(b"GET /metrics HTTP/1.1\r\nHost: skyfare\r\n\r\n")

    assert len(lane_answered) == 3
    for series, more in (
        ('skyfare_http_requests_total{method="GET",route="search_get",status="200"}', 2),
        ('skyfare_http_requests_total{method="POST",route="search",status="200"}', 1),
        ('skyfare_http_request_duration_seconds_count{method="GET",route="search_get"}', 2),
    ):
        assert (
            sample_value(after[2].decode(), series)
            == sample_value(before[2].decode(), series) + more
        ), series


async def test_a_body_with_null_optional_fields_is_answered_as_the_body_without_them(
    connect: Any, lane_answered: list[str]
) -> None:
    plain = search_body(48)
    nulls = plain[:-1] + b',"limit":null,"sort":null,"passengers":{"adults":null},"cache":null}'
    conn = await connect()

    miss = await conn.exchange(post(plain))
    by_full_path = await conn.exchange(post(nulls))  # validated: the same search, a hit
    by_lane = await conn.exchange(post(nulls))

    assert header(miss, b"x-cache") == b"MISS"
    assert header(by_full_path, b"x-cache") == b"HIT"
    assert lane_answered == ["POST /v1/search"]
    assert comparable(by_lane) == comparable(by_full_path)


async def test_the_lane_warns_of_a_route_no_airline_serves_as_the_full_path_does(
    connect: Any, lane_answered: list[str]
) -> None:
    unserved = query(44).replace(b"LHR", b"KEF").replace(b"JFK", b"AKL")
    conn = await connect()

    by_full_path = await conn.exchange(get(unserved))
    by_lane = await conn.exchange(get(unserved))

    assert len(lane_answered) == 1
    full_meta, lane_meta = (msgspec.json.decode(a[2])["meta"] for a in (by_full_path, by_lane))
    assert (full_meta["cache"], lane_meta["cache"]) == ("miss", "hit")
    assert lane_meta["connectors"] == []
    assert [w["code"] for w in lane_meta["warnings"]] == ["route_not_served"]
    assert lane_meta["warnings"] == full_meta["warnings"]
