"""Choosing seats on an order after booking (`POST /v1/orders/{id}/seats`).

A held, unpaid order takes seats from its airline's seat map: each service names a segment
(`segment_id` of `GET /v1/seat_maps`), a passenger (`pas_N`, the order's N-th passenger) and a
seat. The airline decides who gets a seat two travelers want at once (its seat desk is atomic):
the loser gets 409 naming the seat. A seat closed to the passenger by a rule (an exit row for a
child or for an adult with an infant) is 422 naming the rule. The seat's price is added to the
order's `total_amount` in the same transaction that records the seat (a changed seat replaces
the old one's price). Not yet: changing seats on a confirmed (paid) order, which would charge the
difference through the payment module — refused with 409 for now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import msgspec

from booking.model import Order
from booking.pg import Database
from booking.service import OrderService
from connectors import errors
from connectors.base import Connector
from connectors.seat_model import SeatFacts, SeatMaps, SeatSelection, segment_id_of
from kernel.auth import Principal
from kernel.errors import Conflict, FieldError, ServiceUnavailable, ValidationFailed
from seats import metrics
from seats.view import forbidding_rule, infant_carriers, passenger_index

CHANGE_CUTOFF = dt.timedelta(hours=24)
# Segment times are local at the airport; judged in UTC, a departure is up to 14 h earlier.
MAX_UTC_OFFSET = dt.timedelta(hours=14)
MAX_SERVICES = 36  # 9 seated passengers on 4 segments


class SeatService(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    type: str
    segment_id: str
    passenger_id: str
    designator: str


class ChooseSeatsRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    services: tuple[SeatService, ...]


class OrderSeat(msgspec.Struct, frozen=True):
    segment_id: str
    passenger_id: str
    designator: str
    total_amount: Decimal
    total_currency: str


class OrderSeats(msgspec.Struct, frozen=True):
    order_id: str
    total_amount: Decimal
    total_currency: str
    seats: tuple[OrderSeat, ...]


def parse_choose_seats(data: dict[str, Any]) -> list[SeatService]:
    """The services of a seat choice; `ValidationFailed` naming every bad field."""
    problems = [FieldError(str(name)[:40], "unknown field") for name in data if name != "services"]
    services = data.get("services")
    if not isinstance(services, list) or not 1 <= len(services) <= MAX_SERVICES:
        problems.append(FieldError("services", f"a list of 1 to {MAX_SERVICES} seat services"))
        raise ValidationFailed(problems)
    found = []
    for i, item in enumerate(services):
        service = _service(f"services[{i}]", item, problems)
        if service is not None:
            found.append(service)
    if problems:
        raise ValidationFailed(problems)
    return found


def _service(field: str, item: object, problems: list[FieldError]) -> SeatService | None:
    if not isinstance(item, dict):
        problems.append(FieldError(field, "an object"))
        return None
    before = len(problems)
    values: dict[str, str] = {}
    for name in ("type", "segment_id", "passenger_id", "designator"):
        value = item.get(name)
        if isinstance(value, str) and 1 <= len(value) <= 200:
            values[name] = value
        else:
            problems.append(FieldError(f"{field}.{name}", "required: a string"))
    problems.extend(
        FieldError(f"{field}.{str(name)[:40]}", "unknown field")
        for name in item
        if name not in _FIELDS
    )
    if values.get("type", "seat") != "seat":
        problems.append(FieldError(f"{field}.type", "must be `seat`"))
    return SeatService(**values) if len(problems) == before else None


_FIELDS = frozenset({"type", "segment_id", "passenger_id", "designator"})


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

    async def seats(self, principal: Principal, order_id: str) -> OrderSeats:
        order = await self._orders.get(principal, order_id)
        return await self._view(order)

    async def choose(
        self, principal: Principal, order_id: str, services: Sequence[SeatService]
    ) -> OrderSeats:
        order = await self._orders.get(principal, order_id)
        self._check_changeable(order)
        connector = self._connectors.get(order.connector)
        if connector is None or order.airline_locator is None:
            raise ServiceUnavailable(f"{order.connector} is not configured")
        selections = self._selections(order, services)
        try:
            maps = await connector.booking_seat_maps(order.airline_locator, timeout=self._timeout_s)
        except errors.SeatMapsUnsupported as exc:
            metrics.choice("refused")
            raise Conflict("this airline sells no seats through Skyfare") from exc
        except errors.ConnectorError as exc:
            raise ServiceUnavailable(f"{order.connector} cannot sell seats now") from exc
        prices = self._priced(order, maps, selections)
        try:
            await connector.select_seats(order.airline_locator, selections, timeout=self._timeout_s)
        except errors.SeatUnavailable as exc:
            metrics.choice("taken")
            named = [s.designator for s in selections if s.designator in str(exc)]
            taken = named or [s.designator for s in selections]
            raise Conflict(f"seat {', '.join(taken)} is taken", seats=taken) from exc
        except errors.SeatRestricted as exc:
            metrics.choice("restricted")
            raise ValidationFailed([FieldError("services", f"{exc.rule}: {exc}")]) from exc
        except errors.SeatMapsUnsupported as exc:
            metrics.choice("refused")
            raise Conflict("this airline sells no seats through Skyfare yet") from exc
        except errors.ConnectorError as exc:
            raise ServiceUnavailable(f"{order.connector} cannot sell seats now") from exc
        await self._record(order, services, selections, prices)
        metrics.choice("chosen")
        return await self._view(await self._orders.get(principal, order_id))

    def _check_changeable(self, order: Order) -> None:
        if order.status != "held" or order.payment_status != "unpaid":
            raise Conflict(
                "seats can be chosen on a held, unpaid order (changing a paid order's seats is "
                "not supported yet)"
            )
        first = order.slices[0].segments[0].departing_at
        now = self._clock().astimezone(dt.UTC).replace(tzinfo=None)
        if first - MAX_UTC_OFFSET - now <= CHANGE_CUTOFF:
            raise Conflict("seats can no longer be changed: the flight leaves within 24 hours")

    def _selections(self, order: Order, services: Sequence[SeatService]) -> list[SeatSelection]:
        legs = [segment_id_of(s) for sl in order.slices for s in sl.segments]
        problems: list[FieldError] = []
        found: list[SeatSelection] = []
        wanted: set[tuple[int, int]] = set()
        for i, service in enumerate(services):
            leg = legs.index(service.segment_id) if service.segment_id in legs else None
            pax = passenger_index(service.passenger_id)
            if leg is None:
                problems.append(
                    FieldError(f"services[{i}].segment_id", "not a segment of the order")
                )
            if pax is None or pax >= len(order.passengers):
                problems.append(
                    FieldError(f"services[{i}].passenger_id", "not a passenger of the order")
                )
            elif order.passengers[pax].type == "infant":
                problems.append(
                    FieldError(f"services[{i}].passenger_id", "an infant sits on a lap")
                )
            if leg is not None and pax is not None:
                if (leg, pax) in wanted:
                    problems.append(
                        FieldError(f"services[{i}]", "a second seat for this passenger")
                    )
                wanted.add((leg, pax))
                found.append(SeatSelection(leg, pax, service.designator.upper()))
        if problems:
            raise ValidationFailed(problems)
        return found

    def _priced(
        self, order: Order, maps: SeatMaps, selections: Sequence[SeatSelection]
    ) -> list[Decimal]:
        types = tuple(p.type for p in order.passengers)
        carriers = infant_carriers(types)
        prices = []
        problems: list[FieldError] = []
        for i, selection in enumerate(selections):
            seat = _seat(maps, selection)
            field = f"services[{i}].designator"
            if seat is None:
                problems.append(FieldError(field, f"{selection.designator}: no such seat"))
                prices.append(Decimal(0))
                continue
            pax = types[selection.passenger]
            rule = forbidding_rule(seat.restrictions, pax, selection.passenger in carriers)
            if rule is not None:
                problems.append(
                    FieldError(field, f"{rule}: {selection.designator} is not for this passenger")
                )
            prices.append(seat.prices.get(pax, Decimal(0)) if pax != "infant" else Decimal(0))
        if problems:
            metrics.choice("restricted")
            raise ValidationFailed(problems)
        return prices

    async def _record(
        self,
        order: Order,
        services: Sequence[SeatService],
        selections: Sequence[SeatSelection],
        prices: Sequence[Decimal],
    ) -> None:
        async with self._db.transaction() as conn:
            delta = Decimal(0)
            for service, selection, price in zip(services, selections, prices, strict=True):
                old = await conn.fetchval(
                    "SELECT amount FROM order_seats WHERE order_id = $1 AND segment_id = $2"
                    " AND passenger_id = $3 FOR UPDATE",
                    order.id,
                    service.segment_id,
                    service.passenger_id,
                )
                delta += price - (old or Decimal(0))
                await conn.execute(
                    "INSERT INTO order_seats (order_id, segment_id, passenger_id, designator,"
                    " amount, currency) VALUES ($1, $2, $3, $4, $5, $6)"
                    " ON CONFLICT (order_id, segment_id, passenger_id) DO UPDATE SET"
                    " designator = EXCLUDED.designator, amount = EXCLUDED.amount,"
                    " updated_at = now()",
                    order.id,
                    service.segment_id,
                    service.passenger_id,
                    selection.designator,
                    price,
                    order.total_currency,
                )
            updated = await conn.execute(
                "UPDATE orders SET total_amount = total_amount + $2, updated_at = now()"
                " WHERE id = $1 AND status = 'held' AND payment_status = 'unpaid'",
                order.id,
                delta,
            )
            if updated != "UPDATE 1":
                raise Conflict(
                    "the order changed meanwhile (paid or cancelled); seats not recorded"
                )

    async def _view(self, order: Order) -> OrderSeats:
        async with self._db.connection() as conn:
            rows = await conn.fetch(
                "SELECT segment_id, passenger_id, designator, amount, currency FROM order_seats"
                " WHERE order_id = $1 ORDER BY segment_id, passenger_id",
                order.id,
            )
        return OrderSeats(
            order_id=order.id,
            total_amount=order.total_amount,
            total_currency=order.total_currency,
            seats=tuple(
                OrderSeat(
                    r["segment_id"], r["passenger_id"], r["designator"], r["amount"], r["currency"]
                )
                for r in rows
            ),
        )


def _seat(maps: SeatMaps, selection: SeatSelection) -> SeatFacts | None:
    if selection.leg >= len(maps.legs):
        return None
    for cabin in maps.legs[selection.leg].cabins:
        for row in cabin.rows:
            for section in row.sections:
                for place in section:
                    if place.seat is not None and place.seat.designator == selection.designator:
                        return place.seat
    return None
