"""What booking holds about one traveler, for their data export and their erasure (GDPR arts.
15, 17 and 20); the composition root's privacy routes (skyfare/privacy.py) combine it with the
user service's.

Orders are not deleted when their traveler asks: bookkeeping and tax law keep them (and their
payments) for years, and they are the proof of a contract with an airline. What can go goes:
`pseudonymize` removes the passengers' contact details (emails, phone numbers) from every order
of the owner, from the copies of them in the outbox's events, and the stored answers of the
owner's idempotency keys (a copy of the order as booked). What stays: the passengers' names,
birth dates and genders as ticketed, tied only to the owner's pseudonymous subject.

The erasure is confirmed to the address the profile had (`queue_erasure_notice`, in the
transaction that deletes the profile: sent if and only if the erasure commits). That address
has to outlive the erasure for the one message, so it lives in the `account.erased` event only
until it is sent: the relay scrubs the outbox row's `contact` in the statement that marks it
published (booking/relay.py), and the notification worker deletes the stream entry once the
message is out or parked (its dead letter keeps no event). The event names no owner and no
order, so the row that stays tells nothing about whom it concerned.

An order still in flight (the airline not answered, a hold that may still be paid, a payment
being made) refuses the erasure (`Conflict` naming them) and nothing is changed: removing the
contact of a booking that may yet be ticketed would lose the e-tickets' mail; the traveler
cancels the hold (or waits for it to expire or settle) and asks again.
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import msgspec

from booking.events import AccountNotice, Contact, encode_event
from booking.model import Order
from booking.pg import Database
from booking.rows import IN_FLIGHT, SELECT_ORDER, HistoryRow, order_from_row
from kernel.errors import Conflict

# The owner's orders that may still change at the airline or take money.
_IN_FLIGHT = f"""
SELECT o.id FROM orders o
WHERE o.owner = $1 AND {IN_FLIGHT}
ORDER BY o.created_at, o.id
FOR UPDATE"""

# One statement, so one atomic unit with the check above (both in one transaction). Outbox rows
# are found by order id without an index: an erasure is rare, and an index would cost every
# order change on the hot path.
_PSEUDONYMIZE = """
WITH mine AS (
    SELECT id FROM orders WHERE owner = $1
), passengers AS (
    UPDATE order_passengers SET email = NULL, phone_number = NULL
    WHERE order_id IN (SELECT id FROM mine) AND (email IS NOT NULL OR phone_number IS NOT NULL)
    RETURNING 1
), events AS (
    UPDATE outbox SET payload = jsonb_set(payload, '{contact}', 'null'::jsonb)
    WHERE order_id IN (SELECT id FROM mine) AND payload->'contact' <> 'null'::jsonb
    RETURNING 1
), answers AS (
    DELETE FROM idempotency_keys WHERE owner = $1 AND response_status IS NOT NULL
    RETURNING 1
)
SELECT (SELECT count(*) FROM mine)::int AS orders,
       (SELECT count(*) FROM passengers)::int AS passengers,
       (SELECT count(*) FROM events)::int AS events,
       (SELECT count(*) FROM answers)::int AS answers"""


# No order: `order_id` is empty (the column is NOT NULL; nothing reads these rows by order).
_QUEUE_NOTICE = """
INSERT INTO outbox (event_id, type, order_id, payload) VALUES ($1::uuid, $2, '', $3::jsonb)"""


class Pseudonymized(msgspec.Struct, frozen=True):
    """What `pseudonymize` changed: how many passengers lost their contact details, event
    copies were scrubbed and stored answers deleted, and how many orders were kept."""

    orders: int
    passengers: int
    events: int
    answers: int


class PgPersonalData:
    """A traveler's orders for export, and their pseudonymization; may raise
    `ServiceUnavailable` (booking/pg.py)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def orders_of(self, owner: str) -> list[Order]:
        """Every order of `owner`, in every status (internal ones too), newest first."""
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                f"{SELECT_ORDER} WHERE o.owner = $1 ORDER BY o.created_at DESC, o.id DESC",
                owner,
                timeout=self._db.timeout_s,
            )
        return [order_from_row(row) for row in rows]

    async def history_of(self, owner: str) -> dict[str, list[HistoryRow]]:
        """Every change of `owner`'s orders, by order id, oldest first, with its stored details."""
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                "SELECT h.order_id, h.from_status, h.to_status, h.from_payment_status,"
                " h.to_payment_status, h.reason, h.actor, h.at, h.code, h.decline_code, h.details"
                " FROM order_history h JOIN orders o ON o.id = h.order_id"
                " WHERE o.owner = $1 ORDER BY h.id",
                owner,
                timeout=self._db.timeout_s,
            )
        history: dict[str, list[HistoryRow]] = {}
        for row in rows:
            entry = dict(row)
            history.setdefault(entry.pop("order_id"), []).append(HistoryRow(**entry))
        return history

    async def queue_erasure_notice(self, conn: asyncpg.Connection, contact: Contact) -> None:
        """Write `account.erased` to `contact`, in the caller's (the erasure's) transaction."""
        notice = AccountNotice(
            id=str(uuid.uuid4()), type="account.erased", occurred_at=dt.datetime.now(dt.UTC),
            contact=contact,
        )  # fmt: skip
        await conn.execute(
            _QUEUE_NOTICE, notice.id, notice.type, encode_event(notice).decode(),
            timeout=self._db.timeout_s,
        )  # fmt: skip

    async def pseudonymize(self, owner: str) -> Pseudonymized:
        """Remove the contact details from `owner`'s orders (see the module's docstring);
        idempotent. `Conflict` (with `orders_in_flight`), changing nothing, while an order
        is in flight."""
        timeout = self._db.timeout_s
        async with self._db.transaction() as conn:
            in_flight = [r["id"] for r in await conn.fetch(_IN_FLIGHT, owner, timeout=timeout)]
            if in_flight:
                some = (
                    "1 of your orders is"
                    if len(in_flight) == 1
                    else f"{len(in_flight)} of your orders are"
                )
                raise Conflict(
                    f"{some} still in flight (held, being booked or being paid); cancel the "
                    "holds, or wait for them to expire or settle, then ask again. Nothing was "
                    "erased",
                    orders_in_flight=in_flight,
                )
            row = await conn.fetchrow(_PSEUDONYMIZE, owner, timeout=timeout)
        assert row is not None
        return Pseudonymized(**dict(row))
