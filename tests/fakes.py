"""Test doubles for our ports, injected where the real adapters would be (no mock.patch).

`FakeConnector` is an in-memory airline implementing `connectors.base.Connector`; `offer()` builds
domain offers for it (and for ranking tests) with one line per interesting field.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

import msgspec

from booking.ports import TravelerDetails
from connectors import errors, offer_ids
from connectors.model import (
    CabinClass,
    Conditions,
    ConnectorKind,
    FlightQuery,
    Hold,
    HoldPassenger,
    Offer,
    Owner,
    Passengers,
    PricedOffer,
    Segment,
    Slice,
    iso_duration,
)

# Search deadlines with fake airlines. Where every airline answers, one no busy machine reaches:
# 150 ms was missed once, on a loaded event loop, by an airline answering at once. Where one hangs
# (`delay=math.inf`), long enough for the others to answer; the test waits it out.
A_DAY_MS = 24 * 3600 * 1000
HUNG_DEADLINE_MS = 1000
# After every test clock (2030-01-01 the latest): a cached answer lives no longer than its offers.
EXPIRES = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)


def segment(
    flight: str = "BA117",
    departing_at: str = "2030-05-01T08:25",
    *,
    origin: str = "LHR",
    destination: str = "JFK",
    minutes: int = 490,
    cabin_class: CabinClass = "economy",
) -> Segment:
    """A segment of flight `flight` (carrier = its first two characters)."""
    departs = dt.datetime.fromisoformat(departing_at)
    return Segment(
        marketing_carrier=flight[:2],
        flight_number=flight,
        origin=origin,
        destination=destination,
        departing_at=departs,
        arriving_at=departs + dt.timedelta(minutes=minutes),
        aircraft="777",
        cabin_class=cabin_class,
    )


def offer(
    price: str = "500.00",
    *segments: Segment | Sequence[Segment],
    source: str = "fake",
    supplier_id: str | None = None,
    currency: str = "USD",
    owner: str = "BA",
    minutes: int | Sequence[int] | None = None,
) -> Offer:
    """An offer at `price` over `segments` (one slice each; a sequence is a multi-segment slice)."""
    slices = []
    given = [s if isinstance(s, Sequence) else (s,) for s in segments] or [(segment(),)]
    durations = [minutes] * len(given) if not isinstance(minutes, Sequence) else list(minutes)
    for legs, mins in zip(given, durations, strict=True):
        elapsed = mins or int((legs[-1].arriving_at - legs[0].departing_at).total_seconds() // 60)
        slices.append(
            Slice(legs[0].origin, legs[-1].destination, iso_duration(elapsed), tuple(legs))
        )
    total = Decimal(price)
    key = supplier_id or f"{source}-{price}-{'-'.join(s.flight_number for s in slices[0].segments)}"
    return Offer(
        id=offer_ids.encode(source, key),
        total_amount=total,
        total_currency=currency,
        base_amount=total - Decimal("50.00"),
        tax_amount=Decimal("50.00"),
        owner=Owner(owner, f"{owner} Airways"),
        source=source,
        expires_at=EXPIRES,
        seats_remaining=4,
        conditions=Conditions(refundable=False, changeable=True),
        slices=tuple(slices),
        passengers=Passengers(),
    )


class FakeConnector:
    """An airline in memory.

    - `offers`: what `search` returns (their `source` should be this connector's name);
    - `delay`: seconds every call takes (`math.inf`: it never answers);
    - `fail_with`: an exception (class or instance) every call raises after `delay`;
    - `serves_airports`: the airports it flies (None: everywhere);
    - `ignore_cancel_s`: how long it keeps running after being cancelled (a misbehaving client).
    Calls are counted per operation in `calls`; `cancelled` counts cancellations it saw.
    """

    def __init__(
        self,
        name: str = "fake",
        *,
        offers: Iterable[Offer] = (),
        delay: float = 0.0,
        fail_with: BaseException | type[BaseException] | None = None,
        serves_airports: Iterable[str] | None = None,
        ignore_cancel_s: float = 0.0,
        kind: ConnectorKind = "rest",
    ) -> None:
        self.name = name
        self.kind: ConnectorKind = kind
        self.offers = list(offers)
        self.delay = delay
        self.fail_with = fail_with
        self.airports = None if serves_airports is None else frozenset(serves_airports)
        self.ignore_cancel_s = ignore_cancel_s
        self.calls: dict[str, int] = {}
        self.cancelled = 0
        self.started = self.closed = False
        self.holds: dict[str, Hold] = {}  # by our reference

    @property
    def search_calls(self) -> int:
        return self.calls.get("search", 0)

    async def start(self) -> None:
        self.started = True

    async def close(self) -> None:
        self.closed = True

    def serves(self, query: FlightQuery) -> bool:
        if self.airports is None:
            return True
        return all(
            s.origin in self.airports and s.destination in self.airports for s in query.slices
        )

    async def search(self, query: FlightQuery, *, timeout: float) -> list[Offer]:
        await self._call("search")
        return list(self.offers)

    async def price(self, supplier_offer_id: str, *, timeout: float) -> PricedOffer:
        await self._call("price")
        found = self._offer(supplier_offer_id)
        return PricedOffer(**msgspec.structs.asdict(found))

    async def hold(
        self,
        supplier_offer_id: str,
        passengers: Sequence[HoldPassenger],
        *,
        reference: str,
        timeout: float,
    ) -> Hold:
        await self._call("hold")
        if reference not in self.holds:
            found = self._offer(supplier_offer_id)
            self.holds[reference] = Hold(
                locator=f"L{len(self.holds):05d}",
                reference=reference,
                status="held",
                total_amount=found.total_amount,
                total_currency=found.total_currency,
                payment_required_by=EXPIRES,
            )
        return self.holds[reference]

    async def retrieve(self, reference: str, *, timeout: float) -> Hold:
        await self._call("retrieve")
        if reference not in self.holds:
            raise errors.HoldNotFound(f"{self.name}: no hold for {reference}")
        return self.holds[reference]

    async def ticket(self, locator: str, *, timeout: float) -> Hold:
        await self._call("ticket")
        return self._set_status(locator, "ticketed")

    async def cancel(self, locator: str, *, timeout: float) -> Hold:
        await self._call("cancel")
        return self._set_status(locator, "cancelled")

    def _offer(self, supplier_offer_id: str) -> Offer:
        for candidate in self.offers:
            if offer_ids.decode(candidate.id)[1] == supplier_offer_id:
                return candidate
        raise errors.OfferNotFound(f"{self.name}: no offer {supplier_offer_id}")

    def _set_status(self, locator: str, status: str) -> Hold:
        for reference, held in self.holds.items():
            if held.locator == locator:
                self.holds[reference] = msgspec.structs.replace(held, status=status)
                return self.holds[reference]
        raise errors.HoldNotFound(f"{self.name}: no booking {locator}")

    async def _call(self, operation: str) -> None:
        self.calls[operation] = self.calls.get(operation, 0) + 1
        try:
            if math.isinf(self.delay):
                await asyncio.Event().wait()
            elif self.delay:
                await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            self.cancelled += 1
            await self._linger()
            raise
        if self.fail_with is not None:
            raise self.fail_with

    async def _linger(self) -> None:
        """Keep running `ignore_cancel_s` after a cancellation, swallowing further ones."""
        loop = asyncio.get_running_loop()
        until = loop.time() + self.ignore_cancel_s
        while (left := until - loop.time()) > 0:
            try:
                await asyncio.sleep(left)
            except asyncio.CancelledError:
                self.cancelled += 1


class FakeSavedTravelers:
    """`booking.ports.SavedTravelers` over a dict: (owner, traveler id) → details.

    `fail_with` makes every lookup raise it (the user service unreachable); `lookups` records
    each (owner, traveler id) asked, so a test can tell a lookup was (not) made.
    """

    def __init__(self, fail_with: BaseException | None = None) -> None:
        self.saved: dict[tuple[str, str], TravelerDetails] = {}
        self.fail_with = fail_with
        self.lookups: list[tuple[str, str]] = []

    def add(self, owner: str, traveler_id: str, **fields: object) -> None:
        details: dict[str, object] = {
            "given_name": "Grace",
            "family_name": "Hopper",
            "born_on": dt.date(1986, 12, 9),
            "gender": "f",
            **fields,
        }
        self.saved[owner, traveler_id] = TravelerDetails(**details)  # type: ignore[arg-type]

    async def traveler(self, owner: str, traveler_id: str) -> TravelerDetails | None:
        self.lookups.append((owner, traveler_id))
        if self.fail_with is not None:
            raise self.fail_with
        return self.saved.get((owner, traveler_id))


class FakeChannelPreferences:
    """`notify.handlers.ChannelPreferences` over a dict: owner → channels (absent: None, defaults).

    `fail_with` makes every lookup raise it; `asked` records the owners looked up.
    """

    def __init__(self, fail_with: BaseException | None = None) -> None:
        self.channels_of: dict[str, frozenset[str]] = {}
        self.fail_with = fail_with
        self.asked: list[str] = []

    async def channels(self, owner: str) -> frozenset[str] | None:
        self.asked.append(owner)
        if self.fail_with is not None:
            raise self.fail_with
        return self.channels_of.get(owner)
