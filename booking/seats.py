"""Choosing seats on an order after booking (`POST /v1/orders/{id}/seats`).

A held or confirmed order takes seats from its airline's seat map while its first flight leaves
more than 24 hours from now (later: 422 naming the rule `change_cutoff_24h`). Each service names
a segment (`segment_id` of `GET /v1/seat_maps`), a passenger (`pas_N`, the order's N-th
passenger) and a seat; the checks are booking/seat_pricing.py's, the airline call
booking/seat_booking.py's (two travelers wanting one seat: one wins, the other gets 409 naming
it).

Money: on a held, unpaid order the seat's price is added to `total_amount` (paid with the
order; a changed seat replaces the old one's price). On a confirmed (paid) order, a change that
costs more than the seats it replaces (a paid seat for a free one, a dearer one) charges the
difference, net over the request, through the payment module (`SeatPayments`, with the card in
`payment`): the answer is 202 and the seats are given once the card is charged (`apply_paid`).
A cheaper or free seat refunds nothing: a seat bought is the traveler's to use or leave, as
airlines sell them. `total_amount` of a paid order stays what its payment charged; seat charges
are their own payments, shown as `seat_charge`.

Every choice is recorded with a history row (worded per seat chosen or replaced:
booking/seat_history.py) and an `order.seats_changed` event (mail and SMS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import asyncpg
import msgspec

from booking.events import EventType, SeatNote, new_event
from booking.history_details import HistoryStep, details_json, noted
from booking.laps import lap_holders
from booking.model import Order, OrderSeat, PaymentMethod, SeatService, is_order_id
from booking.pg import Database
from booking.ports import SeatChargeView, SeatPayments
from booking.rows import HISTORY_AND_EVENTS, SELECT_ORDER, events_json, order_from_row
from booking.seat_booking import select_at_airline
from booking.seat_history import seat_details, seat_notes, seat_reason
from booking.seat_pricing import parse_services, priced, selections_of
from booking.seat_refusals import CHARGE_IN_FLIGHT, NO_SEATS, not_open, seat_conflict, taken
from booking.service import OrderService
from booking.validation import payment_method
from connectors import errors
from connectors.base import Connector
from connectors.seat_model import SeatMaps
from kernel.auth import Principal
from kernel.errors import (
    FieldError,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from seats import metrics
from seats.view import BookingOfOrder

CHANGE_CUTOFF = dt.timedelta(hours=24)
_CHARGE_IN_FLIGHT = (
    "SELECT true FROM seat_charges WHERE order_id = $1 AND status = 'processing' LIMIT 1"
)
CUTOFF_RULE = "change_cutoff_24h"
# Segment times are local at the airport; judged in UTC, a departure is up to 14 h earlier.
MAX_UTC_OFFSET = dt.timedelta(hours=14)


class ChooseSeatsRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    services: tuple[SeatService, ...]
    # A confirmed order's change that costs more: the card to charge the difference to
    payment: PaymentMethod | None = None


class OrderSeats(msgspec.Struct, frozen=True):
    order_id: str
    total_amount: Decimal
    total_currency: str
    seats: tuple[OrderSeat, ...]
    seat_charge: SeatChargeView | None = None  # the latest seat change paid after payment


def parse_choose_seats(data: dict[str, Any]) -> ChooseSeatsRequest:
    """The seat choice of a body; `ValidationFailed` naming every bad field."""
    known = ("services", "payment")
    problems = [FieldError(name, "unknown field") for name in data if name not in known]
    services, bad = parse_services(data.get("services"))
    problems.extend(bad)
    payment = data.get("payment")
    method = None
    if payment is not None:
        method = payment_method(problems, payment)
    if problems:
        raise ValidationFailed(problems)
    return ChooseSeatsRequest(tuple(services), method)


class OrderSeatDesk:
    def __init__(
        self,
        db: Database,
        orders: OrderService,
        connectors: Mapping[str, Connector],
        *,
        timeout_s: float,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._db = db
        self._orders = orders
        self._connectors = connectors
        self._timeout_s = timeout_s
        self._clock = clock
        self.payments: SeatPayments | None = None  # charges on paid orders (payment module)
        metrics.start_choices()  # this process takes seat choices: its series from now on

    async def booking(self, principal: Principal, order_id: str) -> BookingOfOrder:
        """`seats.routes.OrderLookup`: the airline booking of the caller's live order."""
        order = await self._orders.get(principal, order_id)
        if order.status not in ("held", "confirmed") or order.airline_locator is None:
            raise not_open(order, f"the order is {order.status}: the airline holds no seats for it")
        return BookingOfOrder(order.connector, order.airline_locator, lap_holders(order.passengers))

    async def seats(self, principal: Principal, order_id: str) -> OrderSeats:
        # The charge before the order: a charge read `succeeded` committed with its seats, so
        # the order read after it has them (read the other way, the two could disagree).
        charge = None
        if self.payments is not None and is_order_id(order_id):
            charge = await self.payments.latest(order_id)
        order = await self._orders.get(principal, order_id)  # the caller's, or 404
        return OrderSeats(order.id, order.total_amount, order.total_currency, order.seats, charge)

    async def choose(
        self,
        principal: Principal,
        order_id: str,
        request: ChooseSeatsRequest,
        *,
        origin: str | None = None,
    ) -> tuple[OrderSeats, int]:
        """The order's seats after the choice, and 200 (done) or 202 (waiting for the card,
        or for the traveler's bank: `seat_charge.next_action`). `origin`: the scheme and host
        the request came to, where that bank sends the traveler back (`SeatPayments.charge`)."""
        order = await self._orders.own(principal, order_id)
        self._check_changeable(order)
        connector = self._connector(order)
        types = [p.type for p in order.passengers]
        selections = selections_of(order.slices, types, request.services)
        maps = await self._booking_maps(connector, order)
        try:
            prices, shown_taken = priced(types, maps, selections, lap_holders(order.passengers))
        except ValidationFailed:
            metrics.choice("restricted")
            raise
        if shown_taken:  # before any card is charged for a seat the map already shows taken
            metrics.choice("taken")
            raise taken(shown_taken)
        wanted = tuple(
            OrderSeat(s.segment_id, s.passenger_id, sel.designator, price, order.total_currency)
            for s, sel, price in zip(request.services, selections, prices, strict=True)
        )
        _check_not_seated(order, wanted)
        due = _difference(order, wanted)
        if order.status == "confirmed" and due > 0:
            return await self._charge(order, wanted, due, request.payment, origin), 202
        # The order's row stays locked from the check to the record, the airline call between:
        # a payment that started or ended after our read would otherwise leave the seat's price
        # out of what the card charges, or give a priced seat for nothing on the paid order;
        # checked before the airline is asked, a refusal leaves no seat held there either.
        async with self._db.transaction() as conn:
            now = await _locked(conn, order.id, self._db.timeout_s)
            _check_not_seated(now, wanted)
            if not _still_as_priced(order, now, wanted):
                metrics.choice("refused")
                raise seat_conflict(
                    f"the order changed meanwhile (it is {now.status}, payment "
                    f"{now.payment_status}); seats not chosen: look at the order and choose again",
                    "order_changed",
                )
            # A charged seat change lands when its card is charged, over whatever was chosen
            # meanwhile: the traveler would pay for the seat they had just replaced.
            if await conn.fetchval(_CHARGE_IN_FLIGHT, order.id, timeout=self._db.timeout_s):
                metrics.choice("refused")
                raise seat_conflict(CHARGE_IN_FLIGHT, "seat_charge_in_progress")
            await select_at_airline(connector, _locator(order), selections, timeout=self._timeout_s)
            await self._write(conn, order.id, wanted, actor=principal.subject, charged=None)
        metrics.choice("chosen")
        return await self._view(await self._orders.get(principal, order_id)), 200

    async def apply_paid(
        self,
        conn: asyncpg.Connection,
        order_id: str,
        seats: tuple[OrderSeat, ...],
        charged: Decimal,
        *,
        actor: str,
    ) -> None:
        """Give the seats a seat charge paid for, recorded in `conn`'s transaction (the payment
        module's, once the card is charged). Raises `Conflict` (taken, or the order is no
        longer confirmed), `ValidationFailed` (a rule) or `ServiceUnavailable` (ask later)."""
        order = await _locked(conn, order_id, self._db.timeout_s)
        if order.status != "confirmed":
            raise not_open(order, f"the order is {order.status}: its seats cannot change")
        _check_not_seated(order, seats)
        types = [p.type for p in order.passengers]
        asked = [SeatService("seat", s.segment_id, s.passenger_id, s.designator) for s in seats]
        selections = selections_of(order.slices, types, asked)
        connector = self._connector(order)
        await select_at_airline(connector, _locator(order), selections, timeout=self._timeout_s)
        await self._write(conn, order_id, seats, actor=actor, charged=charged)
        metrics.choice("chosen")

    async def _charge(
        self,
        order: Order,
        wanted: tuple[OrderSeat, ...],
        due: Decimal,
        payment: PaymentMethod | None,
        origin: str | None,
    ) -> OrderSeats:
        if self.payments is None:
            metrics.choice("refused")
            raise seat_conflict(
                "paid seat changes need payments, not enabled on this deployment",
                "seat_payments_unavailable",
            )
        if payment is None:
            money = f"{due} {order.total_currency}"
            raise ValidationFailed(
                [FieldError("payment.card_token", f"this change costs {money}: a card to charge")]
            )
        charge = await self.payments.charge(order, wanted, due, payment, origin=origin)
        metrics.choice("charged")
        return msgspec.structs.replace(await self._view(order), seat_charge=charge)

    def _check_changeable(self, order: Order) -> None:
        if not _changeable(order):
            metrics.choice("refused")
            raise not_open(
                order,
                f"seats can be chosen on a held or confirmed order, not one {order.status} "
                f"with payment {order.payment_status}",
            )
        first = order.slices[0].segments[0].departing_at
        now = self._clock().astimezone(dt.UTC).replace(tzinfo=None)
        if first - MAX_UTC_OFFSET - now <= CHANGE_CUTOFF:
            metrics.choice("refused")
            raise ValidationFailed(
                [FieldError("services", f"{CUTOFF_RULE}: the first flight leaves within 24 hours")],
                f"{CUTOFF_RULE}: seats can no longer be changed within 24 hours of departure",
                # The rule as a member of its own: clients word it by the code, not our text.
                rule=CUTOFF_RULE,
            )

    def _connector(self, order: Order) -> Connector:
        connector = self._connectors.get(order.connector)
        if connector is None or order.airline_locator is None:
            raise ServiceUnavailable(f"{order.connector} is not configured")
        return connector

    async def _booking_maps(self, connector: Connector, order: Order) -> SeatMaps:
        try:
            return await connector.booking_seat_maps(_locator(order), timeout=self._timeout_s)
        except errors.SeatMapsUnsupported as exc:
            metrics.choice("refused")
            raise seat_conflict(NO_SEATS, "seats_not_sold") from exc
        except errors.ConnectorError as exc:
            raise ServiceUnavailable(f"{order.connector} cannot sell seats now") from exc

    async def _write(
        self,
        conn: asyncpg.Connection,
        order_id: str,
        seats: Sequence[OrderSeat],
        *,
        actor: str,
        charged: Decimal | None,
    ) -> None:
        """The seats, the unpaid order's new total, a history row and `order.seats_changed`,
        in `conn`'s transaction, while the order is as the change assumed."""
        timeout = self._db.timeout_s
        order = await _locked(conn, order_id, timeout)
        if not _changeable(order):
            raise seat_conflict(
                "the order changed meanwhile (paid or cancelled); seats not recorded",
                "order_changed",
            )
        delta = _difference(order, seats, net=True)
        for seat in seats:
            await conn.execute(
                "INSERT INTO order_seats (order_id, segment_id, passenger_id, designator,"
                " amount, currency) VALUES ($1, $2, $3, $4, $5, $6)"
                " ON CONFLICT (order_id, segment_id, passenger_id) DO UPDATE SET"
                " designator = EXCLUDED.designator, amount = EXCLUDED.amount,"
                " updated_at = now()",
                order_id, seat.segment_id, seat.passenger_id, seat.designator,
                seat.total_amount, seat.total_currency, timeout=timeout,
            )  # fmt: skip
        if order.status == "held" and delta:  # paid with the order: its total says so
            await conn.execute(
                "UPDATE orders SET total_amount = total_amount + $2, updated_at = now()"
                " WHERE id = $1",
                order_id, delta, timeout=timeout,
            )  # fmt: skip
        changed = await _locked(conn, order_id, timeout)
        notes = seat_notes(order, seats)  # the order before: each note names the seat it replaced
        step = HistoryStep(seat_reason(order, seats, notes), seat_details(order, seats, notes))
        await _event(conn, changed, "order.seats_changed", step, actor, charged, notes, timeout)

    async def _view(self, order: Order) -> OrderSeats:
        charge = None if self.payments is None else await self.payments.latest(order.id)
        return OrderSeats(order.id, order.total_amount, order.total_currency, order.seats, charge)


