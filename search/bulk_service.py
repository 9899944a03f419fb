"""`BulkFares`: answers a bulk batch as NDJSON, in request order, as early as each line allows.

Queries are looked up in chunks (one Redis pipeline each), and the lines of a chunk are emitted
before the next chunk is looked up, so a partner reads the first fares while the last are still
being fetched: a first chunk of 10, then chunks of 250 (a few round trips, not one per 100
queries: issue 18's last line). Each chunk's lookup has the index's own timeout, so a Redis
that fails costs the lines of the chunk it failed under (`error`), not the whole rest of the
batch. A Redis that hangs (connected, never answering) costs that timeout twice, not once per
chunk: two timed-out lookups in a row open the index's circuit breaker
(search/fare_index_breaker.py), so the later chunks, and the other batches, answer their lines
`error` at once (`live` mode searches them instead) until a probe after its cool-down finds
Redis answering again (the batch is still a 200: its lines say what failed). An `error` line
is never an answer for a repeat: a query whose lookup failed, or whose live search had ended in
an error, is asked again when a later chunk repeats it (a repeat in the same chunk, or one
taken while its live search still runs, shares that lookup or search). In `live` mode
what is missing is searched concurrently (at most `concurrency` at a time) through
`SearchService.cheapest`, i.e. the fare cache and its single-flight shared with travelers, each
under the default search deadline; lines behind a running search wait for it.

A query repeated in a batch (a partner refreshing its popular routes sends 1000 queries of 100
distinct searches) is validated, looked up, searched and encoded once: its repeats reuse the
line's bytes after the index, and their usage events go as repeats of one pre-encoded event
(kernel/usage.py `HitsEvent`), one per query as before. The events of the lines handed on
(written) are recorded with one call per distinct answer, at the end of the batch or before it
waits for a live search: the first line does not wait for usage work, and a batch the partner
abandoned records only what it was sent. Every line has its event: an `error` line's says
`error` and an `invalid` line's `invalid` (kernel/usage.py `CacheOutcome`), never `miss`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import Counter, deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from operator import itemgetter
from typing import Any, Protocol

from kernel.errors import DomainError
from kernel.usage import CacheOutcome, HitStamp
from search.bulk import (
    BulkLine,
    BulkQuery,
    Envelope,
    QueryKey,
    fare_line,
    index_head,
    line_tail,
    query_key,
    validate_query,
)
from search.caching import names_no_connector
from search.fare_index import CheapestFare, ErrorLog, FareIndexError, IndexSlot
from search.model import ROUTE_NOT_SERVED
from search.service import SearchService

logger = logging.getLogger(__name__)

CHUNK = 100
# The first chunk is small: its lines leave after a few lookups, not a hundred, so a partner
# starts reading at once (issue 18: the first line of 1000 cached queries within 2 ms).
FIRST_CHUNK = 10
# After the first chunk, chunks of 250: a 1000-query batch is 5 round trips and 5 writes (11
# with chunks of 100 cost a quarter more CPU, issue 18), and a Redis stall under one chunk's
# lookup turns at most its 250 lines into `error` (with the rest as one chunk, all but the first
# 10; bench/results/2026-12-04-bulk-chunks.md).
REST_CHUNK = 250
CONCURRENCY = 16
Lookup = Callable[[Sequence[IndexSlot]], Awaitable[list[CheapestFare | None]]]
# A live search of a query: its line (any index) and its usage event (None: usage is off).
LiveSearch = Callable[[BulkQuery], Awaitable[tuple[BulkLine, HitStamp | None]]]
# Whether any airline serves a query's route (no I/O): a miss of one none serves says so.
Serves = Callable[[BulkQuery], bool]


class BulkUsage(Protocol):
    """The usage events of a batch: `stamp` once per distinct answered query (`invalid` for
    one answered `invalid`), `emit` its event `count` times, once per query of the batch (a
    repeated query is one event each time, as analytics counts them), in one call per chunk of
    lines."""

    def stamp(
        self, query: BulkQuery, fare: CheapestFare | None, cache: CacheOutcome
    ) -> HitStamp: ...

    def invalid(self) -> HitStamp: ...

    def emit(self, stamp: HitStamp, count: int) -> None: ...


class _Answer:
    """The answer to one distinct query of a batch, shared by its repeats: its line after the
    index (`line_tail`), once known, and its usage event; or the live search giving both.
    A fare index answer's event is stamped from `said` when its first line is recorded (an
    invalid query's: `said` without a query).
    `failed`: its line is an `error` (the lookup failed, or the live search did), so it answers
    no later repeat."""

    __slots__ = ("event", "failed", "said", "tail", "task")

    def __init__(self, tail: bytes | None = None) -> None:
        self.tail = tail
        self.failed = False
        self.event: HitStamp | None = None
        self.said: tuple[BulkQuery | None, CheapestFare | None, CacheOutcome] | None = None
        self.task: asyncio.Future[tuple[BulkLine, HitStamp | None]] | None = None

    def stamp(self, usage: BulkUsage) -> HitStamp | None:
        if self.said is not None:
            query, fare, cache = self.said
            self.event = usage.invalid() if query is None else usage.stamp(query, fare, cache)
            self.said = None
        return self.event

    def ready(self) -> bool:
        if self.tail is None:
            if self.task is None or not self.task.done():
                return False
            line, self.event = self.task.result()
            self.tail = line_tail(line)
            self.failed = line.status == "error"
        return True

    def reusable(self) -> bool:
        """Whether a later repeat may take this answer: not once its line is an `error`."""
        return not (self.ready() and self.failed)


async def ordered_lines(
    queries: Sequence[Any],
    *,
    today: dt.date,
    now: float,
    max_age_s: float,
    scope: str,
    lookup: Lookup,
    live: LiveSearch | None = None,
    chunk: int = CHUNK,
    usage: BulkUsage | None = None,
    first_chunk: int | None = None,
    keys: Sequence[bytes] | None = None,
    serves: Serves | None = None,
) -> AsyncGenerator[bytes, None]:
    """NDJSON bytes, one line per query in order; each yield is every line ready so far.
    Queries are taken `first_chunk` (default `chunk`) first, then `chunk` at a time; the
    distinct queries of each that the batch has not answered yet are looked up at once.
    `keys`: equal for equal queries (`Envelope.keys`); default `query_key` of each."""
    answers: dict[QueryKey | bytes, _Answer] = {}
    pending: deque[tuple[int, _Answer]] = deque()
    sent: Counter[_Answer] = Counter()  # lines handed on, by answer, their events not recorded
    first = chunk if first_chunk is None else first_chunk
    starts = [0, *range(first, len(queries), chunk)] if queries else []
    try:
        for start in starts:
            end = min(start + (first if start == 0 else chunk), len(queries))
            new = _take(queries, keys, start, end, today, answers, pending)
            if new:
                await _answer(new, now, max_age_s, scope, lookup, live, serves)
            ready = _ready(pending)
            if ready:
                try:
                    yield _joined(ready)
                finally:  # written, or the partner went away at it: recorded either way
                    _count(sent, ready, usage)
        while pending:  # live searches: each line as its search ends
            answer = pending[0][1]
            if not answer.ready():
                _record(sent, usage)  # a search may take seconds: what was sent goes first
                assert answer.task is not None
                await answer.task
                answer.ready()
            ready = [pending.popleft()]
            try:
                yield _joined(ready)
            finally:
                _count(sent, ready, usage)
    finally:
        _record(sent, usage)
        for _, answer in pending:
            if answer.task is not None:
                answer.task.cancel()  # the partner went away; the searches' own flights go on


def _ready(pending: deque[tuple[int, _Answer]]) -> list[tuple[int, _Answer]]:
    """The lines at the head of `pending` whose answer is known, taken off it in order."""
    ready = []
    while pending and pending[0][1].ready():
        ready.append(pending.popleft())
    return ready


def _joined(ready: list[tuple[int, _Answer]]) -> bytes:
    parts: list[bytes] = []
    for index, answer in ready:
        assert answer.tail is not None
        parts += (index_head(index), answer.tail)
    return b"".join(parts)


def _count(
    sent: Counter[_Answer], ready: list[tuple[int, _Answer]], usage: BulkUsage | None
) -> None:
    if usage is not None:
        sent.update(map(itemgetter(1), ready))


def _record(sent: Counter[_Answer], usage: BulkUsage | None) -> None:
    """The usage events of the lines handed on since the last call: one `emit` per distinct
    answer among them, however many chunks they came in (an emit per answer per chunk made
    chunks of 250 cost a fifth more CPU than one chunk: bench/results/2026-12-04-bulk-chunks.md)."""
    if usage is None:
        return
    for answer, count in sent.items():
        stamp = answer.stamp(usage)
        if stamp is not None:
            usage.emit(stamp, count)
    sent.clear()


def _take(
    queries: Sequence[Any],
    keys: Sequence[bytes] | None,
    start: int,
    end: int,
    today: dt.date,
    answers: dict[QueryKey | bytes, _Answer],
    pending: deque[tuple[int, _Answer]],
) -> list[tuple[BulkQuery, _Answer]]:
    """Queue queries `start`…`end` with their answers; the valid ones not seen before (or whose
    earlier answer is an `error`: a partner reads each line on its own and expects it answered
    as well as the index, or a search, can when it comes), which still need one. An invalid
    query's line is known at once."""
    new: list[tuple[BulkQuery, _Answer]] = []
    for i in range(start, end):
        raw = queries[i]
        key = query_key(raw) if keys is None else keys[i]
        answer = None if key is None else answers.get(key)
        # A repeat of a known line that is not an error (nearly every repeat) costs no call.
        if answer is None or ((answer.tail is None or answer.failed) and not answer.reusable()):
            answer = _Answer()
            parsed = validate_query(raw, today)
            if isinstance(parsed, BulkQuery):
                new.append((parsed, answer))
            else:
                answer.tail = line_tail(BulkLine(index=0, status="invalid", errors=parsed))
                answer.said = (None, None, "invalid")  # usage too: the partner sent it
            if key is not None:
                answers[key] = answer
        pending.append((i, answer))
    return new


