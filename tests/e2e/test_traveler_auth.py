"""Traveler Bearer tokens through the whole app: the composition root wires the authenticator,
its errors become 401/503 problem documents, and `skyfare token` mints tokens the app accepts.

The order routes that use it are tested with orders; a test-only route stands in for them here.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import AsyncIterator

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from kernel.auth import AUTHENTICATE
from skyfare.app import create_app
from skyfare.settings import Settings
from tests.e2e.conftest import closed_port
from tests.support.cli import skyfare_against_sim
from tests.support.sim import SimHandle, running_sim
from tests.support.tokens import bearer, mint_token, sign_as_sim, sim_claims, sim_issuer

Client = TestClient[web.Request, web.Application]


async def _whoami(request: web.Request) -> web.Response:
    principal = await request.config_dict[AUTHENTICATE](request)
    return web.json_response({"subject": principal.subject, "roles": sorted(principal.roles)})


def _app(settings: Settings, issuer: str) -> web.Application:
    app = create_app(msgspec.structs.replace(settings, jwt_issuer=issuer))
    app.router.add_get("/_test/whoami", _whoami, name="test_whoami")
    return app


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    async with running_sim() as sim:
        yield sim


@pytest.fixture
async def client(settings: Settings, sim: SimHandle) -> AsyncIterator[Client]:
    async with TestClient(TestServer(_app(settings, sim_issuer(sim.url)))) as client:
        yield client


async def _unauthorized(client: Client, headers: dict[str, str]) -> dict[str, object]:
    response = await client.get("/_test/whoami", headers=headers)
    assert response.status == 401
    assert response.content_type == "application/problem+json"
    body: dict[str, object] = await response.json()
    assert body["type"] == "https://skyfare.dev/problems/unauthorized"
    body["www-authenticate"] = response.headers["WWW-Authenticate"]
    return body


async def test_a_token_from_the_sim_authenticates_a_traveler(
    client: Client, sim: SimHandle
) -> None:
    token = await mint_token(sim.url, "alice")

    response = await client.get("/_test/whoami", headers=bearer(token))

    assert response.status == 200
    assert await response.json() == {"subject": "alice", "roles": []}


async def test_a_support_token_carries_the_support_role(client: Client, sim: SimHandle) -> None:
    token = await mint_token(sim.url, "agent-7", roles=["support"])

    response = await client.get("/_test/whoami", headers=bearer(token))

    assert await response.json() == {"subject": "agent-7", "roles": ["support"]}


async def test_a_request_without_a_token_is_401_with_a_bearer_challenge(client: Client) -> None:
    problem = await _unauthorized(client, {})

    assert problem["www-authenticate"] == 'Bearer realm="skyfare"'


async def test_an_expired_token_is_401_saying_so_and_the_token_is_never_logged(
    client: Client, sim: SimHandle, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = sign_as_sim(sim_claims(sim.url, "alice", exp=int(time.time()) - 120))

    problem = await _unauthorized(client, bearer(token))

    assert "expired" in str(problem["detail"])
    assert str(problem["www-authenticate"]).startswith(
        'Bearer realm="skyfare", error="invalid_token", error_description="the token has expired"'
    )
    assert token not in str(problem)
    assert token.split(".")[2] not in caplog.text


async def test_a_wrongly_signed_token_is_401(client: Client, sim: SimHandle) -> None:
    # Signed by another sim's key under the key id of this sim's key.
    forged = sign_as_sim(sim_claims(sim.url, "alice", roles=["support"]), seed=7, kid="sim-42-1")

    problem = await _unauthorized(client, bearer(forged))

    assert "signature" in str(problem["detail"])


async def test_a_token_whose_exp_is_a_string_is_401(client: Client, sim: SimHandle) -> None:
    # Signed by the trusted key, so only the claim's type is wrong; PyJWT alone accepted it.
    token = sign_as_sim(sim_claims(sim.url, "alice", exp="9999999999"))

    problem = await _unauthorized(client, bearer(token))

    assert "exp claim is not a number" in str(problem["detail"])


@pytest.mark.parametrize(
    "authorization", ["Bearer not-a-jwt", "Basic YWxpY2U6c2VjcmV0", "Bearer ", "token abc.def.ghi"]
)
async def test_a_malformed_authorization_header_is_401(client: Client, authorization: str) -> None:
    problem = await _unauthorized(client, {"Authorization": authorization})

    assert str(problem["www-authenticate"]).startswith('Bearer realm="skyfare"')


async def test_a_token_whose_header_names_an_unknown_critical_extension_is_401_not_500(
    client: Client, sim: SimHandle
) -> None:
    # RFC 7515 4.1.11: a `crit` extension not understood fails the token. PyJWT raised it
    # reading the header, past our handling: a 500 on every route reading a token, the search
    # (which ignores a bad token) included.
    token = sign_as_sim(sim_claims(sim.url, "alice"))
    header = base64.urlsafe_b64encode(b'{"alg":"ES256","kid":"sim-42-1","crit":["x-skyfare"]}')
    critical = header.rstrip(b"=").decode() + token[token.index(".") :]

    problem = await _unauthorized(client, bearer(critical))

    assert "crit" in str(problem["detail"])
    search = await client.get("/v1/search?origin=LHR", headers=bearer(critical))
    assert search.status == 422, await search.text()  # read as anonymous: the query is next


async def test_an_unreachable_identity_provider_is_503_not_401(settings: Settings) -> None:
    issuer = f"http://127.0.0.1:{closed_port()}/identity"
    token = sign_as_sim({**sim_claims("http://x", "alice"), "iss": issuer})
    async with TestClient(TestServer(_app(settings, issuer))) as client:
        response = await client.get("/_test/whoami", headers=bearer(token))

        assert response.status == 503
        assert response.content_type == "application/problem+json"
        assert "identity provider" in (await response.json())["detail"]


async def test_skyfare_token_prints_a_token_the_app_accepts(client: Client, sim: SimHandle) -> None:
    port = int(sim.url.rsplit(":", 1)[1])

    code, out, _ = await skyfare_against_sim(
        "token", "--sub", "alice", "--role", "support", sim_port=port
    )

    assert code == 0
    assert out.count("\n") == 1  # only the token: `$(skyfare token --sub alice)` just works
    response = await client.get("/_test/whoami", headers=bearer(out.strip()))
    assert await response.json() == {"subject": "alice", "roles": ["support"]}


async def test_skyfare_token_without_a_running_sim_says_to_start_it() -> None:
    code, out, err = await skyfare_against_sim("token", "--sub", "alice", sim_port=closed_port())

    assert code == 1
    assert out == ""
    assert "is the sim running" in err
