"""Order changes through HTTP, with the sim's airlines and card gateway: search → book → pay →
change a slice to another date paying the difference; a declined card half way (the airline
already swapped the flights) is compensated; the fare conditions and the airline decide what
may change."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from connectors import offer_ids
from kernel.dates import day_words
from skyfare.settings import Settings
from tests.support.booking import Headers, adult, in_days
from tests.support.payment_app import PayEnv

FLEX_CABIN = {"cabin_class": "premium_economy"}  # the sims' changeable, non-refundable fare


async def paid_order(pay_env: PayEnv, headers: Headers, days: int, **search: str) -> dict[str, Any]:
    offer = await pay_env.booking.offer(days=days, **search)
    response = await pay_env.booking.order(headers, offer)
    order: dict[str, Any] = await response.json()
    assert response.status == 201, order
    assert (await pay_env.pay(headers, order["id"])).status == 202
    paid = await pay_env.settled(headers, order["id"])
    assert (paid["status"], paid["payment_status"]) == ("confirmed", "paid"), paid
    return paid


async def held_order(pay_env: PayEnv, headers: Headers, days: int, **search: str) -> dict[str, Any]:
    offer = await pay_env.booking.offer(days=days, **search)
    response = await pay_env.booking.order(headers, offer)
    order: dict[str, Any] = await response.json()
    assert response.status == 201, order
    return order


async def change_offers(
    pay_env: PayEnv, headers: Headers, order: dict[str, Any], days: int, slice_index: int = 0
) -> tuple[int, dict[str, Any]]:
    changed = order["slices"][slice_index]
    response = await pay_env.client.post(
        f"/v1/orders/{order['id']}/changes",
        json={
            "slice_index": slice_index,
            "origin": changed["origin"],
            "destination": changed["destination"],
            "departure_date": in_days(days),
        },
        headers=headers,
    )
    return response.status, await response.json()


async def confirm(
    pay_env: PayEnv, headers: Headers, order_id: str, change_id: str, key: str, **body: str
) -> tuple[int, dict[str, Any]]:
    response = await pay_env.client.post(
        f"/v1/orders/{order_id}/changes/{change_id}/confirm",
        json=body,
        headers={**headers, "Idempotency-Key": key},
    )
    return response.status, await response.json()


async def history_reasons(pay_env: PayEnv, headers: Headers, order_id: str) -> list[str]:
    response = await pay_env.client.get(f"/v1/orders/{order_id}/history", headers=headers)
    assert response.status == 200
    return [item["reason"] for item in (await response.json())["data"]]


def dearest(offers: dict[str, Any]) -> dict[str, Any]:
    """The change offer that costs the most: the one that surely charges the card."""
    chosen: dict[str, Any] = max(offers["data"], key=lambda o: Decimal(o["change_total_amount"]))
    assert Decimal(chosen["change_total_amount"]) > 0, chosen
    return chosen


async def test_a_paid_order_changes_to_another_date_paying_the_difference_same_reference(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, days=90, **FLEX_CABIN)
    status, offers = await change_offers(pay_env, alice, order, days=20)
    assert status == 201, offers
    chosen = dearest(offers)
    assert chosen["id"].startswith("och_")
    assert chosen["status"] == "quoted"
    assert chosen["slice"]["segments"][0]["departing_at"].startswith(in_days(20))
    due = Decimal(chosen["fare_difference_amount"]) + Decimal(chosen["penalty_total_amount"])
    assert Decimal(chosen["change_total_amount"]) == due
    assert Decimal(chosen["penalty_total_amount"]) > 0  # non-refundable: the fee applies
    # Every amount with its currency (docs/api.md's rule), the order's.
    amounts = [k.removesuffix("_amount") for k in chosen if k.endswith("_amount")]
    assert {chosen[f"{name}_currency"] for name in amounts} == {order["total_currency"]}
    assert (await pay_env.order(alice, order["id"]))["slices"] == order["slices"]  # nothing yet

    key = str(uuid.uuid4())
    status, done = await confirm(
        pay_env, alice, order["id"], chosen["id"], key, card_token="tok_visa"
    )
    assert status == 200, done
    assert done["status"] == "confirmed"
    changed = done["order"]
    assert changed["booking_reference"] == order["booking_reference"]
    assert changed["airline_locator"] == order["airline_locator"]
    assert changed["slices"][0] == chosen["slice"]
    assert changed["total_amount"] == chosen["new_total_amount"]
    assert (changed["status"], changed["payment_status"]) == ("confirmed", "paid")
    assert changed["ticket_numbers"]
    assert changed["ticket_numbers"] != order["ticket_numbers"]
    assert changed["last_change"]["status"] == "confirmed"
    # The history's words date the new flight as the mails do ("06 Feb 2027", not ISO).
    departs = dt.datetime.fromisoformat(chosen["slice"]["segments"][0]["departing_at"])
    assert f" on {day_words(departs)} (" in changed["last_change"]["detail"]
    # the change's answer carries no `money` (stored for its retries): the order's GET reads it
    read = await pay_env.order(alice, order["id"])
    assert changed["money"] is None
    assert {**read, "money": None} == changed

    again_status, again = await confirm(
        pay_env, alice, order["id"], chosen["id"], key, card_token="tok_visa"
    )
    assert (again_status, again) == (status, done)  # replayed, nothing twice
    charges = [i for i in await pay_env.gateway.intents(order["id"]) if i["amount"] == str(due)]
    assert len(charges) == 1
    assert charges[0]["status"] == "succeeded"
    assert (await pay_env.events(order["id"]))[-1] == "order.changed"
    assert any("changed to" in r for r in await history_reasons(pay_env, alice, order["id"]))


async def test_a_declined_card_after_the_airline_swapped_the_flights_puts_them_back(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, days=91, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, order, days=21)
    chosen = dearest(offers)
    new_flight = {"slices": [chosen["slice"]]}
    seats_before = await pay_env.booking.seats_left(new_flight)

    key = str(uuid.uuid4())
    status, problem = await confirm(
        pay_env, alice, order["id"], chosen["id"], key, card_token="tok_declined"
    )
    assert status == 409, problem
    assert "decline" in problem["detail"]
    assert "original flights back" in problem["detail"]
    assert problem["decline_code"] == "generic_decline"  # the sim's, a field of its own
    assert problem["failure_code"] == "card_declined"  # why, a word to choose words by
    # Replayed for the same key, and said again for a new one, with the field each time.
    replayed = await confirm(
        pay_env, alice, order["id"], chosen["id"], key, card_token="tok_declined"
    )
    assert replayed == (409, problem)
    _, again = await confirm(
        pay_env, alice, order["id"], chosen["id"], str(uuid.uuid4()), card_token="tok_visa"
    )
    assert (again["decline_code"], again["failure_code"]) == ("generic_decline", "card_declined")

    after = await pay_env.order(alice, order["id"])
    assert after["slices"] == order["slices"]
    assert (after["total_amount"], after["ticket_numbers"]) == (
        order["total_amount"],
        order["ticket_numbers"],
    )
    assert after["last_change"]["status"] == "failed"
    assert after["last_change"]["id"] == chosen["id"]
    assert "decline" in after["last_change"]["detail"]
    assert after["last_change"]["decline_code"] == "generic_decline"
    assert after["last_change"]["failure_code"] == "card_declined"
    assert await pay_env.booking.seats_left(new_flight) == seats_before  # the airline undid it
    assert any("failed" in r for r in await history_reasons(pay_env, alice, order["id"]))
    history = await pay_env.client.get(f"/v1/orders/{order['id']}/history", headers=alice)
    [step] = [s for s in (await history.json())["data"] if s["code"] == "change_failed"]
    assert step["decline_code"] == "generic_decline"
    # Why, as the word the change offer carries: clients word the step by it, not by the note.
    assert step["details"]["failure_code"] == "card_declined"
    assert "order.changed" not in await pay_env.events(order["id"])
    response = await pay_env.client.get(
        f"/v1/orders/{order['id']}/changes/{chosen['id']}", headers=alice
    )
    failed = await response.json()
    assert (failed["status"], failed["decline_code"], failed["failure_code"]) == (
        "failed",
        "generic_decline",
        "card_declined",
    )
    # A failed change offer stays failed: a new attempt starts from new change offers.
    status, _ = await confirm(
        pay_env, alice, order["id"], chosen["id"], str(uuid.uuid4()), card_token="tok_visa"
    )
    assert status == 409


async def test_an_economy_fare_is_not_changeable_and_an_expired_offer_is_gone(
    pay_env: PayEnv, alice: Headers
) -> None:
    economy = await paid_order(pay_env, alice, days=92)
    # The order says so itself (its offer's conditions, kept with it): the app offers no change.
    assert economy["conditions"] == {"refundable": False, "changeable": False}
    status, problem = await change_offers(pay_env, alice, economy, days=22)
    assert status == 422, problem
    assert problem["type"].endswith("/fare-not-changeable")

    held = await held_order(pay_env, alice, days=93, **FLEX_CABIN)
    assert held["conditions"] == {"refundable": False, "changeable": True}  # as created (201)
    status, offers = await change_offers(pay_env, alice, held, days=23)
    assert status == 201, offers
    chosen = offers["data"][0]
    assert chosen["change_total_amount"] == "0.00"  # unpaid: it pays the new total later
    await pay_env.pool.execute(
        "UPDATE order_changes SET expires_at = now() - interval '1 second' WHERE id = $1",
        chosen["id"],
    )
    status, problem = await confirm(pay_env, alice, held["id"], chosen["id"], str(uuid.uuid4()))
    assert status == 410, problem
    assert (await pay_env.order(alice, held["id"]))["slices"] == held["slices"]


async def test_an_unpaid_hold_changes_for_free_and_will_pay_the_new_total(
    pay_env: PayEnv, alice: Headers
) -> None:
    held = await held_order(pay_env, alice, days=94, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, held, days=24)
    chosen = offers["data"][0]
    status, done = await confirm(pay_env, alice, held["id"], chosen["id"], str(uuid.uuid4()))
    assert status == 200, done
    assert done["order"]["total_amount"] == chosen["new_total_amount"]
    assert done["order"]["status"] == "held"
    assert await pay_env.gateway.intents(held["id"]) == []  # no money moved


async def test_bad_change_fields_are_named(pay_env: PayEnv, alice: Headers) -> None:
    ndc = await held_order(pay_env, alice, days=95, source="ndc-", **FLEX_CABIN)
    response = await pay_env.client.post(
        f"/v1/orders/{ndc['id']}/changes",
        json={"slice_index": 7, "origin": "XXX", "destination": "JFK", "seat": "1A"},
        headers=alice,
    )
    problem = await response.json()
    assert response.status == 422, problem
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {"slice_index", "origin", "departure_date", "seat"}


async def test_a_confirmation_the_airline_could_not_answer_resumes_on_retry(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, days=96, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, order, days=26)
    chosen = dearest(offers)
    slug = order_airline(pay_env, order).removeprefix("rest-")
    key = str(uuid.uuid4())

    await pay_env.booking.sim.set_profile(slug, error_rate=1.0)
    try:
        status, problem = await confirm(
            pay_env, alice, order["id"], chosen["id"], key, card_token="tok_visa"
        )
    finally:
        await pay_env.booking.sim.set_profile(slug, error_rate=0.0)
    assert status == 503, problem
    assert (await pay_env.order(alice, order["id"]))["slices"] == order["slices"]

    status, done = await confirm(
        pay_env, alice, order["id"], chosen["id"], key, card_token="tok_visa"
    )
    assert status == 200, done
    assert done["order"]["slices"][0] == chosen["slice"]


async def test_an_airline_answer_lost_on_the_way_back_does_not_change_the_flights_twice(
    pay_env: PayEnv, alice: Headers
) -> None:
    """The airline made the change but its answer never reached us (a timeout): the retry asks
    with the same reference, and the airline answers the change it already made."""
    order = await paid_order(pay_env, alice, days=97, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, order, days=27)
    chosen = dearest(offers)
    new_flight = {"slices": [chosen["slice"]]}
    seats_before = await pay_env.booking.seats_left(new_flight)
    await airline_changes(pay_env, order, chosen["id"])

    status, done = await confirm(
        pay_env, alice, order["id"], chosen["id"], str(uuid.uuid4()), card_token="tok_visa"
    )
    assert status == 200, done
    assert done["order"]["slices"][0] == chosen["slice"]
    assert await pay_env.booking.seats_left(new_flight) == seats_before - 1  # taken once


async def test_concurrent_confirmations_of_one_change_offer_change_and_charge_once(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, days=98, **FLEX_CABIN)
    _, offers = await change_offers(pay_env, alice, order, days=28)
    chosen = dearest(offers)

    answers = await asyncio.gather(
        *(
            confirm(
                pay_env, alice, order["id"], chosen["id"], str(uuid.uuid4()), card_token="tok_visa"
            )
            for _ in range(4)
        )
    )
    statuses = sorted(status for status, _ in answers)
    assert 200 in statuses, answers
    assert set(statuses) <= {200, 409}, answers
    reasons = await history_reasons(pay_env, alice, order["id"])
    assert sum("changed to" in r for r in reasons) == 1
    assert (await pay_env.events(order["id"])).count("order.changed") == 1
    due = chosen["change_total_amount"]
    charges = [i for i in await pay_env.gateway.intents(order["id"]) if i["amount"] == due]
    assert len(charges) == 1


async def airline_changes(pay_env: PayEnv, order: dict[str, Any], change_id: str) -> None:
    """The airline's side of a confirmation, asked of it directly (as a confirmation would)."""
    fare_id = await pay_env.pool.fetchval(
        "SELECT supplier_fare_id FROM order_changes WHERE id = $1", change_id
    )
    async with aiohttp.ClientSession() as session:
        answer = await session.post(
            f"{order_airline_url(pay_env, order)}/bookings/{order['airline_locator']}/changes",
            json={"journey": 0, "fare_id": fare_id, "reference": change_id},
        )
        assert answer.status == 200, await answer.text()


