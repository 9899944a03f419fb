"""Seats at the airline: the seat maps and seat choices of the booking core, errors as answers.

`select_at_airline` is the one place a seat choice meets the airline (a new order's seats and
seats chosen later alike): the airline's seat desk is atomic, so two travelers choosing one seat
at once end with exactly one holding it and the other told `409` naming it.

`SeatsAtBooking` is the part of `POST /v1/orders` that handles `services`: before anything is
written, the seats are checked and priced on the offer's seat map (a seat shown taken is a 409
naming it, a seat closed by a rule a 422); after the airline's hold, they are given to the
passengers. When the airline refuses then (someone took the seat in between), the order is not
created: the hold is released and the order fails (never shown), and the 409 is the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal

from booking.airline import PricedFor
from booking.laps import lap_holders
from booking.model import Order, OrderSeat, Passenger, SeatService
from booking.seat_pricing import priced, selections_of
from booking.seat_refusals import NO_SEATS, seat_conflict, taken
from connectors import errors
from connectors.base import Connector
from connectors.seat_model import SeatMaps, SeatSelection
from kernel.errors import Conflict, DomainError, FieldError, ServiceUnavailable, ValidationFailed
from seats import metrics

logger = logging.getLogger(__name__)


async def select_at_airline(
    connector: Connector, locator: str, selections: Sequence[SeatSelection], *, timeout: float
) -> None:
    """Give the passengers of booking `locator` these seats, all or none; raises `Conflict`
    (taken, naming the seats; or seats not sold), `ValidationFailed` (a rule closes the seat)
    or `ServiceUnavailable`."""
    try:
        await connector.select_seats(locator, selections, timeout=timeout)
    except errors.SeatUnavailable as exc:
        metrics.choice("taken")
        named = [s.designator for s in selections if s.designator in str(exc)]
        raise taken(named or [s.designator for s in selections]) from exc
    except errors.SeatRestricted as exc:
        metrics.choice("restricted")
        raise ValidationFailed([FieldError("services", f"{exc.rule}: {exc}")]) from exc
    except errors.SeatMapsUnsupported as exc:
        metrics.choice("refused")
        raise seat_conflict(NO_SEATS, "seats_not_sold") from exc
    except errors.ConnectorError as exc:
        raise ServiceUnavailable(f"{connector.name} cannot sell seats now") from exc


class SeatsAtBooking:
    """The seats of a new order: priced before it is created, held right after its hold."""

    def __init__(self, *, timeout_s: float) -> None:
        self._timeout_s = timeout_s
        metrics.start_choices()  # this process takes seat choices: its series from now on

    async def quote(
        self,
        connector: Connector,
        offer: PricedFor,
        passengers: Sequence[Passenger],
        services: Sequence[SeatService],
    ) -> tuple[OrderSeat, ...]:
        """The seats asked for, priced; raises ValidationFailed / Conflict / ServiceUnavailable
        (nothing is written before this)."""
        types = [p.type for p in passengers]
        selections = selections_of(offer.priced.slices, types, services)
        maps = await self._offer_maps(connector, offer.supplier_offer_id)
        try:
            prices, shown_taken = priced(types, maps, selections, lap_holders(passengers))
        except ValidationFailed:
            metrics.choice("restricted")
            raise
        if shown_taken:
            metrics.choice("taken")
            raise taken(shown_taken)
        currency = offer.priced.total_currency
        return tuple(
            OrderSeat(s.segment_id, s.passenger_id, sel.designator, price, currency)
            for s, sel, price in zip(services, selections, prices, strict=True)
        )

    async def hold(self, connector: Connector, order: Order, locator: str) -> DomainError | None:
        """Give `order`'s passengers their seats in booking `locator` (just held): None, or the
        refusal to answer, the hold released first (nothing half-made stays at the airline; a
        release that fails lapses there by itself). Raises ServiceUnavailable when the airline
        did not answer (the outcome is unknown: a retry selects the same seats again)."""
        if not order.seats:
            return None
        selections = selections_of(
            order.slices,
            [p.type for p in order.passengers],
            [SeatService("seat", s.segment_id, s.passenger_id, s.designator) for s in order.seats],
        )
        try:
            await select_at_airline(connector, locator, selections, timeout=self._timeout_s)
        except (Conflict, ValidationFailed) as exc:
            logger.info("order %s: the airline refused its seats: %s", order.id, exc.detail)
            try:
                await connector.cancel(locator, timeout=self._timeout_s)
            except errors.ConnectorError as failed:
                logger.warning("order %s: hold %s not released: %s", order.id, locator, failed)
            return exc
        metrics.choice("chosen")
        return None

    async def _offer_maps(self, connector: Connector, supplier_offer_id: str) -> SeatMaps:
        try:
            return await connector.seat_maps(supplier_offer_id, timeout=self._timeout_s)
        except errors.SeatMapsUnsupported as exc:
            metrics.choice("refused")
            raise ValidationFailed([FieldError("services", NO_SEATS)]) from exc
        except errors.ConnectorError as exc:
            raise ServiceUnavailable(f"{connector.name} cannot show its seats now") from exc


def seats_total(seats: Sequence[OrderSeat]) -> Decimal:
    return sum((s.total_amount for s in seats), Decimal(0))
