"""`SearchUsage.loaded`: a cold search's events come from the offers and reports its answer was
encoded from, and are the events decoding that answer gives (`answer` without `loaded`)."""

from __future__ import annotations

import datetime as dt

import pytest

from cache.policy import TtlPolicy
from connectors.model import Offer, Passengers, SliceQuery
from kernel.usage import SearchEvent, UsageEvent
from search.caching import to_entry
from search.model import ConnectorReport, SearchRequest
from search.usage import SearchUsage
from tests.fakes import offer, segment
from tests.unit.analytics.test_search_usage import ListSink

REQUEST = SearchRequest(
    slices=(SliceQuery("LHR", "JFK", dt.date(2030, 5, 1)),),
    passengers=Passengers(adults=2),
)
REPORTS = (
    ConnectorReport("rest-a", "ok", 2, 40),
    ConnectorReport("soap-b", "timeout", 0, 800),
    ConnectorReport("ndc-c", "ok", 1, 55),
)


def events(offers: list[Offer], *, loaded: bool) -> list[UsageEvent]:
    sink = ListSink()
    usage = SearchUsage(sink, wall_clock=lambda: 1_800_000_000.5)
    entry, _ = to_entry(offers, REPORTS, request=REQUEST, policy=TtlPolicy(), now=1.8e9)
    if loaded:
        usage.loaded(REQUEST, entry, offers, REPORTS)
    for cache in ("miss", "live", "hit", "stale", "miss"):
        usage.answer(REQUEST, entry, channel="post", cache=cache, took_ms=7)  # type: ignore[arg-type]
    usage.answer(REQUEST, entry, channel="get", cache="hit", took_ms=0, traveler="auth0|ada")
    return sink.events


@pytest.mark.parametrize(
    "amounts",
    [["612.40", "700.00"], ["1E+2"], ["0.10", "3"], []],
    ids=["two", "exponent", "short", "none"],
)
def test_events_of_a_loaded_answer_are_those_of_its_decoded_entry(amounts: list[str]) -> None:
    offers = [offer(a, segment(f"BA{100 + i}")) for i, a in enumerate(amounts)]

    assert events(offers, loaded=True) == events(offers, loaded=False)


def test_a_loaded_answers_miss_names_its_airlines_and_its_hits_none() -> None:
    miss, _live, hit, stale, *_ = events([offer("612.40", segment("BA117"))], loaded=True)

    assert isinstance(miss, SearchEvent)
    assert [(c.name, c.status, c.offers) for c in miss.connectors] == [
        ("rest-a", "ok", 2),
        ("soap-b", "timeout", 0),
        ("ndc-c", "ok", 1),
    ]
    assert (miss.cheapest_amount, miss.currency) == ("612.40", "USD")
    assert isinstance(hit, SearchEvent)
    assert isinstance(stale, SearchEvent)
    assert hit.connectors == stale.connectors == ()