async def _answer(
    new: list[tuple[BulkQuery, _Answer]],
    now: float,
    max_age_s: float,
    scope: str,
    lookup: Lookup,
    live: LiveSearch | None,
    serves: Serves | None = None,
) -> None:
    failed = False
    try:
        fares = await lookup([q.slot(scope) for q, _ in new])
    except FareIndexError as exc:
        _index_failed(exc)  # every chunk of every batch while Redis is away: logged sparingly
        fares, failed = [None] * len(new), True
    for (query, answer), fare in zip(new, fares, strict=True):
        if fare is not None and fare.usable(now, max_age_s):
            answer.tail = line_tail(fare_line(0, fare))
            answer.said = (query, fare, "hit")
        elif live is not None:
            answer.task = asyncio.ensure_future(live(query))
        else:
            answer.said = (query, None, "error" if failed else "miss")
            if failed:
                answer.tail = line_tail(_UNAVAILABLE)
            elif serves is None or serves(query):
                answer.tail = line_tail(_NOT_CACHED)
            else:
                answer.tail = line_tail(_NOT_SERVED)
            answer.failed = failed


_index_failed = ErrorLog("bulk fares: the fare index did not answer")
_NOT_CACHED = BulkLine(index=0, status="not_cached")
_NOT_SERVED = BulkLine(index=0, status="not_cached", warnings=(ROUTE_NOT_SERVED,))
_UNAVAILABLE = BulkLine(index=0, status="error", detail="the fare index is unavailable")


