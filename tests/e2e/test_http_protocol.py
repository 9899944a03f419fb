"""The HTTP layer of `skyfare serve` from outside, over raw sockets: slow clients, bad requests.

The server is `skyfare.protocol.app_runner` (what `skyfare serve` runs) in front of
`create_app`, on a real socket. Deadlines here are a second; each check waits up to
`CLOSED_WITHIN_S` for the server to act, so a busy machine cannot fail them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import msgspec
import pytest
from aiohttp import web

from skyfare.app import create_app
from skyfare.protocol import app_runner
from skyfare.settings import Settings
from tests.e2e.conftest import MAX_BODY_BYTES

READ_TIMEOUT_S = 1.0
CLOSED_WITHIN_S = 20.0  # twenty deadlines: only a server that never closes misses it
PROBLEM = b"application/problem+json"
MARKER = b"<script>alert(1)</script>"


@pytest.fixture
async def port(settings: Settings) -> AsyncIterator[int]:
    configured = msgspec.structs.replace(
        settings, header_read_timeout_s=READ_TIMEOUT_S, body_read_timeout_s=READ_TIMEOUT_S
    )
    runner = app_runner(create_app(configured), configured)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield site.port
    finally:
        await runner.cleanup()


async def _trickle(writer: asyncio.StreamWriter, byte: bytes) -> None:
    """One byte every 0.1 s until the server closes (each far under the deadline on its own)."""
    with contextlib.suppress(ConnectionError):
        while not writer.is_closing():
            writer.write(byte)
            await writer.drain()
            await asyncio.sleep(0.1)


async def _read_until_closed(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection (a reset counts as closed)."""
    received = b""
    async with asyncio.timeout(CLOSED_WITHIN_S):
        while True:
            try:
                chunk = await reader.read(65536)
            except ConnectionResetError:
                return received
            if not chunk:
                return received
            received += chunk