def _changeable(order: Order) -> bool:
    """Held and not being paid (its total is what the payment will charge), or confirmed."""
    if order.status == "held":
        return order.payment_status in ("unpaid", "failed")
    return order.status == "confirmed" and order.payment_status == "paid"


def _check_not_seated(order: Order, seats: Sequence[OrderSeat]) -> None:
    """`Conflict` naming each seat another passenger of the order keeps: the order's own seats
    show available to it, so its map does not tell (a swap in one request moves both)."""
    moved = {(s.segment_id, s.passenger_id) for s in seats}
    kept = {
        (s.segment_id, s.designator)
        for s in order.seats
        if (s.segment_id, s.passenger_id) not in moved
    }
    clash = [s.designator for s in seats if (s.segment_id, s.designator) in kept]
    if clash:
        metrics.choice("taken")
        raise taken(clash)


def _still_as_priced(priced: Order, now: Order, seats: Sequence[OrderSeat]) -> bool:
    """Whether `seats`, priced on the order as `priced`, may be recorded on it as it is `now`
    without a card: the same flights in the same status, a hold not being paid (their price
    joins its total), or a paid order they cost nothing more on."""
    if (now.status, now.slices) != (priced.status, priced.slices) or not _changeable(now):
        return False
    return now.status == "held" or _difference(now, seats) == 0