class BulkFares:
    """The bulk use case over a `SearchService` and its fare index."""

    def __init__(
        self,
        service: SearchService,
        *,
        concurrency: int = CONCURRENCY,
        wall_clock: Callable[[], float] = time.time,
        partner: str | None = None,
    ) -> None:
        self._service = service
        self._partner = partner
        self._slots = asyncio.Semaphore(concurrency)
        self._wall_clock = wall_clock
        self._invalid: HitStamp | None = None

    def lines(self, envelope: Envelope, *, today: dt.date) -> AsyncGenerator[bytes, None]:
        index = self._service.fare_index
        max_age_s = envelope.max_age_s
        return ordered_lines(
            envelope.queries,
            today=today,
            now=self._wall_clock(),
            max_age_s=max_age_s,
            scope=self._service.index_scope,
            lookup=_no_index if index is None else index.lookup,
            live=(lambda q: self._live(q, max_age_s)) if envelope.mode == "live" else None,
            usage=self if self._service.usage.enabled else None,
            chunk=REST_CHUNK,
            first_chunk=FIRST_CHUNK,
            keys=envelope.keys,
            serves=lambda q: self._service.serves(q.search_request()),
        )

    def stamp(self, query: BulkQuery, fare: CheapestFare | None, cache: CacheOutcome) -> HitStamp:
        """`BulkUsage`: a query's event, channel `bulk`, this partner's."""
        return self._service.usage.fare_stamp(
            query.search_request(), fare, channel="bulk", cache=cache, partner=self._partner
        )

    def invalid(self) -> HitStamp:
        """`BulkUsage`: the event of a query answered `invalid`, one for the batch."""
        if self._invalid is None:
            self._invalid = self._service.usage.invalid_stamp(channel="bulk", partner=self._partner)
        return self._invalid

    def emit(self, stamp: HitStamp, count: int) -> None:
        self._service.usage.emit_stamp(stamp, count)

    def _event(
        self, query: BulkQuery, fare: CheapestFare | None, cache: CacheOutcome
    ) -> HitStamp | None:
        """A live search's event (`cache` `error` when its line is one); None without usage."""
        return self.stamp(query, fare, cache) if self._service.usage.enabled else None

    async def _live(self, query: BulkQuery, max_age_s: float) -> tuple[BulkLine, HitStamp | None]:
        async with self._slots:
            try:
                fare, entry = await self._service.cheapest(query.search_request())
                if self._wall_clock() - entry.cached_at > max_age_s:
                    # The fare cache still serves an answer older than the partner accepts.
                    fare, entry = await self._service.cheapest(query.search_request(cache=False))
            except DomainError as exc:
                return _failed(exc.detail), self._event(query, None, "error")
            except Exception:
                logger.exception("bulk fares: a live search failed")
                return _failed("the search failed"), self._event(query, None, "error")
        if fare is not None:
            return fare_line(0, fare), self._event(query, fare, "miss")
        if entry.partial:
            return _failed("no airline answered in time"), self._event(query, None, "error")
        event = self._event(query, None, "miss")
        cached_at = dt.datetime.fromtimestamp(entry.cached_at, dt.UTC)
        warnings = (ROUTE_NOT_SERVED,) if names_no_connector(entry) else ()
        line = BulkLine(index=0, status="ok", offers=0, cached_at=cached_at, warnings=warnings)
        return line, event


def _failed(detail: str) -> BulkLine:
    return BulkLine(index=0, status="error", detail=detail)


async def _no_index(slots: Sequence[IndexSlot]) -> list[CheapestFare | None]:
    return [None] * len(slots)
