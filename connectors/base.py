"""The `Connector` port: what the search engine and the booking core need from an airline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from connectors.change_model import SliceChangeOffer
from connectors.model import (
    ConnectorKind,
    FlightQuery,
    Hold,
    HoldPassenger,
    Offer,
    PricedOffer,
    SliceQuery,
)
from connectors.seat_model import SeatMaps, SeatSelection


@runtime_checkable
class Connector(Protocol):
    """One airline (or consolidator) behind one protocol.

    Every call takes `timeout`: the seconds left of the caller's deadline. A connector never waits
    longer and raises `ConnectorTimeout` instead; when `timeout` is a `kernel.timeouts.Cut` (as the
    resilience layer passes it) the caller cuts the call at that moment itself, and the connector
    need not arm a timer of its own for it. Failures are raised as `connectors.errors`.
    `search` returns offers whose `id` is already the public one (`connectors.offer_ids`).
    """

    name: str
    kind: ConnectorKind

    async def start(self) -> None:
        """Open sessions and learn the route network; called once before the first search."""

    async def close(self) -> None:
        """Release sessions; the connector is not used afterwards."""

    def serves(self, query: FlightQuery) -> bool:
        """Whether the airline flies between the query's airports (cheap, no I/O)."""

    async def search(self, query: FlightQuery, *, timeout: float) -> list[Offer]:
        """Offers for the query; an empty list when the airline has no availability."""

    async def price(self, supplier_offer_id: str, *, timeout: float) -> PricedOffer:
        """Re-price one offer; raises `OfferNotFound`, `OfferExpired` or `SoldOut`."""

    async def hold(
        self,
        supplier_offer_id: str,
        passengers: Sequence[HoldPassenger],
        *,
        reference: str,
        timeout: float,
    ) -> Hold:
        """Hold seats for our order `reference`; the same reference never holds twice."""

    async def retrieve(self, reference: str, *, timeout: float) -> Hold:
        """The hold made for our order `reference`; raises `HoldNotFound`."""

    async def ticket(self, locator: str, *, timeout: float) -> Hold:
        """Issue tickets for a held booking."""

    async def cancel(self, locator: str, *, timeout: float) -> Hold:
        """Release a hold or void a booking; cancelling twice is not an error."""

    async def seat_maps(self, supplier_offer_id: str, *, timeout: float) -> SeatMaps:
        """The seat map of every leg of an offer; raises `OfferNotFound` or `OfferExpired`."""

    async def booking_seat_maps(self, locator: str, *, timeout: float) -> SeatMaps:
        """The seat map of every leg of a held or ticketed booking (its own seats available)."""

    async def select_seats(
        self, locator: str, selections: Sequence[SeatSelection], *, timeout: float
    ) -> tuple[SeatSelection, ...]:
        """Give passengers the seats chosen (all or none); answers every seat the booking holds.

        Raises `SeatUnavailable` for a seat someone else holds, `SeatRestricted` (with its
        `rule`) for a seat the passenger may not take.
        """


@runtime_checkable
class SliceChanger(Protocol):
    """A connector that can change one slice of a held or ticketed booking (the locator stays).

    Raises `ChangeUnsupported` when the airline behind it cannot, `NotChangeable` when the
    booking's fare does not allow it, and the other `connectors.errors` as usual.
    `supports_changes` says it without a call (False: every call raises `ChangeUnsupported`;
    a wrapper such as `ResilientConnector` answers for what it wraps).
    """

    @property
    def supports_changes(self) -> bool: ...

    async def reshop(
        self,
        locator: str,
        slice_index: int,
        query: SliceQuery,
        *,
        max_connections: int,
        timeout: float,
    ) -> list[SliceChangeOffer]:
        """Ways slice `slice_index` could be flown instead, on `query`'s day and route."""

    async def change_slice(
        self,
        locator: str,
        slice_index: int,
        supplier_fare_id: str,
        *,
        reference: str,
        timeout: float,
    ) -> Hold:
        """Swap the slice for the reshopped fare; the same `reference` never changes twice."""

    async def undo_change(self, locator: str, reference: str, *, timeout: float) -> Hold:
        """Put the booking back as it was before change `reference` (the compensation when a
        later step failed); undoing twice is not an error. Raises `ChangeNotFound`."""
