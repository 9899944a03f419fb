"""Requests to the cached search's lane and its answers, as bytes on a raw socket."""

from __future__ import annotations

import asyncio
import gzip
from typing import Any

import msgspec

from tests.support.flights import in_days

CLOSED_WITHIN_S = 20.0  # twenty deadlines: only a server that never closes misses it
# Headers whose values differ between any two answers.
PER_ANSWER = {b"date", b"x-request-id", b"content-length"}

Answer = tuple[bytes, list[tuple[bytes, bytes]], bytes]


def query(days: int) -> bytes:
    return b"origin=LHR&destination=JFK&departure_date=" + in_days(days).encode()


def get(query: bytes, *headers: bytes, version: bytes = b"1.1") -> bytes:
    lines = b"".join(h + b"\r\n" for h in headers)
    return b"GET /v1/search?%s HTTP/%s\r\nHost: skyfare\r\n%s\r\n" % (query, version, lines)


def search_body(days: int) -> bytes:
    date = in_days(days).encode()
    return b'{"slices":[{"origin":"LHR","destination":"JFK","departure_date":"%s"}]}' % date


def post(body: bytes, *headers: bytes, content_type: bytes = b"application/json") -> bytes:
    lines = b"".join(h + b"\r\n" for h in headers)
    return (
        b"POST /v1/search HTTP/1.1\r\nHost: skyfare\r\nContent-Type: %s\r\n"
        b"Content-Length: %d\r\n%s\r\n%s" % (content_type, len(body), lines, body)
    )


def gzipped(request: bytes) -> bytes:
    head, _, body = request.partition(b"\r\n\r\n")
    packed = gzip.compress(body)
    head = head.replace(b"Content-Length: %d" % len(body), b"Content-Length: %d" % len(packed))
    return head + b"\r\n\r\n" + packed


class Connection:
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


def comparable(answer: Answer) -> tuple[bytes, list[Any], dict[str, Any]]:
    status, headers, body = answer
    document = msgspec.json.decode(body)
    document["search_id"], document["meta"]["took_ms"] = None, None
    return status, [(n, None if n in PER_ANSWER else v) for n, v in headers], document


def header(answer: Answer, name: bytes) -> bytes | None:
    return dict(answer[1]).get(name)
