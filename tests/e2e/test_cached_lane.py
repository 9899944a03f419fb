"""The cached search's lane (skyfare/cached_lane.py) from outside, over raw sockets.

The server is what `skyfare serve` runs (`app_runner`) with the sim airlines. A query or body
the full path has validated once is answered by the lane; every test compares it with what
aiohttp's path answers, which stays the reference. A spy on `CachedSearchLane.answer` tells
which path answered: the answers themselves are meant to be the same bytes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from aiohttp import web

from bench.ceiling_inproc import FakeTransport
from skyfare.app import create_app
from skyfare.cached_lane import CachedSearchLane
from skyfare.protocol import app_runner
from skyfare.settings import Settings
from tests.support.sim import SimHandle

READ_TIMEOUT_S = 1.0
CLOSED_WITHIN_S = 20.0  # twenty deadlines: only a server that never closes misses it
# Headers whose values differ between any two answers.
PER_ANSWER = {b"date", b"x-request-id", b"content-length"}

UNSUPPORTED = b"HTTP/1.1 415 Unsupported Media Type"

Answer = tuple[bytes, list[tuple[bytes, bytes]], bytes]


def _in_days(days: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()


def _query(days: int) -> bytes:
    return b"origin=LHR&destination=JFK&departure_date=" + _in_days(days).encode()


def _get(query: bytes, *headers: bytes, version: bytes = b"1.1") -> bytes:
    lines = b"".join(h + b"\r\n" for h in headers)
    return b"GET /v1/search?%s HTTP/%s\r\nHost: skyfare\r\n%s\r\n" % (query, version, lines)


def _search_body(days: int) -> bytes:
    date = _in_days(days).encode()
    return b'{"slices":[{"origin":"LHR","destination":"JFK","departure_date":"%s"}]}' % date


def _post(body: bytes, *headers: bytes, content_type: bytes = b"application/json") -> bytes:
    lines = b"".join(h + b"\r\n" for h in headers)
    return (
        b"POST /v1/search HTTP/1.1\r\nHost: skyfare\r\nContent-Type: %s\r\n"
        b"Content-Length: %d\r\n%s\r\n%s" % (content_type, len(body), lines, body)
    )


def _gzipped(request: bytes) -> bytes:
    head, _, body = request.partition(b"\r\n\r\n")
    packed = gzip.compress(body)
    head = head.replace(b"Content-Length: %d" % len(body), b"Content-Length: %d" % len(packed))
    return head + b"\r\n\r\n" + packed


class _Connection:
    """One kept-alive client connection: requests written as given, answers read in order."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send(self, *requests: bytes) -> None:
        self.writer.write(b"".join(requests))
        await self.writer.drain()

    async def answer(self) -> Answer:
        async with asyncio.timeout(CLOSED_WITHIN_S):
            status = b"HTTP/1.1 100"
            while status.startswith(b"HTTP/1.1 1"):  # past an interim answer (100 Continue)
                head = await self.reader.readuntil(b"\r\n\r\n")
                status, *lines = head[:-4].split(b"\r\n")
            headers = [
                (n.strip().lower(), v.strip()) for n, _, v in (x.partition(b":") for x in lines)
            ]
            named = dict(headers)
            if b"content-length" in named:
                body = await self.reader.readexactly(int(named[b"content-length"]))
            else:  # a streamed answer: to the end of the connection
                body = await self.reader.read()
        return status, headers, body

    async def exchange(self, request: bytes) -> Answer:
        await self.send(request)
        return await self.answer()

    async def closed(self) -> bool:
        async with asyncio.timeout(CLOSED_WITHIN_S):
            try:
                return await self.reader.read(1) == b""
            except ConnectionResetError:
                return True


