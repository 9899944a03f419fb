"""A history step's details stored with it by its writer (booking/sql/0154), served as
`GET /v1/orders/{id}/history` serves them (`history_view`, encoded), against real PostgreSQL;
and the steps written before that, read back from their reason as they were."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest

from booking.amendments import Amendments
from booking.history import history_view
from booking.history_details import (
    HistoryDetails,
    HistoryFlight,
    HistoryName,
    HistorySeat,
    HistoryStep,
    noted,
)
from booking.model import Order, Passenger
from booking.pg import Database
from booking.repository import PgOrderRepository
from booking.seats import record_seat_refund
from booking.state import Change
from kernel.auth import Principal
from payment.refund_notices import note
from payment.refund_steps import nothing_to_refund, refund_owed, refund_retrying, refunded
from skyfare.migrations import migrate
from tests.support.database import migrations_before
from tests.support.orders import ADA, HOLD, new_order

ANNE = msgspec.structs.replace(ADA, given_name="Anne", family_name="to Smyth")
OWNER = Principal("alice")
MIGRATION = 154


async def _held(repository: PgOrderRepository, *passengers: Passenger) -> Order:
    order = await repository.create(new_order(passengers=passengers or (ADA,)), actor="alice")
    held = await repository.transition(order.id, HOLD, actor="booking")
    assert held is not None
    return held


async def _served(repository: PgOrderRepository, order_id: str) -> list[dict[str, Any]]:
    """The order's history steps as the route answers them (JSON)."""
    order = await repository.get(order_id)
    assert order is not None
    view = history_view(order, await repository.history(order_id), OWNER)
    steps: list[dict[str, Any]] = msgspec.json.decode(msgspec.json.encode(view))["data"]
    return steps


def _json(details: HistoryDetails | None) -> object:
    return msgspec.json.decode(msgspec.json.encode(details))


async def test_a_corrected_name_with_to_in_it_is_served_with_both_names_whole(
    db: Database, repository: PgOrderRepository
) -> None:
    order = await _held(repository, ANNE)
    await Amendments(db, max_name_changes=3).correct_name(
        order.id, 0, "Anne", "to Smith", actor="helpdesk:agent-7"
    )
    step = (await _served(repository, order.id))[-1]
    assert (step["code"], step["reason"]) == (
        "name_corrected",
        "passenger 1 name corrected from Anne to Smyth to Anne to Smith",
    )
    name = {"passenger": 1, "was": "Anne to Smyth", "now": "Anne to Smith"}
    assert step["details"] == {"name": name}


# One step of each kind of details, as its writer words it.
STEPS: list[tuple[str, HistoryStep]] = [
    ("refund_owed", refund_owed([("och_1", Decimal("80.00")), ("pay_2", Decimal("9.28"))], "USD")),
    ("refunded", refunded("the order was cancelled", [("sch_3", Decimal("30.00"))], "USD")),
    ("refund_retrying", refund_retrying([("pay_2", Decimal("9.28"))], "USD", gateway_said="X (7)")),
    ("nothing_to_refund", nothing_to_refund("the order was cancelled", "a non-refundable fare")),
    (
        "seats_chosen_and_changed",
        HistoryStep(
            "seats chosen and changed: 14C (Anne to Smyth) in place of 3A, 3B (Ada Lovelace) kept",
            HistoryDetails(
                seats=(
                    HistorySeat("14C", "Anne to Smyth", "replaced", "3A"),
                    HistorySeat("3B", "Ada Lovelace", "kept"),
                )
            ),
        ),
    ),
    (
        "flight_changed",
        HistoryStep(
            "slice 2 changed to LHR → JFK on 21 Dec 2026 (BA117 at 08:25); seats 14C released",
            HistoryDetails(
                flight=HistoryFlight(
                    2, "LHR", "JFK", dt.date(2026, 12, 21), "08:25", ("BA117",), ("14C",)
                )
            ),
        ),
    ),
    (
        "name_corrected",
        HistoryStep(
            "passenger 1 name corrected from Anne to Smyth to Anne to Smith",
            HistoryDetails(name=HistoryName(1, "Anne to Smyth", "Anne to Smith")),
        ),
    ),
    ("change_failed", HistoryStep("change och_1 failed: sold out", noted("sold out"))),
]


