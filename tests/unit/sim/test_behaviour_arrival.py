"""sim/control.py `Behaviour.behave`: a call is counted once its body has arrived, and a
read-only one is answered in that same step, so a test that waits to see a call counted and then
changes the airline's state cannot slip in between (tests/integration/test_sim_latency_order.py
failed on a busy machine when the body came after the headers). No I/O: the request's body is
fed by hand."""

from __future__ import annotations

import asyncio
from unittest import mock

from aiohttp import web
from aiohttp.streams import StreamReader
from aiohttp.test_utils import make_mocked_request

from sim.control import Behaviour, Profile

SLUG = "britannia"


async def test_a_call_is_counted_once_its_body_has_arrived_and_answered_in_that_step() -> None:
    behaviour = Behaviour({SLUG: Profile()}, seed=1)
    # The connection's side of a body is aiohttp's own (`make_mocked_request` mocks it too).
    connection = mock.Mock(_reading_paused=False)
    body = StreamReader(connection, 2**16, loop=asyncio.get_running_loop())
    request = make_mocked_request("POST", "/shopping", payload=body)
    counted_when_answered: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        await request.read()  # as the sim's handlers do: the body already read, no wait
        counted_when_answered.append(behaviour.stats[SLUG]["shopping"])
        return web.Response(text="ok")

    call = asyncio.create_task(behaviour.behave(SLUG, "shopping", request, handler))
    await asyncio.sleep(0)  # the call has begun; its body has not come

    assert behaviour.stats[SLUG]["shopping"] == 0
    body.feed_data(b'{"journeys": []}')
    body.feed_eof()
    response = await call

    assert response.status == 200
    assert counted_when_answered == [1]
    assert behaviour.stats[SLUG]["shopping"] == 1
