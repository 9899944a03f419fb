"""`NdcConnector`: the `Connector` port over an IATA NDC 21.3 (XML) airline API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from connectors import errors
from connectors.change_model import SliceChangeOffer
from connectors.model import (
    ConnectorKind,
    FlightQuery,
    Hold,
    HoldPassenger,
    Offer,
    Owner,
    PricedOffer,
    SliceQuery,
    serves_route,
)
from connectors.ndc import changes, mapping, messages, seat_orders, seats
from connectors.ndc.client import NdcAirlineClient
from connectors.ndc.shopping_template import air_shopping_bytes
from connectors.seat_model import SeatMaps, SeatSelection

logger = logging.getLogger(__name__)

# Learning the route network happens once at start-up, outside any traveler's deadline.
_START_TIMEOUT_S = 5.0


class NdcConnector:
    """An NDC 21.3 airline: AirShopping, OfferPrice, OrderCreate/Retrieve/Change/Reshop,
    SeatAvailability.

    Ticketing is an OrderChangeRQ paying the order's amount (read first with OrderRetrieve);
    cancelling is 21.3's two steps, OrderReshopRQ (the cancellation quote) then an OrderChangeRQ
    accepting it. Seats are chosen in two steps too: the order's SeatAvailabilityRS (its
    a-la-carte seat offer), then an OrderChangeRQ accepting the items of the seats chosen; a
    journey changes the same way, an OrderReshopRQ's change offers then an OrderChangeRQ
    accepting one (connectors/ndc/changes.py).
    `owner_code` is the airline's IATA designator (`OwnerCode`), learned from its route network
    when not given. `schema_folder` turns on checking every answer against its schema
    (certification runs; too slow for every call). `start()` reads the airline's route
    network (`GET {base}/network`, a `Skyfare_RouteNetworkRS`) so `serves()` answers without
    I/O; if that fails every route is asked for. `hold` sends our order id as a BookingRef, so
    the airline never books it twice.
    """

    kind: ConnectorKind = "ndc"
    supports_changes = True  # OrderReshop / OrderChange (connectors/ndc/changes.py)

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        max_timeout_s: float = 5.0,
        max_connections: int = 64,
        api_key: str | None = None,
        owner_code: str | None = None,
        schema_folder: Path | None = None,
    ) -> None:
        self.name = name
        self._client = NdcAirlineClient(
            name,
            base_url,
            max_timeout_s=max_timeout_s,
            max_connections=max_connections,
            api_key=api_key,
            schema_folder=schema_folder,
        )
        self._owner = Owner(iata_code=owner_code or "", name=name)
        self._airports: frozenset[str] | None = None  # None: not learned yet, ask for everything

    async def start(self) -> None:
        await self._client.open()
        try:
            root = await self._client.call("/network", None, timeout=_START_TIMEOUT_S)
            owner, self._airports = mapping.to_network(root, airline=self.name)
            # A configured owner code stands; the network names the carrier.
            self._owner = Owner(self._owner.iata_code or owner.iata_code, owner.name)
        except errors.ConnectorError as exc:
            logger.warning(
                "connector %s: route network unknown, asking for every route: %s", self.name, exc
            )

    async def close(self) -> None:
        await self._client.close()

    def serves(self, query: FlightQuery) -> bool:
        return serves_route(self._airports, query)

    async def search(self, query: FlightQuery, *, timeout: float) -> list[Offer]:
        body = air_shopping_bytes(query, carrier=self._owner.iata_code or self.name)
        root = await self._client.call("/AirShopping", body, timeout=timeout)
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
        body = messages.order_retrieve(reference, owner_code=self._owner.iata_code)
        root = await self._client.call("/OrderRetrieve", body, timeout=timeout)
        return mapping.to_hold(root, airline=self.name)

    async def ticket(self, locator: str, *, timeout: float) -> Hold:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        owner_code = self._owner.iata_code
        body = messages.order_retrieve_by_id(locator, owner_code=owner_code)
        root = await self._client.call("/OrderRetrieve", body, timeout=timeout)
        order = mapping.to_hold(root, airline=self.name)
        if order.status == "ticketed":
            return order  # paid already: paying twice would be the airline's problem and ours
        body = messages.order_change_issue_tickets(
            locator,
            owner_code=owner_code,
            amount=order.total_amount,
            currency=order.total_currency,
        )
        root = await self._client.call("/OrderChange", body, timeout=deadline - loop.time())
        return mapping.to_hold(root, airline=self.name)

    async def cancel(self, locator: str, *, timeout: float) -> Hold:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        owner_code = self._owner.iata_code
        body = messages.order_reshop_cancel(locator, owner_code=owner_code)
        root = await self._client.call("/OrderReshop", body, timeout=timeout)
        offer_id = mapping.to_cancel_offer(root, airline=self.name)
        body = messages.order_change_accept_cancel(locator, offer_id, owner_code=owner_code)
        root = await self._client.call("/OrderChange", body, timeout=deadline - loop.time())
        return mapping.to_hold(root, airline=self.name)

    async def seat_maps(self, supplier_offer_id: str, *, timeout: float) -> SeatMaps:
        body = seats.offer_seat_availability(supplier_offer_id, owner_code=self._owner.iata_code)
        root = await self._client.call("/SeatAvailability", body, timeout=timeout)
        return seats.to_seat_maps(root, airline=self.name)

    async def booking_seat_maps(self, locator: str, *, timeout: float) -> SeatMaps:
        body = seats.order_seat_availability(locator, owner_code=self._owner.iata_code)
        root = await self._client.call("/SeatAvailability", body, timeout=timeout)
        return seats.to_seat_maps(root, airline=self.name)

    async def select_seats(
        self, locator: str, selections: Sequence[SeatSelection], *, timeout: float
    ) -> tuple[SeatSelection, ...]:
        # 21.3's two steps: the order's seat offer (SeatAvailability), then an OrderChange
        # accepting its items for the seats chosen (connectors/ndc/seat_orders.py).
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        owner_code = self._owner.iata_code
        body = seats.order_seat_availability(locator, owner_code=owner_code)
        root = await self._client.call("/SeatAvailability", body, timeout=timeout)
        offer = seat_orders.seat_offer(root, airline=self.name)
        body = seat_orders.order_change_seats(
            locator, offer, selections, owner_code=owner_code, airline=self.name
        )
        root = await self._client.call("/OrderChange", body, timeout=deadline - loop.time())
        return seat_orders.to_selections(root, offer, airline=self.name)

    async def reshop(
        self,
        locator: str,
        slice_index: int,
        query: SliceQuery,
        *,
        max_connections: int,
        timeout: float,
    ) -> list[SliceChangeOffer]:
        body = changes.order_reshop_change(
            locator,
            slice_index,
            query,
            owner_code=self._owner.iata_code,
            max_connections=max_connections,
        )
        root = await self._client.call("/OrderReshop", body, timeout=timeout)
        return changes.to_change_offers(root, airline=self.name)

    async def change_slice(
        self,
        locator: str,
        slice_index: int,
        supplier_fare_id: str,
        *,
        reference: str,
        timeout: float,
    ) -> Hold:
        # The change offer's id names the journey it replaces: the airline made it so.
        body = changes.order_change_accept(
            locator, supplier_fare_id, reference=reference, owner_code=self._owner.iata_code
        )
        root = await self._client.call("/OrderChange", body, timeout=timeout)
        return mapping.to_hold(root, airline=self.name)

    async def undo_change(self, locator: str, reference: str, *, timeout: float) -> Hold:
        body = changes.order_change_undo(locator, reference, owner_code=self._owner.iata_code)
        root = await self._client.call("/OrderChange", body, timeout=timeout)
        return mapping.to_hold(root, airline=self.name)
