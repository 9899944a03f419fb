"""A JSON body is read one way on every route that takes one (kernel/http.py `json_object`):

- a member name given twice in one object is a 422 naming it (msgspec kept the last one: a
  `{"passengers": [...], "passengers": [...]}` was booked as its second list, silently);
- a well-formed body that is not an object (an array, a string) is a 422 naming `body`, as
  every other well-formed but invalid body is (API.md: malformed JSON is the 400);
- a body that starts with a UTF-8 byte order mark is a 422 naming `body` and saying so (it was
  a 400 "invalid character (byte 0)" on most routes, a 422 "takes no body" on the others).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.booking import BookingEnv, Headers, in_days

PROBLEM = "application/problem+json"
ORDER_ID = "ord_" + "0" * 24
TRAVELER_ID = "trv_" + "0" * 24
JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"
# Each route that reads a JSON object, with the media type it takes.
ROUTES = {
    "search": ("POST", "/v1/search", JSON),
    "bulk": ("POST", "/v1/fares/bulk", JSON),
    "orders": ("POST", "/v1/orders", JSON),
    "payments": ("POST", f"/v1/orders/{ORDER_ID}/payments", JSON),
    "seats": ("POST", f"/v1/orders/{ORDER_ID}/seats", JSON),
    "changes": ("POST", f"/v1/orders/{ORDER_ID}/changes", JSON),
    "support": ("POST", "/v1/support/cases", JSON),
    "travelers": ("POST", "/v1/me/travelers", JSON),
    "me": ("PATCH", "/v1/me", MERGE_PATCH),
    "traveler": ("PATCH", f"/v1/me/travelers/{TRAVELER_ID}", MERGE_PATCH),
}
DAY = in_days(30).encode()
NOT_OBJECTS = {"array": b"[]", "array-of-object": b'[{"slices": []}]', "string": b'"LHR"'}


async def _send(
    env: BookingEnv, route: str, body: bytes, headers: Headers, api_key: str
) -> tuple[int, dict[str, Any]]:
    return await _send_to(env, ROUTES[route], body, headers, api_key)


async def _send_to(
    env: BookingEnv, route: tuple[str, str, str], body: bytes, headers: Headers, api_key: str
) -> tuple[int, dict[str, Any]]:
    method, path, media_type = route
    sent = {
        **headers,
        "X-API-Key": api_key,
        "Idempotency-Key": str(uuid.uuid4()),
        "Content-Type": media_type,
    }
    response = await env.client.request(method, path, data=body, headers=sent)
    assert response.content_type == PROBLEM, await response.text()
    problem: dict[str, Any] = await response.json(content_type=PROBLEM)
    return response.status, problem


async def _answers(
    env: BookingEnv, body: bytes, headers: Headers, api_key: str
) -> dict[str, tuple[int, Any]]:
    """Each route's status and problem for `body`."""
    return {route: await _send(env, route, body, headers, api_key) for route in ROUTES}


async def test_a_member_name_given_twice_is_a_422_naming_it_on_every_json_route(
    booking_env: BookingEnv, alice: Headers, api_key: str
) -> None:
    body = b'{"subject": "a", "passengers": [{"type": "adult"}], "passengers": []}'

    for route in ROUTES:
        status, problem = await _send(booking_env, route, body, alice, api_key)

        assert status == 422, (route, problem)
        assert problem["errors"] == [{"field": "passengers", "message": "given more than once"}], (
            route
        )


@pytest.mark.parametrize("body", NOT_OBJECTS.values(), ids=NOT_OBJECTS.keys())
async def test_a_body_that_is_not_an_object_is_a_422_naming_the_body_on_every_json_route(
    booking_env: BookingEnv, alice: Headers, api_key: str, body: bytes
) -> None:
    answers = await _answers(booking_env, body, alice, api_key)

    named = [{"field": "body", "message": "must be a JSON object"}]
    assert {
        route: (status, p["errors"]) for route, (status, p) in answers.items()
    } == dict.fromkeys(ROUTES, (422, named))


_SLICE = b'{"origin": "LHR", "destination": "JFK", "departure_date": "' + DAY + b'"}'
_TWICE = "given more than once"
SEARCHES = {
    # A repeated field was searched with its last value.
    "repeats": (
        b'{"slices": [{"origin": "LHR", "destination": "JFK", "origin": "CDG",'
        b' "departure_date": "' + DAY + b'"}], "limit": 5, "limit": 9}',
        [("limit", _TWICE), ("slices[0].origin", _TWICE)],
    ),
    # Well-formed JSON (RFC 8259 sets no range): it was a 400 "malformed JSON".
    "number-out-of-range": (
        b'{"slices": [], "passengers": {"adults": 1e400}}',
        [("passengers.adults", "number out of range")],
    ),
    # Colons in strings are not taken for repeated names.
    "colons-in-strings": (
        b'{"slices": [' + _SLICE + b'], "note:": "a:b"}',
        [("note:", "unknown field")],
    ),
}


