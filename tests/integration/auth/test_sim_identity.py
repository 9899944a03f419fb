"""The sim's identity provider over HTTP: discovery, JWKS, dev tokens and their validation."""

from __future__ import annotations

from typing import Any

import aiohttp
import jwt
import pytest

from tests.support.sim import SimHandle, running_sim
from tests.support.tokens import mint_token, rotate_keys, sim_issuer


async def call(method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
        session.request(method, url, **kwargs) as response,
    ):
        return response.status, await response.json()


async def test_discovery_names_the_issuer_at_the_url_the_client_used_and_its_jwks(
    sim: SimHandle,
) -> None:
    status, config = await call("GET", f"{sim.url}/identity/.well-known/openid-configuration")

    assert status == 200
    assert config["issuer"] == sim_issuer(sim.url)
    status, jwks = await call("GET", config["jwks_uri"])
    assert status == 200
    assert [key["kid"] for key in jwks["keys"]] == ["sim-42-1"]


async def test_a_dev_token_carries_the_asked_subject_roles_and_lifetime(sim: SimHandle) -> None:
    status, answer = await call(
        "POST",
        f"{sim.url}/identity/token",
        json={"sub": "alice", "roles": ["support"], "ttl_s": 120},
    )
    _, jwks = await call("GET", f"{sim.url}/identity/.well-known/jwks.json")

    assert status == 200
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == 120
    token = answer["access_token"]
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(
        token, key.key, algorithms=["ES256"], audience="skyfare", issuer=sim_issuer(sim.url)
    )
    assert (claims["sub"], claims["roles"]) == ("alice", ["support"])
    assert claims["exp"] - claims["iat"] == 120


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "sub"),
        ({"sub": ""}, "sub"),
        ({"sub": "has space"}, "sub"),
        ({"sub": "alice", "roles": "support"}, "roles"),
        ({"sub": "alice", "roles": ["Support!"]}, "roles"),
        ({"sub": "alice", "ttl_s": 0}, "ttl_s"),
        ({"sub": "alice", "ttl_s": 10**9}, "ttl_s"),
        ({"sub": "alice", "admin": True}, "admin"),
        ({"sub": "alice", "auth_time": -1}, "auth_time"),
        ({"sub": "alice", "auth_time": "yesterday"}, "auth_time"),
        ({"sub": "alice", "auth_time": 2**40}, "auth_time"),  # in the future
    ],
)
async def test_a_bad_token_request_is_422_naming_the_field(
    sim: SimHandle, body: dict[str, Any], field: str
) -> None:
    status, answer = await call("POST", f"{sim.url}/identity/token", json=body)

    assert status == 422
    assert answer["error"]["code"] == "invalid_request"
    assert field in answer["error"]["message"]


async def test_a_token_request_that_is_not_json_is_400(sim: SimHandle) -> None:
    status, answer = await call("POST", f"{sim.url}/identity/token", data=b"sub=alice")

    assert status == 400
    assert answer["error"]["code"] == "bad_request"


async def test_after_rotation_tokens_are_signed_by_the_new_key_and_both_are_published(
    sim: SimHandle,
) -> None:
    new_kid = await rotate_keys(sim.url)
    token = await mint_token(sim.url, "alice")
    _, jwks = await call("GET", f"{sim.url}/identity/.well-known/jwks.json")

    assert jwt.get_unverified_header(token)["kid"] == new_kid == "sim-42-2"
    assert [key["kid"] for key in jwks["keys"]] == ["sim-42-1", "sim-42-2"]


async def test_a_restarted_sim_with_the_same_seed_publishes_the_same_keys(sim: SimHandle) -> None:
    _, before = await call("GET", f"{sim.url}/identity/.well-known/jwks.json")
    async with running_sim(seed=42) as restarted:
        _, after = await call("GET", f"{restarted.url}/identity/.well-known/jwks.json")

    assert after == before