@pytest.fixture
def lane_answered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The request targets the lane answered, in order."""
    answered: list[str] = []
    original = CachedSearchLane.answer

    def spy(self: CachedSearchLane, message: Any, body: bytes | None) -> Any:
        found = original(self, message, body)
        if found is not None:
            answered.append(f"{message.method} {message.path}")
        return found

    monkeypatch.setattr(CachedSearchLane, "answer", spy)
    return answered


async def _serve(settings: Settings) -> tuple[web.AppRunner, int]:
    runner = app_runner(create_app(settings), settings)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site.port


@pytest.fixture
async def port(settings: Settings, sim: SimHandle) -> AsyncIterator[int]:
    configured = msgspec.structs.replace(
        settings,
        connectors=sim.connector_settings(),
        header_read_timeout_s=READ_TIMEOUT_S,
        keepalive_timeout_s=READ_TIMEOUT_S,
    )
    runner, port = await _serve(configured)
    try:
        yield port
    finally:
        await runner.cleanup()


@pytest.fixture
async def connect(port: int) -> AsyncIterator[Any]:
    opened: list[asyncio.StreamWriter] = []

    async def connection() -> _Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        opened.append(writer)
        return _Connection(reader, writer)

    yield connection
    for writer in opened:
        writer.close()


def _comparable(answer: Answer) -> tuple[bytes, list[Any], dict[str, Any]]:
    status, headers, body = answer
    document = msgspec.json.decode(body)
    document["search_id"], document["meta"]["took_ms"] = None, None
    return status, [(n, None if n in PER_ANSWER else v) for n, v in headers], document


def _header(answer: Answer, name: bytes) -> bytes | None:
    return dict(answer[1]).get(name)


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_remembered_search_is_answered_by_the_lane_as_the_full_path_answers_it(
    connect: Any, lane_answered: list[str], sim: SimHandle, method: str
) -> None:
    if method == "GET":
        request, other_spelling = _get(_query(40)), _get(_query(40).replace(b"LHR", b"lhr"))
    else:
        body = _search_body(40)
        request, other_spelling = _post(body), _post(body.replace(b"{", b"{ ", 1))
    conn = await connect()

    miss = await conn.exchange(request)  # the full path: it validates and remembers it
    by_full_path = await conn.exchange(other_spelling)  # a new spelling: the full path's hit
    by_lane = [await conn.exchange(request) for _ in range(3)]

    assert (
        lane_answered
        == [f"{method} /v1/search{'?' + _query(40).decode() if method == 'GET' else ''}"] * 3
    )
    assert _header(miss, b"x-cache") == b"MISS"
    assert all(_comparable(a) == _comparable(by_full_path) for a in by_lane)
    assert [n for n, _ in by_lane[0][1]] == [n for n, _ in by_full_path[1]]  # same order
    ids = {msgspec.json.decode(a[2])["search_id"] for a in [miss, by_full_path, *by_lane]}
    assert len(ids) == 5  # each answer its own search id
    request_ids = {_header(a, b"x-request-id") for a in [by_full_path, *by_lane]}
    assert len(request_ids) == 4
    assert int(_header(by_lane[0], b"content-length") or 0) == len(by_lane[0][2])


async def test_pipelined_requests_are_answered_in_order_across_both_paths(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(_get(_query(41)))
    await conn.exchange(_post(_search_body(41)))

    await conn.send(
        _get(_query(41)),  # the lane, at once
        b"GET /v1/connectors HTTP/1.1\r\nHost: skyfare\r\n\r\n",  # aiohttp's
        _get(_query(41)),  # queued behind it: aiohttp's too, in its turn
        _post(_search_body(41)),
        _get(b"origin=LHR&destination=XXX&departure_date=" + _in_days(41).encode()),  # 422
    )
    answers = [await conn.answer() for _ in range(5)]

    statuses = [a[0] for a in answers]
    assert statuses == [b"HTTP/1.1 200 OK"] * 4 + [b"HTTP/1.1 422 Unprocessable Entity"]
    assert [_header(a, b"x-cache") for a in answers] == [b"HIT", None, b"HIT", b"HIT", None]
    assert b"connectors" in answers[1][2]
    assert len(lane_answered) == 1
    # Both paths leave the connection usable.
    assert (await conn.exchange(_get(_query(41))))[0] == b"HTTP/1.1 200 OK"
    assert len(lane_answered) == 2


async def test_a_sane_request_id_is_echoed_and_another_replaced(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(_get(_query(42)))

    echoed = await conn.exchange(_get(_query(42), b"X-Request-Id: trip-42.a/b"))
    replaced = await conn.exchange(_get(_query(42), b"X-Request-Id: <script>"))

    assert len(lane_answered) == 2
    assert _header(echoed, b"x-request-id") == b"trip-42.a/b"
    minted = _header(replaced, b"x-request-id") or b""
    assert minted
    assert b"script" not in minted


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (_get(_query(43), version=b"1.0"), b"HTTP/1.0 200 OK"),
        # A public search answers a token that does not verify as if none came.
        (_get(_query(43), b"Authorization: Bearer not-a-token"), b"HTTP/1.1 200 OK"),
        (_get(_query(43), b"Expect: 100-continue"), b"HTTP/1.1 200 OK"),
        (_post(_search_body(43), content_type=b"text/plain"), UNSUPPORTED),
        (_gzipped(_post(_search_body(43), b"Content-Encoding: gzip")), b"HTTP/1.1 200 OK"),
        (_get(_query(43), b"Content-Length: 2") + b"{}", b"HTTP/1.1 200 OK"),
        (_get(_query(43) + b"#top"), b"HTTP/1.1 200 OK"),
        (_get(_query(43) + b"&limit=50"), b"HTTP/1.1 200 OK"),
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
    await conn.exchange(_get(_query(43)))
    await conn.exchange(_post(_search_body(43)))

    answer = await conn.exchange(request_)

    assert answer[0] == status
    assert lane_answered == []


async def test_connection_close_is_answered_by_aiohttp_and_closes(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(_get(_query(44)))

    answer = await conn.exchange(_get(_query(44), b"Connection: close"))

    assert (answer[0], _header(answer, b"connection")) == (b"HTTP/1.1 200 OK", b"close")
    assert await conn.closed()
    assert lane_answered == []


async def test_a_streamed_search_is_left_to_aiohttp(connect: Any, lane_answered: list[str]) -> None:
    conn = await connect()
    await conn.exchange(_post(_search_body(45)))

    await conn.send(_post(_search_body(45), b"Accept: application/x-ndjson", b"Connection: close"))
    answer = await conn.answer()

    assert _header(answer, b"content-type") == b"application/x-ndjson"
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
    await conn.exchange(_get(_query(46)))

    answer = await conn.exchange(_post(_search_body(47)))  # never searched: read, not answered

    assert asked == [b"/v1/search"]
    assert lane_answered == []
    assert answer[0] == b"HTTP/1.1 200 OK"
    assert _header(answer, b"x-cache") == b"MISS"
    assert msgspec.json.decode(answer[2])["offers"]


async def test_a_body_in_two_packets_is_left_to_aiohttp(
    connect: Any, lane_answered: list[str]
) -> None:
    request = _post(_search_body(48))
    conn = await connect()
    await conn.exchange(request)

    await conn.send(request[:-10])
    await asyncio.sleep(0.05)  # lets the head arrive alone (either way, the answer is the same)
    await conn.send(request[-10:])
    answer = await conn.answer()

    assert (answer[0], _header(answer, b"x-cache")) == (b"HTTP/1.1 200 OK", b"HIT")


async def test_lane_answers_are_counted_in_the_metrics(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(_get(_query(49)))
    await conn.exchange(_post(_search_body(49)))
    before = await conn.exchange(b"GET /metrics HTTP/1.1\r\nHost: skyfare\r\n\r\n")

    await conn.exchange(_get(_query(49)))
    await conn.exchange(_get(_query(49)))
    await conn.exchange(_post(_search_body(49)))
    after = await conn.exchange(b"GET /metrics HTTP/1.1\r\nHost: skyfare\r\n\r\n")

    assert len(lane_answered) == 3
    for series, more in (
        ('skyfare_http_requests_total{method="GET",route="search_get",status="200"}', 2),
        ('skyfare_http_requests_total{method="POST",route="search",status="200"}', 1),
        ('skyfare_http_request_duration_seconds_count{method="GET",route="search_get"}', 2),
    ):
        assert _value(after[2], series) == _value(before[2], series) + more, series


def _value(metrics: bytes, series: str) -> float:
    for line in metrics.decode().splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_after_a_lane_answer_a_trickled_head_is_disconnected(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(_get(_query(50)))
    await conn.exchange(_get(_query(50)))

    await conn.send(b"GET /v1/sea")  # and nothing more

    assert await conn.closed()
    assert len(lane_answered) == 1


async def test_an_idle_connection_after_lane_answers_is_closed(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(_get(_query(51)))
    await conn.exchange(_get(_query(51)))

    assert await conn.closed()  # keep-alive timeout: a second here
    assert len(lane_answered) == 1


class _Transport(FakeTransport):
    """The bench's fake transport, keeping what is written."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []

    def write(self, data: Any) -> None:
        self.written.append(bytes(data))

    def writelines(self, chunks: Any) -> None:
        self.written.append(b"".join(chunks))


