"""`SoapConnector`: the `Connector` port over an OpenTravel 2003/05 SOAP airline."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from connectors import errors
from connectors.change_model import SliceChangeOffer
from connectors.model import (
    ConnectorKind,
    FlightQuery,
    Hold,
    HoldPassenger,
    Offer,
    PricedOffer,
    SliceQuery,
    serves_route,
)
from connectors.seat_model import SeatMaps, SeatSelection
from connectors.soap import booking_replies, changes, mapping, seats, shopping
from connectors.soap.client import SoapAirlineClient

logger = logging.getLogger(__name__)

# Loading the WSDL and the route network happens once at start-up, outside any deadline.
_START_TIMEOUT_S = 5.0


class SoapConnector:
    """Searches, prices and books through OTA messages; the route network comes from the
    airline's `RouteNetwork` operation (described in its WSDL: OTA has no such message)."""

    kind: ConnectorKind = "soap"
    supports_changes = True  # OTA_AirBookModifyRQ (sim/soap/ota.xsd)

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        username: str,
        password: str,
        max_timeout_s: float = 5.0,
        max_connections: int = 64,
    ) -> None:
        self.name = name
        self._client = SoapAirlineClient(
            name,
            base_url,
            username=username,
            password=password,
            max_timeout_s=max_timeout_s,
            max_connections=max_connections,
        )
        self._airports: frozenset[str] | None = None  # None: not learned yet, ask for everything

    async def start(self) -> None:
        await self._client.open()
        try:
            _owner, self._airports = await self._client.call(
                "RouteNetwork",
                {"Version": mapping.VERSION},
                mapping.to_network,
                timeout=_START_TIMEOUT_S,
            )
        except errors.ConnectorError as exc:
            logger.warning(
                "connector %s: route network unknown, asking for every route: %s", self.name, exc
            )

    async def close(self) -> None:
        await self._client.close()

    def serves(self, query: FlightQuery) -> bool:
        return serves_route(self._airports, query)

    async def search(self, query: FlightQuery, *, timeout: float) -> list[Offer]:
        def read(status: int, payload: bytes) -> list[Offer]:
            return shopping.to_offers(status, payload, source=self.name)

        # The biggest answer by far: read with lxml, not zeep (connectors/soap/shopping.py).
        return await self._client.call_raw(
            "LowFareSearch", mapping.search_body(query), read, timeout=timeout
        )

    async def price(self, supplier_offer_id: str, *, timeout: float) -> PricedOffer:
        def read(status: int, payload: bytes) -> PricedOffer:
            return booking_replies.to_priced_offer(status, payload, source=self.name)

        # On every order's path: read with lxml, not zeep (connectors/soap/booking_replies.py).
        return await self._client.call_raw(
            "Price", mapping.price_body(supplier_offer_id), read, timeout=timeout
        )

    async def hold(
        self,
        supplier_offer_id: str,
        passengers: Sequence[HoldPassenger],
        *,
        reference: str,
        timeout: float,
    ) -> Hold:
        def read(status: int, payload: bytes) -> Hold:
            return booking_replies.to_hold(status, payload, airline=self.name)

        body = mapping.book_body(supplier_offer_id, passengers, reference=reference)
        return await self._client.call_raw("Book", body, read, timeout=timeout)

    async def retrieve(self, reference: str, *, timeout: float) -> Hold:
        return await self._client.call(
            "Read", mapping.read_body(reference), mapping.to_hold, timeout=timeout
        )

    async def ticket(self, locator: str, *, timeout: float) -> Hold:
        return await self._client.call(
            "DemandTicket", mapping.ticket_body(locator), mapping.to_hold, timeout=timeout
        )

    async def cancel(self, locator: str, *, timeout: float) -> Hold:
        return await self._client.call(
            "Cancel", mapping.cancel_body(locator), mapping.to_hold, timeout=timeout
        )

    async def seat_maps(self, supplier_offer_id: str, *, timeout: float) -> SeatMaps:
        return await self._seat_maps(seats.seat_map_body(fare_id=supplier_offer_id), timeout)

    async def booking_seat_maps(self, locator: str, *, timeout: float) -> SeatMaps:
        return await self._seat_maps(seats.seat_map_body(locator=locator), timeout)

    async def _seat_maps(self, body: dict[str, object], timeout: float) -> SeatMaps:
        def read(status: int, payload: bytes) -> SeatMaps:
            return seats.to_seat_maps(status, payload, source=self.name)

        # A cabin of seats is a big answer: read with lxml, like shopping.
        return await self._client.call_raw("SeatMap", body, read, timeout=timeout)

    async def select_seats(
        self, locator: str, selections: Sequence[SeatSelection], *, timeout: float
    ) -> tuple[SeatSelection, ...]:
        return await self._client.call(
            "SelectSeats",
            seats.select_seats_body(locator, selections),
            seats.to_selections,
            timeout=timeout,
        )

    async def reshop(
        self,
        locator: str,
        slice_index: int,
        query: SliceQuery,
        *,
        max_connections: int,
        timeout: float,
    ) -> list[SliceChangeOffer]:
        def read(rs: object) -> list[SliceChangeOffer]:
            return changes.to_change_offers(rs, source=self.name)

        body = changes.reshop_body(locator, slice_index, query, max_connections=max_connections)
        return await self._client.call("BookModify", body, read, timeout=timeout)

    async def change_slice(
        self,
        locator: str,
        slice_index: int,
        supplier_fare_id: str,
        *,
        reference: str,
        timeout: float,
    ) -> Hold:
        body = changes.change_body(locator, slice_index, supplier_fare_id, reference)
        return await self._client.call("BookModify", body, mapping.to_hold, timeout=timeout)

    async def undo_change(self, locator: str, reference: str, *, timeout: float) -> Hold:
        body = changes.undo_body(locator, reference)
        return await self._client.call("BookModify", body, mapping.to_hold, timeout=timeout)
