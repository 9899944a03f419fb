from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import pytest

from connectors import errors, offer_ids
from connectors.seat_model import SeatMaps
from kernel.errors import Gone, NotFound
from seats.service import SeatMapService


class _Airline:
    """Answers seat maps once `release` is set, counting its calls."""

    name = "rest-test"

    def __init__(self, error: Exception | None = None) -> None:
        self.calls = 0
        self.release = asyncio.Event()
        self.called = asyncio.Event()
        self.error = error

    async def seat_maps(self, supplier_offer_id: str, *, timeout: float) -> SeatMaps:
        self.calls += 1
        self.called.set()
        await self.release.wait()
        if self.error is not None:
            raise self.error
        return SeatMaps(passengers=("adult",), legs=())


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _service(airline: _Airline, clock: _Clock) -> SeatMapService:
    connectors: Any = {airline.name: airline}
    return SeatMapService(connectors, ttl_s=5.0, deadline_s=1.0, clock=clock)


async def test_concurrent_asks_share_one_airline_call_then_the_cache_answers() -> None:
    airline, clock = _Airline(), _Clock()
    service = _service(airline, clock)
    offer = offer_ids.encode(airline.name, "fare-1")

    waiting = [asyncio.create_task(service.for_offer(offer)) for _ in range(5)]
    await airline.called.wait()
    await asyncio.sleep(0)  # let every waiting task reach the single flight
    airline.release.set()
    answers = await asyncio.gather(*waiting)

    assert airline.calls == 1
    assert {body for body, _ in answers} == {msgspec.json.encode({"seat_maps": []})}
    assert (await service.for_offer(offer))[1] is True
    clock.now += 6.0
    assert (await service.for_offer(offer))[1] is False
    assert airline.calls == 2


@pytest.mark.parametrize(
    ("error", "raised"),
    [(errors.OfferExpired("gone"), Gone), (errors.OfferNotFound("no"), NotFound)],
)
async def test_airline_refusals_become_problems(error: Exception, raised: type[Exception]) -> None:
    airline = _Airline(error)
    airline.release.set()
    with pytest.raises(raised):
        await _service(airline, _Clock()).for_offer(offer_ids.encode(airline.name, "fare-1"))


async def test_an_airline_without_seat_maps_answers_none_and_unknown_offers_404() -> None:
    airline = _Airline(errors.SeatMapsUnsupported("no maps"))
    airline.release.set()
    service = _service(airline, _Clock())
    body, _ = await service.for_offer(offer_ids.encode(airline.name, "fare-1"))
    assert msgspec.json.decode(body) == {"seat_maps": []}
    with pytest.raises(NotFound):
        await service.for_offer("off_nope")
    with pytest.raises(NotFound):
        await service.for_offer(offer_ids.encode("other", "fare-1"))
