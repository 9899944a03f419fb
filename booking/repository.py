"""`OrderRepository`: orders in PostgreSQL, every change with its history row and its events.

- `create` inserts a `pending` order, its passengers, its history row, its `order.created` outbox
  event and the idempotency key's `resource_id` in ONE statement (so one atomic unit, one round
  trip); a taken booking reference is retried with a fresh one. With a traveler's limits
  (booking/limits.py), the same one statement first takes a per-owner lock and counts the
  owner's open holds under it, and inserts only if the order fits. Given a `NewKey`, the same
  statement claims the key too (its recovery point set), after the limits: a limited order or a
  key another request claimed first writes nothing (`LimitReached`, `KeyTaken`).
- `transition` is the only way an order changes: a guarded
  `UPDATE orders ... WHERE id = $1 AND status = ANY($2) [AND payment_status = ANY($3)]` that, in
  the same transaction, writes the history row, the change's outbox events and (optionally) the
  idempotency answer. A change whose guard fails writes nothing and returns None: the caller lost
  a race and re-reads. Given the order as read (`expected`) and the row still at that version,
  it is all one statement (booking/known_transition.py).
- PostgreSQL being unreachable surfaces as `ServiceUnavailable` (booking/pg.py), nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

import asyncpg
import msgspec

from booking import metrics, state
from booking.create_sql import (
    CREATE_ORDER,
    CREATE_ORDER_CLAIMING,
    CREATE_ORDER_LIMITED,
    CREATE_ORDER_LIMITED_CLAIMING,
    lock_keys,
)
from booking.events import OrderSnapshot, encode_event, new_event
from booking.history_details import details_json
from booking.idempotency import Completion, KeyTaken, NewKey
from booking.known_transition import transition_known
from booking.limits import (
    Flight,
    HeldTotals,
    OpenHold,
    OrderLimits,
    check_totals,
    flights_of,
    seats_of,
)
from booking.model import NewOrder, Order, contact_of, route_of
from booking.order_lists import list_statement
from booking.pagination import EVERY_ORDER, OrderFilter
from booking.pg import BoundDatabase, Database
from booking.references import ReferenceCollision, new_booking_reference, with_retries
from booking.rows import (
    HISTORY_AND_EVENTS,
    HISTORY_EVENTS_AND_ANSWER,
    SELECT_ORDER,
    TRANSITION,
    HistoryRow,
    created_order,
    events_json,
    order_from_row,
    passengers_json,
    seat_columns,
    terms_columns,
    transition_args,
)
from booking.state import Change
from connectors.model import Slice
from kernel.cursors import Position
from kernel.errors import LimitReached

T = TypeVar("T")

_encoder = msgspec.json.Encoder()
_slices = msgspec.json.Decoder(tuple[Slice, ...])

# Work that must commit or roll back with an order's change (e.g. owing the refund of an order
# just cancelled): called inside the transition's transaction with the changed order.
InTransaction = Callable[[asyncpg.Connection, Order], Awaitable[None]]


class OrderRepository(Protocol):
    """Where orders live. Every method may raise `ServiceUnavailable`."""

    async def create(
        self,
        order: NewOrder,
        *,
        actor: str,
        idempotency_key: str | None = None,
        limits: OrderLimits | None = None,
        claim: NewKey | None = None,
    ) -> Order:
        """Insert `order` as `pending` (+ history, `order.created`, the key's resource_id);
        with `limits`, `LimitReached` (nothing written) unless it fits beside the owner's open
        holds, checked race-free against concurrent creates of the same owner. `claim`: the
        key (instead of `idempotency_key`, one claimed before) is claimed in the same statement
        once the order fits; `KeyTaken` (nothing written) if another request holds it."""

    async def transition(
        self,
        order_id: str,
        change: Change,
        *,
        actor: str,
        completion: Completion | None = None,
        also: InTransaction | None = None,
        expected: Order | None = None,
    ) -> Order | None:
        """Apply `change` if its guard holds: the changed order, or None (nothing written).
        `also` runs in the same transaction; what it raises rolls the change back. `expected`:
        the order as the caller read it, which lets an unchanged row take one round trip."""

    async def get(self, order_id: str) -> Order | None: ...

    async def get_with(
        self, order_id: str, also: Callable[[asyncpg.Connection, Order], Awaitable[T]]
    ) -> tuple[Order, T] | None:
        """`get`, and what `also` reads of the order found on the same connection (one pool
        lease: its acquire and reset cost more than the read on an order's GET)."""

    async def list_orders(
        self,
        *,
        owner: str | None,
        limit: int,
        after: Position | None = None,
        only: OrderFilter = EVERY_ORDER,
    ) -> list[Order]:
        """Visible orders that pass `only`, newest first, after `after` (a position: the order
        there need not pass `only`); `owner` None lists everyone's."""

    async def list_with(
        self,
        also: Callable[[asyncpg.Connection, list[Order]], Awaitable[T]],
        *,
        owner: str | None,
        limit: int,
        after: Position | None = None,
        only: OrderFilter = EVERY_ORDER,
    ) -> tuple[list[Order], T]:
        """`list_orders`, and what `also` reads of the orders listed on the same connection
        (one pool lease, as `get_with`)."""

    async def history(self, order_id: str) -> list[HistoryRow]: ...


class PgOrderRepository:
    """`OrderRepository` on asyncpg (tables of booking/sql/0100_orders.sql)."""

    def __init__(
        self, db: Database, *, draw_reference: Callable[[], str] = new_booking_reference
    ) -> None:
        self._db = db
        self._draw_reference = draw_reference

    async def create(
        self,
        order: NewOrder,
        *,
        actor: str,
        idempotency_key: str | None = None,
        limits: OrderLimits | None = None,
        claim: NewKey | None = None,
    ) -> Order:
        if claim is not None:
            assert idempotency_key is None, "a key claimed before, or claimed here: not both"
            assert claim.owner == order.owner, (claim, order.owner)
            idempotency_key = claim.key
        statement = _CREATE[limits is not None, claim is not None]
        created = new_event(
            "order.created",
            _pending_snapshot(order),
            contact_of(order.passengers),
            owner=order.owner,
        )

        async def insert(reference: str) -> Order:
            snapshot = msgspec.structs.replace(created.order, booking_reference=reference)
            event = msgspec.structs.replace(created, order=snapshot)
            # One statement, its own transaction: with limits, it also takes the owner's lock,
            # counts their open holds under it and inserts only if the order fits.
            gate = () if limits is None else _gate_args(order, limits)
            keyed = () if claim is None else claim.claim_args()
            async with self._db.connection() as conn:
                try:
                    row = await conn.fetchrow(
                        statement,
                        order.id, order.owner, reference, order.type, order.offer_id,
                        order.connector, order.total_amount, order.total_currency,
                        _encoder.encode(order.slices).decode(),
                        passengers_json(order.passengers),
                        actor, event.id, encode_event(event).decode(), idempotency_key,
                        *terms_columns(order.terms), *seat_columns(order.seats), *gate, *keyed,
                        timeout=self._db.timeout_s,
                    )  # fmt: skip
                except asyncpg.UniqueViolationError as exc:
                    if exc.constraint_name == "orders_booking_reference_key":
                        raise ReferenceCollision(reference) from exc
                    raise
            if row is None or (row["id"] is None and row["fits"]):
                assert claim is not None, f"{order.id}: inserted nothing, yet it fits: {row}"
                raise KeyTaken(claim.key)
            if limits is not None:
                _refuse_unless_inserted(row, order, limits)
            metrics.transition("pending", "unpaid")
            return created_order(order, reference, row)

        return await with_retries(insert, draw=self._draw_reference)

    async def transition(
        self,
        order_id: str,
        change: Change,
        *,
        actor: str,
        completion: Completion | None = None,
        also: InTransaction | None = None,
        expected: Order | None = None,
    ) -> Order | None:
        state.check(change)
        timeout = self._db.timeout_s
        # Inside a caller's transaction the row may have changed since `expected` under that
        # transaction's own id (same `xmin`): only a change in a transaction of its own.
        if expected is not None and also is None and not isinstance(self._db, BoundDatabase):
            async with self._db.connection() as conn:
                done = await transition_known(
                    conn, expected, change, actor=actor, completion=completion, timeout=timeout
                )
            if done is not None:
                metrics.transition(change.to_status, change.to_payment)
                return done
        async with self._db.transaction() as conn:
            row = await conn.fetchrow(
                TRANSITION,
                *transition_args(order_id, change),
                change.decline_code,
                timeout=timeout,
            )
            if row is None:
                return None
            order = order_from_row(row)
            snapshot = state.told(order.snapshot(), change)
            events = [
                new_event(t, snapshot, order.contact(), owner=order.owner)
                for t in state.events_of(change)
            ]
            args = (
                order_id, row["from_status"], order.status, row["from_payment_status"],
                order.payment_status, change.reason, actor, change.decline_code,
                details_json(change.details), events_json(events),
            )  # fmt: skip
            if completion is None:
                await conn.execute(HISTORY_AND_EVENTS, *args, timeout=timeout)
            else:  # the answer in the same statement: one round trip less (issue 18)
                response = completion.render(order)
                await conn.execute(
                    HISTORY_EVENTS_AND_ANSWER,
                    *args, completion.owner, completion.key, response.status, response.body,
                    timeout=timeout,
                )  # fmt: skip
            if also is not None:
                await also(conn, order)
        metrics.transition(change.to_status, change.to_payment)
        return order

    async def get(self, order_id: str) -> Order | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                f"{SELECT_ORDER} WHERE o.id = $1", order_id, timeout=self._db.timeout_s
            )
        return None if row is None else order_from_row(row)

    async def get_with(
        self, order_id: str, also: Callable[[asyncpg.Connection, Order], Awaitable[T]]
    ) -> tuple[Order, T] | None:
        async with self._db.connection() as conn:
            row = await conn.fetchrow(
                f"{SELECT_ORDER} WHERE o.id = $1", order_id, timeout=self._db.timeout_s
            )
            if row is None:
                return None
            order = order_from_row(row)
            return order, await also(conn, order)

    async def list_orders(
        self,
        *,
        owner: str | None,
        limit: int,
        after: Position | None = None,
        only: OrderFilter = EVERY_ORDER,
    ) -> list[Order]:
        orders, _ = await self.list_with(_nothing, owner=owner, limit=limit, after=after, only=only)
        return orders

    async def list_with(
        self,
        also: Callable[[asyncpg.Connection, list[Order]], Awaitable[T]],
        *,
        owner: str | None,
        limit: int,
        after: Position | None = None,
        only: OrderFilter = EVERY_ORDER,
    ) -> tuple[list[Order], T]:
        # `only.statuses` are visible ones (booking/pagination.py): never pending or failed.
        statement, arguments = list_statement(owner=owner, limit=limit, after=after, only=only)
        async with self._db.connection() as conn:
            rows = await conn.fetch(statement, *arguments, timeout=self._db.timeout_s)
            orders = [order_from_row(row) for row in rows]
            return orders, await also(conn, orders)

    async def history(self, order_id: str) -> list[HistoryRow]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                "SELECT from_status, to_status, from_payment_status, to_payment_status, reason,"
                " actor, at, code, decline_code, details FROM order_history"
                " WHERE order_id = $1 ORDER BY id",
                order_id,
                timeout=self._db.timeout_s,
            )
        return [HistoryRow(**dict(row)) for row in rows]

    async def pending_since(self, before: dt.datetime, *, limit: int) -> list[Order]:
        """`pending` orders created before `before`, oldest first (the reconciler's work)."""
        return await self._where(
            "o.status = 'pending' AND o.created_at < $1 ORDER BY o.created_at", before, limit
        )

    async def held_due(self, now: dt.datetime, *, limit: int) -> list[Order]:
        """`held` orders whose `payment_required_by` has passed (the hold sweeper's work)."""
        return await self._where(
            "o.status = 'held' AND o.payment_required_by <= $1 ORDER BY o.payment_required_by",
            now,
            limit,
        )

    async def _where(self, condition: str, value: object, limit: int) -> list[Order]:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                f"{SELECT_ORDER} WHERE {condition} LIMIT $2", value, limit,
                timeout=self._db.timeout_s,
            )  # fmt: skip
        return [order_from_row(row) for row in rows]


