"""The sim identity provider and RFC 9470 step-up: tokens carry `auth_time`, a refresh keeps
it, and `max_age` / `prompt=login` get a fresh sign-in (every authorization asks for the
password, so they are met by construction; a malformed one is refused)."""

from __future__ import annotations

from typing import Any

import aiohttp
import jwt
import pytest

from skyfare.devlogin import parse_forms
from tests.integration.auth.conftest import WallClock
from tests.support.oidc_flow import Flow, code_for, code_grant, get, refresh_grant, token
from tests.support.sim import SimHandle
from tests.support.tokens import SEEDED, mint_token

ADA = "ada@example.com"


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


async def signed_in(session: aiohttp.ClientSession, sim: SimHandle, **extra: str) -> dict[str, Any]:
    flow = Flow(sim.url, extra=extra)
    code = await code_for(session, flow, ADA, SEEDED[ADA])
    status, tokens, _ = await token(session, sim.url, code_grant(flow, code))
    assert status == 200, tokens
    return tokens


async def test_the_access_token_carries_the_sign_in_time_and_a_refresh_keeps_it(
    clocked_sim: SimHandle, wall_clock: WallClock, session: aiohttp.ClientSession
) -> None:
    signed_in_at = int(wall_clock.now)
    tokens = await signed_in(session, clocked_sim)
    wall_clock.advance(3600)

    status, refreshed, _ = await token(
        session, clocked_sim.url, refresh_grant(tokens["refresh_token"])
    )

    assert status == 200, refreshed
    assert claims(tokens["access_token"])["auth_time"] == signed_in_at
    access = claims(refreshed["access_token"])
    assert access["iat"] == signed_in_at + 3600  # a new token...
    assert access["auth_time"] == signed_in_at  # ...of the same sign-in: a refresh is not one
    assert claims(refreshed["id_token"])["auth_time"] == signed_in_at


@pytest.mark.parametrize(
    "extra", [{"max_age": "0"}, {"prompt": "login"}, {"max_age": "300", "prompt": "login"}]
)
async def test_max_age_or_prompt_login_asks_for_the_password_and_signs_in_now(
    clocked_sim: SimHandle,
    wall_clock: WallClock,
    session: aiohttp.ClientSession,
    extra: dict[str, str],
) -> None:
    await signed_in(session, clocked_sim)  # an earlier sign-in does not count
    wall_clock.advance(3600)

    page = await get(session, Flow(clocked_sim.url, extra=extra).url())
    tokens = await signed_in(session, clocked_sim, **extra)

    assert page.status == 200
    assert "sign in again, to confirm it is you" in page.text
    carried = parse_forms(page.text)["sign-in"].fields
    assert {k: carried[k] for k in extra} == extra  # checked again on the post
    assert claims(tokens["access_token"])["auth_time"] == int(wall_clock.now)
    assert claims(tokens["id_token"])["auth_time"] == int(wall_clock.now)


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"max_age": "-1"}, "invalid_request"),
        ({"max_age": "five"}, "invalid_request"),
        ({"max_age": "1e3"}, "invalid_request"),
        ({"max_age": "٣"}, "invalid_request"),
        ({"max_age": str(10**12)}, "invalid_request"),
        ({"prompt": "sometimes"}, "invalid_request"),
        ({"prompt": ""}, "invalid_request"),
        ({"prompt": "none login"}, "invalid_request"),
        ({"prompt": "none"}, "login_required"),  # no session is kept: nobody is signed in
    ],
)
async def test_a_bad_max_age_or_prompt_goes_back_to_the_client_as_an_error(
    sim: SimHandle, session: aiohttp.ClientSession, extra: dict[str, str], error: str
) -> None:
    flow = Flow(sim.url, extra=extra)

    answer = await get(session, flow.url())

    assert answer.status == 303, answer.text
    params = answer.location_params()
    assert (params["error"], params["state"]) == (error, flow.state)
    assert next(iter(extra)) in params["error_description"]


async def test_discovery_lists_the_prompt_values_and_the_auth_time_claim(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    async with session.get(f"{sim.url}/identity/.well-known/openid-configuration") as response:
        config = await response.json()

    assert {"login", "none"} <= set(config["prompt_values_supported"])
    assert "auth_time" in config["claims_supported"]


async def test_the_direct_grant_signs_in_now_unless_asked_for_an_earlier_sign_in(
    sim: SimHandle,
) -> None:
    fresh = claims(await mint_token(sim.url, "alice"))
    stale = claims(await mint_token(sim.url, "alice", auth_time=fresh["iat"] - 3600))

    assert fresh["auth_time"] == fresh["iat"]
    assert stale["auth_time"] == fresh["iat"] - 3600
