"""nginx as `skyfare up --gateway` runs it (skyfare/nginx_relay.py): a SIGTERM from the
supervisor is nginx's graceful quit, so the request in flight through it is answered, and the
drain is in the same log stream as every other process's (`nginx: SIGTERM received: draining`,
each worker's `gracefully shutting down`, `nginx: drained: stopping`). nginx took SIGTERM as its
fast shutdown, cutting the request, and said so only at a level its error log file dropped."""

from __future__ import annotations

import asyncio
import json
import signal
import ssl
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from skyfare.gateway import GatewayError, nginx_binary, nginx_command, write_config
from tests.e2e.conftest import closed_port
from tests.support.gateway import accepts, gateway_layout
from tests.support.notify import eventually

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

_RELAY = """
import json, sys
from skyfare.draining import Drain
from skyfare.logs import configure_logging
from skyfare.nginx_relay import relay_nginx
configure_logging("INFO")
sys.exit(relay_nginx(json.loads(sys.argv[1]), Drain("nginx")))
"""


class SlowSearch:
    """A search upstream whose answers wait until the test lets them go."""

    def __init__(self) -> None:
        self.arrived = asyncio.Event()
        self.answer = asyncio.Event()

    async def search(self, request: web.Request) -> web.Response:
        self.arrived.set()
        await self.answer.wait()
        return web.json_response({"offers": []})


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[SlowSearch, int]]:
    slow = SlowSearch()
    app = web.Application()
    app.router.add_get("/v1/search", slow.search)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    port = closed_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield slow, port
    finally:
        slow.answer.set()
        await runner.cleanup()


async def _lines(stream: asyncio.StreamReader, into: list[str]) -> None:
    async for raw in stream:
        into.append(raw.decode().rstrip("\n"))


async def test_sigterm_quits_nginx_gracefully_and_its_drain_is_logged(
    upstream: tuple[SlowSearch, int], tmp_path: Path
) -> None:
    try:
        nginx_binary()
    except GatewayError as exc:
        pytest.skip(str(exc))
    slow, port = upstream
    layout = gateway_layout(search_ports=(port,), booking_port=closed_port())
    command = nginx_command(write_config(layout, tmp_path), stderr_notice=True)
    relay = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _RELAY, json.dumps(command), stderr=asyncio.subprocess.PIPE
    )
    assert relay.stderr is not None
    logged: list[str] = []
    reading = asyncio.create_task(_lines(relay.stderr, logged))
    try:
        await eventually(lambda: accepts(layout.https_port), timeout_s=20)
        context = ssl.create_default_context(cafile=str(tmp_path / "gateway.crt"))
        url = f"https://127.0.0.1:{layout.https_port}/v1/search?origin=LHR"
        async with aiohttp.ClientSession() as session:
            in_flight = asyncio.create_task(session.get(url, ssl=context))
            await asyncio.wait_for(slow.arrived.wait(), 20)
            relay.send_signal(signal.SIGTERM)
            await eventually(lambda: _said(logged, "gracefully shutting down"), timeout_s=20)
            slow.answer.set()  # nginx is draining: the request in flight is still answered
            response = await asyncio.wait_for(in_flight, 20)
            status = response.status
            response.release()
        code = await asyncio.wait_for(relay.wait(), 20)
        await reading
    finally:
        if relay.returncode is None:
            relay.kill()
            await relay.wait()
    assert status == 200
    assert code == 0
    messages = [line.split(" request_id=- ", 1)[-1] for line in logged]
    # nginx may warn as it starts (its version, the machine): those lines come first.
    messages = messages[messages.index("nginx: SIGTERM received: draining") :]
    assert any(m.startswith("nginx master: signal 3 (SIGQUIT) received") for m in messages)
    assert _said(messages, "gracefully shutting down")
    assert any(m.startswith("nginx master: worker process ") for m in messages)
    assert messages[-1] == "nginx: drained: stopping"
    assert not _said(messages, "start worker process")  # its start-up chatter is not relayed


def _said(lines: list[str], text: str) -> bool:
    return any(text in line for line in lines)
