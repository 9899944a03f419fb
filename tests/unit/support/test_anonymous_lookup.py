"""An anonymous case names a booking by reference and family name: a wrong name must cost what an
unknown reference costs, so neither the answer nor its time says which references exist.

Before, a known reference loaded the whole order (a second query: passengers, slices, seats) to
compare names, which an unknown reference never did.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from booking.model import Order, Passenger
from kernel.errors import NotFound, ServiceUnavailable
from support.helpdesk import HelpdeskUnavailable
from support.model import OpenCaseRequest
from support.service import NO_BOOKING, SupportService

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
ORDER = Order(
    id="ord_" + "0" * 24, owner="alice", booking_reference="K7Q2MZ", type="hold",
    status="held", payment_status="unpaid", offer_id="off_x", connector="rest-x",
    airline_locator=None, total_amount=Decimal("10"), total_currency="EUR",
    payment_required_by=None, slices=(),
    passengers=(Passenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 1), "f"),),
    ticket_numbers=(), failure_reason=None, created_at=NOW, updated_at=NOW,
)  # fmt: skip


@dataclasses.dataclass
class _Booking:
    order_id: str
    status: str
    family_names: tuple[str, ...]


class _Cases:
    """The support repository's reads by reference, counting the queries they stand for."""

    def __init__(self) -> None:
        self.queries = 0

    async def order_id_by_reference(self, reference: str) -> str | None:
        self.queries += 1
        return ORDER.id if reference == ORDER.booking_reference else None

    async def booking_by_reference(self, reference: str) -> _Booking | None:
        self.queries += 1
        if reference != ORDER.booking_reference:
            return None
        return _Booking(ORDER.id, ORDER.status, tuple(p.family_name for p in ORDER.passengers))


class _Orders:
    """`OrderService`'s repository: each `get` is a query loading a whole order."""

    def __init__(self) -> None:
        self.repository = self
        self.queries = 0

    async def get(self, order_id: str) -> Order | None:
        self.queries += 1
        return ORDER if order_id == ORDER.id else None


class _DownHelpdesk:
    async def open_case(self, *args: Any, **kwargs: Any) -> str:
        raise HelpdeskUnavailable("down")


class _NoLimit:
    async def spend(self, address: str) -> None:
        return None

    async def refund(self, address: str) -> None:
        return None


def _service() -> tuple[SupportService, _Cases, _Orders]:
    cases, orders = _Cases(), _Orders()
    service = SupportService(cases, orders, _DownHelpdesk(), keys=None, address_limit=_NoLimit())  # type: ignore[arg-type]
    return service, cases, orders


def _ask(reference: str, family_name: str) -> OpenCaseRequest:
    return OpenCaseRequest(
        subject="Q", message="?", booking_reference=reference, family_name=family_name
    )


async def _queries_refused(reference: str, family_name: str) -> tuple[str, int]:
    service, cases, orders = _service()
    with pytest.raises(NotFound) as refused:
        await service.open_case(None, _ask(reference, family_name), address="203.0.113.7")
    return refused.value.detail, cases.queries + orders.queries


async def test_a_wrong_name_costs_the_queries_of_an_unknown_reference() -> None:
    wrong_name = await _queries_refused("K7Q2MZ", "Babbage")
    unknown = await _queries_refused("ZZZZZ9", "Lovelace")
    assert wrong_name == unknown == (NO_BOOKING, 1)


async def test_the_right_pair_finds_the_booking_whatever_the_case_and_spaces() -> None:
    service, _, orders = _service()
    # Found: the case goes on to the helpdesk (down here), not to a 404.
    with pytest.raises(ServiceUnavailable):
        await service.open_case(None, _ask("K7Q2MZ", "  LOVELACE "), address="203.0.113.7")
    assert orders.queries == 1  # the order is loaded once found, for the helpdesk's context


async def test_an_order_not_yet_held_is_no_booking() -> None:
    service, cases, orders = _service()

    async def pending(reference: str) -> _Booking:
        return _Booking(ORDER.id, "pending", ("Lovelace",))

    cases.booking_by_reference = pending  # type: ignore[method-assign]
    with pytest.raises(NotFound):
        await service.open_case(None, _ask("K7Q2MZ", "Lovelace"), address="203.0.113.7")
    assert orders.queries == 0


@pytest.mark.parametrize(
    ("booked", "typed"),
    [
        ("O'Brien", "O\u2019Brien"),  # a phone's apostrophe: booking stored the plain one
        ("Jos\u00e9", "Jose\u0301"),  # decomposed: booking stored it composed (NFC)
        ("van der Berg", "van  der  berg"),  # inner spaces: booking stored single ones
    ],
    ids=["typographic apostrophe", "decomposed accent", "inner spaces"],
)
async def test_the_family_name_is_compared_as_booking_stored_it(booked: str, typed: str) -> None:
    service, cases, orders = _service()

    async def booking(reference: str) -> _Booking:
        return _Booking(ORDER.id, "held", (booked,))

    cases.booking_by_reference = booking  # type: ignore[method-assign]
    # Found: the case goes on to the helpdesk (down here), not to a 404.
    with pytest.raises(ServiceUnavailable):
        await service.open_case(None, _ask("K7Q2MZ", typed), address="203.0.113.7")
    assert orders.queries == 1
