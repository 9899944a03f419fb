"""What a change writes, listed once (booking/rows.py `CHANGED_COLUMNS`): the SQL `CHANGE_SET`,
the parameters `transition_args` sends it, and the order `known_transition.changed` predicts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import msgspec

from booking.known_transition import PLACEHOLDER, changed
from booking.model import Order
from booking.rows import CHANGE_SET, CHANGED_COLUMNS, transition_args
from booking.state import Change
from tests.support.orders import stored_order

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
ORDER = stored_order(payment_status="failed", payment_decline_code="insufficient_funds", version=7)
EVERY_FIELD = Change(
    from_status=("pending",),
    to_status="confirmed",
    to_payment="paid",
    reason="test",
    airline_locator="ABC123",
    payment_required_by=NOW + dt.timedelta(hours=1),
    total_amount=Decimal("640.00"),
    total_currency="EUR",
    ticket_numbers=("1251234567890",),
    failure_reason="none really",
)
# Written by the statement itself, or kept by rules of their own (`changed`'s docstring).
NOT_FROM_THE_CHANGE = {"updated_at", "version", "payment_decline_code"}


def test_a_change_writes_every_column_it_names() -> None:
    after = changed(ORDER, EVERY_FIELD)

    for column, field, _ in CHANGED_COLUMNS:
        assert getattr(after, column) == getattr(EVERY_FIELD, field), column
        assert getattr(after, column) != getattr(ORDER, column), column
    assert (after.updated_at, after.version) == (PLACEHOLDER, None)
    assert after.payment_decline_code is None  # the payment moved out of `failed`


def test_a_change_keeps_every_column_it_does_not_name() -> None:
    after = changed(ORDER, Change(from_status=("pending",), reason="test"))

    kept = {f.name for f in msgspec.structs.fields(Order)} - NOT_FROM_THE_CHANGE
    assert kept >= {column for column, _, _ in CHANGED_COLUMNS}
    for name in kept:
        assert getattr(after, name) == getattr(ORDER, name), name
    assert after.payment_decline_code == ORDER.payment_decline_code


def test_the_sql_writes_the_same_columns_from_the_parameters_transition_args_sends() -> None:
    written = re.findall(r"(\w+) = coalesce\(\$(\d+)(?:::[\w\[\]]+)?, o\.(\w+)\)", CHANGE_SET)
    args = transition_args(ORDER.id, EVERY_FIELD)

    assert [(c, c) for c, _, _ in CHANGED_COLUMNS] == [(c, same) for c, _, same in written]
    for (column, field, _), (_, number, _) in zip(CHANGED_COLUMNS, written, strict=True):
        value = getattr(EVERY_FIELD, field)
        assert args[int(number) - 1] == (list(value) if isinstance(value, tuple) else value), column
    assert CHANGE_SET.rstrip().endswith("updated_at = now()")
