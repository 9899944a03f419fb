"""Sign-in through the sim's real flow, end to end: the API (a resource server, unchanged)
accepts the access token the code flow gives, and `skyfare login` gets one from a shell."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import jwt
import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.migrations import migrate
from skyfare.settings import Settings
from tests.e2e.conftest import closed_port
from tests.support.cli import skyfare_against_sim
from tests.support.sim import SimHandle, running_sim
from tests.support.tokens import SEEDED, bearer, sign_in, sim_issuer

Client = TestClient[web.Request, web.Application]
ADA = "ada@example.com"


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    async with running_sim() as sim:
        yield sim


@pytest.fixture
async def client(settings: Settings, sim: SimHandle) -> AsyncIterator[Client]:
    """The app trusting the sim's issuer, its database migrated (the orders are listed)."""
    assert settings.database_url is not None
    async with asyncpg.create_pool(settings.database_url, min_size=0, max_size=2) as pool:
        await migrate(pool, timeout=30)
    app = create_app(msgspec.structs.replace(settings, jwt_issuer=sim_issuer(sim.url)))
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_a_token_from_the_sign_in_flow_lists_the_travelers_orders(
    client: Client, sim: SimHandle
) -> None:
    tokens = await sign_in(sim.url, ADA, SEEDED[ADA])

    response = await client.get("/v1/orders", headers=bearer(tokens.access_token))
    refused = await client.get("/v1/orders", headers=bearer(tokens.id_token))  # aud: the client

    assert response.status == 200
    assert isinstance((await response.json())["data"], list)
    assert refused.status == 401


async def test_skyfare_login_prints_an_access_token_the_api_accepts(
    client: Client, sim: SimHandle
) -> None:
    port = int(sim.url.rsplit(":", 1)[1])

    code, out, _ = await skyfare_against_sim(
        "login", "--email", ADA, "--password", SEEDED[ADA], sim_port=port
    )

    assert code == 0
    assert out.count("\n") == 1  # only the token: `$(skyfare login ...)` just works
    assert jwt.decode(out.strip(), options={"verify_signature": False})["email"] == ADA
    response = await client.get("/v1/orders", headers=bearer(out.strip()))
    assert response.status == 200


async def test_skyfare_login_with_a_wrong_password_says_so(sim: SimHandle) -> None:
    port = int(sim.url.rsplit(":", 1)[1])

    code, out, err = await skyfare_against_sim(
        "login", "--email", ADA, "--password", "nope", sim_port=port
    )

    assert (code, out) == (2, "")
    assert "Wrong email or password" in err
    assert "nope" not in err


async def test_skyfare_login_without_a_running_sim_says_to_start_it() -> None:
    code, _, err = await skyfare_against_sim(
        "login", "--email", ADA, "--password", "x", sim_port=closed_port()
    )

    assert code == 1
    assert "is the sim running" in err
