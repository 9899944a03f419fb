"""The SQL of `PgOrderRepository` and the mapping between its rows and `Order` (no I/O here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import asyncpg
import msgspec

from booking.events import Event, encode_event
from booking.idempotency import claim_statement, record_statement
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
from kernel.pg import advisory_lock_keys

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
_SEAT_JSON = (
    "jsonb_build_object('segment_id', s.segment_id, 'passenger_id', s.passenger_id,"
    " 'designator', s.designator, 'total_amount', s.amount, 'total_currency', s.currency)"
)
_SEATS = (
    f"(SELECT coalesce(jsonb_agg({_SEAT_JSON} ORDER BY s.segment_id, s.passenger_id),"
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


# Data-modifying CTEs all run, once, in the one statement: the order, its passengers, its
# history row, its outbox event and the idempotency key's recovery point commit together or not
# at all. Everything after `o` writes only if `o` did (`FROM o`, `EXISTS (SELECT FROM o)`), and
# `o` writes unless a traveler's limits keep the order out (`limited`) or its key was claimed by
# another request first (`claims`).
#
# The key's recovery point: an UPDATE of a key claimed before ($14), or (`claims`) the claim
# itself, made here with the recovery point set (a CTE does not see another CTE's writes, so an
# UPDATE could not find a key inserted in the same statement): `ON CONFLICT DO NOTHING` waits for
# a concurrent claim of the same key to commit and then claims nothing, so no order either.
#
# It answers with what only the database knows of the order: `created_at` and `updated_at` (its
# transaction's `now()`), its version (`xmin`) and its seats as every read lists them (`ORDER BY`
# under the database's collation); `id` is NULL when nothing was written. `created_order` builds
# the rest from what the caller sent (issue 18: the row and its passengers' JSON, sent back, cost
# both sides CPU for what the caller had).
def _create_order(*, limited: bool, claims: bool) -> str:
    gate = _GATE if limited else ""
    claim = ""
    if claims:  # its method, path, hash, lease and TTL after the gate's parameters
        first = 30 if limited else 22
        source = " FROM fits" if limited else ""
        insert = claim_statement("$2", "$14", first, resource_id="$1", source=source)
        claim = f"claim AS ({insert}\n), "
    recovery_point = "" if claims else _RECOVERY_POINT
    order_source = " FROM claim" if claims else " FROM fits" if limited else ""
    # The counts `check_totals` names the cap from, and whether the order fitted them (if it
    # did and nothing was written, the key was taken).
    answer = (
        "gate.open_holds, gate.held_seats, gate.on_flights, EXISTS (SELECT FROM fits) AS fits, "
        if limited
        else ""
    )
    return f"""
WITH {gate}{claim}o AS (
    INSERT INTO orders (id, owner, booking_reference, type, status, offer_id, connector,
                        total_amount, total_currency, slices, tax_amount, refundable,
                        changeable, seats_taken)
    {_ORDER_SELECT}{order_source}
    RETURNING id, created_at, updated_at, xmin AS version
), passengers AS (
    INSERT INTO order_passengers
        (order_id, position, type, given_name, family_name, born_on, gender, email, phone_number,
         infant_position)
    SELECT $1, t.n - 1, t.p ->> 'type', t.p ->> 'given_name', t.p ->> 'family_name',
           (t.p ->> 'born_on')::date, t.p ->> 'gender', t.p ->> 'email', t.p ->> 'phone_number',
           substr(t.p ->> 'infant_passenger_id', 5)::smallint - 1
    FROM jsonb_array_elements($10::jsonb) WITH ORDINALITY AS t(p, n)
    WHERE EXISTS (SELECT FROM o)
), history AS (
    INSERT INTO order_history
        (order_id, from_status, to_status, from_payment_status, to_payment_status, reason, actor)
    SELECT $1, NULL, 'pending', NULL, 'unpaid', 'created', $11::text FROM o
), event AS (
    INSERT INTO outbox (event_id, type, order_id, payload)
    SELECT $12::uuid, 'order.created', $1, $13::jsonb FROM o
), {recovery_point}s AS (
    INSERT INTO order_seats (order_id, segment_id, passenger_id, designator, amount, currency)
    SELECT $1, t.segment_id, t.passenger_id, t.designator, t.amount, $8
    FROM unnest($18::text[], $19::text[], $20::text[], $21::numeric[])
         AS t(segment_id, passenger_id, designator, amount)
    WHERE EXISTS (SELECT FROM o)
    RETURNING *
)
SELECT {answer}o.*,
       (SELECT coalesce(jsonb_agg({_SEAT_JSON} ORDER BY s.segment_id, s.passenger_id),
                        '[]'::jsonb) FROM s) AS seats