async def _nothing(conn: asyncpg.Connection, orders: list[Order]) -> None:
    """`list_with`'s `also` for a bare list: reads nothing more."""


# By (limits given, key claimed in the statement).
_CREATE = {
    (False, False): CREATE_ORDER,
    (True, False): CREATE_ORDER_LIMITED,
    (False, True): CREATE_ORDER_CLAIMING,
    (True, True): CREATE_ORDER_LIMITED_CLAIMING,
}


def _gate_args(order: NewOrder, limits: OrderLimits) -> tuple[object, ...]:
    """`CREATE_ORDER_LIMITED`'s $22–$29: the owner's lock, the order's flights (NULLs for none:
    cheaper to bind than empty arrays), the caps."""
    flights = _counted_flights(order, limits)
    return (
        *lock_keys(order.owner),
        [number for number, _ in flights] if flights else None,
        [day.isoformat() for _, day in flights] if flights else None,
        limits.max_open_holds,
        limits.max_held_seats,
        limits.max_held_seats_per_flight,
        seats_of(order.passengers),
    )


def _counted_flights(order: NewOrder, limits: OrderLimits) -> list[Flight]:
    """The order's flights whose held seats must be counted: none when no per-flight cap applies
    or the seat cap implies it (seats on one flight never exceed the seats held in all), which
    spares PostgreSQL reading every open hold's slices."""
    per_flight, seats = limits.max_held_seats_per_flight, limits.max_held_seats
    if not per_flight or (seats and per_flight >= seats):
        return []
    return sorted(flights_of(order.slices))


def _refuse_unless_inserted(row: asyncpg.Record, order: NewOrder, limits: OrderLimits) -> None:
    """`LimitReached` naming the cap when the limited create inserted nothing (from the counts
    it returns: the same rules, `check_totals`, in Python)."""
    if row["id"] is not None:
        return
    flights = _counted_flights(order, limits)
    on_flights = dict(zip(flights, row["on_flights"], strict=True))
    held = HeldTotals(row["open_holds"], row["held_seats"], on_flights)
    try:
        check_totals(limits, held, OpenHold(frozenset(flights), seats_of(order.passengers)))
    except LimitReached as exc:
        metrics.limit_reached(exc.limit)
        raise
    raise RuntimeError(f"the limited create of {order.id} inserted nothing, yet it fits: {held}")


def _pending_snapshot(order: NewOrder) -> OrderSnapshot:
    # The reference is filled in per insert attempt (a collision draws another).
    return OrderSnapshot(
        id=order.id,
        booking_reference="",
        status="pending",
        payment_status="unpaid",
        total_amount=order.total_amount,
        total_currency=order.total_currency,
        type=order.type,
        route=route_of(order.slices),
    )
