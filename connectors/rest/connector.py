"""`RestConnector`: the `Connector` port over a REST/JSON airline API."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import msgspec

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
from connectors.rest import changes, mapping, wire
from connectors.rest.client import RestAirlineClient
from connectors.rest.seats import (
    SeatMapsResponse,
    SeatsResponse,
    seats_request,
    to_seat_maps,
    to_selections,
)
from connectors.seat_model import SeatMaps, SeatSelection

logger = logging.getLogger(__name__)

_network = msgspec.json.Decoder(wire.NetworkResponse)
_shopping = msgspec.json.Decoder(wire.ShoppingResponse)
_pricing = msgspec.json.Decoder(wire.PricingResponse)
_booking = msgspec.json.Decoder(wire.BookingResponse)
_seat_maps = msgspec.json.Decoder(SeatMapsResponse)
_seats = msgspec.json.Decoder(SeatsResponse)
_reshop = msgspec.json.Decoder(changes.ReshopResponse)

# Learning the route network happens once at start-up, outside any traveler's deadline.
_START_TIMEOUT_S = 5.0


class RestConnector:
    kind: ConnectorKind = "rest"
    supports_changes = True  # sim/REST_API.md "Changes"

    def __init__(
        self, name: str, base_url: str, *, max_timeout_s: float = 5.0, max_connections: int = 64
    ) -> None:
        self.name = name
        self._client = RestAirlineClient(
            name, base_url, max_timeout_s=max_timeout_s, max_connections=max_connections
        )
        self._owner = Owner(iata_code="", name=name)
        self._airports: frozenset[str] | None = None  # None: not learned yet, ask for everything

    async def start(self) -> None:
        await self._client.open()
        try:
            network = await self._client.call("GET", "/network", _network, timeout=_START_TIMEOUT_S)
        except errors.ConnectorError as exc:
            logger.warning(
                "connector %s: route network unknown, asking for every route: %s", self.name, exc
            )
            return
        self._owner = Owner(iata_code=network.carrier.code, name=network.carrier.name)
        self._airports = frozenset(network.airports)

    async def close(self) -> None:
        await self._client.close()

    def serves(self, query: FlightQuery) -> bool:
        return serves_route(self._airports, query)

    async def search(self, query: FlightQuery, *, timeout: float) -> list[Offer]:
        answer = await self._client.call(
            "POST", "/shopping", _shopping, body=mapping.to_shopping_request(query), timeout=timeout
        )
        return [mapping.to_offer(f, source=self.name, owner=self._owner) for f in answer.fares]

    async def price(self, supplier_offer_id: str, *, timeout: float) -> PricedOffer:
        answer = await self._client.call(
            "POST", "/pricing", _pricing, body={"fare_id": supplier_offer_id}, timeout=timeout
        )
        return mapping.to_priced_offer(answer, source=self.name, owner=self._owner)

    async def hold(
        self,
        supplier_offer_id: str,
        passengers: Sequence[HoldPassenger],
        *,
        reference: str,
        timeout: float,
    ) -> Hold:
        request = mapping.to_booking_request(supplier_offer_id, passengers, reference=reference)
        answer = await self._client.call(
            "POST", "/bookings", _booking, body=request, timeout=timeout
        )
        return mapping.to_hold(answer.booking)

    async def retrieve(self, reference: str, *, timeout: float) -> Hold:
        answer = await self._client.call(
            "GET", "/bookings", _booking, params={"reference": reference}, timeout=timeout
        )
        return mapping.to_hold(answer.booking)

    async def ticket(self, locator: str, *, timeout: float) -> Hold:
        answer = await self._client.call(
            "POST", f"/bookings/{locator}/ticket", _booking, timeout=timeout
        )
        return mapping.to_hold(answer.booking)

    async def cancel(self, locator: str, *, timeout: float) -> Hold:
        answer = await self._client.call(
            "POST", f"/bookings/{locator}/cancel", _booking, timeout=timeout
        )
        return mapping.to_hold(answer.booking)

    async def seat_maps(self, supplier_offer_id: str, *, timeout: float) -> SeatMaps:
        answer = await self._client.call(
            "POST", "/seatmaps", _seat_maps, body={"fare_id": supplier_offer_id}, timeout=timeout
        )
        return to_seat_maps(answer)

    async def booking_seat_maps(self, locator: str, *, timeout: float) -> SeatMaps:
        answer = await self._client.call(
            "GET", f"/bookings/{locator}/seatmaps", _seat_maps, timeout=timeout
        )
        return to_seat_maps(answer)

    async def select_seats(
        self, locator: str, selections: Sequence[SeatSelection], *, timeout: float
    ) -> tuple[SeatSelection, ...]:
        answer = await self._client.call(
            "POST",
            f"/bookings/{locator}/seats",
            _seats,
            body=seats_request(tuple(selections)),
            timeout=timeout,
        )
        return to_selections(answer)

    async def reshop(
        self,
        locator: str,
        slice_index: int,
        query: SliceQuery,
        *,
        max_connections: int,
        timeout: float,
    ) -> list[SliceChangeOffer]:
        body = changes.reshop_request(slice_index, query, max_connections=max_connections)
        answer = await self._client.call(
            "POST", f"/bookings/{locator}/reshop", _reshop, body=body, timeout=timeout
        )
        return changes.to_change_offers(answer)

    async def change_slice(
        self,
        locator: str,
        slice_index: int,
        supplier_fare_id: str,
        *,
        reference: str,
        timeout: float,
    ) -> Hold:
        body = changes.ChangeRequest(slice_index, supplier_fare_id, reference)
        answer = await self._client.call(
            "POST", f"/bookings/{locator}/changes", _booking, body=body, timeout=timeout
        )
        return mapping.to_hold(answer.booking)

    async def undo_change(self, locator: str, reference: str, *, timeout: float) -> Hold:
        answer = await self._client.call(
            "POST", f"/bookings/{locator}/changes/{reference}/undo", _booking, timeout=timeout
        )
        return mapping.to_hold(answer.booking)
