"""What cancelling an order gives back, by its fare conditions, and who a history row names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from booking.cancellation_terms import is_cancellation_id, new_cancellation_id, terms_for
from booking.history import Actor, actor_of
from booking.model import FareTerms, Order, OrderStatus, PaymentStatus
from kernel.auth import Principal
from kernel.errors import Conflict
from tests.support.orders import stored_order

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def order(
    status: OrderStatus = "confirmed",
    payment: PaymentStatus = "paid",
    terms: FareTerms | None = None,
) -> Order:
    return stored_order(
        status=status, payment_status=payment, airline_locator="ABC123", terms=terms
    )


def test_a_refundable_paid_fare_gives_everything_back_to_the_card() -> None:
    terms = terms_for(order(terms=FareTerms(Decimal("92.40"), refundable=True, changeable=True)))
    assert (terms.refund_amount, terms.penalty_amount) == (Decimal("612.40"), Decimal("0.00"))
    assert terms.refund_to == "original_form_of_payment"


def test_a_non_refundable_paid_fare_gives_the_taxes_back_and_keeps_the_fare() -> None:
    terms = terms_for(order(terms=FareTerms(Decimal("92.40"), refundable=False, changeable=False)))
    assert (terms.refund_amount, terms.penalty_amount) == (Decimal("92.40"), Decimal("520.00"))
    assert terms.refund_to == "original_form_of_payment"


@pytest.mark.parametrize("payment", ["unpaid", "failed"])
def test_an_unpaid_hold_has_nothing_to_refund(payment: PaymentStatus) -> None:
    terms = terms_for(order("held", payment, FareTerms(Decimal("92.40"), False, False)))
    assert (terms.refund_amount, terms.penalty_amount, terms.refund_to) == (0, 0, None)


def test_an_order_without_kept_terms_is_refunded_in_full_as_before() -> None:
    terms = terms_for(order(terms=None))
    assert (terms.refund_amount, terms.penalty_amount) == (Decimal("612.40"), 0)


@pytest.mark.parametrize(
    ("status", "payment"),
    [("cancelled", "refunded"), ("expired", "unpaid"), ("held", "processing")],
)
def test_an_order_over_or_being_paid_cannot_be_quoted(
    status: OrderStatus, payment: PaymentStatus
) -> None:
    with pytest.raises(Conflict):
        terms_for(order(status, payment))


def test_cancellation_ids_are_recognised_and_nothing_else() -> None:
    assert is_cancellation_id(new_cancellation_id())
    for bad in ("ocr_", "ocr_" + "g" * 24, "ord_" + "a" * 24, "ocr_" + "a" * 25, "ocr_\x00"):
        assert not is_cancellation_id(bad)


@pytest.mark.parametrize(
    ("actor", "viewer", "shown"),
    [
        ("alice", Principal("alice"), Actor("traveler")),
        ("sweeper", Principal("alice"), Actor("system", "sweeper")),
        ("payments", Principal("alice"), Actor("system", "webhook")),
        ("agent-7", Principal("alice"), Actor("support")),
        ("agent-7", Principal("agent-9", frozenset({"support"})), Actor("support", "agent-7")),
    ],
)
def test_a_history_row_names_its_actor_by_kind_and_an_agent_only_to_support(
    actor: str, viewer: Principal, shown: Actor
) -> None:
    assert actor_of(actor, order(), viewer) == shown
