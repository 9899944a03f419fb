"""Change offers in PostgreSQL (booking/sql/0130_order_changes.sql), and the two transactions
that end a confirmation: the order changed (with its history row, its `order.changed` outbox
event, the offer confirmed and the idempotency answer) or the change failed (history row and
`orders.last_change`, the offer failed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Literal

import asyncpg
import msgspec

from booking.change_terms import ChangeOffer, changed_flight, replaced_seats, summary
from booking.events import Event, new_event
from booking.history_details import HistoryDetails, HistoryStep, details_json, noted
from booking.idempotency import StoredResponse, record_response
from booking.model import ChangeFailure, LastChange, Order
from booking.pg import Database
from booking.rows import HISTORY_AND_EVENTS, SELECT_ORDER, events_json, order_from_row
from booking.seat_history import seat_notes
from connectors.model import Hold, Slice

_COLUMNS = (
    "id, order_id, status, slice_index, supplier_fare_id, new_slice, fare_difference,"
    " penalty_amount, due_amount, new_total_amount, new_tax_amount, currency, refundable,"
    " changeable, order_status, order_payment_status, order_updated_at, expires_at, created_at,"
    " payment_intent_id, failure_reason, confirmed_at, decline_code, failure_code, action_url,"
    " bank_asked_at"
)
# The answer to store with the change, under its owner and Idempotency-Key.
Answer = Callable[[Order], tuple[str, str, StoredResponse]]
# More to write in the transaction that changes the order (a cheaper change's refund owed).
AlsoInChange = Callable[[asyncpg.Connection, Order], Awaitable[None]]
_encoder = msgspec.json.Encoder()
_slice = msgspec.json.Decoder(Slice)

# The order flies the new slice: guarded on the order as it was quoted (status, payment status
# and its last update): a cancel, a refund or another change committed meanwhile wins, and this
# change is undone at the airline instead. Without the last update, two offers of one slice
# confirmed at once both applied, each giving back its difference from the flights it replaced.
_APPLY = """
UPDATE orders SET slices = $4::jsonb, total_amount = $5,
    tax_amount = coalesce($6, tax_amount), refundable = $7, changeable = $8,
    ticket_numbers = $9::text[], last_change = $10::jsonb,
    payment_required_by = coalesce($11, payment_required_by), updated_at = now()