def order_airline(pay_env: PayEnv, order: dict[str, Any]) -> str:
    """The connector that sold the order (its offer id names it)."""
    name, _ = offer_ids.decode(order["offer_id"])
    return name


def order_airline_url(pay_env: PayEnv, order: dict[str, Any]) -> str:
    name = order_airline(pay_env, order)
    [settings] = [s for s in pay_env.booking.sim.connector_settings() if s.name == name]
    return settings.base_url


async def test_a_cheaper_slice_on_a_refundable_fare_refunds_the_difference_to_the_card(
    pay_env: PayEnv, alice: Headers
) -> None:
    # first class (flexible) needs a long-haul 777: London to Los Angeles, two weeks out (dear)
    order = await paid_order(pay_env, alice, days=15, destination="LAX", cabin_class="first")
    _, offers = await change_offers(pay_env, alice, order, days=99)  # far out: cheaper
    chosen = min(offers["data"], key=lambda o: Decimal(o["change_total_amount"]))
    refund = -Decimal(chosen["change_total_amount"])
    assert refund > 0, chosen
    assert chosen["penalty_total_amount"] == "0.00"  # refundable: changes are free

    status, done = await confirm(pay_env, alice, order["id"], chosen["id"], str(uuid.uuid4()))
    assert status == 200, done
    assert Decimal(done["order"]["total_amount"]) == Decimal(order["total_amount"]) - refund
    assert done["order"]["payment_status"] == "paid"
    [intent] = await pay_env.gateway.intents(order["id"])  # no new charge: the paying one
    assert Decimal(intent["amount_refunded"]) == refund


