"""Saved travelers for the e2e suites that book them or export and erase them (users/)."""

from __future__ import annotations

from typing import Any

from tests.support.booking import BookingEnv, Headers

GRACE = {"given_name": "Grace", "family_name": "Hopper", "born_on": "1986-12-09", "gender": "f"}
MERGE_PATCH = "application/merge-patch+json"


async def save_traveler(env: BookingEnv, headers: Headers, **fields: Any) -> dict[str, Any]:
    response = await env.client.post("/v1/me/travelers", json={**GRACE, **fields}, headers=headers)
    body: dict[str, Any] = await response.json()
    assert response.status == 201, body
    return body
