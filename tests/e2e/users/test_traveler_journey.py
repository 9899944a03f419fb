"""Issue 14 end to end, as a new traveler lives it: sign up in the identity provider's page
(code + PKCE), find a profile made from the sign-in, keep a companion on file, book them, refresh
the session, then take and erase everything — each step over real HTTP, nothing minted."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from skyfare.settings import Settings
from tests.support.booking import BookingEnv, Headers, booking_app
from tests.support.oidc_flow import Flow, code_grant, refresh_grant, submit, token
from tests.support.saved_travelers import MERGE_PATCH, save_traveler
from tests.support.tokens import bearer, signed_in_again


@pytest.fixture
async def env(settings: Settings) -> AsyncIterator[BookingEnv]:
    async with booking_app(settings) as env:
        yield env


@pytest.fixture
async def idp() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


async def _sign_up(idp: aiohttp.ClientSession, sim_url: str, email: str) -> tuple[Headers, str]:
    """A new account made on the sign-in page; its access token's headers and refresh token."""
    flow = Flow(sim_url)
    answer = await submit(
        idp, flow, "sign-up",
        email=email, password="first-flight-1903", given_name="Katherine", family_name="Wright",
    )  # fmt: skip
    assert answer.status == 303, answer.text
    params = answer.location_params()
    assert params["state"] == flow.state
    status, tokens, _ = await token(idp, sim_url, code_grant(flow, params["code"]))
    assert status == 200, tokens
    return bearer(tokens["access_token"]), tokens["refresh_token"]


async def _json(response: aiohttp.ClientResponse, status: int) -> Any:
    body = await response.json()
    assert response.status == status, body
    return body


async def test_a_new_traveler_signs_up_keeps_a_companion_books_them_and_erases_it_all(
    env: BookingEnv, idp: aiohttp.ClientSession
) -> None:
    email = f"k.wright.{uuid.uuid4().hex[:8]}@example.com"
    me, refresh_token = await _sign_up(idp, env.sim.url, email)
    client = env.client

    first = await client.get("/v1/me", headers=me)
    profile = await _json(first, 200)
    assert (profile["email"], profile["given_name"], profile["family_name"]) == (
        email, "Katherine", "Wright",
    )  # fmt: skip
    changed = await client.patch(
        "/v1/me",
        data=b'{"home_airport": "lhr", "notification_channels": ["email"]}',
        headers={**me, "Content-Type": MERGE_PATCH, "If-Match": first.headers["ETag"]},
    )
    assert (await _json(changed, 200))["home_airport"] == "LHR"

    companion = await save_traveler(env, me, given_name="Orville", family_name="Wright")
    passengers = [{"type": "adult", "traveler_id": companion["id"], "email": email}]
    order = await _json(await env.order(me, await env.offer(), passengers=passengers), 201)
    renamed = await client.patch(
        f"/v1/me/travelers/{companion['id']}",
        data=b'{"given_name": "Wilbur"}',
        headers={**me, "Content-Type": MERGE_PATCH},
    )
    await _json(renamed, 200)
    booked = await _json(await client.get(f"/v1/orders/{order['id']}", headers=me), 200)
    assert [(p["given_name"], p["family_name"]) for p in booked["passengers"]] == [
        ("Orville", "Wright")  # the order kept its copy
    ]

    # An hour later the app refreshes silently: the new token is the same traveler.
    status, refreshed, _ = await token(idp, env.sim.url, refresh_grant(refresh_token))
    assert status == 200, refreshed
    me = bearer(refreshed["access_token"])
    export = await _json(await client.get("/v1/me/export", headers=me), 200)
    assert export["user"]["profile"]["email"] == email
    assert [t["id"] for t in export["user"]["travelers"]] == [companion["id"]]
    assert [o["id"] for o in export["orders"]] == [order["id"]]

    await _json(await client.post(f"/v1/orders/{order['id']}/cancel", headers=me), 200)
    erased = await _json(await client.delete("/v1/me", headers=me), 200)
    assert erased["erased"]["profile"] is True
    assert erased["erased"]["saved_travelers"] == 1
    # The session that erased it is over, as every other one signed in before.
    assert (await client.get("/v1/me/travelers", headers=me)).status == 401
    me = signed_in_again(env.sim.url, me)
    assert await _json(await client.get("/v1/me/travelers", headers=me), 200) == {"data": []}
    kept = await _json(await client.get(f"/v1/orders/{order['id']}", headers=me), 200)
    assert kept["passengers"][0]["email"] != email  # kept, without its contact details
