"""What changing a slice costs: the airline's fare difference plus the penalty the fare
conditions set, the total charged or refunded, and the order's new total (pure arithmetic)."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from booking.change_terms import (
    check_changeable,
    is_change_id,
    new_change_id,
    price_change,
    replaced_seats,
    seat_credit,
    summary,
)
from booking.model import FareTerms, Order, OrderSeat, PaymentStatus
from connectors.model import Segment, Slice
from connectors.seat_model import segment_id_of
from kernel.errors import Conflict, NotChangeable
from tests.unit.booking.test_cancellation_terms import NOW, order

FLEX = FareTerms(Decimal("92.40"), refundable=True, changeable=True)
SEMI = FareTerms(Decimal("92.40"), refundable=False, changeable=True)
LOCKED = FareTerms(Decimal("92.40"), refundable=False, changeable=False)


def test_a_dearer_slice_on_a_paid_semi_flexible_fare_pays_difference_plus_ten_percent_fee() -> None:
    # 612.40 paid, of which 92.40 taxes: the fee is 10% of the 520.00 fare.
    pricing = price_change(order(terms=SEMI), Decimal("612.40"), Decimal("700.00"))
    assert pricing.difference == Decimal("87.60")
    assert pricing.penalty == Decimal("52.00")
    assert pricing.due == Decimal("139.60")
    assert pricing.new_total == Decimal("752.00")  # what the traveler will have paid in all


def test_a_cheaper_slice_on_a_flexible_fare_refunds_the_difference_with_no_fee() -> None:
    pricing = price_change(order(terms=FLEX), Decimal("612.40"), Decimal("500.40"))
    assert (pricing.difference, pricing.penalty) == (Decimal("-112.00"), Decimal("0.00"))
    assert pricing.due == Decimal("-112.00")  # negative: refunded to the card that paid
    assert pricing.new_total == Decimal("500.40")


def test_a_slightly_cheaper_slice_still_pays_the_fee_net_of_the_saving() -> None:
    pricing = price_change(order(terms=SEMI), Decimal("612.40"), Decimal("592.40"))
    assert pricing.due == Decimal("32.00")  # -20.00 + 52.00


def test_a_refund_never_exceeds_what_was_paid() -> None:
    pricing = price_change(order(terms=FLEX), Decimal("612.40"), Decimal("-1000.00"))
    assert pricing.due == Decimal("-612.40")
    assert pricing.new_total == Decimal("0.00")


@pytest.mark.parametrize("payment", ["unpaid", "failed"])
def test_an_unpaid_hold_moves_no_money_and_pays_no_fee_it_just_gets_the_new_total(
    payment: PaymentStatus,
) -> None:
    held = order(status="held", payment=payment, terms=SEMI)
    pricing = price_change(held, Decimal("612.40"), Decimal("650.00"))
    assert (pricing.penalty, pricing.due) == (Decimal("0.00"), Decimal("0.00"))
    assert pricing.new_total == Decimal("650.00")


def test_an_order_sold_before_fare_terms_were_kept_changes_without_a_fee() -> None:
    pricing = price_change(order(terms=None), Decimal("612.40"), Decimal("620.00"))
    assert (pricing.penalty, pricing.due) == (Decimal("0.00"), Decimal("7.60"))


def test_a_fare_that_does_not_allow_changes_is_refused_saying_so() -> None:
    with pytest.raises(NotChangeable, match="does not allow changes"):
        check_changeable(order(terms=LOCKED))
    check_changeable(order(terms=SEMI))  # no error


@pytest.mark.parametrize(("status", "payment"), [("cancelled", "refunded"), ("held", "processing")])
def test_an_order_over_or_being_paid_cannot_be_changed(status: str, payment: str) -> None:
    with pytest.raises(Conflict):
        check_changeable(order(status=status, payment=payment, terms=SEMI))  # type: ignore[arg-type]


def test_change_offer_ids_are_recognised_and_random() -> None:
    first, second = new_change_id(), new_change_id()
    assert first != second
    assert is_change_id(first)
    assert not is_change_id("ocr_" + first[4:])
    assert not is_change_id(first + "0")


def test_the_new_slice_in_words_for_the_travelers_mail_dates_it_as_every_mail_does() -> None:
    # The held, expired and payment mails say "01 Dec 2026" (notify/templates.py `when`); the
    # change mail and the change's history entry said "on 2026-12-01".
    leg = Segment("BA", "BA117", "LHR", "JFK", NOW.replace(hour=8, minute=25, tzinfo=None),
                  NOW.replace(hour=11, minute=35, tzinfo=None), "777", "economy")  # fmt: skip
    assert summary(Slice("LHR", "JFK", "PT8H10M", (leg,))) == (
        "LHR → JFK on 01 Dec 2026 (BA117 at 08:25)"
    )


def _two_slices_with_seats(payment: PaymentStatus) -> Order:
    out = Segment("BA", "BA117", "LHR", "JFK", NOW.replace(hour=8, tzinfo=None),
                  NOW.replace(hour=11, tzinfo=None), "777", "economy")  # fmt: skip
    back = msgspec.structs.replace(out, flight_number="BA112", origin="JFK", destination="LHR")
    seats = (
        OrderSeat(segment_id_of(out), "pas_1", "14A", Decimal("25.00"), "USD"),
        OrderSeat(segment_id_of(back), "pas_1", "20C", Decimal("40.00"), "USD"),
    )
    slices = (Slice("LHR", "JFK", "PT8H", (out,)), Slice("JFK", "LHR", "PT7H", (back,)))
    held = order(status="held" if payment != "paid" else "confirmed", payment=payment)
    return msgspec.structs.replace(held, slices=slices, seats=seats)


def test_a_replaced_slice_takes_its_seats_and_an_unpaid_hold_no_longer_pays_for_them() -> None:
    held = _two_slices_with_seats("unpaid")
    assert [s.designator for s in replaced_seats(held, 1)] == ["20C"]
    assert seat_credit(held, 1) == Decimal("40.00")
    assert seat_credit(held, 0) == Decimal("25.00")
    # A paid order's seats were paid for with it: a change does not give their price back.
    assert seat_credit(_two_slices_with_seats("paid"), 1) == Decimal("0.00")


def test_the_change_fee_is_ten_percent_of_the_fare_not_of_seats_or_fees_paid_with_it() -> None:
    # Paid 612.40 of fare (92.40 taxes) + a 45.00 seat chosen on the hold + a 52.00 fee of an
    # earlier change: the fee is still 10 % of the 520.00 fare the airline prices as booked.
    paid = msgspec.structs.replace(order(terms=SEMI), total_amount=Decimal("709.40"))
    pricing = price_change(paid, Decimal("612.40"), Decimal("700.00"))
    assert pricing.penalty == Decimal("52.00")
    assert pricing.due == Decimal("139.60")
    assert pricing.new_total == Decimal("849.00")
