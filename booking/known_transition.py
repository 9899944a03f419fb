"""A change of an order the caller holds as read, in ONE statement (issue 18: a hold's `held`).

`PgOrderRepository.transition` writes the change, its history row, its outbox events and the
stored answer in one transaction; it needs the changed row first (the events and the answer are
built from it), so that is BEGIN, UPDATE, one statement for the rest, COMMIT: four round trips.
When the caller holds the order as it was read (`Order.version`, the row version's `xmin`),
everything but `updated_at` (the server's `now()`) is known beforehand: the order after the
change is the one read with the change's fields written over it. So this path sends ONE
statement of data-modifying CTEs in its own implicit transaction:

- `moved`: the UPDATE, guarded by the change's guard AND by `xmin` = the version read. Any other
  write to the row since (committed before us, or committing while we wait for its lock: READ
  COMMITTED re-checks the guard on the newest version) gives it another `xmin`, so the UPDATE
  matches nothing; the caller then takes the guarded path, which re-reads (`None` here).
- `history`, `events`, `answer`: `... FROM moved` / `EXISTS (SELECT FROM moved)`, so a change
  that did not happen writes nothing. CTEs see one snapshot; they depend on `moved` only
  through its RETURNING, never on each other's writes.
- The answer is the order's JSON rendered in Python with a placeholder `updated_at`; the
  statement splices in `moved.updated_at`, formatted exactly as msgspec writes a UTC datetime
  (tests/integration/booking/test_known_transition.py compares it with the view read back).
  An answer in which the placeholder cannot be found exactly once takes the guarded path.

One statement is one transaction: the change, its history, its events and its answer commit
together or not at all.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import asyncpg
import msgspec

from booking.events import new_event
from booking.history_details import details_json
from booking.idempotency import Completion, record_statement
from booking.model import Order, stored_cents
from booking.rows import (
    CHANGE_GUARD,
    CHANGE_SET,
    CHANGED_COLUMNS,
    events_insert,
    events_json,
    transition_args,
)
from booking.state import Change, events_of, told

T = TypeVar("T")

# The `updated_at` the answer is rendered with, to be replaced by the real one. A date no order
# has (orders are made now), with every microsecond digit set, so msgspec writes all of them.
PLACEHOLDER = dt.datetime(1111, 11, 11, 11, 11, 11, 111111, tzinfo=dt.UTC)
_PLACEHOLDER_JSON = msgspec.json.encode(PLACEHOLDER)


def utc_json(column: str) -> str:
    """SQL writing the timestamptz `column` as msgspec writes a UTC datetime: a JSON string
    `"YYYY-MM-DDTHH:MM:SS[.ffffff]Z"`, the fraction only when there are microseconds. It runs
    in every hold's `held`: one `to_char` and a `replace` (`.000000` can only be the fraction),
    3.8 k instructions less than three `to_char` (issue 18,
    bench/results/2026-12-06-booking-pg-levers.md)."""
    return (
        f"""'"' || replace(to_char(({column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.US'),"""
        """ '.000000', '') || 'Z"'"""
    )


# $1 … $11: `transition_args`; $12: the version read; $13 … $18: the history row; $19:
# the events; $20 … $24: the answer's owner, key, status, and its body before and after
# `updated_at` ($24 NULL: the body is $23 alone). No answer: $20 NULL matches no key. $25: the
# history row's details (NULL for a step without any, as a hold's `held`).
_BODY = (
    "CASE WHEN $24::bytea IS NULL THEN $23::bytea ELSE $23::bytea"
    f" || convert_to((SELECT {utc_json('updated_at')} FROM moved), 'UTF8') || $24::bytea END"
)
KNOWN_TRANSITION = f"""
WITH moved AS (
    UPDATE orders o SET {CHANGE_SET}
    WHERE o.id = $1 AND o.xmin = $12::xid AND {CHANGE_GUARD}
    RETURNING o.updated_at, o.xmin AS version
), history AS (
    INSERT INTO order_history
        (order_id, from_status, to_status, from_payment_status, to_payment_status, reason, actor,
         details)
    SELECT $1, $13::text, $14::text, $15::text, $16::text, $17::text, $18::text, $25::jsonb
    FROM moved
), events AS ({events_insert(19, source="moved, ")}
), answer AS ({record_statement(20, body=_BODY, only_if="EXISTS (SELECT FROM moved)")}
)
SELECT updated_at, version FROM moved"""


def changed(order: Order, change: Change) -> Order:
    """`order` as `CHANGE_SET` leaves it (a None field of `change` keeps the order's value),
    except `updated_at` and `version`, which only the UPDATE knows."""
    written = {
        column: _or(getattr(change, field), getattr(order, column))
        for column, field, _ in CHANGED_COLUMNS
    }
    return msgspec.structs.replace(
        order,
        **written,
        # Kept while the payment stays `failed` (`transition_known` takes no move into it).
        payment_decline_code=order.payment_decline_code if change.to_payment is None else None,
        # Likewise the bank's page of a payment in flight, while it stays `processing`.
        payment_action_url=order.payment_action_url if change.to_payment is None else None,
        updated_at=PLACEHOLDER,
        version=None,
    )


def as_stored(change: Change) -> Change | None:
    """`change` with its values as PostgreSQL stores and returns them, so the order predicted
    from it is the one read back: the total to the cent (`numeric(12, 2)`, rounding half away
    from zero as PostgreSQL does), the deadline in UTC. None: a naive deadline (not predictable
    here; the guarded path writes it)."""
    deadline = change.payment_required_by
    if deadline is not None:
        if deadline.tzinfo is None:
            return None
        deadline = deadline.astimezone(dt.UTC)
    total = change.total_amount
    if total is not None:
        total = stored_cents(total)
    return msgspec.structs.replace(change, payment_required_by=deadline, total_amount=total)


def guard_holds(order: Order, change: Change) -> bool:
    return order.status in change.from_status and (
        change.from_payment is None or order.payment_status in change.from_payment
    )


def split_answer(body: bytes) -> tuple[bytes, bytes | None] | None:
    """The body around the placeholder `updated_at`: (before, after), (body, None) when it has
    none, None when it has several (the answer cannot be spliced)."""
    parts = body.split(_PLACEHOLDER_JSON)
    if len(parts) == 1:
        return body, None
    if len(parts) == 2:
        return parts[0], parts[1]
    return None


async def transition_known(
    conn: asyncpg.Connection,
    expected: Order,
    change: Change,
    *,
    actor: str,
    completion: Completion | None,
    timeout: float,
) -> Order | None:
    """`change` of `expected` in one statement: the changed order, or None when this path does
    not apply (nothing written; the caller takes the guarded path). It does not when the order
    was not read from its row (no version), when the change's guard does not hold on it, when
    the answer names `updated_at` more than once, when it moves the payment into `failed`, and
    when the row is no longer that version."""
    stored = as_stored(change)
    if stored is None or expected.version is None or not guard_holds(expected, stored):
        return None
    if change.to_payment == "failed":  # its decline code goes in the guarded path's history row
        return None
    change = stored
    after = changed(expected, change)
    answer: tuple[object, ...] = (None, None, None, None, None)
    if completion is not None:
        response = completion.render(after)
        parts = split_answer(response.body)
        if parts is None:
            return None
        answer = (completion.owner, completion.key, response.status, *parts)
    snapshot = told(after.snapshot(), change)
    contact = after.contact()
    events = [new_event(t, snapshot, contact, owner=after.owner) for t in events_of(change)]
    row = await conn.fetchrow(
        KNOWN_TRANSITION,
        *transition_args(expected.id, change), expected.version,
        expected.status, after.status, expected.payment_status, after.payment_status,
        change.reason, actor, events_json(events),
        *answer, details_json(change.details),
        timeout=timeout,
    )  # fmt: skip
    if row is None:
        return None
    return msgspec.structs.replace(after, updated_at=row["updated_at"], version=row["version"])


def _or(value: T | None, kept: T) -> T:
    return kept if value is None else value
