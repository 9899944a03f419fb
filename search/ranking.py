"""Merge, dedupe, filter and rank the offers of every connector (pure).

- Dedupe: two offers are the same trip when every segment of every slice has the same marketing
  carrier, flight number, local departure time and cabin. The cheapest of them is kept (a
  consolidator reselling a BA flight below BA's own fare wins; dearer resellers are dropped); on
  equal totals the first connector in the list wins, so results are stable.
- Filters: `airlines` keeps an offer when *every* segment's marketing carrier is listed (a traveler
  asking for BA wants to fly BA flights, whoever sells them; the owner is not considered);
  `max_price` bounds the total; `max_connections` bounds the segments of each slice. Offers in a
  currency other than the requested one are dropped: their totals cannot be compared.
- Sort: price (then duration), duration (sum of the slices' elapsed times, then price), departure
  (first departure, then price); the offer id breaks the remaining ties, then `limit` applies.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from decimal import Decimal

from connectors.model import Offer, parse_iso_duration
from search.model import SearchRequest, SortKey

TripKey = tuple[object, ...]


def trip_key(
    offer: Offer, *, max_segments: int | None = None, airlines: frozenset[str] | None = None
) -> TripKey | None:
    """What makes two offers the same trip, whoever sells it; None when the offer is filtered out.

    Filtered out: a slice with more than `max_segments` segments (or none), a segment marketed by
    a carrier not in `airlines`. One pass over the segments does both, as this runs for every
    offer of every search.
    """
    key: list[object] = []
    for slice_ in offer.slices:
        segments = slice_.segments
        if not segments or (max_segments is not None and len(segments) > max_segments):
            return None
        for s in segments:
            if airlines is not None and s.marketing_carrier not in airlines:
                return None
            key += (s.marketing_carrier, s.flight_number, s.departing_at, s.cabin_class)
    return tuple(key) if key else None


@functools.lru_cache(maxsize=4096)
def _minutes(duration: str) -> int:
    # Few distinct durations recur across thousands of offers: parse each once.
    return parse_iso_duration(duration)


def duration_minutes(offer: Offer) -> int:
    """Elapsed minutes of the whole trip: the sum of its slices' durations."""
    return sum(_minutes(s.duration) for s in offer.slices)


def _by_price(offer: Offer) -> tuple[Decimal, int, str]:
    return offer.total_amount, duration_minutes(offer), offer.id


def _by_duration(offer: Offer) -> tuple[int, Decimal, str]:
    return duration_minutes(offer), offer.total_amount, offer.id


def _by_departure(offer: Offer) -> tuple[dt.datetime, Decimal, str]:
    return offer.slices[0].segments[0].departing_at, offer.total_amount, offer.id


SORT_KEYS: dict[SortKey, Callable[[Offer], tuple[object, ...]]] = {
    "price": _by_price,
    "duration": _by_duration,
    "departure": _by_departure,
}


def rank(offers: Iterable[Offer], request: SearchRequest) -> list[Offer]:
    """The offers to show for `request`: filtered, deduped (cheapest kept), sorted, limited."""
    return rank_counted(offers, request)[0]


def rank_counted(offers: Iterable[Offer], request: SearchRequest) -> tuple[list[Offer], int]:
    """`rank`'s offers, and how many there were before `request.limit` cut them."""
    currency = request.currency
    max_price = request.max_price
    max_segments = request.max_connections + 1
    airlines = frozenset(request.airlines) if request.airlines is not None else None
    cheapest: dict[TripKey, Offer] = {}
    for offer in offers:
        if offer.total_currency != currency:
            continue
        if max_price is not None and offer.total_amount > max_price:
            continue
        key = trip_key(offer, max_segments=max_segments, airlines=airlines)
        if key is None:
            continue
        kept = cheapest.get(key)
        if kept is None or offer.total_amount < kept.total_amount:
            cheapest[key] = offer
    ranked = sorted(cheapest.values(), key=SORT_KEYS[request.sort])
    found = len(ranked)
    del ranked[request.limit :]
    return ranked, found