@pytest.mark.parametrize(
    ("source", "origin", "days"), [("soap-", "CPH", 100), ("ndc-", "LHR", 109)]
)
async def test_a_soap_or_ndc_airlines_order_changes_too(
    pay_env: PayEnv, alice: Headers, source: str, origin: str, days: int
) -> None:
    held = await held_order(pay_env, alice, days=days, origin=origin, source=source, **FLEX_CABIN)
    status, offers = await change_offers(pay_env, alice, held, days=days - 70)
    assert status == 201, offers
    chosen = offers["data"][0]
    status, done = await confirm(pay_env, alice, held["id"], chosen["id"], str(uuid.uuid4()))
    assert status == 200, done
    assert done["order"]["slices"][0] == chosen["slice"]
    assert done["order"]["booking_reference"] == held["booking_reference"]
    assert done["order"]["airline_locator"] == held["airline_locator"]


async def test_a_changed_hold_gets_the_payment_deadline_its_new_booking_would_have_had(
    pay_env: PayEnv, alice: Headers
) -> None:
    held = await held_order(pay_env, alice, days=107, **FLEX_CABIN)
    # Nearly due: as if the hold window were ending; the changed booking gets a deadline anew.
    await pay_env.pool.execute(
        "UPDATE orders SET payment_required_by = now() + interval '5 minutes' WHERE id = $1",
        held["id"],
    )
    _, offers = await change_offers(pay_env, alice, held, days=37)
    status, done = await confirm(
        pay_env, alice, held["id"], offers["data"][0]["id"], str(uuid.uuid4())
    )
    assert status == 200, done
    # The earliest of the airline's time limit (a day), the hold window from the order's
    # creation (3 h by default) and the first departure (weeks away): the window.
    created = dt.datetime.fromisoformat(held["created_at"])
    after = dt.datetime.fromisoformat(done["order"]["payment_required_by"])
    assert after == created + dt.timedelta(seconds=Settings().hold_window_s)
    assert (await pay_env.order(alice, held["id"]))["payment_required_by"] == (
        done["order"]["payment_required_by"]
    )