async def test_the_lane_steps_aside_while_the_write_buffer_is_full(
    settings: Settings, sim: SimHandle, lane_answered: list[str]
) -> None:
    runner, _ = await _serve(msgspec.structs.replace(settings, connectors=sim.connector_settings()))
    try:
        protocol = runner.server()  # type: ignore[misc]
        transport = _Transport()
        protocol.connection_made(transport)
        request = _get(_query(52))
        for _ in range(2):
            protocol.data_received(request)
            await _until(lambda: len(transport.written) > 0)
            transport.written.clear()
            for _ in range(5):
                await asyncio.sleep(0)  # aiohttp's handler parks
        lane_answered.clear()  # the second was the lane's

        protocol.pause_writing()
        protocol.data_received(request)
        written_at_once = list(transport.written)
        protocol.resume_writing()
        await _until(lambda: len(transport.written) > 0)

        assert written_at_once == []
        assert lane_answered == []
        assert transport.written[0].startswith(b"HTTP/1.1 200 OK")

        for _ in range(5):
            await asyncio.sleep(0)
        transport.written.clear()
        sent_at = asyncio.get_running_loop().time()
        protocol.data_received(request)
        assert transport.written  # answered by the lane, before any await
        assert lane_answered
        # As after aiohttp's answers, the idle connection's keep-alive deadline moved past it.
        assert protocol._next_keepalive_close_time >= sent_at + protocol.keepalive_timeout
        protocol.connection_lost(None)
    finally:
        await runner.cleanup()


async def _until(done: Any) -> None:
    async with asyncio.timeout(CLOSED_WITHIN_S):
        while not done():  # noqa: ASYNC110 - a condition of the fake transport's
            await asyncio.sleep(0.01)


async def test_a_pipeline_longer_than_aiohttps_queue_is_answered_whole(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(_get(_query(53)))

    # aiohttp stops reading past 32 queued requests; the lane must read on once it answered them.
    await conn.send(_get(_query(53)) * 100)
    answers = [await conn.answer() for _ in range(100)]

    assert all(a[0] == b"HTTP/1.1 200 OK" for a in answers)
    assert len(lane_answered) > 32
    assert len({msgspec.json.decode(a[2])["search_id"] for a in answers}) == 100
