"""A JSON body is read one way on every route that takes one (kernel/http.py `json_object`):

- a well-formed body that is not an object (an array, a string) is a 422 naming `body`, as
  every other well-formed but invalid body is (API.md: malformed JSON is the 400).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.booking import BookingEnv, Headers

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
NOT_OBJECTS = {"array": b"[]", "array-of-object": b'[{"slices": []}]', "string": b'"LHR"'}


async def _send(
    env: BookingEnv, route: str, body: bytes, headers: Headers, api_key: str
) -> tuple[int, dict[str, Any]]:
    method, path, media_type = ROUTES[route]
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


@pytest.mark.parametrize("body", NOT_OBJECTS.values(), ids=NOT_OBJECTS.keys())
async def test_a_body_that_is_not_an_object_is_a_422_naming_the_body_on_every_json_route(
    booking_env: BookingEnv, alice: Headers, api_key: str, body: bytes
) -> None:
    for route in ROUTES:
        status, problem = await _send(booking_env, route, body, alice, api_key)

        assert status == 422, (route, problem)
        assert problem["type"] == "https://skyfare.dev/problems/validation-error", route
        assert problem["errors"] == [{"field": "body", "message": "must be a JSON object"}], route