async def test_support_may_read_and_cancel_a_travelers_order_but_not_change_its_flights_or_seats(
    pay_env: PayEnv, alice: Headers
) -> None:
    # API.md grants the support role reading and cancelling any order. Changing flights or
    # seats (and paying for them with the traveler's card) stays the traveler's: a 403, since
    # the agent can see the order exists.
    support = await pay_env.booking.token("agent-changes", roles=["support"])
    order = await held_order(pay_env, alice, days=88, **FLEX_CABIN)
    status, offers = await change_offers(pay_env, alice, order, days=21)
    assert status == 201, offers
    offer_id = offers["data"][0]["id"]
    seat_maps = await pay_env.client.get(
        "/v1/seat_maps", params={"order_id": order["id"]}, headers=alice
    )
    seat = {
        "type": "seat",
        "segment_id": (await seat_maps.json())["seat_maps"][0]["segment_id"],
        "passenger_id": "pas_1",
        "designator": "1A",
    }

    support_quote, quote_problem = await change_offers(pay_env, support, order, days=22)
    support_confirm, confirm_problem = await confirm(
        pay_env, support, order["id"], offer_id, str(uuid.uuid4())
    )
    support_seats = await pay_env.client.post(
        f"/v1/orders/{order['id']}/seats", json={"services": [seat]}, headers=support
    )
    support_read = await pay_env.client.get(
        f"/v1/orders/{order['id']}/changes/{offer_id}", headers=support
    )

    assert (support_quote, support_confirm, support_seats.status) == (403, 403, 403)
    assert quote_problem["type"].endswith("/forbidden"), quote_problem
    assert "read and cancel" in confirm_problem["detail"]
    assert support_read.status == 200
    assert (await pay_env.order(alice, order["id"]))["slices"] == order["slices"]


