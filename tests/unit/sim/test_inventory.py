from __future__ import annotations

import datetime as dt

from sim.bookings import BookingDesk, BookingDraft, TicketStock
from sim.fares import Money
from sim.inventory import Inventory
from tests.unit.sim.conftest import flight

DAY = dt.date(2030, 3, 20)
FIRST = flight("LHR", "JFK", "08:00", 480, number="10")
SECOND = flight("JFK", "LAX", "18:00", 360, number="20")
LEGS = ((FIRST, DAY), (SECOND, DAY))
NOON = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)


def draft(seats: int = 2, reference: str = "ord_1") -> BookingDraft:
    return BookingDraft(
        reference=reference,
        price=Money("USD", 100000, 12000),
        pay_by=NOON + dt.timedelta(hours=24),
        legs=LEGS,
        cabin="Y",
        seats=seats,
        passengers=seats,
        ticket_prefix="125",
    )


def test_initial_load_is_deterministic_for_the_seed() -> None:
    a, b, c = Inventory(1, DAY), Inventory(1, DAY), Inventory(2, DAY)
    days = [DAY + dt.timedelta(days=n) for n in range(20)]

    assert [a.seats_left(FIRST, d, "Y") for d in days] == [
        b.seats_left(FIRST, d, "Y") for d in days
    ]
    assert [a.seats_left(FIRST, d, "Y") for d in days] != [
        c.seats_left(FIRST, d, "Y") for d in days
    ]


def test_the_world_n_days_ahead_is_the_same_on_whichever_day_the_sim_opens() -> None:
    """Tests ask for fares `in_days(N)`: what they find must not hang on the day CI runs (a
    cheaper change 97 days out was dearer on one calendar day when loads were drawn by date)."""
    later = DAY + dt.timedelta(days=123)
    today, other = Inventory(1, DAY), Inventory(1, later)
    ahead = range(0, 120, 7)

    assert [today.seats_left(FIRST, DAY + dt.timedelta(days=n), "Y") for n in ahead] == [
        other.seats_left(FIRST, later + dt.timedelta(days=n), "Y") for n in ahead
    ]
    key = (FIRST.carrier, FIRST.number, DAY.toordinal() + 5, "Y")
    moved = (FIRST.carrier, FIRST.number, later.toordinal() + 5, "Y")
    assert today.draw(key, "fill", "12A") == other.draw(moved, "fill", "12A")


def test_a_cabin_the_aircraft_lacks_has_no_seats() -> None:
    narrow = flight("LHR", "FRA", "08:00", 90, equipment="320")

    assert Inventory(1, DAY).seats_left(narrow, DAY, "F") == 0


def test_taking_seats_takes_them_on_every_leg_or_on_none() -> None:
    inventory = Inventory(1, DAY)
    before = [inventory.seats_left(f, d, "Y") for f, d in LEGS]

    assert inventory.take(LEGS, "Y", 3)
    assert [inventory.seats_left(f, d, "Y") for f, d in LEGS] == [n - 3 for n in before]
    assert not inventory.take(LEGS, "Y", min(before))  # one leg is now short: nothing taken
    assert [inventory.seats_left(f, d, "Y") for f, d in LEGS] == [n - 3 for n in before]


def test_a_fuller_flight_has_a_higher_load_factor() -> None:
    inventory = Inventory(1, DAY)
    before = inventory.load_factor(FIRST, DAY, "Y")
    inventory.take(LEGS[:1], "Y", 10)

    assert inventory.load_factor(FIRST, DAY, "Y") > before


def test_cancelling_a_hold_returns_its_seats_once() -> None:
    inventory = Inventory(1, DAY)
    desk = BookingDesk(inventory, TicketStock())
    before = inventory.seats_left(FIRST, DAY, "Y")
    booking = desk.hold(draft(seats=2))
    assert booking is not None
    assert inventory.seats_left(FIRST, DAY, "Y") == before - 2

    desk.cancel(booking)
    desk.cancel(booking)

    assert booking.status == "CANCELLED"
    assert inventory.seats_left(FIRST, DAY, "Y") == before


def test_ticketing_keeps_the_seats_and_issues_stable_numbers() -> None:
    inventory = Inventory(1, DAY)
    desk = BookingDesk(inventory, TicketStock())
    booking = desk.hold(draft(seats=2))
    assert booking is not None
    left = inventory.seats_left(FIRST, DAY, "Y")

    desk.ticket(booking)
    desk.ticket(booking)

    assert booking.status == "TICKETED"
    assert booking.tickets == ("125-2300000001", "125-2300000002")
    assert desk.expire_due(NOON + dt.timedelta(days=3)) == 0
    assert inventory.seats_left(FIRST, DAY, "Y") == left


def test_an_unpaid_hold_expires_at_pay_by_and_its_seats_return() -> None:
    inventory = Inventory(1, DAY)
    desk = BookingDesk(inventory, TicketStock())
    before = inventory.seats_left(FIRST, DAY, "Y")
    lazy = desk.hold(draft(reference="ord_lazy"))
    swept = desk.hold(draft(reference="ord_swept"))
    assert lazy is not None
    assert swept is not None

    assert desk.expire_due(lazy.pay_by - dt.timedelta(seconds=1)) == 0
    assert desk.by_locator(lazy.locator, lazy.pay_by) is lazy  # read after pay_by: expires now
    assert lazy.status == "CANCELLED"
    assert desk.expire_due(swept.pay_by) == 1
    assert swept.status == "CANCELLED"
    assert inventory.seats_left(FIRST, DAY, "Y") == before


def test_desks_opened_alike_never_issue_the_same_locator() -> None:
    """Tests open sims with one seed over one database: a locator issued by two of them let an
    earlier test's stale hold, swept, cancel a later test's booking."""
    first, second = (BookingDesk(Inventory(1, DAY), TicketStock()) for _ in range(2))
    one, other = first.hold(draft()), second.hold(draft())

    assert one is not None
    assert other is not None
    assert one.locator != other.locator