WHERE id = $1 AND status = $2 AND payment_status = $3 AND updated_at = $12
RETURNING id"""


class _OrderMoved(Exception):
    """The order is no longer in the status it was quoted in: the change rolls back."""


def _offer(row: asyncpg.Record) -> ChangeOffer:
    fields = {name: row[name] for name in row.keys()}  # noqa: SIM118
    fields["new_slice"] = _slice.decode(fields["new_slice"])
    return ChangeOffer(**fields)


def note(
    offer: ChangeOffer,
    status: Literal["confirmed", "failed"],
    detail: str,
    decline_code: str | None = None,
    failure_code: ChangeFailure | None = None,
) -> str:
    """`orders.last_change` as JSON (booking.model.LastChange)."""
    at = dt.datetime.now(dt.UTC)
    change = LastChange(offer.id, status, detail, at, decline_code, failure_code)
    return _encoder.encode(change).decode()


class PgChanges:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def insert(self, offers: Sequence[ChangeOffer], *, actor: str) -> None:
        rows = [
            (
                o.id, o.order_id, o.status, o.slice_index, o.supplier_fare_id,
                _encoder.encode(o.new_slice).decode(), o.fare_difference, o.penalty_amount,
                o.due_amount, o.new_total_amount, o.new_tax_amount, o.currency, o.refundable,
                o.changeable, o.order_status, o.order_payment_status, o.order_updated_at,
                o.expires_at, o.created_at, actor,
            )
            for o in offers
        ]  # fmt: skip
        async with self._db.connection() as conn:
            await conn.executemany(
                "INSERT INTO order_changes (id, order_id, status, slice_index, supplier_fare_id,"
                " new_slice, fare_difference, penalty_amount, due_amount, new_total_amount,"
                " new_tax_amount, currency, refundable, changeable, order_status,"
                " order_payment_status, order_updated_at, expires_at, created_at, actor)"
                " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $13, $14,"
                " $15, $16, $17, $18, $19, $20)",
                rows,
                timeout=self._db.timeout_s,
            )

    async def get(self, order_id: str, change_id: str) -> ChangeOffer | None:
        offer = await self.find(change_id)
        return offer if offer is not None and offer.order_id == order_id else None

    async def find(self, change_id: str) -> ChangeOffer | None:
        """The offer by its id alone (a gateway webhook names the change, not its order)."""
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                f"SELECT {_COLUMNS} FROM order_changes WHERE id = $1",
                change_id,
                timeout=self._db.timeout_s,
            )
        return None if row is None else _offer(row)

    # A claim is its `claimed_until`: whoever holds that value holds the offer (a fencing
    # token), so a claim extended, or freed, by a request whose lease lapsed meanwhile and that
    # someone else claimed since, changes nothing.

    async def begin(self, change_id: str, *, actor: str, lease_s: float) -> dt.datetime | None:
        """`quoted → confirming`, claimed for `lease_s`: the claim, or None when it was not
        `quoted` (another confirmation is at it) or another offer of its order is `confirming`
        (booking/sql/0132: one change of an order at a time)."""
        try:
            return await self._claim(
                "status = 'confirming', confirmed_by = $2,"
                " claimed_until = now() + make_interval(secs => $3)",
                "status = 'quoted'",
                change_id,
                actor,
                lease_s,
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name != "order_changes_one_confirming":
                raise
            return None

    async def claim(self, change_id: str, *, lease_s: float) -> dt.datetime | None:
        """A `confirming` offer nobody works on, claimed for `lease_s`: the claim, or None when
        a request or the change sweeper holds it."""
        return await self._claim(
            "claimed_until = now() + make_interval(secs => $2)",
            "status = 'confirming' AND claimed_until <= now()",
            change_id,
            lease_s,
        )

    async def extend(
        self, change_id: str, claim: dt.datetime, *, lease_s: float
    ) -> dt.datetime | None:
        """Keep holding a `confirming` offer for `lease_s` more: the new claim, or None when
        `claim` is not the offer's claim any more (it was settled, or lapsed and taken)."""
        return await self._claim(
            "claimed_until = greatest(claimed_until, now() + make_interval(secs => $3))",
            "status = 'confirming' AND claimed_until = $2",
            change_id,
            claim,
            lease_s,
        )

    async def claim_of(self, change_id: str) -> dt.datetime | None:
        """The claim on a `confirming` offer (the change sweeper's, just made by `stuck`)."""
        async with self._db.connection() as conn:
            claim: dt.datetime | None = await conn.fetchval(
                "SELECT claimed_until FROM order_changes WHERE id = $1 AND status = 'confirming'",
                change_id,
                timeout=self._db.timeout_s,
            )
        return claim

    async def free(self, change_id: str) -> bool:
        """Whether nobody holds the offer now: it ended, or its claim ran out or was freed."""
        async with self._db.connection() as conn:
            free: bool = await conn.fetchval(
                "SELECT status <> 'confirming' OR claimed_until <= now() FROM order_changes"
                " WHERE id = $1",
                change_id,
                timeout=self._db.timeout_s,
            )
        return free

    async def release(self, change_id: str, claim: dt.datetime) -> None:
        """Free an offer this process claimed and stopped working on (a retry may resume it)."""
        await self._set(
            "claimed_until = now()",
            "status = 'confirming' AND claimed_until = $2",
            change_id,
            claim,
        )

    async def stuck(self, *, idle_s: float, lease_s: float, limit: int) -> list[ChangeOffer]:
        """Claim (for `lease_s`) up to `limit` `confirming` offers nobody claimed for `idle_s`:
        the change sweeper's work. Of several processes, each claims different offers."""
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                f"UPDATE order_changes SET claimed_until = now() + make_interval(secs => $2)"
                " WHERE id IN (SELECT id FROM order_changes WHERE status = 'confirming'"
                " AND claimed_until <= now() - make_interval(secs => $1)"
                " ORDER BY claimed_until LIMIT $3 FOR UPDATE SKIP LOCKED)"
                f" RETURNING {_COLUMNS}",
                idle_s,
                lease_s,
                limit,
                timeout=self._db.timeout_s,
            )
        return [_offer(row) for row in rows]

    async def order(self, order_id: str) -> Order:
        async with self._db.connection() as conn:
            return await self._order(conn, order_id)

    async def set_intent(
        self, change_id: str, intent_id: str, card_last4: str | None = None
    ) -> None:
        """The change's charge, once made, and its card's last digits (a refund's mail
        names them): kept when the charge was recorded without them (a confirmation resumed
        after its process died, by a release that kept none), never forgotten."""
        await self._set(
            "payment_intent_id = $2, card_last4 = coalesce($3, card_last4)",
            "status = 'confirming'",
            change_id,
            intent_id,
            card_last4,
        )

    async def at_the_bank(self, change_id: str, action_url: str) -> None:
        """The change's charge waits for the traveler at their bank's page `action_url` (3-D
        Secure): kept for the change's GET, and when it first waited (the sweeper's bound)."""
        await self._set(
            "action_url = $2, bank_asked_at = coalesce(bank_asked_at, now())",
            "status = 'confirming'",
            change_id,
            action_url,
        )

    async def _claim(
        self, assignments: str, guard: str, change_id: str, *args: object
    ) -> dt.datetime | None:
        async with self._db.connection() as conn:
            claim: dt.datetime | None = await conn.fetchval(
                f"UPDATE order_changes SET {assignments} WHERE id = $1 AND {guard}"
                " RETURNING claimed_until",
                change_id,
                *args,
                timeout=self._db.timeout_s,
            )
        return claim

    async def _set(self, assignments: str, guard: str, change_id: str, *args: object) -> bool:
        async with self._db.connection() as conn:
            done = await conn.fetchval(
                f"UPDATE order_changes SET {assignments} WHERE id = $1 AND {guard} RETURNING true",
                change_id,
                *args,
                timeout=self._db.timeout_s,
            )
        return bool(done)

    async def apply(
        self,
        offer: ChangeOffer,
        order: Order,
        hold: Hold,
        *,
        actor: str,
        answer: Answer | None,
        payment_required_by: dt.datetime | None = None,
        also: AlsoInChange | None = None,
    ) -> Order | Literal["confirmed", "moved"]:
        """The order flies the new slice, in one transaction with its history row, its
        `order.changed` event, the offer confirmed and the answer `answer` renders (stored
        under its owner and key; None: nobody to answer). An unpaid hold's deadline becomes
        `payment_required_by` (None: kept). `also` runs in the transaction, with the changed order
        (what it raises rolls the change back). Nothing is written when another confirmation of
        the offer committed first (`confirmed`) or the order moved meanwhile (`moved`)."""
        try:
            async with self._db.transaction() as conn:
                return await self._apply(
                    conn, offer, order, hold, actor, answer, payment_required_by, also
                )
        except _OrderMoved:
            return "moved"

    async def _apply(
        self,
        conn: asyncpg.Connection,
        offer: ChangeOffer,
        order: Order,
        hold: Hold,
        actor: str,
        answer: Answer | None,
        payment_required_by: dt.datetime | None,
        also: AlsoInChange | None,
    ) -> Order | Literal["confirmed"]:
        timeout = self._db.timeout_s
        # The offer first, guarded: of concurrent confirmations resuming one offer, exactly one
        # gets past this statement (the others wait for its commit, then find it confirmed).
        won = await conn.fetchval(
            "UPDATE order_changes SET status = 'confirmed', confirmed_at = now()"
            " WHERE id = $1 AND status = 'confirming' RETURNING true",
            offer.id,
            timeout=timeout,
        )
        if not won:
            return "confirmed"
        slices = list(order.slices)
        slices[offer.slice_index] = offer.new_slice
        detail = f"slice {offer.slice_index + 1} changed to {summary(offer.new_slice)}"
        # The airline released them with the old flights. Named in `last_change` as in the
        # history row: the trip page's notice reads it to tell the traveler to choose again.
        # Read once the order's row is ours (seats are written under its lock, booking/seats.py)
        # and in a statement of its own, which sees what committed meanwhile: a seat chosen on
        # the old flights since `order` was read goes with them, not stays on the order.
        await conn.execute("SELECT FROM orders WHERE id = $1 FOR UPDATE", order.id, timeout=timeout)
        released = replaced_seats(await self._order(conn, order.id), offer.slice_index)
        if released:
            listed = ", ".join(s.designator for s in released)
            detail = f"{detail}; seats {listed} released"
        updated = await conn.fetchval(
            _APPLY,
            order.id, offer.order_status, offer.order_payment_status,
            _encoder.encode(slices).decode(), offer.new_total_amount, offer.new_tax_amount,
            offer.refundable, offer.changeable, list(hold.ticket_numbers),
            note(offer, "confirmed", detail), payment_required_by, offer.order_updated_at,
            timeout=timeout,
        )  # fmt: skip
        if updated is None:
            raise _OrderMoved  # rolls the offer's confirmation back too
        if released:
            await conn.execute(
                "DELETE FROM order_seats WHERE order_id = $1 AND segment_id = ANY($2::text[])",
                order.id, [s.segment_id for s in released], timeout=timeout,
            )  # fmt: skip
        changed = await self._order(conn, order.id)
        if also is not None:
            await also(conn, changed)
        snapshot = msgspec.structs.replace(
            changed.snapshot(),
            penalty_amount=offer.penalty_amount,
            charged_amount=offer.due_amount if offer.due_amount > 0 else None,
            refund_amount=-offer.due_amount if offer.due_amount < 0 else None,
            change_summary=summary(offer.new_slice),
        )
        event = msgspec.structs.replace(
            new_event("order.changed", snapshot, changed.contact(), owner=changed.owner),
            seats=seat_notes(order, released),
        )
        flight = changed_flight(offer.slice_index, offer.new_slice, released)
        step = HistoryStep(f"{detail} ({offer.id})", HistoryDetails(flight=flight))
        await self._history(conn, changed, step, actor, [event])
        if answer is not None:
            owner, key, response = answer(changed)
            await record_response(conn, owner, key, response, timeout=timeout)
        return changed

    async def fail(
        self,
        offer: ChangeOffer,
        order_id: str,
        reason: str,
        code: ChangeFailure,
        *,
        actor: str,
        decline_code: str | None = None,
    ) -> Order:
        """The change failed and was undone: the offer says why (`reason`, for people; `code`,
        for clients), and so do the order's history and `last_change`; `decline_code` is the
        card gateway's when its card was declined."""
        last = note(offer, "failed", reason, decline_code, code)
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE order_changes SET status = 'failed', failure_reason = $2,"
                " decline_code = $3, failure_code = $4 WHERE id = $1 AND status <> 'confirmed'",
                offer.id, reason[:500], decline_code, code, timeout=self._db.timeout_s,
            )  # fmt: skip
            await conn.execute(
                "UPDATE orders SET last_change = $2::jsonb, updated_at = now() WHERE id = $1",
                order_id, last, timeout=self._db.timeout_s,
            )  # fmt: skip
            order = await self._order(conn, order_id)
            said = msgspec.structs.replace(noted(reason), failure_code=code)
            step = HistoryStep(f"change {offer.id} failed: {reason}", said)
            await self._history(conn, order, step, actor, [], decline_code)
            return order

    async def _order(self, conn: asyncpg.Connection, order_id: str) -> Order:
        row = await conn.fetchrow(
            f"{SELECT_ORDER} WHERE o.id = $1", order_id, timeout=self._db.timeout_s
        )
        assert row is not None  # orders are never deleted
        return order_from_row(row)

    async def _history(
        self,
        conn: asyncpg.Connection,
        order: Order,
        step: HistoryStep,
        actor: str,
        events: list[Event],
        decline_code: str | None = None,
    ) -> None:
        # A change keeps the status: the history row says so, from and to the same.
        await conn.execute(
            HISTORY_AND_EVENTS,
            order.id, order.status, order.status, order.payment_status, order.payment_status,
            step.reason[:1000], actor, decline_code, details_json(step.details),
            events_json(events),
            timeout=self._db.timeout_s,
        )  # fmt: skip
