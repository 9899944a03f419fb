"""`GET /v1/orders?status=&in_flight=` through HTTP: each filter lists exactly its orders of the
caller, newest first, across pages; a cursor is a position whatever the filter; bad values are
422 naming the parameter."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.booking import Headers
from tests.support.payment_app import PayEnv


async def _listed(pay_env: PayEnv, headers: Headers, query: str) -> list[str]:
    """The ids `GET /v1/orders?<query>` lists, every page followed (two orders a page)."""
    ids: list[str] = []
    after = ""
    while True:
        url = f"/v1/orders?limit=2&{query}" + (f"&after={after}" if after else "")
        response = await pay_env.client.get(url, headers=headers)
        page: dict[str, Any] = await response.json()
        assert response.status == 200, page
        ids += [o["id"] for o in page["data"]]
        after = page["meta"]["after"]
        if not after:
            return ids


async def test_each_filter_lists_exactly_the_callers_orders_in_it(
    pay_env: PayEnv, alice: Headers
) -> None:
    bob = await pay_env.booking.token(f"bob-{uuid.uuid4().hex[:8]}")
    bobs = (await pay_env.held_order(bob, days=41))["id"]
    first_held = (await pay_env.held_order(alice, days=42))["id"]
    confirmed = (await pay_env.held_order(alice, days=43))["id"]
    assert (await pay_env.pay(alice, confirmed)).status == 202
    assert (await pay_env.settled(alice, confirmed))["status"] == "confirmed"
    cancelled = (await pay_env.held_order(alice, days=44))["id"]
    cancel = await pay_env.client.post(f"/v1/orders/{cancelled}/cancel", headers=alice)
    assert cancel.status == 200
    second_held = (await pay_env.held_order(alice, days=45))["id"]

    assert await _listed(pay_env, alice, "status=held") == [second_held, first_held]
    assert await _listed(pay_env, alice, "status=confirmed") == [confirmed]
    assert await _listed(pay_env, alice, "status=cancelled") == [cancelled]
    assert await _listed(pay_env, alice, "status=expired") == []
    assert await _listed(pay_env, alice, "status=cancelled,held") == [
        second_held,
        cancelled,
        first_held,
    ]
    assert await _listed(pay_env, alice, "in_flight=true") == [second_held, first_held]
    assert await _listed(pay_env, alice, "in_flight=false") == [cancelled, confirmed]
    assert await _listed(pay_env, alice, "status=confirmed&in_flight=true") == []
    assert await _listed(pay_env, bob, "in_flight=true") == [bobs]
    assert await _listed(pay_env, bob, "status=confirmed,cancelled") == []


async def test_a_cursor_of_the_unfiltered_list_goes_on_from_its_order_with_a_filter(
    pay_env: PayEnv, alice: Headers
) -> None:
    older_held = (await pay_env.held_order(alice, days=46))["id"]
    cancelled = (await pay_env.held_order(alice, days=47))["id"]
    await pay_env.client.post(f"/v1/orders/{cancelled}/cancel", headers=alice)
    newer_held = (await pay_env.held_order(alice, days=48))["id"]

    response = await pay_env.client.get("/v1/orders?limit=2", headers=alice)
    page = await response.json()
    assert [o["id"] for o in page["data"]] == [newer_held, cancelled]
    after = page["meta"]["after"]  # the position of the cancelled order, which `held` leaves out
    response = await pay_env.client.get(f"/v1/orders?status=held&after={after}", headers=alice)
    filtered = await response.json()

    assert response.status == 200, filtered
    assert [o["id"] for o in filtered["data"]] == [older_held]
    assert filtered["meta"]["after"] is None


async def test_a_bad_filter_is_a_422_naming_it_like_a_bad_limit(
    pay_env: PayEnv, alice: Headers
) -> None:
    response = await pay_env.client.get(
        "/v1/orders?status=held,pending&in_flight=yes&limit=0", headers=alice
    )
    problem = await response.json()
    twice = await pay_env.client.get("/v1/orders?status=held&status=confirmed", headers=alice)

    assert response.status == 422
    assert response.content_type == "application/problem+json"
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert set(fields) == {"query.status", "query.in_flight", "query.limit"}
    assert fields["query.status"] == (
        "must be one or more of held, confirmed, cancelled, expired, comma-separated"
    )
    assert twice.status == 422
    assert [e["field"] for e in (await twice.json())["errors"]] == ["query.status"]
