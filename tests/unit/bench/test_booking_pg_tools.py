"""The PostgreSQL-per-statement tools of issue 18's booking row: their grouping and tables."""

from __future__ import annotations

import msgspec

from bench import booking_pg_cpu, booking_sql, booking_statements
from booking.create_sql import CREATE_ORDER, CREATE_ORDER_LIMITED
from booking.order_view import OrderView


def test_every_statement_of_a_hold_is_named_by_what_it_does() -> None:
    kinds = {booking_pg_cpu._kind(q) for q in (*booking_sql.STATEMENTS, CREATE_ORDER)}
    assert kinds == {
        "claim the key",
        "insert the order (+ passengers, history, event, recovery point)",
        "pending → held (+ history, event, stored answer)",
    }
    assert booking_pg_cpu._kind(CREATE_ORDER_LIMITED).startswith("the owner's lock")
    assert booking_pg_cpu._kind("COMMIT") == "COMMIT"


def test_the_cpu_table_gives_each_statement_per_call_and_per_order() -> None:
    meter = booking_pg_cpu.Meter()
    meter.calls.update({"claim the key": 4, "COMMIT": 2})
    meter.server_ns.update({"claim the key": 1_200_000, "COMMIT": 400_000})
    meter.client_ns.update({"claim the key": 800_000, "COMMIT": 200_000})

    table = booking_pg_cpu.report("api", meter, made=2)

    assert "| claim the key | 2.00 | 300 | 600 | 200 |" in table
    assert "| COMMIT | 1.00 | 200 | 200 | 100 |" in table
    assert "| **per order** | 3.00 | | **800** | (500 per order) |" in table


def test_the_statement_table_counts_calls_per_attempt_and_per_order_made() -> None:
    figures = {"attempts_total": 10.0, "outcome_ok": 4.0, "outcome_409": 4.0}
    rows = [{"query": "SELECT 1", "calls": 10, "plans": 1, "rows": 10, "total_exec_time": 5.0}]

    table = booking_statements.table(figures, rows)

    # 10 attempts, half of the window's made an order: 5 orders made.
    assert "| `SELECT 1` | 1.000 | 2.000 | 0.5000 | 0.5000 | 1.0 | 1 |" in table


def test_the_raw_loop_stores_the_held_orders_view_as_its_answer_as_a_hold_does() -> None:
    body = booking_sql.held_answer("ord_" + "a1" * 12, "K7Q2ZD", "PNRK7Q")

    view = msgspec.json.decode(body, type=OrderView)
    assert (view.id, view.booking_reference, view.airline_locator) == (
        "ord_" + "a1" * 12,
        "K7Q2ZD",
        "PNRK7Q",
    )
    assert (view.status, view.offer_id) == ("held", booking_sql.OFFER_ID)
    assert booking_sql.OFFER_ID in booking_sql.CREATE  # the order's row names the same offer
