"""A real sim (its identity provider on a random port) and an authenticator trusting it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from sim.identity import IdentityConfig
from skyfare.auth import JwksAuthenticator, JwksKeySet
from tests.support.sim import SimHandle, running_sim
from tests.support.tokens import sim_issuer

REFETCH_INTERVAL_S = 5.0
MAX_AGE_S = 300.0


class ManualClock:
    """The key set's monotonic clock, moved by the test instead of by sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    async with running_sim() as sim:
        yield sim


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


# What a fetch of the sim's key set may take: far beyond what a busy machine needs, since a fetch
# cut short fails the test as an unreachable IdP. The hanging-IdP test passes a short one.
FETCH_TIMEOUT_S = 30.0


def authenticator_for(
    jwks_url: str, issuer: str, clock: ManualClock, *, fetch_timeout_s: float = FETCH_TIMEOUT_S
) -> JwksAuthenticator:
    keys = JwksKeySet(
        jwks_url,
        timeout_s=fetch_timeout_s,
        max_age_s=MAX_AGE_S,
        refetch_interval_s=REFETCH_INTERVAL_S,
        clock=clock,
    )
    return JwksAuthenticator(keys, issuer=issuer, audience="skyfare")


@pytest.fixture
async def authenticator(sim: SimHandle, clock: ManualClock) -> AsyncIterator[JwksAuthenticator]:
    issuer = sim_issuer(sim.url)
    authenticator = authenticator_for(f"{issuer}/.well-known/jwks.json", issuer, clock)
    yield authenticator
    await authenticator.close()


def bearer_request(token: str) -> web.Request:
    return make_mocked_request("GET", "/v1/orders", headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


class WallClock:
    """The identity provider's wall clock, at the real time until the test moves it."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def wall_clock() -> WallClock:
    return WallClock()


@pytest.fixture
async def clocked_sim(wall_clock: WallClock) -> AsyncIterator[SimHandle]:
    """A sim whose identity provider reads `wall_clock`."""
    async with running_sim(identity=IdentityConfig(clock=wall_clock)) as sim:
        yield sim