@pytest.mark.parametrize(("body", "errors"), SEARCHES.values(), ids=SEARCHES.keys())
async def test_a_search_body_names_each_bad_member_and_searches_nothing(
    booking_env: BookingEnv, body: bytes, errors: list[tuple[str, str]]
) -> None:
    response = await booking_env.client.post(
        "/v1/search", data=body, headers={"Content-Type": JSON}
    )

    problem = await response.json(content_type=PROBLEM)
    assert response.status == 422, problem
    assert [(e["field"], e["message"]) for e in problem["errors"]] == errors


async def test_a_bulk_query_that_repeats_a_field_names_it(
    booking_env: BookingEnv, api_key: str
) -> None:
    twice = b'{"origin": "LHR", "destination": "JFK", "adults": 1, "adults": 2, "departure_date": "'
    body = b'{"queries": [' + _SLICE + b", " + twice + DAY + b'"}]}'

    response = await booking_env.client.post(
        "/v1/fares/bulk", data=body, headers={"Content-Type": JSON, "X-API-Key": api_key}
    )

    problem = await response.json(content_type=PROBLEM)
    assert response.status == 422, problem
    assert problem["errors"] == [{"field": "queries[1].adults", "message": _TWICE}]


async def test_a_bad_body_is_named_before_the_order_is_looked_for(
    booking_env: BookingEnv, alice: Headers, api_key: str
) -> None:
    # docs/api.md "Which problem comes first": the request as sent, then whether the order is
    # the caller's; a bad body tells nothing about the order either way.
    status, problem = await _send(booking_env, "payments", b'{"card_token": 4}', alice, api_key)
    assert (status, [e["field"] for e in problem["errors"]]) == (422, ["card_token"])

    status, problem = await _send(
        booking_env, "payments", b'{"card_token": "tok_visa"}', alice, api_key
    )
    assert status == 404, problem


BOM = b"\xef\xbb\xbf"
BOM_MESSAGE = (
    "starts with a byte order mark (U+FEFF): send the JSON without it (RFC 8259, section 8.1)"
)
# The routes that take no body (or, confirming a change, an optional one): `{}` is none.
NO_BODY_ROUTES = {
    "cancel": ("POST", f"/v1/orders/{ORDER_ID}/cancel", JSON),
    "confirm-change": ("POST", f"/v1/orders/{ORDER_ID}/changes/och_{'0' * 24}/confirm", JSON),
    "delete-traveler": ("DELETE", f"/v1/me/travelers/{TRAVELER_ID}", JSON),
}


async def test_a_body_starting_with_a_byte_order_mark_is_a_422_saying_so_on_every_route(
    booking_env: BookingEnv, alice: Headers, api_key: str
) -> None:
    # RFC 8259 8.1: a sender MUST NOT add one, a parser MAY ignore it. Parsers differ (a
    # browser's JSON.parse and Go refuse it, Python's json.loads of bytes skips it), so it is
    # refused, as a repeated name is, with words that say what to remove.
    for route, shape in {**ROUTES, **NO_BODY_ROUTES}.items():
        body = BOM + (b"{}" if route in NO_BODY_ROUTES else b'{"slices": [' + _SLICE + b"]}")

        status, problem = await _send_to(booking_env, shape, body, alice, api_key)

        assert status == 422, (route, problem)
        assert problem["errors"] == [{"field": "body", "message": BOM_MESSAGE}], route


@pytest.mark.parametrize("body", [b"", b" \r\n"], ids=["empty", "blank"])
async def test_an_empty_body_is_a_400_saying_so_on_every_json_route(
    booking_env: BookingEnv, alice: Headers, api_key: str, body: bytes
) -> None:
    # It was "malformed JSON: Input data was truncated": true of msgspec's reading, but a
    # client that forgot its body could not tell.
    answers = await _answers(booking_env, body, alice, api_key)

    detail = "the request body is empty: send a JSON object"
    assert {
        route: (status, p["detail"]) for route, (status, p) in answers.items()
    } == dict.fromkeys(ROUTES, (400, detail))


KEYED_ROUTES = {
    "orders": ("POST", "/v1/orders"),
    "payments": ("POST", f"/v1/orders/{ORDER_ID}/payments"),
    "confirm-change": ("POST", f"/v1/orders/{ORDER_ID}/changes/och_{'0' * 24}/confirm"),
}


async def test_two_idempotency_keys_are_a_422_naming_the_header_on_every_keyed_route(
    booking_env: BookingEnv, alice: Headers
) -> None:
    # A retry through a proxy that adds its own key carried two: the first was used, so the
    # retry could make a second order, or replay another request's answer.
    for route, (method, path) in KEYED_ROUTES.items():
        headers = [*alice.items(), ("Idempotency-Key", "a"), ("Idempotency-Key", "b")]
        response = await booking_env.client.request(method, path, json={}, headers=headers)

        problem = await response.json(content_type=PROBLEM)
        assert response.status == 422, (route, problem)
        assert problem["errors"] == [
            {"field": "headers.Idempotency-Key", "message": "given more than once"}
        ], route
