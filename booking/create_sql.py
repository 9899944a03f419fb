"""The one statement that creates an order (`PgOrderRepository.create`): the order, its
passengers, seats, history row, outbox event and the Idempotency-Key's recovery point, with or
without a traveler's limits checked under their lock, and with or without the key claimed in it
(no I/O here). booking/rows.py has the order's other SQL and the mapping of its rows."""

from __future__ import annotations

from booking.idempotency import claim_statement
from booking.rows import SEAT_JSON
from kernel.pg import advisory_lock_keys


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
       (SELECT coalesce(jsonb_agg({SEAT_JSON} ORDER BY s.segment_id, s.passenger_id),
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
