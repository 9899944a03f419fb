"""`SearchUsage`'s memos follow the answers alive (the L1's), not the search objects asked with."""

from __future__ import annotations

import weakref

import msgspec

from kernel.usage import HitStamp, UsageEvent, decode_usage, encode_usage, stamped
from search.model import SearchRequest
from search.usage import SearchUsage
from tests.unit.analytics.test_search_usage import ENTRY, REQUEST, ListSink


class BytesSink:
    """The bytes each event is published as."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def emit(self, event: UsageEvent) -> None:
        self.sent.append(encode_usage(event))

    def emit_json(self, data: bytes) -> None:
        self.sent.append(data)

    def emit_hit(self, stamp: HitStamp, at: bytes, took_ms: bytes, count: int = 1) -> None:
        self.sent += [stamped(stamp, at, took_ms)] * count


def _fresh_request() -> SearchRequest:
    # What each signed-in, missed or stale search does: validate into a new object.
    return msgspec.structs.replace(REQUEST)


def test_an_answers_memo_entries_go_when_the_answer_is_freed() -> None:
    usage = SearchUsage(ListSink())
    answer = msgspec.structs.replace(ENTRY, cached_at=2.0)
    usage.answer(REQUEST, answer, channel="get", cache="miss", took_ms=40)
    usage.answer(REQUEST, answer, channel="get", cache="hit", took_ms=1)
    usage.fast_hit(REQUEST, answer, 1, "post")
    assert usage.memo_entries == 3  # the template, the GET stamp, the POST stamp

    gone = weakref.ref(answer)
    del answer

    assert gone() is None
    assert usage.memo_entries == 0


def test_a_fresh_search_object_per_request_adds_no_memo_entry() -> None:
    sink = ListSink()
    usage = SearchUsage(sink, wall_clock=lambda: 1_800_000_000.5)
    answer = msgspec.structs.replace(ENTRY, cached_at=3.0)
    for _ in range(500):
        usage.answer(_fresh_request(), answer, channel="get", cache="hit", took_ms=1)
        usage.answer(_fresh_request(), answer, channel="get", cache="stale", took_ms=1)
        usage.answer(
            _fresh_request(), answer, channel="post", cache="hit", took_ms=1, traveler="auth0|ada"
        )
        usage.fast_hit(_fresh_request(), answer, 1)

    assert usage.memo_entries == 2  # the answer's template and its GET stamp
    del answer
    assert usage.memo_entries == 0
    # Every event of a hit is the one a single search object gives.
    once = ListSink()
    SearchUsage(once, wall_clock=lambda: 1_800_000_000.5).answer(
        REQUEST, ENTRY, channel="get", cache="hit", took_ms=1
    )
    assert {encode_usage(e) for e in sink.events[::4]} == {encode_usage(once.events[0])}
    assert {encode_usage(e) for e in sink.events[3::4]} == {encode_usage(once.events[0])}


def test_a_stamp_made_per_answer_is_byte_for_byte_the_struct_paths_event() -> None:
    sink = BytesSink()
    usage = SearchUsage(sink, wall_clock=lambda: 1_800_000_000.125)
    usage.answer(REQUEST, ENTRY, channel="post", cache="miss", took_ms=7)
    usage.answer(_fresh_request(), ENTRY, channel="post", cache="hit", took_ms=7)
    usage.fast_hit(_fresh_request(), ENTRY, 7, "post")

    full = msgspec.structs.replace(decode_usage(sink.sent[0]), cache="hit", connectors=())
    assert sink.sent[1] == sink.sent[2] == encode_usage(full)
