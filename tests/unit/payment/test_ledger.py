"""Splitting a refund across an order's charges: latest first, never more than one has left."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from payment.ledger import Charge, fare_first, held, split

AT = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def charge(id: str, left: str, amount: str | None = None) -> Charge:
    return Charge(id, f"pi_{id}", Decimal(amount or left), Decimal(left), AT)


CHARGES = [charge("och_1", "87.60"), charge("sch_1", "45.00"), charge("pay_1", "600.00", "700.00")]


def test_a_refund_takes_the_latest_charges_first_each_at_most_what_it_has_left() -> None:
    parts = split(CHARGES, Decimal("100.00"))
    assert [(p.charge.id, p.amount) for p in parts] == [
        ("och_1", Decimal("87.60")),
        ("sch_1", Decimal("12.40")),
    ]


def test_everything_held_comes_back_from_every_charge() -> None:
    total = held(CHARGES)
    assert total == Decimal("732.60")
    assert [p.amount for p in split(CHARGES, total)] == [c.left for c in CHARGES]


def test_a_refund_larger_than_what_the_charges_hold_is_refused() -> None:
    with pytest.raises(ValueError, match="less than"):
        split(CHARGES, Decimal("732.61"))


def test_a_change_refund_takes_fare_money_before_a_seat_bought_later() -> None:
    """The seat is the latest charge, but a change's difference is fare money: the dearer
    change's charge goes first, then the payment, and the seat only when they hold too little."""
    parts = split(fare_first(CHARGES), Decimal("100.00"))
    assert [(p.charge.id, p.amount) for p in parts] == [
        ("och_1", Decimal("87.60")),
        ("pay_1", Decimal("12.40")),
    ]
    whole = split(fare_first(CHARGES), held(CHARGES))
    assert [p.charge.id for p in whole] == ["och_1", "pay_1", "sch_1"]
