"""`DELETE /v1/me` needs a recent sign-in (RFC 9470 step-up), over the real API and a real sim
whose identity provider runs on a clock the test sets: a stale or undated token is a 401 with
the `insufficient_user_authentication` challenge and erases nothing, a fresh one erases, and a
refresh keeps the sign-in's age."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import asyncpg
import msgspec
import pytest
from aiohttp.test_utils import TestClient, TestServer

from sim.identity import IdentityConfig
from skyfare.app import create_app
from skyfare.migrations import migrate
from skyfare.problems import MEDIA_TYPE
from skyfare.settings import Settings
from tests.e2e.users.conftest import Client, Headers, new_subject
from tests.support.oidc_flow import Flow, code_grant, refresh_grant, submit, token
from tests.support.sim import SimHandle, running_sim
from tests.support.tokens import (
    IdentityClock,
    bearer,
    mint_token,
    sign_as_sim,
    sign_in,
    sim_claims,
    sim_issuer,
)

STEP_UP = "https://skyfare.dev/problems/insufficient-user-authentication"
PASSWORD = "hopper-1906-cobol"


class Stack(msgspec.Struct):
    client: Client
    sim: SimHandle
    clock: IdentityClock


@pytest.fixture
async def stack(settings: Settings) -> AsyncIterator[Stack]:
    assert settings.database_url is not None
    async with asyncpg.create_pool(settings.database_url, min_size=0, max_size=2) as pool:
        await migrate(pool, timeout=30)
    clock = IdentityClock()
    async with running_sim(identity=IdentityConfig(clock=clock)) as sim:
        configured = msgspec.structs.replace(settings, jwt_issuer=sim_issuer(sim.url))
        async with TestClient(TestServer(create_app(configured))) as client:
            yield Stack(client, sim, clock)


async def sign_up(session: aiohttp.ClientSession, sim_url: str, email: str) -> dict[str, Any]:
    """A new account through the sim's sign-up form: its tokens."""
    flow = Flow(sim_url)
    fields = {"given_name": "Grace", "family_name": "Hopper", "email": email}
    answer = await submit(session, flow, "sign-up", **fields, password=PASSWORD)
    assert answer.status == 303, answer.text
    code = answer.location_params()["code"]
    status, tokens, _ = await token(session, sim_url, code_grant(flow, code))
    assert status == 200, tokens
    return tokens


async def with_a_saved_traveler(client: Client, headers: Headers) -> None:
    assert (await client.get("/v1/me", headers=headers)).status == 200  # the profile, created
    traveler = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "born_on": "1990-12-10",
        "gender": "f",
    }
    response = await client.post("/v1/me/travelers", json=traveler, headers=headers)
    assert response.status == 201, await response.text()


async def travelers_of(client: Client, headers: Headers) -> list[Any]:
    response = await client.get("/v1/me/travelers", headers=headers)
    assert response.status == 200
    data: list[Any] = (await response.json())["data"]
    return data


async def assert_step_up_refusal(response: aiohttp.ClientResponse) -> dict[str, Any]:
    problem: dict[str, Any] = await response.json(content_type=None)
    assert response.status == 401, problem
    assert response.content_type == MEDIA_TYPE
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="skyfare", error="insufficient_user_authentication"')
    assert challenge.endswith(", max_age=300")
    assert problem["type"] == STEP_UP
    assert problem["max_age"] == 300
    assert "Sign in again" in problem["detail"]
    return problem


@pytest.mark.parametrize("roles", [[], ["support"]])  # support staff erase only their own too
async def test_a_token_signed_in_an_hour_ago_erases_nothing_and_a_fresh_one_erases(
    stack: Stack, roles: list[str]
) -> None:
    subject = new_subject()
    an_hour_ago = int(time.time()) - 3600
    stale = bearer(await mint_token(stack.sim.url, subject, roles=roles, auth_time=an_hour_ago))
    await with_a_saved_traveler(stack.client, stale)  # other routes take it as before

    refused = await stack.client.delete("/v1/me", headers=stale)

    problem = await assert_step_up_refusal(refused)
    assert "60 minutes ago" in problem["detail"]
    assert len(await travelers_of(stack.client, stale)) == 1  # nothing erased
    fresh = bearer(await mint_token(stack.sim.url, subject, roles=roles))
    erased = await stack.client.delete("/v1/me", headers=fresh)
    report = await erased.json()
    assert erased.status == 200, report
    assert report["erased"]["profile"] is True
    assert report["erased"]["saved_travelers"] == 1


async def test_a_token_that_does_not_say_when_it_signed_in_is_refused(stack: Stack) -> None:
    subject = new_subject()
    undated = bearer(sign_as_sim(sim_claims(stack.sim.url, subject, auth_time=None)))
    await with_a_saved_traveler(stack.client, undated)

    refused = await stack.client.delete("/v1/me", headers=undated)

    problem = await assert_step_up_refusal(refused)
    assert "does not say when you signed in" in problem["detail"]
    assert len(await travelers_of(stack.client, undated)) == 1


async def test_a_bad_token_is_the_ordinary_401_before_any_sign_in_age(stack: Stack) -> None:
    expired = sign_as_sim(
        sim_claims(stack.sim.url, new_subject(), exp=int(time.time()) - 600, auth_time=0)
    )
    for headers in ({}, bearer(expired)):
        response = await stack.client.delete("/v1/me", headers=headers)
        problem = await response.json()

        assert response.status == 401
        assert problem["type"] == "https://skyfare.dev/problems/unauthorized"
        assert "insufficient_user_authentication" not in response.headers["WWW-Authenticate"]


async def test_a_refresh_keeps_the_sign_in_age_and_only_signing_in_again_passes(
    stack: Stack,
) -> None:
    # An account of this test's own: a seeded one may hold other tests' orders (a 409).
    email = f"{new_subject('grace')}@example.com"
    async with aiohttp.ClientSession() as session:
        stack.clock.behind_s = 1800  # the traveler signed up half an hour ago...
        signed_up = await sign_up(session, stack.sim.url, email)
        stack.clock.behind_s = 0
        status, refreshed, _ = await token(  # ...and the app refreshed just now
            session, stack.sim.url, refresh_grant(signed_up["refresh_token"])
        )
    assert status == 200, refreshed

    refused = await stack.client.delete("/v1/me", headers=bearer(refreshed["access_token"]))

    problem = await assert_step_up_refusal(refused)
    assert "30 minutes ago" in problem["detail"]
    again = await sign_in(stack.sim.url, email, PASSWORD)
    erased = await stack.client.delete("/v1/me", headers=bearer(again.access_token))
    assert erased.status == 200, await erased.text()


async def test_the_openapi_document_says_erasure_needs_a_recent_sign_in(stack: Stack) -> None:
    document = await (await stack.client.get("/openapi.json")).json()

    erase = document["paths"]["/v1/me"]["delete"]
    assert erase["security"] == [{"bearer": []}]
    assert "insufficient-user-authentication" in erase["responses"]["401"]["description"]
    assert "insufficient-user-authentication" in str(document["components"]["schemas"]["Problem"])
