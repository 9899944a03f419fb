"""The booking core's side of the airline boundary: connector calls and their errors as answers.

`connectors.errors` become `kernel.errors` here, in one place: an offer we did not issue → 404;
expired → 410; sold out or a changed price → 409 (with the new price); an airline that cannot be
reached → 503. A hold is different: a refusal is a result (the order fails and the refusal is the
answer), while a timeout means the outcome is unknown — the airline may have held the seats — so
it is `ServiceUnavailable` and the order stays `pending` for a retry or the reconciler.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

import msgspec

from booking.model import Order, Passenger
from booking.ports import PriceChecks
from connectors import errors, offer_ids
from connectors.base import Connector
from connectors.model import Hold, HoldPassenger, Passengers, PricedOffer
from kernel.errors import Conflict, DomainError, Gone, NotFound, ServiceUnavailable
from seats.view import passenger_index

logger = logging.getLogger(__name__)


class PricedFor(msgspec.Struct, frozen=True):
    """An offer re-priced for an order: which connector sells it and when it departs."""

    connector: str
    supplier_offer_id: str
    priced: PricedOffer

    @property
    def passengers(self) -> Passengers:
        return self.priced.passengers

    @property
    def departs_on(self) -> dt.date:
        return self.priced.slices[0].segments[0].departing_at.date()

    @property
    def last_departs_on(self) -> dt.date:
        return self.priced.slices[-1].segments[-1].departing_at.date()


class Airline:
    """Prices, holds and cancels through the connector an offer (or order) names."""

    def __init__(
        self,
        connectors: Mapping[str, Connector],
        *,
        price_timeout_s: float,
        hold_timeout_s: float,
    ) -> None:
        self._connectors = dict(connectors)
        self._price_timeout_s = price_timeout_s
        self._hold_timeout_s = hold_timeout_s
        self.checks: PriceChecks | None = None  # told what each re-pricing found

    def connector(self, name: str) -> Connector | None:
        return self._connectors.get(name)

    async def price(self, offer_id: str) -> PricedFor:
        """Re-price `offer_id`; raises NotFound / Gone / Conflict / ServiceUnavailable."""
        name, connector, supplier_id = offer_ids.issuer(offer_id, self._connectors)
        try:
            priced = await connector.price(supplier_id, timeout=self._price_timeout_s)
        except errors.SupplierRejected as exc:
            await self._checked(offer_id, exc)
            raise refusal(exc, offer_id) from exc
        except errors.ConnectorError as exc:
            raise ServiceUnavailable(
                f"{name} cannot price offers right now ({exc.status})"
            ) from exc
        if self.checks is not None:
            await self.checks.checked(offer_id, "changed" if priced.price_changed else "held")
        if priced.price_changed:
            raise _price_changed(priced.total_amount, priced.total_currency, priced.id)
        return PricedFor(name, supplier_id, priced)

    async def hold(self, order: Order) -> Hold | DomainError:
        """Hold the seats of `order` (reference = its id): the hold, or the airline's refusal
        as the error to answer; raises ServiceUnavailable when the outcome is unknown."""
        name, supplier_id = offer_ids.decode(order.offer_id)
        connector = self._connectors.get(order.connector)
        if connector is None:
            raise ServiceUnavailable(f"connector {order.connector} is not configured")
        passengers = [hold_passenger(p) for p in order.passengers]
        try:
            hold = await connector.hold(
                supplier_id, passengers, reference=order.id, timeout=self._hold_timeout_s
            )
        except errors.SupplierRejected as exc:
            logger.info("order %s: %s refused the hold: %s", order.id, name, exc)
            await self._checked(order.offer_id, exc)
            return refusal(exc, order.offer_id)
        except errors.ConnectorError as exc:
            logger.warning("order %s: hold outcome unknown (%s): %s", order.id, exc.status, exc)
            raise ServiceUnavailable(
                "the airline did not confirm the hold in time; retry with the same "
                "Idempotency-Key to get this order's outcome"
            ) from exc
        if hold.status == "cancelled":  # a resumed order whose hold lapsed at the airline
            return Gone("the seats held for this order were released by the airline")
        if self.checks is not None:
            await self.checks.sold(order.offer_id)
        return hold

    async def cancel(self, order: Order) -> None:
        """Release the order's booking at the airline; cancelling twice is not an error there.

        Raises ServiceUnavailable (nothing changed) or Conflict when the airline refuses.
        """
        connector = self._connectors.get(order.connector)
        if order.airline_locator is None:
            return
        if connector is None:
            raise ServiceUnavailable(f"connector {order.connector} is not configured")
        try:
            await connector.cancel(order.airline_locator, timeout=self._hold_timeout_s)
        except errors.HoldNotFound:
            logger.info("order %s: the airline no longer knows %s", order.id, order.airline_locator)
        except errors.SupplierRejected as exc:
            raise Conflict(f"the airline refused to cancel: {exc}") from exc
        except errors.ConnectorError as exc:
            raise ServiceUnavailable(
                "the airline cannot be reached to cancel; nothing changed, retry shortly"
            ) from exc

    async def _checked(self, offer_id: str, exc: errors.SupplierRejected) -> None:
        """Tell `checks` when the airline's "no" means the offer's price or seats moved."""
        if self.checks is None:
            return
        if isinstance(exc, errors.PriceChanged):
            await self.checks.checked(offer_id, "changed")
        elif isinstance(exc, errors.SoldOut | errors.OfferExpired):
            await self.checks.checked(offer_id, "gone")


def refusal(exc: errors.SupplierRejected, offer_id: str) -> DomainError:
    """The answer for an airline's "no" about an offer."""
    if isinstance(exc, errors.PriceChanged):
        return _price_changed(exc.new_amount, exc.currency, None)
    if isinstance(exc, errors.SoldOut):
        return Conflict("the offer no longer has enough seats for these passengers")
    if isinstance(exc, errors.OfferExpired):
        return Gone(f"offer {offer_id[:80]!r} expired; search again")
    if isinstance(exc, errors.OfferNotFound):
        return NotFound(f"offer {offer_id[:80]!r} is unknown to the airline")
    return Conflict(f"the airline refused the booking: {exc}")


def _price_changed(amount: object, currency: str, new_offer_id: str | None) -> Conflict:
    return Conflict(
        "the offer's price changed; confirm the new price and order again",
        total_amount=str(amount),
        total_currency=currency,
        offer_id=new_offer_id,
    )


def hold_passenger(p: Passenger) -> HoldPassenger:
    """`p` as an airline hold takes it. The infant an adult holds (`infant_passenger_id`,
    `pas_N`) becomes `lap_infant` N-1: the hold lists the passengers as the order does."""
    fields = msgspec.structs.asdict(p)
    infant = fields.pop("infant_passenger_id")
    return HoldPassenger(**fields, lap_infant=None if infant is None else passenger_index(infant))
