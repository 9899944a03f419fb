"""Input found by trying the API from outside that used to answer 500: each is a problem
document now (400, 404 or 422) naming what is wrong, on every route that reads it.

- a JSON body nested thousands of levels deep (RecursionError in the decoder), on every JSON route;
- a NUL byte, a control or a non-ASCII character in a path id (it reached PostgreSQL), and a NUL
  character in any string of a JSON body (an email held one all the way to PostgreSQL);
- a non-ASCII digit in a number parameter (`²` passes `isdigit()` and fails `int()`), and a
  repeated parameter, which silently took the first.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import msgspec
import pytest

from connectors import offer_ids
from skyfare.settings import Settings
from tests.support.booking import BookingEnv, Headers, adult, booking_app, in_days
from tests.support.tcp_proxy import PostgresProxy

PROBLEM = "application/problem+json"
ORDER_ID = "ord_" + "0" * 24
SEARCH = f"/v1/search?origin=LHR&destination=JFK&departure_date={in_days(30)}"
CALENDAR = f"/v1/fares/calendar?origin=LHR&destination=JFK&month={in_days(30)[:7]}"
YEAR = in_days(30)[:4]
JSON_ROUTES = ("/v1/search", "/v1/fares/bulk", "/v1/orders", f"/v1/orders/{ORDER_ID}/payments")
DEEP_BODIES = {
    "arrays": b"[" * 5000 + b"]" * 5000,
    "objects": b'{"a":' * 5000 + b"1" + b"}" * 5000,
    "past-the-limit": b'{"slices": ' + b"[" * 40 + b"]" * 40 + b"}",
}


async def _problem(response: Any, status: int) -> dict[str, Any]:
    body = await response.read()
    assert response.status == status, body
    assert response.content_type == PROBLEM
    problem: dict[str, Any] = await response.json(content_type=PROBLEM)
    return problem


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
async def test_a_deeply_nested_body_is_a_400_naming_the_body_on_every_json_route(
    booking_env: BookingEnv, alice: Headers, api_key: str, body: bytes
) -> None:
    headers = {
        **alice,
        "X-API-Key": api_key,
        "Idempotency-Key": str(uuid.uuid4()),
        "Content-Type": "application/json",
    }
    for path in JSON_ROUTES:
        response = await booking_env.client.post(path, data=body, headers=headers)

        problem = await _problem(response, 400)
        assert "request body nests JSON deeper than" in problem["detail"], path


async def test_a_nul_character_in_a_body_string_is_a_422_naming_the_field(
    booking_env: BookingEnv, alice: Headers
) -> None:
    offer = await booking_env.offer()

    response = await booking_env.order(alice, offer, passengers=[adult(email="a\x00@example.com")])

    problem = await _problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["passengers[0].email"]


BAD_IDS = {
    "nul": "ord_%00",
    "nul-in-a-real-shape": "ord_" + "0" * 23 + "%00",
    "control": "ord_%1B%5B2J",
    "non-ascii": "ord_%C3%A9",
    "invalid-utf8": "ord_%FF",
    "bidi": "ord_%E2%80%AE" + "0" * 20,
    "upper-case": "ord_" + "A" * 24,
    "too-long": "ord_" + "0" * 300,
    "no-prefix": "0" * 24,
}


@pytest.mark.parametrize("order_id", BAD_IDS.values(), ids=BAD_IDS.keys())
async def test_an_order_id_that_cannot_exist_is_404_on_every_order_route(
    booking_env: BookingEnv, alice: Headers, order_id: str
) -> None:
    client = booking_env.client
    pay = {**alice, "Idempotency-Key": str(uuid.uuid4())}
    responses = [
        await client.get(f"/v1/orders/{order_id}", headers=alice),
        await client.post(f"/v1/orders/{order_id}/cancel", headers=alice),
        await client.post(
            f"/v1/orders/{order_id}/payments", json={"card_token": "tok_visa"}, headers=pay
        ),
    ]

    for response in responses:
        problem = await _problem(response, 404)
        assert problem["type"] == "https://skyfare.dev/problems/not-found"


async def test_a_cursor_that_smuggles_a_nul_byte_is_a_422_naming_it(
    booking_env: BookingEnv, alice: Headers
) -> None:
    # A cursor is base64 of "<micros>:<order id>": anyone can encode one with a NUL in the id.
    cursor = "MTIzOm9yZF8A"  # base64url of b"123:ord_\x00"

    response = await booking_env.client.get(f"/v1/orders?after={cursor}", headers=alice)

    problem = await _problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["query.after"]


@pytest.mark.parametrize("supplier_id", ["F1\x00", "F1\n", "\u202eF1"])
async def test_an_offer_id_carrying_control_characters_is_404_before_any_airline(
    booking_env: BookingEnv, alice: Headers, supplier_id: str
) -> None:
    for source in ("rest-britannia", "soap-nordic", "ndc-crimson"):
        offer_id = offer_ids.encode(source, supplier_id)

        got = await booking_env.client.get(f"/v1/offers/{offer_id}")
        ordered = await booking_env.order(alice, offer_id)

        await _problem(got, 404)
        await _problem(ordered, 404)


NOT_ASCII_DIGITS = {"superscript": "%C2%B2", "arabic-indic": "%D9%A5", "fullwidth": "%EF%BC%95"}


@pytest.mark.parametrize("digit", NOT_ASCII_DIGITS.values(), ids=NOT_ASCII_DIGITS.keys())
async def test_a_number_parameter_in_non_ascii_digits_is_a_422_naming_it(
    booking_env: BookingEnv, alice: Headers, api_key: str, digit: str
) -> None:
    client = booking_env.client
    partner = {"X-API-Key": api_key}
    month_only = CALENDAR.split("&month=")[0]
    cases = [
        ("query.limit", await client.get(f"/v1/orders?limit={digit}", headers=alice)),
        ("query.adults", await client.get(f"{SEARCH}&adults={digit}")),
        ("query.adults", await client.get(f"{CALENDAR}&adults={digit}", headers=partner)),
        ("query.month", await client.get(f"{month_only}&month={YEAR}-{digit}1", headers=partner)),
    ]

    for field, response in cases:
        problem = await _problem(response, 422)
        assert field in {e["field"] for e in problem["errors"]}, (field, problem)


async def test_a_repeated_query_parameter_is_a_422_naming_it_on_every_route(
    booking_env: BookingEnv, alice: Headers, api_key: str
) -> None:
    client = booking_env.client
    partner = {"X-API-Key": api_key}
    cases = [
        ("query.limit", await client.get("/v1/orders?limit=5&limit=7", headers=alice)),
        ("query.limit", await client.get(f"{SEARCH}&limit=5&limit=7")),
        ("query.adults", await client.get(f"{CALENDAR}&adults=1&adults=2", headers=partner)),
    ]

    for field, response in cases:
        problem = await _problem(response, 422)
        assert {"field": field, "message": "given more than once"} in problem["errors"]


async def test_an_airport_is_compared_in_ascii_so_a_sharp_s_is_no_ssa(
    booking_env: BookingEnv,
) -> None:
    # "ßa".upper() is "SSA" (Salvador): a code the traveler never typed.
    response = await booking_env.client.get(SEARCH.replace("origin=LHR", "origin=%C3%9Fa"))

    problem = await _problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["query.origin"]


async def test_an_impossible_order_id_is_404_without_asking_the_database(
    settings: Settings,
) -> None:
    # With PostgreSQL cut off, any query would be a 503: a 404 proves none was made.
    assert settings.database_url is not None
    async with PostgresProxy(settings.database_url) as proxy:
        through_proxy = msgspec.structs.replace(settings, database_url=proxy.url)
        async with booking_app(through_proxy) as env:
            alice = await env.token(f"alice-{uuid.uuid4().hex[:8]}")
            await proxy.cut()
            pay = {**alice, "Idempotency-Key": str(uuid.uuid4())}
            client = env.client
            responses = [
                await client.get("/v1/orders/ord_%00", headers=alice),
                await client.post("/v1/orders/x/cancel", headers=alice),
                await client.post(
                    "/v1/orders/ord_1/payments", json={"card_token": "tok_visa"}, headers=pay
                ),
                await client.get(f"/v1/orders/{ORDER_ID}", headers=alice),  # a real shape: asked
            ]

            assert [r.status for r in responses] == [404, 404, 404, 503]
            # booking_app's exit reads the steps the test wrote (through the proxy).
            await proxy.restore()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/v1/orders/{ORDER_ID}"),
        ("POST", f"/v1/orders/{ORDER_ID}/cancel"),
        ("GET", f"/v1/orders/{ORDER_ID}/history"),
        ("GET", "/v1/me/export"),
        ("GET", "/v1/offers/off_x"),
        ("GET", "/v1/connectors"),
        ("GET", "/v1/auth/config"),
    ],
)
async def test_a_parameter_on_a_route_that_takes_none_is_named(
    booking_env: BookingEnv, alice: Headers, method: str, path: str
) -> None:
    # As on /v1/me (docs/api.md: unknown parameters are refused): `?limit=5` on a list without
    # pages must not silently answer everything.
    response = await booking_env.client.request(method, path + "?limit=5", headers=alice)

    problem = await _problem(response, 422)
    assert problem["errors"] == [{"field": "query.limit", "message": "unknown parameter"}]
    openapi = await (await booking_env.client.get("/openapi.json")).json()
    template = re.sub(r"ord_0+", "{order_id}", path).replace("off_x", "{offer_id}")
    assert "422" in openapi["paths"][template][method.lower()]["responses"]


async def test_seat_maps_asked_by_offer_and_order_at_once_say_to_pick_one(
    booking_env: BookingEnv, alice: Headers
) -> None:
    # Each alone is valid: calling the offer_id an "unknown parameter" told a client nothing.
    both = {"order_id": ORDER_ID, "offer_id": "off_x"}
    response = await booking_env.client.get("/v1/seat_maps", params=both, headers=alice)

    problem = await _problem(response, 422)
    assert problem["errors"] == [
        {"field": "query.offer_id", "message": "not with order_id: give one of the two"}
    ]


@pytest.mark.parametrize("route", ["order", "seat change"])
async def test_an_unknown_payment_field_is_named_whole_on_both_routes_that_take_a_payment(
    booking_env: BookingEnv, alice: Headers, route: str
) -> None:
    # One rule (booking.validation.payment_method): the seat change used to cut the name to 40
    # characters, so its `field` named nothing the client had sent.
    long_name = "card_number_" + "x" * 60
    payment = {"card_token": "tok_visa", long_name: "4242"}
    if route == "order":
        body = {"offer_id": "off_x", "type": "instant", "passengers": [adult()], "payment": payment}
        headers = {**alice, "Idempotency-Key": str(uuid.uuid4())}
        response = await booking_env.client.post("/v1/orders", json=body, headers=headers)
    else:
        seat = {"type": "seat", "segment_id": "s", "passenger_id": "p", "designator": "1A"}
        body = {"services": [seat], "payment": payment}
        path = f"/v1/orders/{ORDER_ID}/seats"
        response = await booking_env.client.post(path, json=body, headers=alice)

    problem = await _problem(response, 422)
    assert {"field": f"payment.{long_name}", "message": "unknown field"} in problem["errors"]


BODY_ROUTES = [
    *(("POST", path, "application/json") for path in JSON_ROUTES),
    ("PATCH", "/v1/me", "application/merge-patch+json"),
]


@pytest.mark.parametrize(("method", "path", "media"), BODY_ROUTES)
async def test_a_body_in_another_charset_or_coding_is_a_415_naming_it_on_every_body_route(
    booking_env: BookingEnv, alice: Headers, api_key: str, method: str, path: str, media: str
) -> None:
    # Both used to be read as if UTF-8 and not encoded: `é` in latin-1 is not UTF-8 at all.
    headers = {**alice, "X-API-Key": api_key, "Idempotency-Key": str(uuid.uuid4())}
    client = booking_env.client
    latin = await client.request(
        method,
        path,
        data='{"given_name": "é"}'.encode("latin-1"),
        headers={**headers, "Content-Type": f"{media}; charset=latin-1"},
    )
    coded = await client.request(
        method,
        path,
        data=b"{}",
        headers={**headers, "Content-Type": media, "Content-Encoding": "foo"},
    )

    detail = (await _problem(latin, 415))["detail"]
    assert "charset 'latin-1' is not accepted: JSON is UTF-8" in detail
    detail = (await _problem(coded, 415))["detail"]
    assert detail.startswith("Content-Encoding 'foo' is not accepted")
    assert coded.headers["Accept-Encoding"] == "gzip, deflate"


async def test_a_webhook_in_a_coding_not_accepted_is_a_415_and_utf_8_is_taken(
    booking_env: BookingEnv,
) -> None:
    client = booking_env.client
    for path in ("/v1/payments/webhook", "/v1/support/webhook"):
        coded = await client.post(
            path, data=b"{}", headers={"Content-Type": "application/json", "Content-Encoding": "br"}
        )
        assert (await _problem(coded, 415))["detail"].startswith("Content-Encoding 'br'"), path
    declared = await client.post(
        "/v1/search", data=b"{}", headers={"Content-Type": "application/json; charset=UTF-8"}
    )
    assert (await _problem(declared, 422))["errors"]  # read, then validated
