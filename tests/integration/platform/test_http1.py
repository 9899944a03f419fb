"""The SMS provider's HTTP/1.1 client over sockets, against servers that answer as written here:
bodies by length, chunked or to the end of the connection, reuse, and answers it must refuse."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from kernel.http1 import Http1Origin

Answer = Callable[[bytes], bytes]  # request body → raw answer


@asynccontextmanager
async def server(answer: Answer) -> AsyncIterator[tuple[str, list[int]]]:
    """A server that reads requests (by Content-Length) and writes `answer(body)` for each; the
    URL and, per request, the number of the connection it came on."""
    connections: list[int] = []
    count = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        count += 1
        number = count
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                body = await reader.readexactly(length)
                connections.append(number)
                writer.write(answer(body))
                await writer.drain()
                if b"close" in body:
                    return
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()

    listener = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/sms/v1/messages", connections
    finally:
        listener.close()
        await listener.wait_closed()


def _by_length(body: bytes) -> bytes:
    return b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def _chunked(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"%x\r\n%s\r\n%x;ext=1\r\n%s\r\n0\r\nX-Trailer: 1\r\n\r\n"
        % (len(body[:3]), body[:3], len(body[3:]), body[3:])
    )


@pytest.mark.parametrize("answer", [_by_length, _chunked])
async def test_answers_are_read_whole_and_the_connection_is_reused(answer: Answer) -> None:
    async with server(answer) as (url, connections):
        origin = Http1Origin(url, {"Authorization": "Bearer k"}, connections=4)
        first = await origin.post(b'{"n": 1}')
        second = await origin.post(b'{"n": 2}')
        await origin.close()

    assert first[1] == b'{"n": 1}'
    assert second[1] == b'{"n": 2}'
    assert first[0] in (201, 202)
    assert connections == [1, 1]


async def test_a_connection_the_server_closed_is_not_reused() -> None:
    def close_after(body: bytes) -> bytes:
        return b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"

    async with server(close_after) as (url, connections):
        origin = Http1Origin(url, {}, connections=4)
        assert (await origin.post(b"close"))[0] == 200
        await asyncio.sleep(0.05)
        assert (await origin.post(b"close"))[0] == 200
        await origin.close()

    assert connections == [1, 2]


async def test_a_no_content_answer_has_no_body_and_keeps_the_connection() -> None:
    def no_content(body: bytes) -> bytes:
        return b"HTTP/1.1 204 No Content\r\n\r\n"

    async with server(no_content) as (url, connections):
        origin = Http1Origin(url, {}, connections=1)
        assert await origin.post(b"a") == (204, b"")
        assert await origin.post(b"b") == (204, b"")
        await origin.close()

    assert connections == [1, 1]


async def test_a_body_that_runs_to_the_end_of_the_connection_is_read() -> None:
    def unframed(body: bytes) -> bytes:
        return b"HTTP/1.0 200 OK\r\n\r\n" + body

    async with server(unframed) as (url, _):
        origin = Http1Origin(url, {}, connections=1)
        assert await origin.post(b"close") == (200, b"close")
        await origin.close()


async def test_a_body_to_the_end_arriving_in_parts_is_read_whole() -> None:
    # Before, the first part to arrive was taken for the whole body.
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b'HTTP/1.0 200 OK\r\n\r\n{"sid": ')
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b'"SM1"}')
        writer.close()

    listener = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        origin = Http1Origin(f"http://127.0.0.1:{port}/sms", {}, connections=1)
        assert await origin.post(b"x") == (200, b'{"sid": "SM1"}')
        await origin.close()
    finally:
        listener.close()
        await listener.wait_closed()


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (lambda body: b"SSH-2.0-OpenSSH\r\n\r\n", ValueError),
        (lambda body: b"HTTP/1.1 201 Created\r\nContent-Length: 10\r\n\r\nclose", OSError),
    ],
    ids=["not http", "cut off"],
)
async def test_an_answer_that_is_not_http_or_is_cut_off_fails_the_call(
    answer: Answer, error: type[Exception]
) -> None:
    async with server(answer) as (url, _):
        origin = Http1Origin(url, {}, connections=1)
        with pytest.raises(error):
            await origin.post(b"close")
        await origin.close()


async def test_nothing_listening_is_an_os_error() -> None:
    async with server(_by_length) as (url, _):
        pass
    with pytest.raises(ConnectionRefusedError):
        await Http1Origin(url, {}, connections=1).post(b"x")
