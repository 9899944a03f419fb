"""Ticketing a paid order with its airline, and releasing it when the money goes back.

`connectors.errors` are sorted here into the two answers the payment flow acts on:

- `TicketingRefused` — the airline said no (the hold lapsed or was cancelled, …): ticketing will
  not succeed later, so the payment is refunded (compensation).
- `TicketingUnavailable` — no answer (timeout, outage, open circuit): the outcome is unknown; the
  flow tries again later (the gateway redelivers its webhook, the reconciler looks again). The
  airline's ticketing is idempotent per booking, so a retry never issues tickets twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from booking.model import Order
from connectors import errors
from connectors.base import Connector

logger = logging.getLogger(__name__)


class TicketingRefused(Exception):
    """The airline refused to ticket; the message is safe to show the traveler."""


class TicketingUnavailable(Exception):
    """The airline did not answer; try again later."""


class Ticketing:
    """Tickets and releases orders through the connector each order names."""

    def __init__(self, connectors: Mapping[str, Connector], *, timeout_s: float) -> None:
        self._connectors = dict(connectors)
        self._timeout_s = timeout_s

    async def ticket(self, order: Order) -> tuple[str, ...]:
        """Issue the order's tickets; their numbers."""
        connector = self._connectors.get(order.connector)
        if connector is None:
            raise TicketingUnavailable(f"connector {order.connector} is not configured")
        if order.airline_locator is None:
            raise TicketingRefused("the airline holds no booking for this order")
        try:
            hold = await connector.ticket(order.airline_locator, timeout=self._timeout_s)
        except errors.SupplierRejected as exc:
            raise TicketingRefused(f"the airline refused to issue tickets: {exc}") from exc
        except errors.ConnectorError as exc:
            raise TicketingUnavailable(f"{order.connector}: {exc.status}") from exc
        if hold.status != "ticketed" or not hold.ticket_numbers:
            raise TicketingRefused(f"the airline's booking is {hold.status}, not ticketed")
        return hold.ticket_numbers

    async def release(self, order: Order) -> None:
        """Cancel (void) the order's booking at the airline; best effort, never raises.

        Called when an order that may have been ticketed ends up cancelled: the airline's cancel
        voids tickets too, and cancelling twice is not an error there.
        """
        connector = self._connectors.get(order.connector)
        if connector is None or order.airline_locator is None:
            return
        try:
            await connector.cancel(order.airline_locator, timeout=self._timeout_s)
        except errors.ConnectorError as exc:
            logger.warning(
                "order %s: releasing %s at the airline failed: %s",
                order.id,
                order.airline_locator,
                exc,
            )
