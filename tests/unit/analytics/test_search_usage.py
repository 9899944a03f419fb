"""`SearchUsage`: a cached hit's pre-encoded event is the event the Struct path encodes."""

from __future__ import annotations

import datetime as dt
import weakref
from typing import Literal

import msgspec
import pytest

from analytics.rows import POSITION, TABLES, empty_rows, usage_rows
from cache.model import FareEntry
from connectors.model import Passengers, SliceQuery
from kernel.usage import (
    HitStamp,
    SearchEvent,
    SliceUsage,
    UsageEvent,
    decode_usage,
    encode_usage,
    stamped,
    traveler_hash,
)
from search.model import SearchRequest
from search.usage import SearchUsage


class ListSink:
    def __init__(self) -> None:
        self.events: list[UsageEvent] = []

    def emit(self, event: UsageEvent) -> None:
        self.events.append(event)

    def emit_json(self, data: bytes) -> None:
        self.events.append(decode_usage(data))

    def emit_hit(self, stamp: HitStamp, at: bytes, took_ms: bytes, count: int = 1) -> None:
        self.events += [decode_usage(stamped(stamp, at, took_ms))] * count


REQUEST = SearchRequest(
    slices=(SliceQuery("LHR", "JFK", dt.date(2027, 1, 10)),),
    passengers=Passengers(adults=2, infants=1),
    cabin_class="business",
)
ENTRY = FareEntry(
    offers=b'[{"id":"off_1","total_amount":"918273645.50","total_currency":"GBP"}]',
    connectors=b'[{"name":"rest-a","status":"ok","offers":1,"latency_ms":40}]',
    partial=False,
    offer_count=1,
    cached_at=0.0,
    fresh_until=1e12,
    stale_until=1e12,
)


def test_a_hit_is_stamped_from_a_template_and_decodes_to_the_full_event() -> None:
    now = [1_800_000_000.25]
    sink = ListSink()
    usage = SearchUsage(sink, wall_clock=lambda: now[0])

    usage.answer(REQUEST, ENTRY, channel="get", cache="hit", took_ms=0)
    now[0] = 1_800_000_001.5
    usage.answer(REQUEST, ENTRY, channel="get", cache="hit", took_ms=3)  # from the memo

    expected = SearchEvent(
        at=1_800_000_000.25, channel="get", slices=(SliceUsage("LHR", "JFK", "2027-01-10"),),
        adults=2, infants=1, cabin="business", offers=1, cheapest_amount="918273645.50",
        currency="GBP", took_ms=0, cache="hit",
    )  # fmt: skip
    assert sink.events[0] == expected
    assert sink.events[1] == msgspec.structs.replace(expected, at=1_800_000_001.5, took_ms=3)


def test_a_miss_reports_the_airlines_asked() -> None:
    sink = ListSink()
    usage = SearchUsage(sink, wall_clock=lambda: 1.0)

    usage.answer(REQUEST, ENTRY, channel="post", cache="miss", took_ms=41)

    (event,) = sink.events
    assert isinstance(event, SearchEvent)
    assert (event.channel, event.cache, event.took_ms) == ("post", "miss", 41)
    assert [(c.name, c.status, c.latency_ms) for c in event.connectors] == [("rest-a", "ok", 40)]


def test_a_stale_answer_reports_no_airline_asked() -> None:
    sink = ListSink()
    usage = SearchUsage(sink, wall_clock=lambda: 1.0)

    usage.answer(REQUEST, ENTRY, channel="get", cache="stale", took_ms=2)

    (event,) = sink.events
    assert isinstance(event, SearchEvent)
    assert (event.cache, event.connectors) == ("stale", ())


def test_a_hit_keeps_its_time_to_the_millisecond_and_any_took_ms() -> None:
    now = [1_800_000_000.0004]
    sink = ListSink()
    usage = SearchUsage(sink, wall_clock=lambda: now[0])

    usage.answer(REQUEST, ENTRY, channel="get", cache="hit", took_ms=0)
    now[0] = 1_800_000_000.0006  # the same millisecond: the same time
    usage.answer(REQUEST, ENTRY, channel="post", cache="hit", took_ms=255)
    now[0] = 1_800_000_002.0421
    usage.answer(REQUEST, ENTRY, channel="get", cache="hit", took_ms=1234)

    got = [(e.at, e.channel, e.took_ms) for e in sink.events if isinstance(e, SearchEvent)]
    assert got == [
        (1_800_000_000.0, "get", 0),
        (1_800_000_000.0, "post", 255),
        (1_800_000_002.042, "get", 1234),
    ]


