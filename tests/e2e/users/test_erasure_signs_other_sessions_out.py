"""After `DELETE /v1/me`, a session signed in before the erasure (another tab, another device,
a refresh of either: refreshes keep the sign-in's `auth_time`) is over: every route answers it
a 401 `account-erased`, those that would make the profile again from the token included. A
sign-in after the erasure starts a new, empty profile."""

from __future__ import annotations

import time
from typing import Any

import aiohttp

from skyfare.problems import MEDIA_TYPE
from tests.e2e.users.conftest import Client, Headers, Sign, merge_patch_headers, new_subject

ERASED = "https://skyfare.dev/problems/account-erased"
# The authenticator's leeway: a sign-in that close after the erasure may be the issuer's clock
# running ahead of ours, and counts as before it.
SKEW_S = 30
TRAVELER = {"given_name": "Ada", "family_name": "Lovelace", "born_on": "1990-12-10", "gender": "f"}


async def assert_erased_refusal(response: aiohttp.ClientResponse) -> dict[str, Any]:
    problem: dict[str, Any] = await response.json(content_type=None)
    assert response.status == 401, problem
    assert response.content_type == MEDIA_TYPE
    assert problem["type"] == ERASED
    assert "Sign in again" in problem["detail"]
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="skyfare", error="invalid_token", error_description=')
    assert "sign in again" in challenge
    return problem


async def erased_elsewhere(client: Client, sign: Sign) -> tuple[str, Headers]:
    """A traveler whose other tab signed in two minutes ago and read the profile, then who
    erased the account with a fresh sign-in: the subject and the other tab's headers."""
    subject = new_subject()
    claims = {"email": "ada@example.com", "given_name": "Ada", "family_name": "Lovelace"}
    other_tab = sign(subject, auth_time=int(time.time()) - 120, **claims)
    assert (await client.get("/v1/me", headers=other_tab)).status == 200
    assert (await client.post("/v1/me/travelers", json=TRAVELER, headers=other_tab)).status == 201
    erased = await client.delete("/v1/me", headers=sign(subject, **claims))
    assert erased.status == 200, await erased.text()
    return subject, other_tab


async def test_a_session_signed_in_before_the_erasure_makes_no_profile_again(
    client: Client, sign: Sign
) -> None:
    subject, other_tab = await erased_elsewhere(client, sign)

    await assert_erased_refusal(await client.get("/v1/me", headers=other_tab))
    patched = await client.patch(
        "/v1/me", json={"language": "fr"}, headers=merge_patch_headers(other_tab)
    )
    await assert_erased_refusal(patched)
    saved = await client.post("/v1/me/travelers", json=TRAVELER, headers=other_tab)
    await assert_erased_refusal(saved)
    # The erasing token itself signed in before the erasure too: it makes nothing either.
    await assert_erased_refusal(await client.get("/v1/me", headers=sign(subject)))

    # Reads too: the session is over, not just unable to make a profile.
    for path in ("/v1/me/export", "/v1/me/travelers", "/v1/orders"):
        await assert_erased_refusal(await client.get(path, headers=other_tab))


async def test_a_sign_in_after_the_erasure_starts_a_new_empty_profile(
    client: Client, sign: Sign
) -> None:
    subject, _ = await erased_elsewhere(client, sign)
    # The issuer's sign-in time, past the skew after the erasure (made above, before `now`).
    signed_in_again = sign(subject, auth_time=int(time.time()) + SKEW_S + 1)

    response = await client.get("/v1/me", headers=signed_in_again)

    profile = await response.json()
    assert response.status == 200, profile
    assert profile["email"] is None  # this token carries no email: nothing of the old one
    travelers = await (await client.get("/v1/me/travelers", headers=signed_in_again)).json()
    assert travelers == {"data": []}


async def test_the_openapi_document_names_the_refusal_where_a_profile_is_made(
    client: Client,
) -> None:
    document = await (await client.get("/openapi.json")).json()

    paths = document["paths"]
    for path, method in (("/v1/me", "get"), ("/v1/me", "patch"), ("/v1/me/travelers", "post")):
        assert "account-erased" in paths[path][method]["responses"]["401"]["description"]
    for path, method in (("/v1/me/travelers", "get"), ("/v1/me", "delete")):
        assert "account-erased" not in paths[path][method]["responses"]["401"]["description"]
    assert "account-erased" in str(document["components"]["schemas"]["Problem"])
