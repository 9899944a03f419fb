"""The raw side of the booking benchmark: the rows one hold writes, straight through asyncpg.

Same tables (booking/sql/0100_orders.sql), same rows, same number of round trips and
transactions as `POST /v1/orders` (hold) makes without a traveler's limits, none of its Python:
claim the idempotency key; one statement inserting the order, its passenger, its history row,
its `order.created` event and the key's recovery point; one statement with the guarded
`pending → held` update, its history row, `order.held` event and stored answer. Three round
trips; the API adds three for a traveler's limits (lock with BEGIN, count, COMMIT). Connections
are released without asyncpg's reset query, as the API's are (skyfare/postgres.py,
`bench.booking_rate raw`). The outbox rows are written already published (`published_at`), so
the running relay does not send made-up events to the event stream.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import string
import uuid
from decimal import Decimal

import asyncpg
import msgspec

from booking.model import FareTerms, Order, Passenger
from booking.order_view import OrderView
from connectors.model import Slice

_ALPHABET = string.ascii_uppercase + string.digits
SLICES = json.dumps(
    [
        {
            "origin": "LHR",
            "destination": "JFK",
            "duration": "PT8H10M",
            "segments": [
                {
                    "marketing_carrier": "BA",
                    "flight_number": "BA117",
                    "origin": "LHR",
                    "destination": "JFK",
                    "departing_at": "2026-12-20T08:25:00",
                    "arriving_at": "2026-12-20T11:35:00",
                    "aircraft": "777",
                    "cabin_class": "economy",
                }
            ],
        }
    ]
)
# As long as the offer ids Skyfare issues (connectors/offer_ids.py: ~180 characters), so the
# order's row and its stored answer are as wide as a hold's.
OFFER_ID = "off_" + "cmVzdC1icml0YW5uaWEfQmVuY2hPZmZlcg" * 5 + "QmVuY2hPZmZlcg"

CLAIM = """
INSERT INTO idempotency_keys (owner, key, request_method, request_path, request_hash, locked_until)
VALUES ($1, $2, 'POST', '/v1/orders', $3, now() + interval '30 seconds')
ON CONFLICT DO NOTHING"""

CREATE = f"""
WITH o AS (
    INSERT INTO orders (id, owner, booking_reference, type, status, offer_id, connector,
                        total_amount, total_currency, slices)
    VALUES ($1, $2, $3, 'hold', 'pending', '{OFFER_ID}', 'rest-britannia', 612.40, 'USD', $4::jsonb)
    RETURNING id
), passengers AS (
    INSERT INTO order_passengers
        (order_id, position, type, given_name, family_name, born_on, gender, email, phone_number)
    SELECT id, 0, 'adult', 'Ada', 'Lovelace', DATE '1990-12-10', 'f', 'ada@example.com',
           '+442071838750' FROM o
), history AS (
    INSERT INTO order_history
        (order_id, from_status, to_status, from_payment_status, to_payment_status, reason, actor)
    SELECT id, NULL, 'pending', NULL, 'unpaid', 'created', $2 FROM o
), event AS (
    INSERT INTO outbox (event_id, type, order_id, payload, published_at)
    SELECT $5::uuid, 'order.created', id, $6::jsonb, now() FROM o
)
UPDATE idempotency_keys SET resource_id = $1 WHERE owner = $2 AND key = $7"""

# The claim folded into the insert, as the API's create statement has it (one commit, not two):
# the key is inserted with the order it made, by the same statement (`bench.bare_hold`).
CREATE_CLAIMED = CREATE.replace(
    "UPDATE idempotency_keys SET resource_id = $1 WHERE owner = $2 AND key = $7",
    """INSERT INTO idempotency_keys
    (owner, key, request_method, request_path, request_hash, locked_until, resource_id)
