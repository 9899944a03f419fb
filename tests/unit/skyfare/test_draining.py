"""Each process says when a stop signal begins its drain and when the drain is done (once, for a
Ctrl-C followed by the supervisor's SIGTERM); it said nothing between the signal and its exit."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import pytest

from skyfare.draining import Drain


async def test_a_stop_signal_is_logged_as_the_drain_begins_and_once_it_is_done(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="skyfare.draining")
    loop = asyncio.get_running_loop()
    stops: list[None] = []
    stopped = asyncio.Event()
    drain = Drain("relay")

    def stop() -> None:
        stops.append(None)
        stopped.set()

    drain.handle(loop, stop)
    try:
        drain.done()  # not signalled: nothing drained, nothing said
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        async with asyncio.timeout(10):
            while len(stops) < 2:
                await stopped.wait()
                stopped.clear()
    finally:
        drain.unhandle(loop)
    drain.done()
    assert len(stops) == 2  # each signal still stops
    assert [r.getMessage() for r in caplog.records] == [
        "relay: SIGINT received: draining",
        "relay: drained: stopping",
    ]
