"""A confirmation and a resent itinerary list the booking's flights and passengers, from the
event booking writes for the order (`Order.snapshot`) as the worker decodes it."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from booking.events import Event, EventType, encode_event, new_event
from booking.model import Passenger
from connectors.model import Segment, Slice
from notify.templates import Email, Sms, render
from notify.wire import decode_event
from tests.support.notify import rendered
from tests.support.orders import ADA, stored_order

TIM = Passenger(
    type="child", given_name="Tim", family_name="Lovelace", born_on=dt.date(2018, 5, 1),
    gender="m",
)  # fmt: skip


def _segment(flight: str, route: str, departs: str, arrives: str) -> Segment:
    origin, destination = route.split("-")
    return Segment(
        marketing_carrier=flight[:2], flight_number=flight, origin=origin,
        destination=destination, departing_at=dt.datetime.fromisoformat(departs),
        arriving_at=dt.datetime.fromisoformat(arrives), aircraft="777", cabin_class="economy",
    )  # fmt: skip


# Local times, as airlines give them: the second flight lands two calendar days later.
SLICE = Slice(
    "LHR", "NRT", "PT28H40M",
    (
        _segment("BA117", "LHR-JFK", "2026-12-20T08:25", "2026-12-20T11:35"),
        _segment("AA101", "JFK-NRT", "2026-12-20T23:50", "2026-12-22T04:05"),
    ),
)  # fmt: skip


def _event(type: EventType) -> Event:
    order = stored_order(
        status="confirmed", payment_status="paid", ticket_numbers=("125-0000000001",),
        passengers=(ADA, TIM), slices=(SLICE,),
    )  # fmt: skip
    return new_event(type, order.snapshot(), order.contact(), owner=order.owner)


@pytest.mark.parametrize("type", ["order.confirmed", "order.itinerary_resent"])
def test_the_mail_lists_each_flight_at_its_airports_local_time_and_the_passengers(
    type: EventType,
) -> None:
    email, _ = rendered(_event(type))

    assert "K7Q2MZ" in email.subject
    assert (
        "Your flights (times are local at each airport):\n"
        "  BA117  LHR → JFK\n"
        "    departs Sun 20 Dec 2026, 08:25 local time at LHR\n"
        "    arrives Sun 20 Dec 2026, 11:35 local time at JFK\n"
        "  AA101  JFK → NRT\n"
        "    departs Sun 20 Dec 2026, 23:50 local time at JFK\n"
        "    arrives Tue 22 Dec 2026, 04:05 local time at NRT\n"
    ) in email.body
    assert "Passengers:\n  Ada Lovelace\n  Tim Lovelace (child)\n" in email.body


def test_the_confirmations_sms_names_the_flights() -> None:
    _, sms = rendered(_event("order.confirmed"))

    assert sms.body == (
        "Skyfare: booking K7Q2MZ is confirmed. BA117 LHR-JFK 20 Dec 08:25, "
        "AA101 JFK-NRT 20 Dec 23:50. E-tickets: 125-0000000001."
    )


def test_an_event_written_before_the_flights_were_carried_still_renders() -> None:
    # Workers are deployed before the API: they read events without `flights`/`passengers`.
    raw = msgspec.json.decode(encode_event(_event("order.confirmed")))
    del raw["order"]["flights"], raw["order"]["passengers"]

    email, sms = render(decode_event(msgspec.json.encode(raw)))

    assert isinstance(email, Email)
    assert isinstance(sms, Sms)
    assert "confirmed and paid (612.40 USD)" in email.body
    assert "Your flights" not in email.body
    assert "Passengers" not in email.body
    assert sms.body == "Skyfare: booking K7Q2MZ is confirmed. E-tickets: 125-0000000001."


@pytest.mark.parametrize("type", ["order.held", "order.changed"])
def test_a_hold_and_a_change_list_the_flights_the_booking_now_has(type: EventType) -> None:
    # What is held (and to be paid for), and the whole trip after one slice changed.
    event = _event(type)
    order = msgspec.structs.replace(
        event.order, status="held", payment_required_by=dt.datetime(2026, 12, 1, 14, tzinfo=dt.UTC)
    )
    email, _ = rendered(msgspec.structs.replace(event, order=order))

    assert "  BA117  LHR → JFK\n    departs Sun 20 Dec 2026, 08:25 local time at LHR\n" in (
        email.body
    )
    assert "Passengers:\n  Ada Lovelace\n  Tim Lovelace (child)\n" in email.body