async def _exchange(port: int, request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        return await _read_until_closed(reader)
    finally:
        writer.close()


def _split(response: bytes) -> tuple[bytes, dict[bytes, bytes], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, *lines = head.split(b"\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    return status_line, headers, body


async def test_a_client_trickling_its_request_head_is_disconnected(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: skyfare\r\nX-Slow: ")
    trickling = asyncio.create_task(_trickle(writer, b"a"))
    try:
        received = await _read_until_closed(reader)
    finally:
        trickling.cancel()
        writer.close()
    assert received == b""  # no request to answer: the connection is just closed


async def test_many_trickling_clients_are_all_disconnected(port: int) -> None:
    async def one(index: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        if index % 2:  # half trickle a head, half a body
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: skyfare\r\nX-Slow: ")
            trickling = asyncio.create_task(_trickle(writer, b"a"))
        else:
            writer.write(
                b"POST /v1/search HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n\r\n{"
            )
            trickling = asyncio.create_task(_trickle(writer, b" "))
        try:
            return await _read_until_closed(reader)
        finally:
            trickling.cancel()
            writer.close()

    answers = await asyncio.gather(*(one(i) for i in range(100)))
    assert answers[1::2] == [b""] * 50  # heads: closed
    assert all(a.startswith(b"HTTP/1.1 408") for a in answers[::2])  # bodies: 408, then closed


async def test_a_client_that_connects_and_says_nothing_is_disconnected(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        assert await _read_until_closed(reader) == b""
    finally:
        writer.close()


async def test_a_client_trickling_its_body_gets_a_408_problem_and_is_disconnected(
    port: int,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /v1/search HTTP/1.1\r\nHost: skyfare\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{"
    )
    trickling = asyncio.create_task(_trickle(writer, b" "))
    try:
        received = await _read_until_closed(reader)
    finally:
        trickling.cancel()
        writer.close()
    status, headers, body = _split(received)
    assert status.startswith(b"HTTP/1.1 408")
    assert headers[b"content-type"] == PROBLEM
    assert msgspec.json.decode(body)["type"] == "https://skyfare.dev/problems/request-timeout"


async def test_an_idle_keep_alive_connection_outlives_the_head_deadline(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for _ in range(2):
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: skyfare\r\n\r\n")
            await writer.drain()
            async with asyncio.timeout(CLOSED_WITHIN_S):
                head = await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(int(_split(head)[1][b"content-length"]))
            assert head.startswith(b"HTTP/1.1 200")
            # Idle longer than a head may take: the head deadline starts at its first byte.
            await asyncio.sleep(READ_TIMEOUT_S * 2)
    finally:
        writer.close()


async def test_a_head_and_body_sent_in_pieces_within_the_deadlines_are_served(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for piece in (
            b"POST /v1/search HTTP/1.1\r\nHost: skyfare\r\n",
            b"Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n",
            b"{",
            b"}",
        ):
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.05)
        received = await _read_until_closed(reader)
    finally:
        writer.close()
    status, _, body = _split(received)
    assert status.startswith(b"HTTP/1.1 422")  # validated, so the whole request arrived
    assert msgspec.json.decode(body)["errors"]


@pytest.mark.parametrize(
    ("request_bytes", "status", "slug"),
    [
        pytest.param(
            b"POST /v1/search HTTP/1.1\r\nHost: s\r\nContent-Length: 2\r\nContent-Length: 3\r\n"
            b"X-Echo: " + MARKER + b"\r\n\r\n{}",
            400,
            "bad-request",
            id="duplicate-content-length",
        ),
        pytest.param(
            b"GET /healthz HTTP/1.1\r\nHost: s\r\nX-Big: " + MARKER * 1000 + b"\r\n\r\n",
            431,
            "request-header-fields-too-large",
            id="oversized-header",
        ),
        pytest.param(
            b"GET /healthz?q=" + MARKER * 1000 + b" HTTP/1.1\r\nHost: s\r\n\r\n",
            431,
            "request-header-fields-too-large",
            id="oversized-request-line",
        ),
        pytest.param(
            b"GET /healthz HTTP/1.1\r\nHost: s\r\n"
            + b"".join(b"X-H%d: " % i + MARKER + b"\r\n" for i in range(200))
            + b"\r\n",
            431,
            "request-header-fields-too-large",
            id="too-many-headers",
        ),
        pytest.param(
            b"POST /v1/search HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + MARKER + b"\r\n{}\r\n0\r\n\r\n",
            400,
            "bad-request",
            id="bad-chunking",
        ),
        # A body that does not decode as its Content-Encoding says: aiohttp raises that into
        # the view's read, not the parser, so the view's path must answer it too.
        pytest.param(
            b"POST /v1/search HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\n"
            b"Content-Encoding: gzip\r\nContent-Length: 25\r\n\r\n" + MARKER,
            400,
            "bad-request",
            id="body-not-gzip",
        ),
        pytest.param(MARKER + b" / HTTP/1.1\r\n\r\n", 400, "bad-request", id="bad-method"),
        pytest.param(b"GET /healthz HTTP/1.1\r\n\r\n", 400, "bad-request", id="no-host"),
        pytest.param(
            b"GET /healthz HTTP/1.1\r\nHost: s\r\nX-Bad" + MARKER + b": 1\r\n\r\n",
            400,
            "bad-request",
            id="bad-header-name",
        ),
    ],
)
async def test_a_request_that_is_not_valid_http_gets_a_problem_that_echoes_nothing(
    port: int, request_bytes: bytes, status: int, slug: str
) -> None:
    received = await _exchange(port, request_bytes)
    status_line, headers, body = _split(received)
    assert status_line.split()[1] == str(status).encode()
    assert headers[b"content-type"] == PROBLEM
    doc = msgspec.json.decode(body)
    assert doc["type"] == f"https://skyfare.dev/problems/{slug}"
    assert doc["status"] == status
    assert b"script" not in received
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert headers[b"server"] == b"skyfare"
    assert headers[b"x-request-id"]


async def test_expect_continue_with_a_body_over_the_limit_gets_413_and_never_100(
    port: int,
) -> None:
    received = await _exchange(
        port,
        b"POST /v1/search HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % (MAX_BODY_BYTES + 1),
    )
    status, headers, body = _split(received)
    assert status.startswith(b"HTTP/1.1 413")
    assert b"100 Continue" not in received
    assert headers[b"content-type"] == PROBLEM
    assert msgspec.json.decode(body)["type"] == "https://skyfare.dev/problems/payload-too-large"


async def test_expect_continue_within_the_limit_gets_100_then_the_answer(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"POST /v1/search HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
        )
        async with asyncio.timeout(CLOSED_WITHIN_S):
            interim = await reader.readuntil(b"\r\n\r\n")
        writer.write(b"{}")
        received = await _read_until_closed(reader)
    finally:
        writer.close()
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert _split(received)[0].startswith(b"HTTP/1.1 422")


async def test_an_expectation_other_than_100_continue_gets_a_417_problem(port: int) -> None:
    received = await _exchange(
        port,
        b"POST /v1/search HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\nExpect: 200-ok\r\n\r\n{}",
    )
    status, headers, _ = _split(received)
    assert status.startswith(b"HTTP/1.1 417")
    assert headers[b"content-type"] == PROBLEM


@pytest.mark.parametrize(
    "coding",
    [
        b"foo",
        b"br",  # decoded only where the Brotli module happens to be installed
        b"zstd",  # decoded only with backports.zstd (Python < 3.14)
        b"gzip, br",  # a list: aiohttp decodes none of it
        b"x-gzip",
    ],
)
async def test_a_body_in_a_coding_not_accepted_is_a_415_naming_it(port: int, coding: bytes) -> None:
    # It used to be read as if not encoded (`foo`), or answered by whichever decoder was
    # installed (`br`), or called a body that "does not match its Content-Encoding" (`zstd`).
    received = await _exchange(
        port,
        b"POST /v1/search HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\n"
        b"Content-Encoding: " + coding + b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    status_line, headers, body = _split(received)
    assert status_line.split()[1] == b"415", received
    assert headers[b"accept-encoding"] == b"gzip, deflate"
    detail = msgspec.json.decode(body)["detail"]
    assert f"Content-Encoding '{coding.decode()}' is not accepted" in detail
    assert "gzip, deflate" in detail


@pytest.mark.parametrize(
    "coding", [b"gzip", b"br"], ids=["not gzip", "not brotli (refused, never read)"]
)
async def test_a_body_that_does_not_decode_is_answered_and_logs_no_error(
    port: int, coding: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    # aiohttp drains an unread (or failed) body after the answer and logged what that met as an
    # "Unhandled exception" ERROR with a traceback: any client could fill the error log.
    caplog.set_level(logging.DEBUG)
    received = await _exchange(
        port,
        b"POST /v1/search HTTP/1.1\r\nHost: s\r\nContent-Type: application/json\r\n"
        b"Content-Encoding: " + coding + b"\r\nContent-Length: 25\r\n\r\n" + MARKER,
    )

    status_line, _, _ = _split(received)
    assert status_line.split()[1] in (b"400", b"415")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
