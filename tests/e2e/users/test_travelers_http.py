"""`/v1/me/travelers` over HTTP: CRUD, masked documents revealed only on request, ETags, the
cap, and two users who never see each other's travelers."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.keys import SETTINGS
from tests.e2e.users.conftest import Client, Headers, Sign, merge_patch_headers, new_subject

PROBLEMS = "https://skyfare.dev/problems/"


def companion(**changes: Any) -> dict[str, Any]:
    return {
        "given_name": "Charles",
        "family_name": "Babbage",
        "born_on": "1991-12-26",
        "gender": "m",
        "loyalty_accounts": [{"airline_iata_code": "ba", "account_number": "12345678"}],
        "document": {
            "type": "passport",
            "number": "X1234567",
            "issuing_country": "gb",
            "expires_on": "2030-01-01",
        },
        **changes,
    }


async def create(client: Client, headers: Headers, **changes: Any) -> dict[str, Any]:
    response = await client.post("/v1/me/travelers", json=companion(**changes), headers=headers)
    body: dict[str, Any] = await response.json()
    assert response.status == 201, body
    return body


async def test_a_saved_traveler_is_answered_masked_and_revealed_on_request(
    client: Client, ada: Headers
) -> None:
    response = await client.post("/v1/me/travelers", json=companion(), headers=ada)
    created = await response.json()
    path = f"/v1/me/travelers/{created['id']}"

    got = await client.get(path, headers=ada)
    revealed = await client.get(path + "?reveal=document", headers=ada)
    listed = await client.get("/v1/me/travelers", headers=ada)
    listed_revealed = await client.get("/v1/me/travelers?reveal=document", headers=ada)

    assert response.status == 201
    assert response.headers["Location"] == path
    assert response.headers["Cache-Control"] == "no-store"
    assert created["id"].startswith("trv_")
    assert created["document"] == {
        "type": "passport",
        "number": "•••••4567",
        "issuing_country": "GB",
        "expires_on": "2030-01-01",
    }
    assert created["loyalty_accounts"] == [
        {"airline_iata_code": "BA", "account_number": "12345678"}
    ]
    assert await got.json() == created
    assert got.headers["ETag"] == response.headers["ETag"]
    assert (await revealed.json())["document"]["number"] == "X1234567"
    assert revealed.headers["Cache-Control"] == "no-store"
    assert (await listed.json())["data"] == [created]
    assert listed.headers["ETag"] == listed_revealed.headers["ETag"]
    assert (await listed_revealed.json())["data"][0]["document"]["number"] == "X1234567"


async def test_reveal_takes_only_document(client: Client, ada: Headers) -> None:
    response = await client.get("/v1/me/travelers?reveal=everything", headers=ada)

    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "query.reveal"


async def test_a_patch_changes_what_it_names_and_if_match_guards_it(
    client: Client, ada: Headers
) -> None:
    created = await create(client, ada)
    path = f"/v1/me/travelers/{created['id']}"
    etag = (await client.get(path, headers=ada)).headers["ETag"]
    patch = {"document": {"expires_on": "2031-06-30"}, "loyalty_accounts": None}

    patched = await client.patch(
        path, json=patch, headers=merge_patch_headers(ada, **{"If-Match": etag})
    )
    stale = await client.patch(
        path, json={"gender": "x"}, headers=merge_patch_headers(ada, **{"If-Match": etag})
    )
    revealed = await (await client.get(path + "?reveal=document", headers=ada)).json()

    assert patched.status == 200
    assert patched.headers["ETag"] != etag
    assert stale.status == 412
    assert revealed["document"]["number"] == "X1234567"
    assert revealed["document"]["expires_on"] == "2031-06-30"
    assert revealed["loyalty_accounts"] == []
    assert revealed["gender"] == "m"


async def test_sending_the_masked_number_back_is_refused(client: Client, ada: Headers) -> None:
    created = await create(client, ada)

    response = await client.patch(
        f"/v1/me/travelers/{created['id']}",
        json={"document": created["document"]},
        headers=merge_patch_headers(ada),
    )

    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "document.number"


async def test_a_deleted_traveler_is_gone(client: Client, ada: Headers) -> None:
    created = await create(client, ada)
    path = f"/v1/me/travelers/{created['id']}"

    listed_before = await client.get("/v1/me/travelers", headers=ada)
    stale = await client.delete(path, headers={**ada, "If-Match": '"not-the-etag"'})
    deleted = await client.delete(path, headers=ada)
    again = await client.delete(path, headers=ada)
    got = await client.get(path, headers=ada)

    assert stale.status == 412
    assert deleted.status == 204
    assert (
        listed_before.headers["ETag"]
        != (await client.get("/v1/me/travelers", headers=ada)).headers["ETag"]
    )
    assert await deleted.read() == b""
    assert (again.status, got.status) == (404, 404)


async def test_a_bad_traveler_names_every_bad_field(client: Client, ada: Headers) -> None:
    body = companion(
        born_on="2990-01-01",
        gender="male",
        document={"type": "visa", "number": "1", "issuing_country": "UK", "expires_on": "x"},
    )
    body.pop("family_name")

    response = await client.post("/v1/me/travelers", json=body, headers=ada)
    problem = await response.json()

    assert response.status == 422
    assert {e["field"] for e in problem["errors"]} == {
        "family_name",
        "born_on",
        "gender",
        "document.type",
        "document.number",
        "document.issuing_country",
        "document.expires_on",
    }


@pytest.mark.parametrize(
    "traveler_id", ["trv_123", "trv_" + "G" * 24, "ord_" + "0" * 24, "trv_" + "0" * 24]
)
async def test_an_unknown_or_malformed_traveler_id_is_404(
    client: Client, ada: Headers, traveler_id: str
) -> None:
    response = await client.get(f"/v1/me/travelers/{traveler_id}", headers=ada)

    assert response.status == 404
    assert (await response.json())["type"] == PROBLEMS + "not-found"


async def test_a_long_traveler_id_is_not_echoed_whole(client: Client, ada: Headers) -> None:
    # Every other 404 clips the id it names; a 5000-character one came back whole in `detail`.
    response = await client.get(f"/v1/me/travelers/trv_{'x' * 5000}", headers=ada)

    problem = await response.json()
    assert response.status == 404
    assert len(problem["detail"]) < 200


async def test_two_users_never_see_each_others_travelers(
    client: Client, ada: Headers, bob: Headers
) -> None:
    adas = await create(client, ada)
    path = f"/v1/me/travelers/{adas['id']}"

    answers = [
        await client.get(path, headers=bob),
        await client.get(path + "?reveal=document", headers=bob),
        await client.patch(path, json={"given_name": "Eve"}, headers=merge_patch_headers(bob)),
        await client.delete(path, headers=bob),
    ]
    bobs_list = await (await client.get("/v1/me/travelers", headers=bob)).json()
    bobs_profile = await (await client.get("/v1/me", headers=bob)).json()

    assert [a.status for a in answers] == [404, 404, 404, 404]
    assert bobs_list == {"data": []}
    assert bobs_profile["email"] is None
    assert await (await client.get(path, headers=ada)).json() == adas


async def test_past_the_cap_a_new_traveler_is_409_limit_reached(client: Client, sign: Sign) -> None:
    # The same settings (the sim's issuer) with a cap of 2, on a server of its own.
    capped = msgspec.structs.replace(client.app[SETTINGS], users_max_travelers=2)
    headers = sign(new_subject())
    async with TestClient(TestServer(create_app(capped))) as capped_client:
        for _ in range(2):
            await create(capped_client, headers)
        response = await capped_client.post("/v1/me/travelers", json=companion(), headers=headers)
        problem = await response.json()

    assert response.status == 409
    assert problem["type"] == PROBLEMS + "limit-reached"
    assert (problem["limit"], problem["maximum"], problem["current"]) == ("saved_travelers", 2, 2)
