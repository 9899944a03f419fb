"""A sim server with the NDC airline mounted, on a free port, until `sim/server.py` mounts it.

Built the way the sim server builds itself: the control API plus the airline's sub-app under its
base path, sharing one `Behaviour` (profiles, hangs and stats work as for REST). The world's
clock is a `SimClock` the tests can move forward, so offers expire without waiting.

Every NDC message of every test here is recorded and checked against IATA's NDC 21.3 schemas in
both directions (`ndc_exchanges`, tests/support/ndc_exchanges.py); the airline checks each
request itself too, as a conforming airline does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from aiohttp import web

from connectors.ndc import NdcConnector
from sim import control
from sim.catalog import airline
from sim.control import BEHAVIOUR, Behaviour
from sim.ndc import ndc_airline_app
from sim.ndc.schemas import Schemas
from sim.world import World
from tests.support import fake_server
from tests.support.ndc_exchanges import ExchangeRecorder, schema_folder_or_none
from tests.support.sim import SimHandle, fast_profiles

CRIMSON = airline("crimson")
# A bound only a broken sim reaches: a machine running the suite in two processes beside
# Chromium took over 2 s to answer one call (tests that are about a timeout pass their own).
TIMEOUT = 20.0


class SimClock:
    """The sim's notion of now: real UTC time plus a shift the test controls."""

    def __init__(self) -> None:
        self.shift = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.shift


def ndc_sim_app(
    clock: SimClock,
    *,
    seed: int = 42,
    api_key: str = "",
    recorder: ExchangeRecorder | None = None,
) -> web.Application:
    world = World(seed, clock=clock)
    behaviour = Behaviour(control.profiles_with(fast_profiles()), seed=seed)
    app = web.Application(middlewares=[] if recorder is None else [recorder.middleware])
    folder = schema_folder_or_none()
    schemas = None if folder is None else Schemas(folder)
    app[BEHAVIOUR] = behaviour
    control.add_routes(app.router)
    app.add_subapp(
        CRIMSON.base_path,
        ndc_airline_app(world.airlines["crimson"], behaviour, api_key=api_key, schemas=schemas),
    )

    async def release(app: web.Application) -> None:
        behaviour.release_hung()

    app.on_shutdown.append(release)
    return app


async def serve(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` on a free port of 127.0.0.1 and yield its URL; fails the test if the server
    raised on its own (tests/support/fake_server.py)."""
    async with fake_server.serve(app) as url:
        yield url


@pytest.fixture
def clock() -> SimClock:
    return SimClock()


@pytest.fixture
def ndc_exchanges() -> Iterator[ExchangeRecorder]:
    """The NDC messages of the test, each checked against its schema when the test ends (when
    the schemas are here: the tests that need them, test_sim_speaks_ndc_21_3.py, skip without
    them, or fail under CI)."""
    recorder = ExchangeRecorder()
    yield recorder
    folder = schema_folder_or_none()
    if folder is not None:
        recorder.check(folder)


@pytest.fixture
async def sim(clock: SimClock, ndc_exchanges: ExchangeRecorder) -> AsyncIterator[SimHandle]:
    async for url in serve(ndc_sim_app(clock, recorder=ndc_exchanges)):
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            yield SimHandle(url, session)


@pytest.fixture
async def crimson(sim: SimHandle) -> AsyncIterator[NdcConnector]:
    connector = NdcConnector("ndc-crimson", sim.url + CRIMSON.base_path, max_timeout_s=TIMEOUT)
    await connector.start()
    yield connector
    await connector.close()
