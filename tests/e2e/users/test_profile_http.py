"""`/v1/me` over HTTP: created from the token, merge-patched, ETag-guarded, never cached."""

from __future__ import annotations

import asyncio

from tests.e2e.users.conftest import (
    MERGE_PATCH,
    Client,
    Headers,
    Sign,
    merge_patch_headers,
    new_subject,
)

PROBLEMS = "https://skyfare.dev/problems/"


async def test_the_first_get_creates_the_profile_from_the_tokens_claims(
    client: Client, ada: Headers
) -> None:
    response = await client.get("/v1/me", headers=ada)
    body = await response.json()

    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["ETag"].startswith('"')
    assert body | {"created_at": None, "updated_at": None} == {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada@example.com",
        "phone_number": None,
        "home_airport": None,
        "cabin_class": None,
        "currency": None,
        "seat_preference": None,
        "notification_channels": ["email", "sms"],
        "language": None,
        "created_at": None,
        "updated_at": None,
    }
    again = await client.get("/v1/me", headers=ada)
    assert again.headers["ETag"] == response.headers["ETag"]
    assert (await again.json()) == body


async def test_two_first_gets_at_once_answer_the_same_profile(client: Client, sign: Sign) -> None:
    headers = sign(new_subject(), given_name="Grace")

    first, second = await asyncio.gather(
        client.get("/v1/me", headers=headers), client.get("/v1/me", headers=headers)
    )

    assert (first.status, second.status) == (200, 200)
    assert first.headers["ETag"] == second.headers["ETag"]
    assert (await first.json())["created_at"] == (await second.json())["created_at"]


async def test_a_merge_patch_sets_normalizes_and_removes_fields(
    client: Client, ada: Headers
) -> None:
    before = await client.get("/v1/me", headers=ada)
    patch = {
        "home_airport": "lhr",
        "currency": "eur",
        "language": "en-gb",
        "seat_preference": "window",
        "cabin_class": "premium_economy",
        "phone_number": "+442071838750",
        "notification_channels": ["sms"],
        "given_name": None,
    }

    response = await client.patch("/v1/me", json=patch, headers=merge_patch_headers(ada))
    body = await response.json()

    assert response.status == 200, body
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["ETag"] != before.headers["ETag"]
    assert body["given_name"] is None
    assert body["family_name"] == "Lovelace"
    assert (body["home_airport"], body["currency"], body["language"]) == ("LHR", "EUR", "en-GB")
    assert body["notification_channels"] == ["sms"]
    assert await (await client.get("/v1/me", headers=ada)).json() == body


async def test_a_patch_that_is_not_a_merge_patch_is_415(client: Client, ada: Headers) -> None:
    response = await client.patch("/v1/me", json={"currency": "EUR"}, headers=ada)
    body = await response.json()

    assert response.status == 415
    assert body["type"] == PROBLEMS + "unsupported-media-type"
    assert "application/merge-patch+json" in body["detail"]


async def test_a_bad_patch_names_every_bad_field_and_changes_nothing(
    client: Client, ada: Headers
) -> None:
    before = await (await client.get("/v1/me", headers=ada)).json()
    patch = {"home_airport": "XQZ", "currency": "EURO", "email": "ada", "colour": "blue"}

    response = await client.patch("/v1/me", json=patch, headers=merge_patch_headers(ada))
    body = await response.json()

    assert response.status == 422
    assert body["type"] == PROBLEMS + "validation-error"
    assert {e["field"] for e in body["errors"]} == {"home_airport", "currency", "email", "colour"}
    assert await (await client.get("/v1/me", headers=ada)).json() == before


async def test_if_match_with_an_old_etag_is_412_and_the_current_one_goes_through(
    client: Client, ada: Headers
) -> None:
    old = (await client.get("/v1/me", headers=ada)).headers["ETag"]
    first = await client.patch(
        "/v1/me", json={"language": "en"}, headers=merge_patch_headers(ada, **{"If-Match": old})
    )
    current = first.headers["ETag"]

    lost = await client.patch(
        "/v1/me", json={"language": "fr"}, headers=merge_patch_headers(ada, **{"If-Match": old})
    )
    lost_body = await lost.json()
    won = await client.patch(
        "/v1/me",
        json={"language": "de"},
        headers=merge_patch_headers(ada, **{"If-Match": current}),
    )
    star = await client.patch(
        "/v1/me", json={"language": "it"}, headers=merge_patch_headers(ada, **{"If-Match": "*"})
    )

    assert first.status == 200
    assert lost.status == 412
    assert lost_body["type"] == PROBLEMS + "precondition-failed"
    assert won.status == 200
    assert star.status == 200
    assert (await star.json())["language"] == "it"


async def test_head_answers_the_etag_without_a_body(client: Client, ada: Headers) -> None:
    got = await client.get("/v1/me", headers=ada)

    head = await client.head("/v1/me", headers=ada)

    assert head.status == 200
    assert head.headers["ETag"] == got.headers["ETag"]
    assert await head.read() == b""


async def test_an_unknown_query_parameter_is_named(client: Client, ada: Headers) -> None:
    response = await client.get("/v1/me?fields=all", headers=ada)

    assert response.status == 422
    assert (await response.json())["errors"][0]["field"] == "query.fields"


async def test_every_users_route_wants_a_token_before_anything_else(client: Client) -> None:
    traveler = "/v1/me/travelers/trv_" + "0" * 24
    attempts = [
        client.get("/v1/me?bad=1"),
        client.patch("/v1/me", data=b"{not json", headers={"Content-Type": "text/plain"}),
        client.get("/v1/me/travelers?reveal=all"),
        client.post("/v1/me/travelers", json={"given_name": 7}),
        client.get("/v1/me/travelers/not-an-id"),
        client.patch(traveler, data=b"[", headers=MERGE_PATCH),
        client.delete(traveler, headers={"If-Match": '"x"'}),
    ]

    for attempt in attempts:
        response = await attempt
        assert response.status == 401, response.url
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.headers["Cache-Control"] == "no-store"


async def test_a_currency_the_search_cannot_price_is_refused_naming_the_ones_it_can(
    client: Client, ada: Headers
) -> None:
    before = await (await client.get("/v1/me", headers=ada)).json()

    response = await client.patch(
        "/v1/me", json={"currency": "jpy", "home_airport": "LHR"}, headers=merge_patch_headers(ada)
    )
    body = await response.json()

    assert response.status == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert body["type"] == PROBLEMS + "validation-error"
    assert body["errors"] == [
        {"field": "currency", "message": "prices are shown in EUR, GBP, USD only"}
    ]
    assert await (await client.get("/v1/me", headers=ada)).json() == before


async def test_if_match_sent_as_two_field_lines_is_read_as_one_list(
    client: Client, ada: Headers
) -> None:
    # RFC 9110 5.3: two `If-Match` lines mean their values joined by a comma (a proxy may split
    # a list so). Only the first was read: the current tag on the second line was a 412.
    current = (await client.get("/v1/me", headers=ada)).headers["ETag"]
    headers = [*merge_patch_headers(ada).items(), ("If-Match", '"old"'), ("If-Match", current)]

    response = await client.patch("/v1/me", json={"language": "en"}, headers=headers)
    assert response.status == 200, await response.text()

    stale = [*merge_patch_headers(ada).items(), ("If-Match", '"old"'), ("If-Match", current)]
    again = await client.patch("/v1/me", json={"language": "fr"}, headers=stale)
    assert again.status == 412  # neither line names the version the first patch made
