"""The SQL of `PgOrderRepository` and the mapping between its rows and `Order` (no I/O here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import asyncpg
import msgspec

from booking.events import Event, encode_event
from booking.idempotency import record_statement
from booking.model import (
    ChangeNextAction,
    FareTerms,
    LastChange,
    NewOrder,
    Order,
    OrderSeat,
    Passenger,
    stored_cents,
)
from booking.state import Change
from connectors.model import Slice

_slices = msgspec.json.Decoder(tuple[Slice, ...])
_passengers = msgspec.json.Decoder(tuple[Passenger, ...])
_last_change = msgspec.json.Decoder(LastChange)
_change_at_the_bank = msgspec.json.Decoder(ChangeNextAction)
_seats = msgspec.json.Decoder(tuple[OrderSeat, ...])
_encoder = msgspec.json.Encoder()

# An order's passengers, in position order, as one JSON array (Passenger ignores the key columns);
# the infant an adult holds as `pas_N` (booking/sql/0157_infant_on_lap.sql stores its position).
_PASSENGERS = (
    "(SELECT coalesce(jsonb_agg(to_jsonb(p) || jsonb_build_object('infant_passenger_id',"
    " 'pas_' || (p.infant_position + 1)) ORDER BY p.position), '[]'::jsonb)"
    " FROM order_passengers p WHERE p.order_id = o.id) AS passengers"
)
# Its seats (booking/sql/0114_order_seats.sql), shaped as `OrderSeat`.
SEAT_JSON = (
    "jsonb_build_object('segment_id', s.segment_id, 'passenger_id', s.passenger_id,"
    " 'designator', s.designator, 'total_amount', s.amount, 'total_currency', s.currency)"
)
_SEATS = (
    f"(SELECT coalesce(jsonb_agg({SEAT_JSON} ORDER BY s.segment_id, s.passenger_id),"
    " '[]'::jsonb) FROM order_seats s WHERE s.order_id = o.id) AS seats"
)
# While its payment status is `failed`: the card gateway's code for why, from the history row
# that moved it there (its writer stores the code: booking/sql/0143_decline_codes_written.sql).
# PostgreSQL runs the subquery only for an order whose payment failed.
_PAYMENT_DECLINE = (
    "CASE WHEN o.payment_status = 'failed' THEN (SELECT h.decline_code FROM order_history h"
    " WHERE h.order_id = o.id AND h.to_payment_status = 'failed'"
    " AND h.from_payment_status IS DISTINCT FROM 'failed' ORDER BY h.id DESC LIMIT 1) END"
)
# While its payment status is `processing`: the bank's page its payment waits on, when the card's
# bank asks the traveler to confirm it (3-D Secure; payment/sql/0219), else NULL: the one payment
# in flight (payments_one_live_per_order), read only for an order whose payment is processing.
_PAYMENT_ACTION = (
    "CASE WHEN o.payment_status = 'processing' THEN (SELECT p.action_url FROM payments p"
    " WHERE p.order_id = o.id AND p.status = 'processing' LIMIT 1) END"
)
# Its flight change whose charge waits for the traveler at their bank (3-D Secure;
# booking/sql/0158): the one change `confirming` (order_changes_one_confirming), when it names the
# bank's page; else NULL.
_CHANGE_ACTION = (
    "(SELECT jsonb_build_object('change_offer_id', c.id, 'slice_index', c.slice_index,"
    " 'url', c.action_url) FROM order_changes c WHERE c.order_id = o.id"
    " AND c.status = 'confirming' AND c.action_url IS NOT NULL)"
)
# An order that may still change at the airline or take money (`o` an `orders` row): its
# traveler's erasure waits for it (booking/personal_data.py), `?in_flight=` lists by it.
IN_FLIGHT = "(o.status IN ('pending', 'held') OR o.payment_status = 'processing')"
# `version`: the row version's `xmin`, which every UPDATE of the row replaces; a change made from
# an order as read (booking/known_transition.py) is guarded by it.
SELECT_ORDER = (
    f"SELECT o.*, o.xmin AS version, {_PASSENGERS}, {_SEATS},"
    f" {_PAYMENT_DECLINE} AS payment_decline_code, {_PAYMENT_ACTION} AS payment_action_url,"
    f" {_CHANGE_ACTION} AS change_at_the_bank"
    " FROM orders o"
)


# What a change writes: each column of `orders` (a field of `Order` too), the field of `Change`
# holding its new value (None keeps the column's), and its parameter ($3, $5 … $11 of
# `transition_args`). The one list of them: `CHANGE_SET` writes them in SQL, and
# `known_transition.changed` predicts the row they leave in Python.
CHANGED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("status", "to_status", "$3"),
    ("payment_status", "to_payment", "$5"),
    ("airline_locator", "airline_locator", "$6"),
    ("payment_required_by", "payment_required_by", "$7"),
    ("total_amount", "total_amount", "$8"),
    ("total_currency", "total_currency", "$9"),
    ("ticket_numbers", "ticket_numbers", "$10::text[]"),
    ("failure_reason", "failure_reason", "$11"),
)
CHANGE_SET = (
    "".join(f"\n    {c} = coalesce({param}, o.{c})," for c, _, param in CHANGED_COLUMNS)
    + "\n    updated_at = now()"
)
# Its guard ($2, $4): the status, and the payment status when the change names one.
CHANGE_GUARD = (
    "o.status = ANY($2::text[]) AND ($4::text[] IS NULL OR o.payment_status = ANY($4::text[]))"
)
# The guarded change. `old` reads the row FOR UPDATE first, so `from_*` are the values this
# change replaced (a concurrent change commits before us or waits for us, never in between);
# the outer WHERE re-checks the guard on the newest row version. $12: the change's decline code,
# which its history row (written after this statement) stores: a move into `failed` names it.
TRANSITION = f"""
UPDATE orders o SET {CHANGE_SET}
FROM (SELECT id, status, payment_status FROM orders WHERE id = $1 FOR UPDATE) AS old
WHERE o.id = old.id AND {CHANGE_GUARD}
RETURNING o.*, o.xmin AS version, old.status AS from_status,
          old.payment_status AS from_payment_status, {_PASSENGERS}, {_SEATS},
          CASE WHEN old.payment_status <> 'failed' AND o.payment_status = 'failed'
               THEN $12::text ELSE {_PAYMENT_DECLINE}
          END AS payment_decline_code, {_PAYMENT_ACTION} AS payment_action_url,
          {_CHANGE_ACTION} AS change_at_the_bank"""

# $8: the card gateway's code when the row records a declined card or a refused refund, else
# NULL (booking/sql/0143_decline_codes_written.sql). $9: the step's details as JSON
# (booking/history_details.py `details_json`), NULL for a step without any (booking/sql/0154).
_HISTORY = """
    INSERT INTO order_history
        (order_id, from_status, to_status, from_payment_status, to_payment_status, reason, actor,
         decline_code, details)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)"""


def events_insert(param: int, *, source: str = "") -> str:
    """The INSERT of a change's outbox events, given as ONE JSON array of them in parameter
    `param` (`events_json`): each event's `id` and `type` fill their columns, the event is the
    payload. `source` (e.g. `"moved, "`) joins the rows it depends on."""
    return f"""
