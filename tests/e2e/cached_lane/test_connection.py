"""The cached search's lane on a connection: answers in the order requests came, across both
paths and past aiohttp's queue bound; read deadlines and keep-alive after lane answers; the lane
stepping aside while the write buffer is full."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec

from bench.ceiling_inproc import FakeTransport
from skyfare.settings import Settings
from tests.e2e.cached_lane.conftest import serve
from tests.e2e.cached_lane.wire import (
    CLOSED_WITHIN_S,
    get,
    header,
    in_days,
    post,
    query,
    search_body,
)
from tests.support.sim import SimHandle


async def test_pipelined_requests_are_answered_in_order_across_both_paths(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(get(query(41)))
    await conn.exchange(post(search_body(41)))

    await conn.send(
        get(query(41)),  # the lane, at once
        b"GET /v1/connectors HTTP/1.1\r\nHost: skyfare\r\n\r\n",  # aiohttp's
        get(query(41)),  # queued behind it: aiohttp's too, in its turn
        post(search_body(41)),
        get(b"origin=LHR&destination=XXX&departure_date=" + in_days(41).encode()),  # 422
    )
    answers = [await conn.answer() for _ in range(5)]

    statuses = [a[0] for a in answers]
    assert statuses == [b"HTTP/1.1 200 OK"] * 4 + [b"HTTP/1.1 422 Unprocessable Entity"]
    assert [header(a, b"x-cache") for a in answers] == [b"HIT", None, b"HIT", b"HIT", None]
    assert b"connectors" in answers[1][2]
    assert len(lane_answered) == 1
    # Both paths leave the connection usable.
    assert (await conn.exchange(get(query(41))))[0] == b"HTTP/1.1 200 OK"
    assert len(lane_answered) == 2


async def test_a_pipeline_longer_than_aiohttps_queue_is_answered_whole(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(get(query(53)))

    # aiohttp stops reading past 32 queued requests; the lane must read on once it answered them.
    await conn.send(get(query(53)) * 100)
    answers = [await conn.answer() for _ in range(100)]

    assert all(a[0] == b"HTTP/1.1 200 OK" for a in answers)
    assert len(lane_answered) > 32
    assert len({msgspec.json.decode(a[2])["search_id"] for a in answers}) == 100


async def test_a_body_in_two_packets_is_left_to_aiohttp(
    connect: Any, lane_answered: list[str]
) -> None:
    request = post(search_body(48))
    conn = await connect()
    await conn.exchange(request)

    await conn.send(request[:-10])
    await asyncio.sleep(0.05)  # lets the head arrive alone (either way, the answer is the same)
    await conn.send(request[-10:])
    answer = await conn.answer()

    assert (answer[0], header(answer, b"x-cache")) == (b"HTTP/1.1 200 OK", b"HIT")


async def test_after_a_lane_answer_a_trickled_head_is_disconnected(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(get(query(50)))
    await conn.exchange(get(query(50)))

    await conn.send(b"GET /v1/sea")  # and nothing more

    assert await conn.closed()
    assert len(lane_answered) == 1


async def test_an_idle_connection_after_lane_answers_is_closed(
    connect: Any, lane_answered: list[str]
) -> None:
    conn = await connect()
    await conn.exchange(get(query(51)))
    await conn.exchange(get(query(51)))

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
    runner, _ = await serve(msgspec.structs.replace(settings, connectors=sim.connector_settings()))
    try:
        protocol = runner.server()  # type: ignore[misc]
        transport = _Transport()
        protocol.connection_made(transport)
        request = get(query(52))
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
