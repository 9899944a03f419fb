"""Trips made through the API for the browser tests that start on a trip's page (cancelling,
changing a flight, changing seats): Ada's paid order, opened signed in, and quotes run out."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from playwright.sync_api import APIRequestContext, Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_book import sign_in_as_ada
from tests.browser.test_sign_in import ADA, token_for

# The SOAP airline shows seat maps but sells no seats through Skyfare yet (409 on choosing).
SEATLESS_AIRLINE = "Nordic Skyways"


def day(days_ahead: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days_ahead)).isoformat()


# Ada's companion on a trip for two: a passenger of her booking, not a traveler signed in.
CHARLES = {"type": "adult", "given_name": "Charles", "family_name": "Babbage",
           "born_on": "1991-12-26", "gender": "m"}  # fmt: skip


def held_trip(
    stack: Stack,
    request: APIRequestContext,
    days_ahead: int = 46,
    cabin: str = "economy",
    avoid_airline: str | None = None,
    source_prefix: str = "",
    companions: tuple[dict[str, str], ...] = (),
    return_days_ahead: int | None = None,
) -> dict[str, Any]:
    """A trip LHR → JFK (and back, `return_days_ahead`) Ada booked on hold through the API (from
    an airline whose connector's name starts with `source_prefix`), for her and her
    `companions`: the order and the offer's `source`."""
    headers = {"Authorization": f"Bearer {token_for(stack, ADA)}"}
    back = "" if return_days_ahead is None else f"&return_date={day(return_days_ahead)}"
    search = request.get(
        f"/v1/search?origin=LHR&destination=JFK&departure_date={day(days_ahead)}{back}"
        f"&cabin_class={cabin}&adults={1 + len(companions)}"
    )
    assert search.ok, search.text()
    offers = [
        o
        for o in search.json()["offers"]
        if o["owner"]["name"] != avoid_airline and o["source"].startswith(source_prefix)
    ]
    passenger = {"type": "adult", "given_name": "Ada", "family_name": "Lovelace",
                 "born_on": "1990-12-10", "gender": "f", "email": ADA[0]}  # fmt: skip
    for offer in offers[:5]:  # a re-priced or sold-out offer: the next one
        order = request.post(
            "/v1/orders",
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            data={"offer_id": offer["id"], "type": "hold", "passengers": [passenger, *companions]},
        )
        if order.status == 201:
            held: dict[str, Any] = order.json()
            return {**held, "source": offer["source"]}
    raise AssertionError("no offer could be held")


def pay(stack: Stack, request: APIRequestContext, order_id: str) -> None:
    """Ada pays the held trip with the card that succeeds (settled on the gateway's webhook)."""
    paid = request.post(
        f"/v1/orders/{order_id}/payments",
        headers={
            "Authorization": f"Bearer {token_for(stack, ADA)}",
            "Idempotency-Key": str(uuid.uuid4()),
        },
        data={"card_token": "tok_visa"},
    )
    assert paid.status == 202, paid.text()


def paid_trip(
    stack: Stack,
    request: APIRequestContext,
    days_ahead: int = 46,
    cabin: str = "economy",
    avoid_airline: str | None = None,
    companions: tuple[dict[str, str], ...] = (),
    return_days_ahead: int | None = None,
) -> str:
    """A trip LHR → JFK (and back, `return_days_ahead`) Ada booked and paid through the API
    (for her and her `companions`): its order id (the payment settles on the gateway's webhook,
    moments later)."""
    order_id: str = held_trip(
        stack,
        request,
        days_ahead,
        cabin,
        avoid_airline,
        companions=companions,
        return_days_ahead=return_days_ahead,
    )["id"]
    pay(stack, request, order_id)
    return order_id


def open_trip(page: Page, order_id: str) -> None:
    """The trip's page, Ada signed in, once the payment has confirmed it."""
    page.goto(f"/trips/{order_id}")
    sign_in_as_ada(page)
    expect(page.get_by_role("heading", name="Your trip is booked")).to_be_visible()
    # The history arrives after the trip and pushes what is below it down: a click aimed
    # before it lands (Contact support, on a phone) can meet the page moving under it.
    history = page.get_by_role("region", name="Trip history").get_by_role("listitem")
    expect(history.first).to_be_visible()


def _in_database(
    stack: Stack, database_url: str, work: Callable[[asyncpg.Connection], Awaitable[None]]
) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(database_url)
        try:
            await work(connection)
        finally:
            await connection.close()

    stack.run(run())


def expire(stack: Stack, database_url: str, table: str, order_id: str) -> None:
    """Every quote of the order in `table` (order_cancellations, order_changes) runs out now."""
    assert table in ("order_cancellations", "order_changes")

    async def work(connection: asyncpg.Connection) -> None:
        await connection.execute(
            f"UPDATE {table} SET expires_at = now() - interval '1 second' WHERE order_id = $1",
            order_id,
        )

    _in_database(stack, database_url, work)


def first_flight_left(stack: Stack, database_url: str, order_id: str, ago: dt.timedelta) -> None:
    """The order's first flight left `ago` (LHR's local time: UTC in the winter of these trips)."""

    async def work(connection: asyncpg.Connection) -> None:
        slices = json.loads(
            await connection.fetchval("SELECT slices FROM orders WHERE id = $1", order_id)
        )
        left = (dt.datetime.now(dt.UTC) - ago).replace(tzinfo=None, microsecond=0)
        first = slices[0]["segments"][0]
        first["departing_at"] = left.isoformat()
        first["arriving_at"] = (left + dt.timedelta(hours=8)).isoformat()
        await connection.execute(
            "UPDATE orders SET slices = $2::jsonb WHERE id = $1", order_id, json.dumps(slices)
        )

    _in_database(stack, database_url, work)


def fare_gone(stack: Stack, database_url: str, order_id: str) -> None:
    """The airline no longer sells the fare of any change offer of the order: confirming one is
    refused by the airline (409, `failure_code` `airline_refused`)."""

    async def work(connection: asyncpg.Connection) -> None:
        await connection.execute(
            "UPDATE order_changes SET supplier_fare_id = 'no-such-fare' WHERE order_id = $1",
            order_id,
        )

    _in_database(stack, database_url, work)
