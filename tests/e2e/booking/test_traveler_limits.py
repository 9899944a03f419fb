"""One traveler cannot take a whole flight, nor hammer the order routes, nor hold seats for a
day (OWASP API6): caps on open holds, a per-traveler rate limit and a hold window, over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from prometheus_client import REGISTRY

from skyfare.settings import Settings
from tests.support.booking import BookingEnv, Headers, adult, booking_app

PROBLEM = "application/problem+json"
LIMIT_REACHED = "https://skyfare.dev/problems/limit-reached"


@pytest.fixture
async def limited(settings: Settings) -> AsyncIterator[BookingEnv]:
    """The app with the default caps, a 10-minute hold window and a small burst of requests."""
    tight = msgspec.structs.replace(
        settings,
        order_max_open_holds=Settings().order_max_open_holds,
        order_max_held_seats=Settings().order_max_held_seats,
        order_max_held_seats_per_flight=Settings().order_max_held_seats_per_flight,
        hold_window_s=600.0,
        traveler_rate_per_s=0.01,
        traveler_burst=6,
        # A busy machine must not make the limiter fail open (50 ms by default) mid-test.
        rate_limit_timeout_ms=5000,
    )
    async with booking_app(tight) as env:
        yield env


@pytest.fixture
async def capped(settings: Settings) -> AsyncIterator[BookingEnv]:
    """The app with the default caps on unpaid holds (and the suite's generous rate limit)."""
    defaults = Settings()
    caps = msgspec.structs.replace(
        settings,
        order_max_open_holds=defaults.order_max_open_holds,
        order_max_held_seats=defaults.order_max_held_seats,
        order_max_held_seats_per_flight=defaults.order_max_held_seats_per_flight,
        # Ten creates of one traveler queue for its lock: on a busy machine the last one waits
        # for nine transactions, more than the default 2 s query timeout.
        db_timeout_s=15.0,
    )
    async with booking_app(caps) as env:
        yield env


@pytest.fixture
async def alice(limited: BookingEnv, alice_sub: str) -> Headers:
    """A token of this test's own traveler, from the `limited` app's identity provider."""
    return await limited.token(alice_sub)


def _refusals(limit: str) -> float:
    return REGISTRY.get_sample_value("skyfare_order_limits_total", {"limit": limit}) or 0.0


async def test_following_each_new_offer_id_cannot_hold_more_than_nine_seats_of_a_flight(
    limited: BookingEnv, alice: Headers
) -> None:
    offer = await limited.offer(adults="9")
    await limited.set_seats_left(offer, 90)
    nine = [adult(f"Ada{'abcdefghi'[i]}") for i in range(9)]
    first = await limited.order(alice, offer, passengers=nine)
    assert first.status == 201, await first.text()
    before = _refusals("held_seats_per_flight")

    # The traveler asks again for the same flight, following the new offer id of each 409.
    offer_id, problem = offer["id"], {}
    for _ in range(4):
        response = await limited.order(alice, offer_id, passengers=nine)
        problem = await response.json()
        assert response.status == 409, problem
        if problem["type"] == LIMIT_REACHED or not problem.get("offer_id"):
            break
        offer_id = problem["offer_id"]

    assert response.content_type == PROBLEM
    assert problem["type"] == LIMIT_REACHED
    assert (problem["limit"], problem["maximum"], problem["current"]) == (
        "held_seats_per_flight", 9, 9,
    )  # fmt: skip
    assert await limited.seats_left(offer) == 81
    assert _refusals("held_seats_per_flight") == before + 1


async def test_a_hold_lasts_the_hold_window_not_the_airlines_day(
    limited: BookingEnv, alice: Headers
) -> None:
    response = await limited.order(alice, await limited.offer())
    order: dict[str, Any] = await response.json()

    assert response.status == 201, order
    created = dt.datetime.fromisoformat(order["created_at"])
    pay_by = dt.datetime.fromisoformat(order["payment_required_by"])
    assert dt.timedelta(minutes=9) < pay_by - created <= dt.timedelta(minutes=10)


async def test_a_traveler_past_the_rate_limit_gets_429_with_retry_after_others_do_not(
    limited: BookingEnv, alice: Headers
) -> None:
    bob = await limited.token(f"bob-{uuid.uuid4().hex[:8]}")
    before = _refusals("rate")

    answers = [await limited.client.get("/v1/orders", headers=alice) for _ in range(7)]
    problem = await answers[-1].json()
    bobs = await limited.client.get("/v1/orders", headers=bob)
    anonymous = await limited.client.get("/v1/orders")

    assert [a.status for a in answers] == [200] * 6 + [429]
    assert answers[0].headers["RateLimit-Limit"] == "6"
    assert answers[-1].content_type == PROBLEM
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert answers[-1].headers["RateLimit-Remaining"] == "0"
    assert problem["type"] == "https://skyfare.dev/problems/rate-limited"
    assert bobs.status == 200
    assert anonymous.status == 401  # authentication first: an anonymous caller is never limited
    assert "RateLimit-Limit" not in anonymous.headers
    assert _refusals("rate") == before + 1


async def test_the_rate_limit_covers_creating_cancelling_and_paying(
    limited: BookingEnv, alice: Headers
) -> None:
    for _ in range(6):
        await limited.client.get("/v1/orders/ord_unknown", headers=alice)

    create = await limited.order(alice, "off_x")
    cancel = await limited.client.post("/v1/orders/ord_x/cancel", headers=alice)
    pay = await limited.client.post(
        "/v1/orders/ord_x/payments",
        json={"card_token": "tok_visa"},
        headers={**alice, "Idempotency-Key": "k"},
    )

    assert [create.status, cancel.status, pay.status] == [429] * 3


async def test_ten_concurrent_holds_on_ten_flights_hold_exactly_the_cap_of_five(
    capped: BookingEnv, alice_sub: str
) -> None:
    alice = await capped.token(alice_sub)
    offers = [await capped.offer(days=40 + i) for i in range(10)]
    before = _refusals("open_holds")

    responses = await asyncio.gather(*(capped.order(alice, offer) for offer in offers))
    bodies = [await r.json() for r in responses]

    assert sorted(r.status for r in responses) == [201] * 5 + [409] * 5, bodies
    refused = [b for r, b in zip(responses, bodies, strict=True) if r.status == 409]
    assert {(b["type"], b["limit"], b["maximum"]) for b in refused} == {
        (LIMIT_REACHED, "open_holds", 5)
    }
    listed = await (await capped.client.get("/v1/orders?limit=100", headers=alice)).json()
    assert len(listed["data"]) == 5
    assert _refusals("open_holds") == before + 5