async def test_the_flights_already_booked_are_never_offered_as_a_change(
    pay_env: PayEnv, alice: Headers
) -> None:
    # Asked for the day it already flies, the airline reshops the booked flight too: offered,
    # confirming it charged the difference and the penalty and released the seats for nothing.
    order = await paid_order(pay_env, alice, days=96, **FLEX_CABIN)
    booked = order["slices"][0]["segments"]
    departs = dt.date.fromisoformat(booked[0]["departing_at"][:10])
    status, offers = await change_offers(
        pay_env, alice, order, days=(departs - dt.date.today()).days
    )
    assert status == 201, offers
    flights = [
        [(s["flight_number"], s["departing_at"]) for s in o["slice"]["segments"]]
        for o in offers["data"]
    ]
    assert [(s["flight_number"], s["departing_at"]) for s in booked] not in flights, flights
    assert offers["data"], "the day's other flights are still offered"


async def test_a_slice_whose_flight_has_left_can_no_longer_be_changed(
    pay_env: PayEnv, alice: Headers
) -> None:
    order = await paid_order(pay_env, alice, days=97, **FLEX_CABIN)
    status, offers = await change_offers(pay_env, alice, order, days=27)  # quoted before it left
    assert status == 201, offers
    slices = json.loads(
        await pay_env.pool.fetchval("SELECT slices FROM orders WHERE id = $1", order["id"])
    )
    left = (dt.datetime.now() - dt.timedelta(days=1)).replace(microsecond=0).isoformat()
    slices[0]["segments"][0]["departing_at"] = left
    await pay_env.pool.execute(
        "UPDATE orders SET slices = $2::jsonb WHERE id = $1", order["id"], json.dumps(slices)
    )

    status, problem = await change_offers(pay_env, alice, order, days=27)
    assert status == 422, problem
    assert [e["field"] for e in problem["errors"]] == ["slice_index"]
    chosen = dearest(offers)
    status, problem = await confirm(
        pay_env, alice, order["id"], chosen["id"], str(uuid.uuid4()), card_token="tok_visa"
    )
    assert status == 409, problem
    # When it left (UTC), as a begun trip's cancel says it: the 409 told from the others.
    assert problem["departed_at"].endswith("Z"), problem
    assert len(await pay_env.gateway.intents(order["id"])) == 1  # its payment: nothing charged
    after = await pay_env.order(alice, order["id"])
    assert after["total_amount"] == order["total_amount"]
    assert after["last_change"] is None


async def test_a_change_to_a_day_an_infant_on_a_lap_is_two_is_refused(
    pay_env: PayEnv, alice: Headers
) -> None:
    # One on the booked day, two on the new one: the airline would not take them on a lap.
    offer = await pay_env.booking.offer(days=98, infants="1", **FLEX_CABIN)
    booked = dt.date.fromisoformat(in_days(98))
    born = booked.replace(year=booked.year - 2) + dt.timedelta(days=10)
    infant = {**adult("Tim"), "type": "infant", "born_on": born.isoformat()}
    response = await pay_env.booking.order(alice, offer, passengers=[adult(), infant])
    held = await response.json()
    assert response.status == 201, held

    status, problem = await change_offers(pay_env, alice, held, days=128)
    assert status == 422, problem
    assert [e["field"] for e in problem["errors"]] == ["departure_date"]
    assert "passengers[1]" in problem["errors"][0]["message"]
    status, offers = await change_offers(pay_env, alice, held, days=100)  # still one
    assert status == 201, offers