def test_a_signed_in_travelers_hit_carries_the_keyed_hash_of_the_subject_only() -> None:
    sink = ListSink()
    usage = SearchUsage(sink, traveler_key=b"k1", wall_clock=lambda: 1_800_000_000.0)
    other_key = SearchUsage(sink, traveler_key=b"k2", wall_clock=lambda: 1_800_000_000.0)

    usage.answer(REQUEST, ENTRY, channel="get", cache="hit", took_ms=0, traveler="auth0|ada-1")
    usage.answer(REQUEST, ENTRY, channel="get", cache="hit", took_ms=0)  # anonymous: the stamp
    usage.answer(REQUEST, ENTRY, channel="post", cache="hit", took_ms=0, traveler="auth0|ada-1")
    other_key.answer(REQUEST, ENTRY, channel="get", cache="hit", took_ms=0, traveler="auth0|ada-1")

    signed_in, anonymous, again, keyed_otherwise = sink.events
    assert isinstance(signed_in, SearchEvent)
    assert signed_in.traveler_hash == traveler_hash(b"k1", "auth0|ada-1")
    assert signed_in.traveler_hash is not None
    assert len(signed_in.traveler_hash) == 64
    assert "ada" not in msgspec.json.encode(signed_in).decode()
    assert (signed_in.cache, signed_in.connectors) == ("hit", ())  # no airline was asked
    assert anonymous == msgspec.structs.replace(signed_in, traveler_hash=None)
    assert isinstance(again, SearchEvent)
    assert again.traveler_hash == signed_in.traveler_hash  # conversion can be counted
    assert isinstance(keyed_otherwise, SearchEvent)
    assert keyed_otherwise.traveler_hash != signed_in.traveler_hash  # the secret matters


@pytest.mark.parametrize("channel", ["get", "post"])
def test_the_fast_paths_hit_is_the_event_answer_gives_and_follows_a_new_answer(
    channel: Literal["get", "post"],
) -> None:
    sink = ListSink()
    usage = SearchUsage(sink, wall_clock=lambda: 1_800_000_000.5)
    newer = msgspec.structs.replace(ENTRY, offer_count=7)

    usage.answer(REQUEST, ENTRY, channel=channel, cache="hit", took_ms=2)
    usage.fast_hit(REQUEST, ENTRY, 2, channel)
    usage.fast_hit(REQUEST, ENTRY, 2, channel)  # from its memo
    usage.fast_hit(REQUEST, newer, 999, channel)  # the answer was refreshed: a new stamp

    assert sink.events[1] == sink.events[2] == sink.events[0]
    refreshed = sink.events[3]
    assert isinstance(refreshed, SearchEvent)
    assert (refreshed.offers, refreshed.took_ms, refreshed.channel) == (7, 999, channel)


def test_the_fast_paths_of_get_and_post_keep_their_channels_for_one_search() -> None:
    sink = ListSink()
    usage = SearchUsage(sink, wall_clock=lambda: 1_800_000_000.5)

    for channel in ("get", "post", "get", "post"):
        usage.fast_hit(REQUEST, ENTRY, 1, channel)

    assert [e.channel for e in sink.events] == ["get", "post", "get", "post"]  # type: ignore[union-attr]


def test_usage_events_do_not_keep_an_answer_alive_once_the_cache_lets_it_go() -> None:
    """The memos of hit events hold answers weakly: an answer's bytes are most of a worker's
    memory, and an L1 bounded in bytes bounds nothing if the memos keep evicted answers."""
    usage = SearchUsage(ListSink())
    answer = msgspec.structs.replace(ENTRY, cached_at=1.0)
    usage.answer(REQUEST, answer, channel="post", cache="hit", took_ms=1)
    usage.fast_hit(REQUEST, answer, 1)
    usage.answer(REQUEST, answer, channel="get", cache="miss", took_ms=40)
    gone = weakref.ref(answer)
    del answer
    assert gone() is None  # CPython frees it at once: no memo refers to it


def test_a_new_answer_at_an_evicted_answers_address_is_stamped_afresh() -> None:
    sink = ListSink()
    usage = SearchUsage(sink, wall_clock=lambda: 1_800_000_000.0)
    for amount in ("10.00", "20.00"):  # the second may reuse the first one's id: not its event
        offers = b'[{"id":"off_1","total_amount":"%s","total_currency":"GBP"}]' % amount.encode()
        usage.fast_hit(REQUEST, msgspec.structs.replace(ENTRY, offers=offers), 1)
    assert [e.cheapest_amount for e in sink.events] == ["10.00", "20.00"]  # type: ignore[union-attr]


def test_a_calendar_event_carries_its_currency_and_one_published_without_it_still_decodes() -> None:
    sink = ListSink()
    usage = SearchUsage(sink, wall_clock=lambda: 1_800_000_000.0)
    usage.calendar(
        "LHR", "JFK", "2027-01-01", cabin="economy", adults=1, days=12, partner=None,
        currency="GBP",
    )  # fmt: skip
    [event] = sink.events
    assert isinstance(event, SearchEvent)
    assert (event.channel, event.currency, event.cheapest_amount) == ("calendar", "GBP", None)

    # As published before calendars recorded their currency (still in the stream on a deploy).
    older = (
        b'{"type":"search","version":2,"at":1800000000.0,"channel":"calendar","partner":null,'
        b'"slices":[["LHR","JFK","2027-01-01"]],"adults":1,"cabin":"economy","offers":12,'
        b'"took_ms":0,"cache":"hit"}'
    )
    assert decode_usage(older) == msgspec.structs.replace(event, currency=None)

    # Loaded into analytics' `searches.currency`, the column every search's currency goes to.
    rows = empty_rows()
    usage_rows("skyfare:usage", "1800000000000-0", encode_usage(event), rows)
    [row] = rows["searches"]
    columns = [*POSITION, *(name for name, _ in TABLES["searches"])]
    assert dict(zip(columns, row, strict=True))["currency"] == "GBP"
