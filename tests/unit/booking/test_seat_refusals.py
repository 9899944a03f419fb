"""Each 409 of choosing seats names its refusal (booking/seat_refusals.py): the ones the
end-to-end suites cannot bring about on demand (tests/e2e/payment/test_seat_refusals.py has
the others)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from booking.seat_booking import select_at_airline
from booking.seat_refusals import not_open
from connectors import errors
from connectors.seat_model import SeatSelection
from kernel.errors import Conflict
from tests.support.orders import stored_order


class SeatlessAirline:
    """An airline that sells no seats through us (as the SOAP one once did)."""

    name = "soap-seatless"

    async def select_seats(
        self, locator: str, selections: Sequence[SeatSelection], *, timeout: float
    ) -> None:
        raise errors.SeatMapsUnsupported(self.name, "no seat sales")


@pytest.mark.parametrize(
    ("status", "payment_status", "refusal"),
    [
        ("held", "processing", "payment_in_progress"),
        ("cancelled", "refunded", "order_closed"),
        ("expired", "unpaid", "order_closed"),
        ("pending", "unpaid", "order_closed"),
    ],
)
def test_an_order_not_open_to_seats_says_whether_it_is_being_paid(
    status: str, payment_status: str, refusal: str
) -> None:
    order = stored_order(status=status, payment_status=payment_status)
    assert not_open(order, "no seats now").extensions == {"refusal": refusal}


async def test_an_airline_that_sells_no_seats_is_refused_as_seats_not_sold() -> None:
    airline: Any = SeatlessAirline()
    with pytest.raises(Conflict) as refused:
        await select_at_airline(airline, "LOC123", [], timeout=1.0)
    assert refused.value.extensions == {"refusal": "seats_not_sold"}
