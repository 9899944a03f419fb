"""The sim identity provider's token endpoint beyond the first code: refresh token rotation and
reuse detection, RFC 6749 errors, CORS for the browser app, and the dev-only direct grant."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import jwt
import pytest

from sim.identity import IdentityConfig
from tests.integration.auth.conftest import WallClock
from tests.support.oidc_flow import Flow, code_for, code_grant, refresh_grant, token
from tests.support.sim import SimHandle, running_sim
from tests.support.tokens import (
    SEEDED,
    identity_state,
    mint_token,
    register_redirect_uris,
    set_jwks_behaviour,
    set_token_behaviour,
    sign_in,
    sim_issuer,
)

ADA = "ada@example.com"
WEB_ORIGIN = "http://127.0.0.1:8080"


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


async def test_a_refresh_token_answers_new_tokens_and_a_new_refresh_token(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    tokens = await sign_in(sim.url, ADA, SEEDED[ADA])

    status, refreshed, headers = await token(session, sim.url, refresh_grant(tokens.refresh_token))

    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert refreshed["refresh_token"] != tokens.refresh_token
    assert claims(refreshed["access_token"])["sub"] == claims(tokens.access_token)["sub"]
    assert claims(refreshed["access_token"])["email"] == ADA
    assert claims(refreshed["id_token"])["aud"] == "skyfare-web"
    assert refreshed["scope"] == tokens.scope
    status, _, _ = await token(session, sim.url, refresh_grant(refreshed["refresh_token"]))
    assert status == 200


async def test_a_reused_refresh_token_revokes_its_whole_family_and_no_other(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    stolen = await sign_in(sim.url, ADA, SEEDED[ADA])
    other_device = await sign_in(sim.url, ADA, SEEDED[ADA])
    _, rotated, _ = await token(session, sim.url, refresh_grant(stolen.refresh_token))

    status, reuse, _ = await token(session, sim.url, refresh_grant(stolen.refresh_token))

    assert (status, reuse["error"]) == (400, "invalid_grant")
    status, newest, _ = await token(session, sim.url, refresh_grant(rotated["refresh_token"]))
    assert (status, newest["error"]) == (400, "invalid_grant")
    assert "revoked" in newest["error_description"]
    status, _, _ = await token(session, sim.url, refresh_grant(other_device.refresh_token))
    assert status == 200


async def test_a_refresh_token_is_bound_to_its_client(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    tokens = await sign_in(sim.url, ADA, SEEDED[ADA])

    status, answer, _ = await token(
        session, sim.url, refresh_grant(tokens.refresh_token, client_id="skyfare-cli")
    )

    assert (status, answer["error"]) == (400, "invalid_grant")


async def test_a_refresh_token_expires_after_30_days(
    clocked_sim: SimHandle, wall_clock: WallClock, session: aiohttp.ClientSession
) -> None:
    tokens = await sign_in(clocked_sim.url, ADA, SEEDED[ADA])
    wall_clock.advance(30 * 86400)

    status, answer, _ = await token(session, clocked_sim.url, refresh_grant(tokens.refresh_token))

    assert (status, answer["error"]) == (400, "invalid_grant")
    assert "expired" in answer["error_description"]


async def test_a_token_endpoint_outage_refuses_nothing_and_ends_when_told(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    tokens = await sign_in(sim.url, ADA, SEEDED[ADA])
    await set_token_behaviour(sim.url, "error")
    await set_jwks_behaviour(sim.url, "error")

    status, body, _ = await token(session, sim.url, refresh_grant(tokens.refresh_token))
    state = await identity_state(sim.url)
    await set_jwks_behaviour(sim.url, "ok")  # the token endpoint's mode stays as it was

    assert (status, body["error"]["code"]) == (503, "unavailable")
    assert (state["token"], state["jwks"]) == ("error", "error")
    assert (await identity_state(sim.url))["token"] == "error"
    await set_token_behaviour(sim.url, "ok")
    status, refreshed, _ = await token(session, sim.url, refresh_grant(tokens.refresh_token))
    assert status == 200  # the outage spent nothing: the refresh token still works
    assert refreshed["refresh_token"] != tokens.refresh_token


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_id": "skyfare-web"}, 400, "invalid_request"),
        ({"grant_type": "password", "client_id": "skyfare-web"}, 400, "unsupported_grant_type"),
        ({"grant_type": "refresh_token", "refresh_token": "x"}, 400, "invalid_request"),
        (
            {"grant_type": "refresh_token", "refresh_token": "x", "client_id": "nope"},
            401,
            "invalid_client",
        ),
        (
            {"grant_type": "refresh_token", "refresh_token": "x", "client_id": "skyfare-web"},
            400,
            "invalid_grant",
        ),
        (
            {"grant_type": "authorization_code", "code": "x", "client_id": "skyfare-web"},
            400,
            "invalid_request",
        ),
    ],
)
async def test_a_bad_token_request_is_an_oauth_error(
    sim: SimHandle, session: aiohttp.ClientSession, form: dict[str, str], status: int, error: str
) -> None:
    answered, answer, headers = await token(session, sim.url, form)

    assert (answered, answer["error"]) == (status, error)
    assert answer["error_description"]
    assert headers["Cache-Control"] == "no-store"


async def revoke(
    session: aiohttp.ClientSession, sim_url: str, form: dict[str, str]
) -> tuple[int, bytes, dict[str, str]]:
    async with session.post(f"{sim_issuer(sim_url)}/revoke", data=form) as response:
        return response.status, await response.read(), dict(response.headers)


async def test_a_revoked_refresh_token_family_gives_nothing_more_and_other_sign_ins_keep_theirs(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    copied = await sign_in(sim.url, ADA, SEEDED[ADA])
    other_device = await sign_in(sim.url, ADA, SEEDED[ADA])
    _, rotated, _ = await token(session, sim.url, refresh_grant(copied.refresh_token))

    status, body, headers = await revoke(
        session,
        sim.url,
        {
            "token": rotated["refresh_token"],
            "client_id": "skyfare-web",
            "token_type_hint": "refresh_token",
        },
    )

    assert (status, body, headers["Cache-Control"]) == (200, b"", "no-store")
    for refresh_token in (rotated["refresh_token"], copied.refresh_token):
        status, refused, _ = await token(session, sim.url, refresh_grant(refresh_token))
        assert (status, refused["error"]) == (400, "invalid_grant")
    status, _, _ = await token(session, sim.url, refresh_grant(other_device.refresh_token))
    assert status == 200
    # Signing out twice, or with a token long gone, is no error (RFC 7009 §2.2).
    for again in (rotated["refresh_token"], "never-issued"):
        status, _, _ = await revoke(session, sim.url, {"token": again, "client_id": "skyfare-web"})
        assert status == 200


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_id": "skyfare-web"}, 400, "invalid_request"),
        ({"token": "t"}, 400, "invalid_request"),
        ({"token": "t", "client_id": "nope"}, 401, "invalid_client"),
        (
            {
                "token": "an.access.token",
                "client_id": "skyfare-web",
                "token_type_hint": "access_token",
            },
            400,
            "unsupported_token_type",
        ),
    ],
)
async def test_a_bad_revocation_is_an_oauth_error(
    sim: SimHandle, session: aiohttp.ClientSession, form: dict[str, str], status: int, error: str
) -> None:
    answered, body, _ = await revoke(session, sim.url, form)

    answer = json.loads(body)
    assert (answered, answer["error"]) == (status, error)
    assert answer["error_description"]


async def test_another_clients_refresh_token_is_not_revoked_for_it(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    tokens = await sign_in(sim.url, ADA, SEEDED[ADA])

    status, body, _ = await revoke(
        session, sim.url, {"token": tokens.refresh_token, "client_id": "skyfare-cli"}
    )

    assert (status, json.loads(body)["error"]) == (400, "invalid_request")
    status, _, _ = await token(session, sim.url, refresh_grant(tokens.refresh_token))
    assert status == 200


@pytest.mark.parametrize(
    "path", ["/token", "/revoke", "/.well-known/openid-configuration", "/.well-known/jwks.json"]
)
async def test_the_browser_app_origin_may_call_the_token_discovery_and_jwks_endpoints(
    sim: SimHandle, session: aiohttp.ClientSession, path: str
) -> None:
    url = f"{sim_issuer(sim.url)}{path}"
    preflight_headers = {
        "Origin": WEB_ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    async with session.options(url, headers=preflight_headers) as preflight:
        assert preflight.status == 204
        assert preflight.headers["Access-Control-Allow-Origin"] == WEB_ORIGIN
        assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
        assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    method = "POST" if path in ("/token", "/revoke") else "GET"
    async with session.request(method, url, headers={"Origin": WEB_ORIGIN}, data={}) as answer:
        assert answer.headers["Access-Control-Allow-Origin"] == WEB_ORIGIN
        assert "Origin" in answer.headers["Vary"]


async def test_another_origin_gets_no_cors_until_its_redirect_uri_is_registered(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    origin = "http://127.0.0.1:20160"
    url = f"{sim_issuer(sim.url)}/token"
    preflight_headers = {"Origin": origin, "Access-Control-Request-Method": "POST"}
    async with session.options(url, headers=preflight_headers) as preflight:
        assert preflight.status == 403
        assert "Access-Control-Allow-Origin" not in preflight.headers
    async with session.post(url, headers={"Origin": origin}, data={}) as answer:
        assert "Access-Control-Allow-Origin" not in answer.headers

    await register_redirect_uris(sim.url, [f"{origin}/auth/callback"])

    async with session.options(url, headers=preflight_headers) as preflight:
        assert preflight.status == 204
        assert preflight.headers["Access-Control-Allow-Origin"] == origin


async def test_the_direct_grant_puts_the_optional_profile_claims_in_the_token(
    sim: SimHandle,
) -> None:
    token_ = await mint_token(
        sim.url, "alice", email="alice@example.com", given_name="Alice", family_name="Liddell"
    )
    plain = await mint_token(sim.url, "bob")

    assert claims(token_)["email"] == "alice@example.com"
    assert (claims(token_)["given_name"], claims(token_)["family_name"]) == ("Alice", "Liddell")
    assert not {"email", "given_name", "family_name"} & set(claims(plain))


async def test_with_the_direct_grant_off_only_sign_in_gives_tokens(
    session: aiohttp.ClientSession,
) -> None:
    async with running_sim(identity=IdentityConfig(direct_grant=False)) as sim:
        url = f"{sim_issuer(sim.url)}/token"
        async with session.post(url, json={"sub": "alice"}) as refused:
            assert refused.status == 400
            answer = await refused.json()
        flow = Flow(sim.url)
        code = await code_for(session, flow, ADA, SEEDED[ADA])
        status, _, _ = await token(session, sim.url, code_grant(flow, code))

    assert answer["error"] == "invalid_request"
    assert "direct grant is off" in answer["error_description"]
    assert status == 200
