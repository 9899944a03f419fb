"""What a search's usage event says (kernel/usage.py), worked out from the search, its offers,
its answer or its fare: pure functions, no clock, sink or memo (those are `SearchUsage`'s,
search/usage.py, which decides when each is worked out and keeps the results).

A cached hit's event is pre-encoded once as a `HitStamp` (`stamp_of`), the JSON around its `at`
and `took_ms`, which the hit path fills per hit (kernel/usage.py `stamped`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec

from cache.model import FareEntry
from connectors.model import Offer
from kernel.usage import (
    CacheOutcome,
    Channel,
    ConnectorUsage,
    HitStamp,
    SearchEvent,
    SliceUsage,
    encode_usage,
)
from search.fare_index import CheapestFare
from search.model import ConnectorReport, SearchRequest

# A hit's event as the bytes before `at`, between `at` and `took_ms`, and after `took_ms`; the
# marks are values no event carries, found once in the template's encoding.
_AT_MARK = 1234567.890625
_TOOK_MARK = 918273645
_AT_BYTES = b'"at":' + encode_usage(_AT_MARK)
_TOOK_BYTES = b'"took_ms":' + encode_usage(_TOOK_MARK)
_reports = msgspec.json.Decoder(tuple[ConnectorReport, ...])


def stamp_of(event: SearchEvent) -> HitStamp:
    """`event` encoded around its `at` and `took_ms` (kernel/usage.py `stamped`)."""
    encoded = encode_usage(msgspec.structs.replace(event, at=_AT_MARK, took_ms=_TOOK_MARK))
    head, rest = encoded.split(_AT_BYTES, 1)
    middle, tail = rest.split(_TOOK_BYTES, 1)
    return (head + b'"at":', middle + b'"took_ms":', tail)


def connector_usage(reports: Iterable[ConnectorReport]) -> tuple[ConnectorUsage, ...]:
    return tuple(ConnectorUsage(r.name, r.status, r.offers, r.latency_ms) for r in reports)


def entry_connectors(entry: FareEntry) -> tuple[ConnectorUsage, ...]:
    """The airlines of a stored answer, decoded from it (when nothing kept them at hand)."""
    return connector_usage(_reports.decode(entry.connectors))


def lead_price(offers: Sequence[Offer]) -> tuple[str | None, str | None]:
    """The first offer's total and currency: what `cheapest_of` reads back from the answer
    encoded from these (ranked) offers."""
    first = offers[0] if offers else None
    amount = None if first is None else str(first.total_amount)
    currency = None if first is None else first.total_currency
    return amount, currency


def _cheapest(offers: Sequence[Offer]) -> tuple[str | None, str | None]:
    if not offers:
        return None, None
    best = min(offers, key=lambda o: o.total_amount)
    return str(best.total_amount), best.total_currency


def search_event(
    request: SearchRequest,
    *,
    at: float,
    channel: Channel,
    cache: CacheOutcome,
    took_ms: int,
    offers: int,
    partner: str | None = None,
) -> SearchEvent:
    """The event of `request` as the search asked (slices, passengers, cabin), nothing found."""
    passengers = request.passengers
    return SearchEvent(
        at=at,
        channel=channel,
        partner=partner,
        slices=tuple(
            SliceUsage(s.origin, s.destination, s.departure_date.isoformat())
            for s in request.slices
        ),
        adults=passengers.adults,
        children=passengers.children,
        infants=passengers.infants,
        cabin=request.cabin_class,
        offers=offers,
        took_ms=took_ms,
        cache=cache,
    )


def answer_template(
    request: SearchRequest,
    entry: FareEntry,
    *,
    at: float,
    amount: str | None,
    currency: str | None,
    connectors: tuple[ConnectorUsage, ...],
) -> SearchEvent:
    """The template of the events of searches answered with `entry` (a hit on channel `get`;
    each event replaces what differs)."""
    event = search_event(
        request, at=at, channel="get", cache="hit", took_ms=0, offers=entry.offer_count
    )
    return msgspec.structs.replace(
        event, cheapest_amount=amount, currency=currency, connectors=connectors
    )


def live_event(
    request: SearchRequest,
    offers: Sequence[Offer],
    reports: Iterable[ConnectorReport],
    *,
    at: float,
    channel: Channel,
    took_ms: int,
    traveler_hash: str | None,
) -> SearchEvent:
    """The event of a search that asked the airlines and was not cached (a streamed one)."""
    amount, currency = _cheapest(offers)
    event = search_event(
        request, at=at, channel=channel, cache="live", took_ms=took_ms, offers=len(offers)
    )
    return msgspec.structs.replace(
        event,
        cheapest_amount=amount,
        currency=currency,
        connectors=connector_usage(reports),
        traveler_hash=traveler_hash,
    )


def fare_event(
    request: SearchRequest,
    fare: CheapestFare | None,
    *,
    at: float,
    channel: Channel,
    cache: CacheOutcome,
    partner: str | None,
) -> SearchEvent:
    """The event of a partner's bulk query answered with `fare` (None: no offer), `took_ms` 0."""
    event = search_event(
        request,
        at=at,
        channel=channel,
        cache=cache,
        took_ms=0,
        offers=0 if fare is None else fare.offers,
        partner=partner,
    )
    if fare is None:
        return event
    return msgspec.structs.replace(event, cheapest_amount=str(fare.amount), currency=fare.currency)
