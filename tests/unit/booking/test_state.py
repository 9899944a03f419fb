"""The order state machine: which guarded changes are allowed and which events they emit."""

from __future__ import annotations

import pytest

from booking.model import ORDER_STATUSES, PAYMENT_STATUSES, OrderStatus, PaymentStatus
from booking.state import (
    PAYMENT_MOVES,
    STATUS_MOVES,
    Change,
    IllegalTransition,
    can_move,
    check,
    events_of,
)

ALLOWED_STATUS = [(f, t) for f in ORDER_STATUSES for t in ORDER_STATUSES if can_move(f, t)]
FORBIDDEN_STATUS = [(f, t) for f in ORDER_STATUSES for t in ORDER_STATUSES if not can_move(f, t)]


def test_the_status_moves_are_exactly_the_documented_ones() -> None:
    assert sorted(ALLOWED_STATUS) == sorted(
        [
            ("pending", "held"),
            ("pending", "failed"),
            ("pending", "expired"),
            ("held", "confirmed"),
            ("held", "cancelled"),
            ("held", "expired"),
            ("confirmed", "cancelled"),
        ]
    )


@pytest.mark.parametrize("final", ["cancelled", "expired", "failed"])
def test_final_statuses_go_nowhere(final: OrderStatus) -> None:
    assert STATUS_MOVES[final] == frozenset()


@pytest.mark.parametrize(("source", "target"), ALLOWED_STATUS)
def test_an_allowed_status_change_passes(source: OrderStatus, target: OrderStatus) -> None:
    check(Change(from_status=(source,), to_status=target, reason="r"))


@pytest.mark.parametrize(("source", "target"), FORBIDDEN_STATUS)
def test_a_forbidden_status_change_is_refused(source: OrderStatus, target: OrderStatus) -> None:
    with pytest.raises(IllegalTransition):
        check(Change(from_status=(source,), to_status=target, reason="r"))


def test_a_guard_admitting_one_forbidden_source_is_refused() -> None:
    with pytest.raises(IllegalTransition, match="cancelled → expired"):
        check(Change(from_status=("held", "cancelled"), to_status="expired", reason="r"))


def test_a_change_must_change_something_from_somewhere() -> None:
    with pytest.raises(IllegalTransition):
        check(Change(from_status=("held",), reason="nothing"))
    with pytest.raises(IllegalTransition):
        check(Change(from_status=(), to_status="held", reason="from nowhere"))


@pytest.mark.parametrize(
    ("source", "target"),
    [(f, t) for f in PAYMENT_STATUSES for t in PAYMENT_STATUSES if t not in PAYMENT_MOVES[f]],
)
def test_forbidden_payment_changes_are_refused(
    source: PaymentStatus, target: PaymentStatus
) -> None:
    with pytest.raises(IllegalTransition):
        check(Change(from_status=("held",), from_payment=(source,), to_payment=target, reason="r"))


def test_a_payment_change_must_name_its_payment_guard() -> None:
    with pytest.raises(IllegalTransition, match="from_payment"):
        check(Change(from_status=("held",), to_payment="processing", reason="r"))


def test_refunds_happen_only_to_paid_orders() -> None:
    assert [p for p in PAYMENT_STATUSES if "refunded" in PAYMENT_MOVES[p]] == ["paid"]


@pytest.mark.parametrize(
    ("change", "events"),
    [
        (Change(from_status=("pending",), to_status="held", reason="r"), ("order.held",)),
        (
            Change(from_status=("held",), to_status="confirmed", from_payment=("processing",),
                   to_payment="paid", reason="r"),
            ("order.confirmed",),
        ),
        (
            Change(from_status=("held",), from_payment=("processing",), to_payment="failed",
                   reason="r"),
            ("payment.failed",),
        ),
        (
            Change(from_status=("confirmed",), to_status="cancelled", from_payment=("paid",),
                   to_payment="refunded", reason="r"),
            ("order.cancelled", "payment.refunded"),
        ),
        (Change(from_status=("held",), to_status="expired", reason="r", events=()), ()),
    ],
)  # fmt: skip
def test_a_change_emits_one_event_per_thing_it_changed(change: Change, events: tuple[str]) -> None:
    assert events_of(change) == events
