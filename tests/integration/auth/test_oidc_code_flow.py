"""The sim identity provider's authorization code flow with PKCE, over real HTTP: the sign-in
page, the redirect, the code exchange, and each way a request or a code is refused."""

from __future__ import annotations

from typing import Any

import aiohttp
import jwt
import pytest

from skyfare.devlogin import SignInFailed, callback_params, verified_id_token
from tests.integration.auth.conftest import WallClock
from tests.support.oidc_flow import (
    Flow,
    code_for,
    code_grant,
    get,
    refresh_grant,
    submit,
    token,
)
from tests.support.sim import SimHandle
from tests.support.tokens import (
    SEEDED,
    WEB_REDIRECT_URI,
    register_redirect_uris,
    sign_in,
    sim_issuer,
)

ADA = "ada@example.com"


async def verified(session: aiohttp.ClientSession, sim_url: str, token: str, audience: str) -> Any:
    async with session.get(f"{sim_issuer(sim_url)}/.well-known/jwks.json") as response:
        jwks = jwt.PyJWKSet.from_dict(await response.json())
    key = jwks[jwt.get_unverified_header(token)["kid"]].key
    return jwt.decode(
        token, key, algorithms=["ES256"], audience=audience, issuer=sim_issuer(sim_url)
    )


async def test_discovery_lists_the_code_flow_endpoints_and_they_answer(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    async with session.get(f"{sim.url}/identity/.well-known/openid-configuration") as response:
        config = await response.json()

    issuer = sim_issuer(sim.url)
    assert config["authorization_endpoint"] == f"{issuer}/authorize"
    assert config["token_endpoint"] == f"{issuer}/token"
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["response_types_supported"] == ["code"]
    assert config["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert config["token_endpoint_auth_methods_supported"] == ["none"]
    assert config["revocation_endpoint"] == f"{issuer}/revoke"
    assert config["revocation_endpoint_auth_methods_supported"] == ["none"]
    assert {"openid", "profile", "email"} <= set(config["scopes_supported"])
    assert {"sub", "email", "given_name", "family_name", "nonce"} <= set(config["claims_supported"])
    page = await get(
        session,
        Flow(sim.url).url().replace(f"{issuer}/authorize", config["authorization_endpoint"]),
    )
    assert page.status == 200


async def test_a_seeded_user_signs_in_and_gets_tokens_for_the_api_and_the_client(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    tokens = await sign_in(sim.url, ADA, SEEDED[ADA])

    access = await verified(session, sim.url, tokens.access_token, "skyfare")
    identity = await verified(session, sim.url, tokens.id_token, "skyfare-web")
    assert access["sub"].startswith("usr_")
    assert access["sub"] == identity["sub"]
    assert (access["email"], access["email_verified"]) == (ADA, True)
    assert (access["given_name"], access["family_name"]) == ("Ada", "Lovelace")
    assert access["scope"] == tokens.scope == "openid profile email"
    # Short-lived: an access token cannot be revoked, only its refresh family can.
    assert access["exp"] - access["iat"] == tokens.expires_in == 15 * 60
    assert tokens.refresh_token


async def test_the_seeded_support_agent_gets_the_support_role_and_a_login_hint_fills_the_email(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    tokens = await sign_in(sim.url, "grace@example.com", SEEDED["grace@example.com"])
    page = await get(session, Flow(sim.url).url() + "&login_hint=grace%40example.com")

    assert jwt.decode(tokens.access_token, options={"verify_signature": False})["roles"] == [
        "support"
    ]
    assert 'name="email" type="email" required autocomplete="email" value="grace@example.com"' in (
        page.text
    )


async def test_the_same_user_has_the_same_subject_at_every_sign_in_and_restart(
    sim: SimHandle,
) -> None:
    first = await sign_in(sim.url, ADA, SEEDED[ADA])
    second = await sign_in(sim.url, ADA.upper(), SEEDED[ADA])
    other = await sign_in(sim.url, "alan@example.com", SEEDED["alan@example.com"])

    def sub(token: str) -> str:
        return str(jwt.decode(token, options={"verify_signature": False})["sub"])

    assert sub(first.access_token) == sub(second.access_token) != sub(other.access_token)


async def test_the_redirect_echoes_state_and_the_id_token_carries_the_nonce(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    flow = Flow(sim.url, state="st-ä &x=1", nonce="n-0S6_WzA2Mj")
    answer = await submit(session, flow, "sign-in", email=ADA, password=SEEDED[ADA])
    assert answer.headers["Location"].startswith(f"{WEB_REDIRECT_URI}?")
    params = callback_params(
        answer.headers["Location"], redirect_uri=flow.redirect_uri, state=flow.state
    )
    assert params["iss"] == sim_issuer(sim.url)
    _, tokens, _ = await token(session, sim.url, code_grant(flow, params["code"]))

    claims = await verified_id_token(
        session, flow.issuer, tokens["id_token"], client_id="skyfare-web", nonce=flow.nonce
    )

    assert claims["nonce"] == flow.nonce
    # What a client checks: an answer with another state, a token with another nonce, is refused.
    with pytest.raises(SignInFailed, match="state"):
        callback_params(answer.headers["Location"], redirect_uri=flow.redirect_uri, state="mine")
    with pytest.raises(SignInFailed, match="nonce"):
        await verified_id_token(
            session, flow.issuer, tokens["id_token"], client_id="skyfare-web", nonce="other"
        )


async def test_a_code_redeemed_twice_is_refused_and_revokes_what_it_gave(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    flow = Flow(sim.url)
    code = await code_for(session, flow, ADA, SEEDED[ADA])
    status, first, headers = await token(session, sim.url, code_grant(flow, code))
    assert status == 200
    assert headers["Cache-Control"] == "no-store"

    status, replay, headers = await token(session, sim.url, code_grant(flow, code))

    assert status == 400
    assert replay["error"] == "invalid_grant"
    assert headers["Cache-Control"] == "no-store"
    status, refreshed, _ = await token(session, sim.url, refresh_grant(first["refresh_token"]))
    assert (status, refreshed["error"]) == (400, "invalid_grant")


async def test_a_wrong_verifier_is_refused_and_spends_the_code(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    flow = Flow(sim.url)
    code = await code_for(session, flow, ADA, SEEDED[ADA])
    wrong = Flow(sim.url).verifier  # well formed, not ours

    status, answer, _ = await token(session, sim.url, code_grant(flow, code, code_verifier=wrong))

    assert (status, answer["error"]) == (400, "invalid_grant")
    assert "code_verifier" in answer["error_description"]
    status, answer, _ = await token(session, sim.url, code_grant(flow, code))
    assert (status, answer["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    "override",
    [
        {"redirect_uri": "http://localhost:8080/auth/callback"},  # registered, but not this code's
        {"client_id": "skyfare-cli"},
    ],
)
async def test_a_code_is_bound_to_its_client_and_redirect_uri(
    sim: SimHandle, session: aiohttp.ClientSession, override: dict[str, str]
) -> None:
    flow = Flow(sim.url)
    code = await code_for(session, flow, ADA, SEEDED[ADA])

    status, answer, _ = await token(session, sim.url, code_grant(flow, code, **override))

    assert (status, answer["error"]) == (400, "invalid_grant")


async def test_a_code_expires_after_60_seconds(
    clocked_sim: SimHandle, wall_clock: WallClock, session: aiohttp.ClientSession
) -> None:
    prompt, late = Flow(clocked_sim.url), Flow(clocked_sim.url)
    prompt_code = await code_for(session, prompt, ADA, SEEDED[ADA])
    wall_clock.advance(59)
    status, _, _ = await token(session, clocked_sim.url, code_grant(prompt, prompt_code))
    assert status == 200  # 59 s old: still good

    late_code = await code_for(session, late, ADA, SEEDED[ADA])
    wall_clock.advance(60)
    status, answer, _ = await token(session, clocked_sim.url, code_grant(late, late_code))

    assert (status, answer["error"]) == (400, "invalid_grant")
    assert "expired" in answer["error_description"]


async def test_an_unregistered_redirect_uri_gets_a_400_page_and_no_redirect(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    elsewhere = "http://127.0.0.1:8080/auth/callback/"  # one character off: not the same URI

    refused = await get(session, Flow(sim.url, redirect_uri=elsewhere).url())
    unknown = await get(session, Flow(sim.url, client_id="who-knows").url())

    assert refused.status == 400
    assert "Location" not in refused.headers
    assert "is not registered" in refused.text
    assert unknown.status == 400
    assert "unknown client_id" in unknown.text


async def test_a_redirect_uri_registered_at_run_time_is_accepted(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    callback = "http://127.0.0.1:20150/auth/callback"
    assert (await get(session, Flow(sim.url, redirect_uri=callback).url())).status == 400

    uris = await register_redirect_uris(sim.url, [callback])

    assert callback in uris
    tokens = await sign_in(sim.url, ADA, SEEDED[ADA], redirect_uri=callback)
    assert tokens.access_token


async def test_the_control_route_refuses_a_redirect_uri_that_is_not_absolute(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    body = {"client_id": "skyfare-web", "redirect_uris": ["/auth/callback", "http://x/cb#frag"]}
    async with session.post(f"{sim.url}/_sim/identity/clients", json=body) as response:
        assert response.status == 422
        message = (await response.json())["error"]["message"]
    assert "/auth/callback" in message
    assert "fragment" in message


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile email"}, "invalid_scope"),
    ],
)
async def test_a_bad_request_for_a_registered_redirect_uri_goes_back_as_an_error(
    sim: SimHandle, session: aiohttp.ClientSession, change: dict[str, str], error: str
) -> None:
    flow = Flow(sim.url)
    url = flow.url()
    for name, value in change.items():
        url = _with_param(url, name, value)

    answer = await get(session, url)

    assert answer.status == 303
    assert answer.headers["Location"].startswith(WEB_REDIRECT_URI)
    params = answer.location_params()
    assert (params["error"], params["state"]) == (error, flow.state)


def _with_param(url: str, name: str, value: str) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query[name] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


async def test_a_wrong_password_shows_the_page_again_and_gives_no_code(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    flow = Flow(sim.url)

    wrong = await submit(session, flow, "sign-in", email=ADA, password="lovelace-1816")
    nobody = await submit(session, flow, "sign-in", email="nobody@example.com", password="x" * 12)

    for answer in (wrong, nobody):
        assert answer.status == 401
        assert "Location" not in answer.headers
        assert "Wrong email or password." in answer.text
        assert answer.headers["Cache-Control"] == "no-store"
    assert "lovelace-1816" not in wrong.text
    with pytest.raises(SignInFailed, match="Wrong email or password"):
        await sign_in(sim.url, ADA, "lovelace-1816")


async def test_a_new_user_signs_up_and_signs_in_again_later(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    flow = Flow(sim.url)
    answer = await submit(
        session,
        flow,
        "sign-up",
        email="Mary.Jackson@example.com",
        password="wind-tunnel-1958",
        given_name="Mary",
        family_name="Jackson",
    )
    assert answer.status == 303
    code = answer.location_params()["code"]
    _, tokens, _ = await token(session, sim.url, code_grant(flow, code))

    access = await verified(session, sim.url, tokens["access_token"], "skyfare")
    again = await sign_in(sim.url, "mary.jackson@example.com", "wind-tunnel-1958")

    assert access["email"] == "mary.jackson@example.com"
    assert access["email_verified"] is False
    assert (access["given_name"], access["family_name"]) == ("Mary", "Jackson")
    assert (
        jwt.decode(again.access_token, options={"verify_signature": False})["sub"] == access["sub"]
    )


async def test_a_sign_up_names_each_bad_field_and_refuses_a_taken_email(
    sim: SimHandle, session: aiohttp.ClientSession
) -> None:
    bad = await submit(
        session,
        Flow(sim.url),
        "sign-up",
        email="not-an-email",
        password="short",
        given_name="",
        family_name="Jackson",
    )
    taken = await submit(
        session,
        Flow(sim.url),
        "sign-up",
        email=ADA,
        password="another-password",
        given_name="Ada",
        family_name="King",
    )

    assert bad.status == 422
    for field in ("email", "password", "given_name"):
        assert f'id="sign-up-{field}-error"' in bad.text
    assert 'id="sign-up-family_name-error"' not in bad.text
    assert taken.status == 422
    assert "an account with this email exists" in taken.text
    await sign_in(sim.url, ADA, SEEDED[ADA])  # the seeded account is unchanged
