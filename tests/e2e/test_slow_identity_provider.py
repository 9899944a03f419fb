"""An identity provider slower than the default JWKS bound, within the one the settings give.

The app fetches the issuer's signing keys on a token's first use. That fetch had a fixed 2 s
bound: on a loaded machine the in-process sim's answer came later and the request was a 503
("the identity provider cannot be reached"), which no test about orders is about.
`SKYFARE_JWKS_TIMEOUT_MS` now sets it (the suite's settings give 10 s).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from kernel.auth import AUTHENTICATE
from skyfare.app import create_app
from skyfare.settings import Settings
from tests.support.sim import SimHandle, running_sim
from tests.support.tcp_proxy import CuttableProxy
from tests.support.tokens import bearer, mint_token, sim_issuer

# Longer than the old fixed 2 s, far inside the bound this test's settings give.
SLOW_S = 2.5


async def _whoami(request: web.Request) -> web.Response:
    principal = await request.config_dict[AUTHENTICATE](request)
    return web.json_response({"subject": principal.subject})


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    async with running_sim() as sim:
        yield sim


@pytest.fixture
async def keys_proxy(sim: SimHandle) -> AsyncIterator[CuttableProxy]:
    """A proxy in front of the sim, which the app fetches the issuer's keys through."""
    address = urlsplit(sim.url)
    async with CuttableProxy((address.hostname or "127.0.0.1", address.port or 80), None) as proxy:
        yield proxy


async def test_a_slow_key_fetch_within_the_bound_authenticates(
    settings: Settings, sim: SimHandle, keys_proxy: CuttableProxy
) -> None:
    issuer = sim_issuer(sim.url)
    through_proxy = issuer.replace(sim.url, f"http://127.0.0.1:{keys_proxy.port}")
    patient = msgspec.structs.replace(
        settings,
        jwt_issuer=issuer,
        jwks_url=f"{through_proxy}/.well-known/jwks.json",
        jwks_timeout_ms=10_000,
    )
    app = create_app(patient)
    app.router.add_get("/_test/whoami", _whoami, name="test_whoami")
    token = await mint_token(sim.url, "ada")
    async with TestClient(TestServer(app)) as client:
        keys_proxy.stall()  # the issuer answers, late
        asyncio.get_running_loop().call_later(SLOW_S, keys_proxy.resume)
        response = await client.get("/_test/whoami", headers=bearer(token))

        assert response.status == 200, await response.text()
        assert (await response.json())["subject"] == "ada"