VALUES ($2, $7, 'POST', '/v1/orders', $8, now() + interval '30 seconds', $1)""",
)

# `pending → held` with its history row, `order.held` event and stored answer: ONE statement of
# data-modifying CTEs in its own implicit transaction, as the API writes it since issue 18
# (booking/known_transition.py); the rest depends on `moved`, so a lost guard writes nothing.
HOLD = """
WITH moved AS (
    UPDATE orders SET status = 'held', airline_locator = $2,
                      payment_required_by = now() + interval '30 minutes', updated_at = now()
    WHERE id = $1 AND status = 'pending'
    RETURNING id
), history AS (
    INSERT INTO order_history
        (order_id, from_status, to_status, from_payment_status, to_payment_status, reason, actor)
    SELECT id, 'pending', 'held', 'unpaid', 'unpaid', 'held at airline', $3 FROM moved
), answer AS (
    UPDATE idempotency_keys SET response_status = 201, response_body = $6, locked_until = NULL
    WHERE owner = $3 AND key = $7 AND EXISTS (SELECT FROM moved)
)
INSERT INTO outbox (event_id, type, order_id, payload, published_at)
SELECT $4::uuid, 'order.held', id, $5::jsonb, now() FROM moved"""

STATEMENTS = (CLAIM, CREATE, HOLD)

# The held order's 201 body, which a hold stores as its key's answer (booking/creation.py
# `created_response`), made once with placeholders for what differs per order: a 30-byte stand-in
# would leave ~1 kB of a hold's WAL per order unwritten (2026-12-06-booking-pg-levers.md).
_ID, _REFERENCE, _LOCATOR = "ord_" + "0" * 24, "@REF@@", "@PNR@@"
ADA = Passenger(
    "adult", "Ada", "Lovelace", dt.date(1990, 12, 10), "f", "ada@example.com", "+442071838750"
)


def _held_answer_template() -> bytes:
    now = dt.datetime.now(dt.UTC)
    order = Order(
        id=_ID,
        owner="raw",
        booking_reference=_REFERENCE,
        type="hold",
        status="held",
        payment_status="unpaid",
        offer_id=OFFER_ID,
        connector="rest-britannia",
        airline_locator=_LOCATOR,
        total_amount=Decimal("612.40"),
        total_currency="USD",
        payment_required_by=now + dt.timedelta(minutes=30),
        slices=msgspec.json.decode(SLICES, type=tuple[Slice, ...]),
        passengers=(ADA,),
        ticket_numbers=(),
        failure_reason=None,
        created_at=now,
        updated_at=now,
        terms=FareTerms(Decimal("98.40"), refundable=False, changeable=True),
    )
    return msgspec.json.encode(OrderView.of(order))


HELD_ANSWER = _held_answer_template()


def held_answer(order_id: str, reference: str, locator: str) -> bytes:
    """`HELD_ANSWER` for one order."""
    return (
        HELD_ANSWER.replace(_ID.encode(), order_id.encode())
        .replace(_REFERENCE.encode(), reference.encode())
        .replace(_LOCATOR.encode(), locator.encode())
    )


def _event(kind: str, order_id: str, reference: str) -> str:
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "type": kind,
            "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
            "order": {
                "id": order_id,
                "booking_reference": reference,
                "status": kind.split(".")[1],
                "payment_status": "unpaid",
                "total_amount": "612.40",
                "total_currency": "USD",
                "slices": json.loads(SLICES),
            },
            "contact": {"email": "ada@example.com", "phone_number": "+442071838750"},
        }
    )


async def write_order(pool: asyncpg.Pool, owner: str, *, timeout_s: float) -> None:
    """One hold's rows, as the raw loop writes them: no airline between the two halves."""
    key = uuid.uuid4().hex
    order_id, reference = await create_order(pool, owner, key, timeout_s)
    await mark_held(pool, owner, key, order_id, reference, "PNR" + reference[:3], timeout_s)


async def create_order(
    pool: asyncpg.Pool, owner: str, key: str, timeout_s: float, *, folded: bool = False
) -> tuple[str, str]:
    """Claim `key`, then insert the order (its id and booking reference returned); `folded`:
    both in one statement (`CREATE_CLAIMED`). A booking-reference collision is retried with a
    fresh one."""
    order_id = "ord_" + secrets.token_hex(12)
    fingerprint = secrets.token_bytes(32)
    if not folded:
        async with pool.acquire(timeout=timeout_s) as conn:
            await conn.execute(CLAIM, owner, key, fingerprint, timeout=timeout_s)
    statement, claim = (CREATE_CLAIMED, (fingerprint,)) if folded else (CREATE, ())
    for _ in range(3):
        reference = "".join(secrets.choice(_ALPHABET) for _ in range(6))
        try:
            async with pool.acquire(timeout=timeout_s) as conn:
                await conn.execute(
                    statement,
                    order_id,
                    owner,
                    reference,
                    SLICES,
                    uuid.uuid4(),
                    _event("order.created", order_id, reference),
                    key,
                    *claim,
                    timeout=timeout_s,
                )
            break
        except asyncpg.UniqueViolationError:
            continue
    return order_id, reference


async def mark_held(
    pool: asyncpg.Pool,
    owner: str,
    key: str,
    order_id: str,
    reference: str,
    locator: str,
    timeout_s: float,
) -> None:
    """The guarded `pending → held` with its history row, event and stored answer."""
    async with pool.acquire(timeout=timeout_s) as conn:
        await conn.execute(
            HOLD,
            order_id,
            locator,
            owner,
            uuid.uuid4(),
            _event("order.held", order_id, reference),
            held_answer(order_id, reference, locator),
            key,
            timeout=timeout_s,
        )


async def delete_owner(pool: asyncpg.Pool, owner: str, *, timeout_s: float) -> None:
    """Remove every row the raw loop wrote (passengers and history go with their orders)."""
    async with pool.acquire(timeout=timeout_s) as conn, conn.transaction():
        # outbox has no index on order_id, and statistics gathered before the run put this
        # owner's orders at 1 row: a nested loop, scanning the outbox once per order, then costs
        # within 2 % of a hash join, so the planner may take it, and 13,000 orders × the stack's
        # outbox ran past the 60 s bound (a harness run on 2026-12-05). A hash join scans it once.
        await conn.execute("SET LOCAL enable_nestloop = off", timeout=timeout_s)
        await conn.execute(
            "DELETE FROM outbox WHERE order_id IN (SELECT id FROM orders WHERE owner = $1)",
            owner,
            timeout=timeout_s,
        )
        await conn.execute("DELETE FROM orders WHERE owner = $1", owner, timeout=timeout_s)
        await conn.execute(
            "DELETE FROM idempotency_keys WHERE owner = $1", owner, timeout=timeout_s
        )