FROM {"gate LEFT JOIN o ON true" if limited else "o"}"""


_RECOVERY_POINT = """recovery_point AS (
    UPDATE idempotency_keys SET resource_id = $1
    WHERE owner = $2 AND key = $14 AND EXISTS (SELECT FROM o)
), """
# `seats_taken`: the passengers ($10) but infants (sql/0147_order_seats_taken.sql).
# Typed: from a SELECT, parameters take no type from the columns they fill.
_ORDER_SELECT = (
    "SELECT $1::text, $2::text, $3::text, $4::text, 'pending', $5::text, $6::text, $7::numeric,"
    " $8::text, $9::jsonb, $15::numeric, $16::boolean, $17::boolean,"
    " (SELECT count(*)::int FROM jsonb_array_elements($10::jsonb) AS k(p)"
    " WHERE k.p ->> 'type' <> 'infant')"
)
# With a traveler's limits (booking/limits.py), in ONE statement and its implicit transaction:
# `gate` takes the owner's lock and counts their open holds under it (booking/sql/
# 0141_open_holds_under_lock.sql; the lock is held until this statement commits), and the order
# is inserted only if it fits the caps — the rules of `limits.check_totals`, which names the cap
# a refused order exceeds from the counts the statement returns (with NULL order columns).
# $22, $23: the lock's keys (`lock_keys`); $24, $25: the new order's flights and their dates;
# $26–$28: the caps (0: none); $29: the seats the new order takes.
_GATE = """gate AS (
    SELECT * FROM booking_open_holds($2, $22, $23, coalesce($24::text[], '{}'),
                                     coalesce($25::text[], '{}'))
), fits AS (
    SELECT FROM gate
    WHERE ($26 = 0 OR open_holds + 1 <= $26)
      AND ($27 = 0 OR held_seats + $29 <= $27)
      AND ($28 = 0 OR NOT EXISTS (SELECT FROM unnest(on_flights) AS c(n) WHERE c.n + $29 > $28))
), """
CREATE_ORDER = _create_order(limited=False, claims=False)
CREATE_ORDER_LIMITED = _create_order(limited=True, claims=False)
# The same, claiming the Idempotency-Key ($14) in the statement (`NewKey.claim_args`: $22–$26,
# or $30–$34 after the gate): nothing is written if the key is taken (or the order is limited).
CREATE_ORDER_CLAIMING = _create_order(limited=False, claims=True)
CREATE_ORDER_LIMITED_CLAIMING = _create_order(limited=True, claims=True)

# A traveler's open holds (booking/limits.py): pending or held, not paid nor being paid.
OPEN_HOLDS = """
SELECT o.slices,
       (SELECT count(*) FROM order_passengers p
        WHERE p.order_id = o.id AND p.type <> 'infant')::int AS seats
FROM orders o
WHERE o.owner = $1 AND o.status IN ('pending', 'held')
  AND o.payment_status IN ('unpaid', 'failed')"""
# One order create per owner at a time while limits are checked: a transaction-scoped advisory
# lock on (this constant, hash of the owner). A hash collision only makes two travelers wait for
# each other's insert. The constant spells "ORDR".
OWNER_LOCK_SPACE = 0x4F524452


def lock_keys(owner: str) -> tuple[int, int]:
    """The two int4 keys of `owner`'s lock: the space, and CRC-32 of the owner as a signed int4."""
    return advisory_lock_keys(OWNER_LOCK_SPACE, owner)


def lock_owner(owner: str) -> str:
    """The statement taking `owner`'s lock, numbers only: it can be sent with its transaction's
    BEGIN in one round trip (`Database.transaction_from`), where no parameter can be bound."""
    space, key = lock_keys(owner)
    return f"SELECT pg_advisory_xact_lock({space}, {key})"


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