def _difference(order: Order, seats: Sequence[OrderSeat], *, net: bool = False) -> Decimal:
    """What `seats` cost beyond the seats they replace (net over the request; never below 0
    unless `net`)."""
    held = {(s.segment_id, s.passenger_id): s.total_amount for s in order.seats}
    diff = sum(
        (s.total_amount - held.get((s.segment_id, s.passenger_id), Decimal(0)) for s in seats),
        Decimal(0),
    )
    return diff if net else max(diff, Decimal(0))


def _locator(order: Order) -> str:
    assert order.airline_locator is not None  # checked by _connector
    return order.airline_locator


async def _locked(conn: asyncpg.Connection, order_id: str, timeout: float) -> Order:
    """The order, its row locked in `conn`'s transaction. Read by a statement after the lock's:
    one that waited for the lock sees the row as the holder left it, but its seats only as they
    were when it began."""
    if not is_order_id(order_id) or not await conn.fetchval(
        "SELECT true FROM orders WHERE id = $1 FOR UPDATE", order_id, timeout=timeout
    ):
        raise NotFound(f"no order {order_id[:64]!r}")
    row = await conn.fetchrow(f"{SELECT_ORDER} WHERE o.id = $1", order_id, timeout=timeout)
    assert row is not None  # locked: orders are never deleted
    return order_from_row(row)


async def record_seat_refund(
    conn: asyncpg.Connection, order_id: str, amount: Decimal, why: str, *, timeout: float
) -> None:
    """In `conn`'s transaction: a paid seat change the airline refused once the card was
    charged; its money goes back (history row and `order.seat_change_refunded`)."""
    order = await _locked(conn, order_id, timeout)
    step = HistoryStep(f"seat change refused after payment, refunded: {why}", noted(why))
    await _event(conn, order, "order.seat_change_refunded", step, "payments", amount, (), timeout)


async def _event(
    conn: asyncpg.Connection,
    order: Order,
    type: EventType,
    step: HistoryStep,
    actor: str,
    charged: Decimal | None,
    notes: tuple[SeatNote, ...],
    timeout: float,
) -> None:
    snapshot = msgspec.structs.replace(order.snapshot(), seat_charge_amount=charged)
    event = msgspec.structs.replace(
        new_event(type, snapshot, order.contact(), owner=order.owner), seats=notes
    )
    await conn.execute(
        HISTORY_AND_EVENTS,
        order.id, order.status, order.status, order.payment_status, order.payment_status,
        step.reason[:500], actor, None, details_json(step.details), events_json([event]),
        timeout=timeout,
    )  # fmt: skip
