"""The ceiling for the cached-search benchmark: a bare aiohttp + uvloop handler, fixed bytes.

It returns exactly the body a cached `GET /v1/search` returned (captured by the harness), with no
middleware, validation or cache look-up, so `cached search rps / baseline rps` says how much of
aiohttp's ceiling Skyfare keeps. `--header "X-Cache: HIT"` (repeatable) adds the headers Skyfare
sends beyond aiohttp's own (all of them but Date, Content-Length and Content-Type, which aiohttp
writes itself: the request id, X-Cache, the security headers, `Server: skyfare`), fixed, so both
sides write the same bytes per response. Like Skyfare's
workers: uvloop, a plain `web.Response`, no access log, SO_REUSEPORT, the same backlog.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

import uvloop
from aiohttp import web


def make_app(body: bytes, headers: Mapping[str, str] | None = None) -> web.Application:
    extra = dict(headers or {})

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json", headers=extra)

    app = web.Application()
    app.router.add_get("/v1/search", handler)
    # The cached POST /v1/search row sends its JSON body here too: the bare handler ignores it
    # (aiohttp still receives it), so both sides read the same request bytes.
    app.router.add_post("/v1/search", handler)
    return app


async def serve(body: bytes, host: str, port: int, headers: Mapping[str, str]) -> None:
    runner = web.AppRunner(make_app(body, headers), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port, reuse_port=True, backlog=1024).start()
    await asyncio.Event().wait()


def _worker(body: bytes, host: str, port: int, headers: Mapping[str, str]) -> None:
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C (or the harness's SIGINT) stops it
        uvloop.run(serve(body, host, port, headers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--body-file", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--header", action="append", default=[], help='"Name: value"')
    args = parser.parse_args()
    body = args.body_file.read_bytes()
    headers = dict(_header(text) for text in args.header)
    children = []
    for _ in range(args.workers - 1):
        pid = os.fork()
        if pid == 0:
            _worker(body, args.host, args.port, headers)
            os._exit(0)
        children.append(pid)
    _worker(body, args.host, args.port, headers)


def _header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise SystemExit(f"--header {text!r}: expected 'Name: value'")
    return name.strip(), value.strip()


__all__ = ["main", "make_app"]

if __name__ == "__main__":
    main()