@pytest.mark.parametrize(("code", "step"), STEPS, ids=[code for code, _ in STEPS])
async def test_each_kind_of_details_is_served_as_its_writer_stored_it(
    db: Database, repository: PgOrderRepository, code: str, step: HistoryStep
) -> None:
    order = await _held(repository, ANNE, ADA)
    async with db.transaction() as conn:
        await note(conn, db, order.id, step, "payments")
    served = (await _served(repository, order.id))[-1]
    assert (served["code"], served["reason"]) == (code, step.reason)
    assert served["details"] == _json(step.details)


async def test_a_change_stores_its_details_on_both_of_its_paths(
    db: Database, repository: PgOrderRepository
) -> None:
    # A change of the order as read takes one statement (booking/known_transition.py)...
    order = await repository.create(new_order(), actor="alice")
    refused = Change(
        from_status=("pending",),
        to_status="failed",
        reason="the airline refused the hold",
        details=noted("the hold"),
    )
    assert await repository.transition(order.id, refused, actor="booking", expected=order)
    # ... any other the guarded UPDATE and its history row.
    cancelled = await _held(repository)
    nothing = nothing_to_refund("the order was cancelled", "a non-refundable fare")
    cancel = Change(
        from_status=("held",),
        to_status="cancelled",
        reason=nothing.reason,
        details=nothing.details,
    )
    assert await repository.transition(cancelled.id, cancel, actor="alice")
    assert (await _served(repository, order.id))[-1]["details"] == {"note": "the hold"}
    assert (await _served(repository, cancelled.id))[-1]["details"] == {
        "note": "a non-refundable fare"
    }
    held = (await _served(repository, cancelled.id))[-2]
    assert (held["code"], held["details"]) == ("held", None)  # a step without details


async def test_a_seat_change_refused_after_payment_stores_why(
    db: Database, repository: PgOrderRepository
) -> None:
    order = await _held(repository)
    async with db.transaction() as conn:
        await record_seat_refund(
            conn, order.id, Decimal("30.00"), "14C was taken (by: someone to Rome)", timeout=5
        )
    served = (await _served(repository, order.id))[-1]
    assert served["code"] == "seat_change_refunded"
    assert served["details"] == {"note": "14C was taken (by: someone to Rome)"}


# Steps as the release before 0154 wrote them: no details column.
_ORDER = """
INSERT INTO orders (id, owner, booking_reference, type, status, offer_id, connector,
                    total_amount, total_currency, slices)
VALUES ('ord_old', 'alice', 'OLD042', 'hold', 'held', 'off_1', 'rest-x', 10, 'USD', '[]')"""
_PASSENGER = """
INSERT INTO order_passengers (order_id, position, type, given_name, family_name, born_on, gender)
VALUES ('ord_old', 0, 'adult', 'Ada', 'Lovelace', '1990-12-10', 'f')"""
_STEP = """
INSERT INTO order_history
    (order_id, from_status, to_status, from_payment_status, to_payment_status, reason, actor)
VALUES ('ord_old', 'held', 'held', 'unpaid', 'unpaid', $1, 'alice')"""


async def test_steps_written_before_0154_are_still_read_from_their_reasons(
    bare_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    await migrate(bare_pool, timeout=30, directories=[migrations_before(MIGRATION, tmp_path)])
    async with bare_pool.acquire() as conn:
        await conn.execute(_ORDER)
        await conn.execute(_PASSENGER)
        await conn.execute(_STEP, "seats 14C (pas_1)")
        await conn.execute(_STEP, "passenger 1 name corrected from Ada Lovelase to Ada Lovelace")
    await migrate(bare_pool, timeout=30)
    # A process of the release before, still running once the column is there, writes none too.
    await bare_pool.execute(_STEP, "refund owed: 9.28 USD to pay_8d")
    repository = PgOrderRepository(Database(bare_pool, timeout_s=5.0))
    served = [(s["code"], s["details"]) for s in await _served(repository, "ord_old")]
    assert served == [
        ("seats_changed", {"seats": [{"designator": "14C", "passenger": "Ada Lovelace"}]}),
        (
            "name_corrected",
            {"name": {"passenger": 1, "was": "Ada Lovelase", "now": "Ada Lovelace"}},
        ),
        ("refund_owed", {"amounts": [{"amount": "9.28", "currency": "USD", "charge": "booking"}]}),
    ]
    assert await bare_pool.fetchval("SELECT count(*) FROM order_history WHERE details IS NULL") == 3