INSERT INTO outbox (event_id, type, order_id, payload)
SELECT (e ->> 'id')::uuid, e ->> 'type', $1, e
FROM {source}jsonb_array_elements(${param}::jsonb) AS e"""


def events_json(events: Sequence[Event]) -> str:
    """`events_insert`'s parameter. One JSON array rather than three arrays (ids, types,
    payloads): asyncpg's checks of each array cost more than the JSON (issue 18,
    bench/results/2026-12-05-booking-pg-client.md)."""
    return encode_event(events).decode()


_EVENTS = events_insert(10)
HISTORY_AND_EVENTS = f"WITH history AS ({_HISTORY}\n){_EVENTS}"
# The same and the idempotency key's answer ($11 … $14: owner, key, status, body), one round
# trip: a hold's `held` change is this and its guarded UPDATE, in one transaction.
HISTORY_EVENTS_AND_ANSWER = (
    f"WITH history AS ({_HISTORY}\n), answer AS ({record_statement(11)}\n){_EVENTS}"
)


class HistoryEntry(msgspec.Struct, frozen=True):
    """One row of `order_history`: a change of status or payment status, and who made it."""

    from_status: str | None
    to_status: str
    from_payment_status: str | None
    to_payment_status: str
    reason: str
    actor: str
    at: dt.datetime
    code: str | None = None  # order_history.code (booking/history_codes.py)
    decline_code: str | None = None  # order_history.decline_code (booking/sql/0143)


class HistoryRow(HistoryEntry, frozen=True):
    """A row as the order's history route reads it: with the details its writer stored, as
    JSON (booking/history_details.py; None: a step without any, or written before 0154)."""

    details: str | None = None


def passengers_json(passengers: Sequence[Passenger]) -> str:
    """The passengers as the JSON array `CREATE_ORDER` inserts ($10): one parameter, where seven
    arrays cost asyncpg more than the statement's round trip (its per-array checks; issue 18,
    bench/results/2026-12-05-booking-pg-client.md)."""
    return _encoder.encode(passengers).decode()


def order_from_row(row: asyncpg.Record) -> Order:
    return Order(
        id=row["id"],
        owner=row["owner"],
        booking_reference=row["booking_reference"],
        type=row["type"],
        status=row["status"],
        payment_status=row["payment_status"],
        offer_id=row["offer_id"],
        connector=row["connector"],
        airline_locator=row["airline_locator"],
        total_amount=row["total_amount"],
        total_currency=row["total_currency"],
        payment_required_by=row["payment_required_by"],
        slices=_slices.decode(row["slices"]),
        passengers=_passengers.decode(row["passengers"] or "[]"),
        ticket_numbers=tuple(row["ticket_numbers"]),
        failure_reason=row["failure_reason"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        terms=terms_of(row),
        last_change=None if row["last_change"] is None else _last_change.decode(row["last_change"]),
        seats=_seats.decode(row.get("seats") or "[]"),
        payment_decline_code=row.get("payment_decline_code"),
        payment_action_url=row.get("payment_action_url"),
        change_at_the_bank=_at_the_bank(row.get("change_at_the_bank")),
        version=row.get("version"),
    )


def _at_the_bank(raw: str | None) -> ChangeNextAction | None:
    return None if raw is None else _change_at_the_bank.decode(raw)


def created_order(order: NewOrder, reference: str, row: asyncpg.Record) -> Order:
    """The order a create inserted (`row`: its answer, the columns only the database knows),
    every value as PostgreSQL stores and returns it, so equal to the order read back: amounts to
    the cent (`numeric(12, 2)`), the currency as `char(3)` (padded)."""
    terms = order.terms
    if terms is not None:
        terms = msgspec.structs.replace(terms, tax_amount=stored_cents(terms.tax_amount))
    return Order(
        id=order.id,
        owner=order.owner,
        booking_reference=reference,
        type=order.type,
        status="pending",
        payment_status="unpaid",
        offer_id=order.offer_id,
        connector=order.connector,
        airline_locator=None,
        total_amount=stored_cents(order.total_amount),
        total_currency=order.total_currency[:3].ljust(3),
        payment_required_by=None,
        slices=order.slices,
        passengers=order.passengers,
        ticket_numbers=(),
        failure_reason=None,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        terms=terms,
        seats=_seats.decode(row["seats"]) if order.seats else (),
        version=row["version"],
    )


def terms_of(row: asyncpg.Record) -> FareTerms | None:
    if row["tax_amount"] is None or row["refundable"] is None or row["changeable"] is None:
        return None
    return FareTerms(row["tax_amount"], row["refundable"], row["changeable"])


def seat_columns(seats: Sequence[OrderSeat]) -> tuple[list[object] | None, ...]:
    """The seats asked for as the column arrays `CREATE_ORDER` unnests ($18 … $21); NULLs when
    there are none (`unnest` of NULL gives no rows as `'{}'` does; asyncpg binds NULL for free,
    an empty array not)."""
    if not seats:
        return (None, None, None, None)
    return (
        [s.segment_id for s in seats],
        [s.passenger_id for s in seats],
        [s.designator for s in seats],
        [s.total_amount for s in seats],
    )


def terms_columns(terms: FareTerms | None) -> tuple[object, object, object]:
    """The fare terms as `CREATE_ORDER`'s $15 … $17."""
    if terms is None:
        return (None, None, None)
    return (terms.tax_amount, terms.refundable, terms.changeable)


def transition_args(order_id: str, change: Change) -> Sequence[object]:
    """`TRANSITION`'s parameters $1 … $11 (and `KNOWN_TRANSITION`'s)."""
    return (
        order_id,
        list(change.from_status),
        change.to_status,
        None if change.from_payment is None else list(change.from_payment),
        change.to_payment,
        change.airline_locator,
        change.payment_required_by,
        change.total_amount,
        change.total_currency,
        None if change.ticket_numbers is None else list(change.ticket_numbers),
        change.failure_reason,
    )
