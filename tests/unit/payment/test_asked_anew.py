"""What a refund of ours asked anew (its key moved other money) asks of the gateway, and how much
of it the gateway's dashboard gave back (payment/named_refunds.py `asked_anew`, pure): a refund
part's, a payment's whole refund's and a seat charge's alike."""

from __future__ import annotations

from decimal import Decimal

from payment.model import ListedRefund
from payment.named_refunds import asked_anew

PART, OURS = "rfd_1", Decimal("100.00")  # the refund asked anew, and what it owes
NONE: frozenset[str] = frozenset()


def test_the_dashboards_money_is_the_gateways_and_the_parts_own_key_is_ours() -> None:
    refunds = [
        ListedRefund("re_d", Decimal("30.00")),
        ListedRefund("re_k", Decimal("10.00"), "rfd_1"),
    ]
    assert asked_anew(PART, OURS, refunds, NONE, Decimal(0)) == (Decimal("60.00"), Decimal("30.00"))


def test_dashboard_money_another_part_counted_is_not_counted_again() -> None:
    refunds = [ListedRefund("re_d", Decimal("30.00"))]
    assert asked_anew(PART, OURS, refunds, NONE, Decimal("20.00")) == (
        Decimal("90.00"),
        Decimal("10.00"),
    )


def test_refunds_our_parts_recorded_or_another_part_asked_are_not_this_parts() -> None:
    refunds = [
        ListedRefund("re_recorded", Decimal("50.00")),  # another part's, recorded, unnamed
        ListedRefund("re_other", Decimal("20.00"), "rfd_2"),  # another part's, in flight
    ]
    got = asked_anew(PART, OURS, refunds, frozenset({"re_recorded"}), Decimal(0))
    assert got == (Decimal("100.00"), Decimal("0.00"))


def test_more_given_back_than_the_part_owes_asks_nothing_and_counts_at_most_the_part() -> None:
    refunds = [
        ListedRefund("re_d", Decimal("80.00")),
        ListedRefund("re_k", Decimal("40.00"), "rfd_1"),
    ]
    assert asked_anew(PART, OURS, refunds, NONE, Decimal(0)) == (Decimal("0.00"), Decimal("60.00"))


def test_a_payments_whole_refund_is_told_by_its_own_name() -> None:
    refunds = [
        ListedRefund("re_d", Decimal("3.00")),
        ListedRefund("re_k", Decimal("2.00"), "pay_1"),
        ListedRefund("re_part", Decimal("5.00"), "rfd_9"),  # a part's, in flight
    ]
    got = asked_anew("pay_1", Decimal("12.00"), refunds, NONE, Decimal(0))
    assert got == (Decimal("7.00"), Decimal("3.00"))
