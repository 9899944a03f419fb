"""`SeatMapService`: seat maps from the airlines, cached for seconds and single-flighted.

Many travelers open the seat map of one popular offer at once; one call per offer reaches the
airline and the others share its answer. The cache is short (`ttl_s`): seats go fast, and a map
a few seconds old only ever shows a seat free that a choice then finds taken (a 409 naming it).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from functools import partial

import msgspec

from cache.single_flight import SingleFlight
from connectors import errors, offer_ids
from connectors.base import Connector
from connectors.seat_model import SeatMaps
from kernel.errors import Gone, NotFound, ServiceUnavailable
from seats import metrics
from seats.view import shape

_encoder = msgspec.json.Encoder()


class SeatMapService:
    def __init__(
        self,
        connectors: Mapping[str, Connector],
        *,
        ttl_s: float,
        deadline_s: float,
        max_entries: int = 2048,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._connectors = connectors
        self._ttl_s = ttl_s
        self._deadline_s = deadline_s
        self._max_entries = max_entries
        self._clock = clock
        self._cache: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._flights: SingleFlight[bytes] = SingleFlight()
        self.airline_calls = 0  # how many seat map calls reached a connector (tests, metrics)
        metrics.start_seat_maps()  # this process answers seat maps: its series from now on

    async def for_offer(self, offer_id: str) -> tuple[bytes, bool]:
        """The offer's seat maps as JSON, and whether they came from the cache."""
        name, connector, supplier_id = offer_ids.issuer(offer_id, self._connectors)

        async def load() -> SeatMaps:
            return await connector.seat_maps(supplier_id, timeout=self._deadline_s)

        return await self._cached(f"offer:{offer_id}", name, load)

    async def for_booking(
        self, connector_name: str, locator: str, carriers: frozenset[int] | None = None
    ) -> bytes:
        """A booking's seat maps (its own seats shown available to it), as JSON; `carriers`:
        the passengers the order records holding an infant. Never cached: they are the
        traveler's own and change with each of their choices; concurrent asks for one booking
        share one airline call."""
        connector = self._connectors.get(connector_name)
        if connector is None:
            raise ServiceUnavailable(f"{connector_name} is not configured")

        async def load() -> SeatMaps:
            return await connector.booking_seat_maps(locator, timeout=self._deadline_s)

        key = f"booking:{connector_name}:{locator}:{sorted(carriers or ())}"
        fetch = partial(self._fetch, key, connector_name, load, 0, carriers)
        return await self._flights.run(key, fetch)

    async def close(self) -> None:
        await self._flights.close()

    async def _cached(
        self, key: str, name: str, load: Callable[[], Awaitable[SeatMaps]]
    ) -> tuple[bytes, bool]:
        now = self._clock()
        hit = self._cache.get(key)
        if hit is not None and hit[0] > now:
            return hit[1], True

        return await self._flights.run(
            key, partial(self._fetch, key, name, load, self._ttl_s)
        ), False

    async def _fetch(
        self,
        key: str,
        name: str,
        load: Callable[[], Awaitable[SeatMaps]],
        ttl_s: float,
        carriers: frozenset[int] | None = None,
    ) -> bytes:
        self.airline_calls += 1
        try:
            maps = await load()
        except errors.SeatMapsUnsupported:
            maps = SeatMaps(passengers=(), legs=())
        except (errors.OfferNotFound, errors.HoldNotFound, errors.InvalidRequest) as exc:
            raise NotFound(f"{name} knows no such offer or booking") from exc
        except (errors.OfferExpired, errors.SoldOut) as exc:
            raise Gone(f"the offer is no longer available: {exc}") from exc
        except errors.ConnectorError as exc:
            raise ServiceUnavailable(f"{name} cannot show seat maps now ({exc.status})") from exc
        body = _encoder.encode(shape(maps, carriers))
        if ttl_s > 0:
            self._cache[key] = (self._clock() + ttl_s, body)
            self._cache.move_to_end(key)
            while len(self._cache) > self._max_entries:
                self._cache.popitem(last=False)
        return body
