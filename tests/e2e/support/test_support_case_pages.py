"""`GET /v1/support/cases` pages as `GET /v1/orders` does (`?limit=&after=`, `meta.after`):
it used to answer the newest 50 and no way to reach the others."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

from tests.e2e.support.conftest import SupportEnv
from tests.support.booking import Headers

PROBLEM = "application/problem+json"
CASES = "/v1/support/cases"


async def _page(env: SupportEnv, headers: Headers, **params: str) -> dict[str, Any]:
    response = await env.client.get(CASES, params=params, headers=headers)
    body: dict[str, Any] = await response.json()
    assert response.status == 200, body
    return body


async def _open_many(env: SupportEnv, owner: str, order_id: str, count: int) -> list[str]:
    """`count` cases written straight to the table, a second apart and older than now, newest
    first (a helpdesk round trip each would only slow the test)."""
    now = dt.datetime.now(dt.UTC)
    rows = [
        (f"cas_{uuid.uuid4().hex[:24]}", owner, order_id, f"Q{i}", now - dt.timedelta(seconds=i))
        for i in range(1, count + 1)
    ]
    await env.pay.pool.executemany(
        "INSERT INTO support_cases (id, owner, order_id, subject, created_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $5)",
        rows,
    )
    return [row[0] for row in rows]


async def test_every_case_is_reached_page_by_page_newest_first(support_env: SupportEnv) -> None:
    env = support_env
    owner = f"pager-{uuid.uuid4().hex[:8]}"
    traveler = await env.pay.booking.token(owner)
    order = await env.pay.held_order(traveler, days=43)
    older = await _open_many(env, owner, order["id"], 54)
    newest = await env.open_case(traveler, order_id=order["id"], subject="Now", message="Hi")
    everything = [newest["id"], *older]

    first = await _page(env, traveler)
    assert [c["id"] for c in first["data"]] == everything[:50]
    assert first["meta"]["limit"] == 50
    assert first["meta"]["after"] is not None

    seen: list[str] = []
    page = await _page(env, traveler, limit="20")
    while True:
        seen += [c["id"] for c in page["data"]]
        if page["meta"]["after"] is None:
            break
        page = await _page(env, traveler, limit="20", after=page["meta"]["after"])
    assert seen == everything
    assert page["meta"] == {"limit": 20, "after": None}
    assert len(page["data"]) == 15


async def test_a_bad_limit_or_cursor_is_a_422_naming_it(
    support_env: SupportEnv, alice: Headers
) -> None:
    # A cursor of the orders list: a position, but not one this list returned.
    order_cursor = base64.urlsafe_b64encode(b"1764000000000000:ord_" + b"0" * 24).decode()
    bad = {
        ("limit", "0"): "query.limit",
        ("limit", "201"): "query.limit",
        ("after", "nonsense"): "query.after",
        ("after", order_cursor): "query.after",
        ("sort", "asc"): "query.sort",
    }
    for (name, value), field in bad.items():
        response = await support_env.client.get(CASES, params={name: value}, headers=alice)

        problem = await response.json(content_type=PROBLEM)
        assert response.status == 422, problem
        assert [e["field"] for e in problem["errors"]] == [field], (name, value)
