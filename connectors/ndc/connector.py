"""`NdcConnector`: the `Connector` port over an IATA NDC (21.3-style XML) airline API."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from connectors import errors
from connectors.model import (
    ConnectorKind,
    FlightQuery,
    Hold,
    HoldPassenger,
    Offer,
    Owner,
    PricedOffer,
    serves_route,
)
from connectors.ndc import mapping, messages
from connectors.ndc.client import NdcAirlineClient

logger = logging.getLogger(__name__)

# Learning the route network happens once at start-up, outside any traveler's deadline.
_START_TIMEOUT_S = 5.0


class NdcConnector:
    """An NDC airline: AirShopping, OfferPrice, OrderCreate/Retrieve/Change/Cancel.

    `start()` reads the airline's route network (`GET {base}/network`, a
    `Skyfare_RouteNetworkRS`) so `serves()` answers without I/O; if that fails every route is
    asked for. `hold` sends our order id as a BookingRef, so the airline never books it twice.
    """

    kind: ConnectorKind = "ndc"

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        max_timeout_s: float = 5.0,
        max_connections: int = 64,
        api_key: str | None = None,
    ) -> None:
        self.name = name
        self._client = NdcAirlineClient(
            name,
            base_url,
            max_timeout_s=max_timeout_s,
            max_connections=max_connections,
            api_key=api_key,
        )
        self._owner = Owner(iata_code="", name=name)
        self._airports: frozenset[str] | None = None  # None: not learned yet, ask for everything

    async def start(self) -> None:
        await self._client.open()
        try:
            root = await self._client.call("/network", None, timeout=_START_TIMEOUT_S)
            self._owner, self._airports = mapping.to_network(root, airline=self.name)
        except errors.ConnectorError as exc:
            logger.warning(
                "connector %s: route network unknown, asking for every route: %s", self.name, exc
            )

    async def close(self) -> None:
        await self._client.close()

    def serves(self, query: FlightQuery) -> bool:
        return serves_route(self._airports, query)

    async def search(self, query: FlightQuery, *, timeout: float) -> list[Offer]:
        root = await self._client.call(
            "/AirShopping", messages.air_shopping(query), timeout=timeout
        )
        return mapping.to_offers(root, source=self.name, owner=self._owner)

    async def price(self, supplier_offer_id: str, *, timeout: float) -> PricedOffer:
        body = messages.offer_price(supplier_offer_id, owner_code=self._owner.iata_code)
        root = await self._client.call("/OfferPrice", body, timeout=timeout)
        return mapping.to_priced_offer(root, source=self.name, owner=self._owner)

    async def hold(
        self,
        supplier_offer_id: str,
        passengers: Sequence[HoldPassenger],
        *,
        reference: str,
        timeout: float,
    ) -> Hold:
        body = messages.order_create(
            supplier_offer_id, passengers, reference=reference, owner_code=self._owner.iata_code
        )
        root = await self._client.call("/OrderCreate", body, timeout=timeout)
        return mapping.to_hold(root, airline=self.name)

    async def retrieve(self, reference: str, *, timeout: float) -> Hold:
        body = messages.order_retrieve(reference)
        root = await self._client.call("/OrderRetrieve", body, timeout=timeout)
        return mapping.to_hold(root, airline=self.name)

    async def ticket(self, locator: str, *, timeout: float) -> Hold:
        body = messages.order_change_issue_tickets(locator, owner_code=self._owner.iata_code)
        root = await self._client.call("/OrderChange", body, timeout=timeout)
        return mapping.to_hold(root, airline=self.name)

    async def cancel(self, locator: str, *, timeout: float) -> Hold:
        body = messages.order_cancel(locator, owner_code=self._owner.iata_code)
        root = await self._client.call("/OrderCancel", body, timeout=timeout)
        return mapping.to_hold(root, airline=self.name)
