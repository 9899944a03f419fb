"""Fake servers that fail the test when they break on their own.

A fake that raises by mistake (a KeyError in its handler, a route that does not match) answers
500, and a test of "the airline answered garbage" takes that 500 for the garbage it meant to
send: it passes for the wrong reason. `Faults` records every exception a fake raised that was not
an answer it meant (an `HTTPException` is one; a client that went away cancels the handler, which
is no fault either), and `check()` fails the test with the list.

- aiohttp fakes: `faults.watch(app)` before the app starts (the recorder goes outermost, so it
  sees what every inner middleware let through), or `serve(app)` which also checks on exit;
- raw asyncio servers: `asyncio.start_server(faults.guard(callback), ...)`;
- a test that builds its own fake asks for the `fake_faults` fixture (tests/conftest.py), which
  checks at teardown.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.typedefs import Handler

Connected = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Faults:
    """What fake servers raised on their own; `check()` raises AssertionError naming each."""

    def __init__(self) -> None:
        self.seen: list[str] = []

        @web.middleware
        async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
            try:
                return await handler(request)
            except (web.HTTPException, asyncio.CancelledError):
                raise
            except Exception as exc:
                self.seen.append(f"{request.method} {request.path_qs}: {exc!r}")
                raise

        self._record = record

    def watch(self, app: web.Application) -> web.Application:
        """`app`, recording its faults (call before the app is started: then it is frozen)."""
        app.middlewares.insert(0, self._record)
        return app

    def guard(self, callback: Connected) -> Connected:
        """An `asyncio.start_server` callback that records what `callback` raises."""

        async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await callback(reader, writer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.seen.append(f"connection from {writer.get_extra_info('peername')}: {exc!r}")
                raise

        return guarded

    def check(self) -> None:
        if self.seen:
            faults = "\n".join(self.seen)
            raise AssertionError(
                f"a fake server failed on its own, not as the test meant:\n{faults}"
            )


@asynccontextmanager
async def serve(app: web.Application, *, shutdown_timeout: float = 0.5) -> AsyncIterator[str]:
    """Serve the fake `app` on a free port of 127.0.0.1 and yield its URL; on leaving, fail if it
    raised on its own (after the runner is gone, so a hanging handler cannot hold the check)."""
    async with serve_on(app, ("127.0.0.1",), shutdown_timeout=shutdown_timeout) as (url,):
        yield url


@asynccontextmanager
async def serve_on(
    app: web.Application,
    hosts: tuple[str, ...],
    *,
    port: int = 0,
    shutdown_timeout: float = 0.5,
) -> AsyncIterator[tuple[str, ...]]:
    """`serve`, listening on each of `hosts` at one port (`port`, or one free on the first host):
    the URL of each, in order."""
    faults = Faults()
    runner = web.AppRunner(
        faults.watch(app),
        access_log=None,
        handler_cancellation=True,
        shutdown_timeout=shutdown_timeout,
    )
    await runner.setup()
    try:
        for host in hosts:
            await web.TCPSite(runner, host=host, port=port).start()
            port = runner.addresses[0][1]
        yield tuple(f"http://{host}:{port}" for host in hosts)
    except BaseException as exc:
        if faults.seen:  # the fake's own failure is likely why the test failed: say so
            exc.add_note("the fake server failed on its own:\n" + "\n".join(faults.seen))
        raise
    finally:
        await runner.cleanup()
    faults.check()
