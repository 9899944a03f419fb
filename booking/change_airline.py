"""The booking core's side of an airline's flight changes: `SliceChanger` calls, their errors as
answers (one place, as booking/airline.py does for holds and cancels).

A connector that cannot change → 422 `change-unsupported` naming the airline; a fare the airline
will not change → 422 `fare-not-changeable`; an airline that cannot be reached → 503; any other
refusal (sold out, the fare's price moved, the booking cancelled) → 409.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from booking.model import Order
from connectors import errors
from connectors.base import Connector, SliceChanger
from connectors.change_model import SliceChangeOffer
from connectors.model import Hold, SliceQuery
from kernel.errors import ChangeUnsupported, Conflict, NotChangeable, ServiceUnavailable

logger = logging.getLogger(__name__)


class ChangeAirline:
    def __init__(self, connectors: Mapping[str, Connector], *, timeout_s: float) -> None:
        self._connectors = dict(connectors)
        self._timeout_s = timeout_s

    def changer(self, order: Order) -> SliceChanger:
        """The order's connector as a `SliceChanger`; `ChangeUnsupported` when it is none."""
        connector = self._connectors.get(order.connector)
        if connector is None:
            raise ServiceUnavailable(f"connector {order.connector} is not configured")
        if not isinstance(connector, SliceChanger) or not connector.supports_changes:
            raise _unsupported(order)
        if order.airline_locator is None:
            raise Conflict("the airline has not confirmed this order's booking yet")
        return connector

    async def reshop(
        self, order: Order, slice_index: int, query: SliceQuery
    ) -> list[SliceChangeOffer]:
        changer = self.changer(order)
        assert order.airline_locator is not None
        try:
            return await changer.reshop(
                order.airline_locator,
                slice_index,
                query,
                max_connections=1,
                timeout=self._timeout_s,
            )
        except errors.ConnectorError as exc:
            raise _answer(order, exc, "search for changes") from exc

    async def change(self, order: Order, slice_index: int, fare_id: str, reference: str) -> Hold:
        """Swap the slice (idempotent by `reference`). A `SupplierRejected` means nothing
        changed at the airline; `ServiceUnavailable` means the outcome is unknown."""
        changer = self.changer(order)
        assert order.airline_locator is not None
        try:
            return await changer.change_slice(
                order.airline_locator,
                slice_index,
                fare_id,
                reference=reference,
                timeout=self._timeout_s,
            )
        except errors.ConnectorError as exc:
            raise _answer(order, exc, "change the flights") from exc

    async def undo(self, order: Order, reference: str) -> None:
        """Put the old flights back; a change the airline never made is nothing to undo."""
        changer = self.changer(order)
        assert order.airline_locator is not None
        try:
            await changer.undo_change(order.airline_locator, reference, timeout=self._timeout_s)
        except errors.ChangeNotFound:
            logger.info("order %s: change %s was never made at the airline", order.id, reference)
        except errors.ConnectorError as exc:
            raise _answer(order, exc, "undo the change") from exc


def _unsupported(order: Order) -> ChangeUnsupported:
    return ChangeUnsupported(
        f"the airline of this order ({order.connector}) does not support changes through "
        "Skyfare; contact support to change it",
        airline=order.connector,
    )


def _answer(order: Order, exc: errors.ConnectorError, doing: str) -> Exception:
    if isinstance(exc, errors.ChangeUnsupported):
        return _unsupported(order)
    if isinstance(exc, errors.NotChangeable):
        return NotChangeable(f"the airline says this fare does not allow changes: {exc}")
    if isinstance(exc, errors.SupplierRejected):
        return Conflict(f"the airline refused to {doing}: {exc}")
    return ServiceUnavailable(f"the airline cannot {doing} right now ({exc}); retry shortly")
