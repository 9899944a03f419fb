"""The request path's own CPU per cached search, in-process: no sockets, no kernel, no wrk.

    python -m bench.ceiling_inproc [--requests 20000] [--rounds 7] [--layers bare,router,...]

Each layer of `bench.ceiling_ablation` (but the stack) is served on uvloop to a fake transport:
the request's bytes go to the protocol's `data_received`, and the request ends when the answer's
bytes reach the transport. What is left is Python's and aiohttp's CPU per request (the HTTP
parser and writer included), free of the noise of a shared machine's sockets and scheduler;
`process_time` per request, medians of alternating rounds. The `app` and `skyfare` layers need
what `skyfare up` needs (SKYFARE_* settings, PostgreSQL, Redis and the sim airlines: run it
beside a stack, as `bench.ceiling_ablation` does); the others need nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import time
from typing import Any

import uvloop
from aiohttp import web

SEARCH = b"/v1/search?origin=LHR&destination=JFK&departure_date=%s"


def request_bytes(method: str, query: bytes) -> bytes:
    """The request wrk sends: a GET of `query`, or a POST of its search as a JSON body (the
    headers of `bench.ceilings`' wrk script) to its path."""
    if method == "GET":
        return b"GET " + query + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    from bench.harness_ceiling import post_body

    path = query.partition(b"?")[0]
    body = post_body(query.decode())
    head = b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" % path
    return head + b"Content-Length: %d\r\n\r\n" % len(body) + body


class FakeTransport(asyncio.Transport):
    """Collects nothing: counts the answers (one `writelines`/`write` with a body each)."""

    def __init__(self) -> None:
        super().__init__()
        self.answered: asyncio.Future[None] | None = None
        self.sent = 0

    def _done(self, size: int) -> None:
        self.sent += size
        if self.answered is not None and not self.answered.done():
            self.answered.set_result(None)

    def write(self, data: Any) -> None:
        self._done(len(data))

    def writelines(self, chunks: Any) -> None:
        self._done(sum(len(c) for c in chunks))

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 40000) if name == "peername" else default

    def close(self) -> None:
        pass

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


async def _drive(runner: web.BaseRunner, request: bytes, count: int) -> float:
    """CPU seconds per request of `count` requests on one keep-alive connection."""
    server = runner.server
    assert server is not None
    protocol = server()
    transport = FakeTransport()
    protocol.connection_made(transport)
    loop = asyncio.get_running_loop()
    for _ in range(200):  # warm-up: the fast paths' memos, the L1
        transport.answered = loop.create_future()
        protocol.data_received(request)
        await transport.answered
    # Let aiohttp's handler finish its last answer and park, as it has by the time a client's
    # next request arrives over a socket: the cached lane answers only then (skyfare/protocol.py),
    # and a driver that sends at once would keep every request on aiohttp's path.
    for _ in range(5):
        await asyncio.sleep(0)
    started = time.process_time()
    for _ in range(count):
        transport.answered = loop.create_future()
        protocol.data_received(request)
        await transport.answered
    used = time.process_time() - started
    protocol.connection_lost(None)
    return used / count


async def _runner(layer: str, body: bytes, headers: dict[str, str]) -> web.BaseRunner:
    from bench.ceiling_ablation import layer_runner

    runner = layer_runner(layer, body, headers)
    await runner.setup()
    return runner


async def measure(layers: list[str], requests: int, rounds: int, request: bytes) -> dict[str, Any]:
    body, headers = json.loads(os.environ.get("ABLATION_BODY_HEADERS", '["{}", {}]'))
    runners = {layer: await _runner(layer, body.encode(), headers) for layer in layers}
    per: dict[str, list[float]] = {layer: [] for layer in layers}
    try:
        for turn in range(rounds):
            for layer in layers if turn % 2 == 0 else reversed(layers):
                per[layer].append(round(await _drive(runners[layer], request, requests) * 1e6, 2))
    finally:
        for runner in runners.values():
            await runner.cleanup()
    return {"median_us": {k: statistics.median(v) for k, v in per.items()}, "rounds_us": per}


async def _handshake(layer: str, requests: int, request: bytes) -> None:
    """One layer, warmed up; "ready" on stdout, then `requests` requests once a line arrives on
    stdin (the caller turns callgrind's instrumentation on meanwhile), then "done"."""
    import sys

    body, headers = json.loads(os.environ.get("ABLATION_BODY_HEADERS", '["{}", {}]'))
    runner = await _runner(layer, body.encode(), headers)
    await _drive(runner, request, 500)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await _drive(runner, request, requests)
    print("done", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    os._exit(0)  # callgrind writes its file at exit; nothing after the measured requests


def _departure() -> bytes:
    # 30 days ahead, as the harness's search (bench.harness_ceiling.search_url): the `search`
    # layer validates it against today.
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--layers", default="bare,router,protocol,plumbing")
    parser.add_argument("--query", default="")
    parser.add_argument("--method", choices=("GET", "POST"), default="GET")
    parser.add_argument("--handshake", action="store_true", help="for bench.ceiling_callgrind")
    args = parser.parse_args()
    query = args.query.encode() or SEARCH % _departure()
    request = request_bytes(args.method, query)
    if args.handshake:
        uvloop.run(_handshake(args.layers, args.requests, request))
        return
    result = uvloop.run(measure(args.layers.split(","), args.requests, args.rounds, request))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
