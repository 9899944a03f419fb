"""`BulkFares`: answers a bulk batch as NDJSON, in request order, as early as each line allows.

Queries are looked up in chunks (one Redis pipeline each), and the lines of a chunk are emitted
before the next chunk is looked up, so a partner reads the first fares while the last are still
being fetched. In `live` mode what is missing is searched concurrently (at most `concurrency` at
a time) through `SearchService.cheapest`, i.e. the fare cache and its single-flight shared with
travelers, each under the default search deadline; lines behind a running search wait for it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from typing import Any

from kernel.errors import DomainError
from search.bulk import BulkLine, BulkQuery, Envelope, encode_line, fare_line, validate_query
from search.fare_index import CheapestFare, FareIndexError, IndexSlot
from search.service import SearchService

logger = logging.getLogger(__name__)

CHUNK = 100
# The first chunk is small: its lines leave after a few lookups, not a hundred, so a partner
# starts reading at once (issue 18: the first line of 1000 cached queries within 2 ms).
FIRST_CHUNK = 10
CONCURRENCY = 16
Lookup = Callable[[Sequence[IndexSlot]], Awaitable[list[CheapestFare | None]]]
LiveSearch = Callable[[int, BulkQuery], Awaitable[BulkLine]]
# Told each valid query's cached answer (None: not cached) when no live search follows.
Record = Callable[[BulkQuery, CheapestFare | None], None]
_Pending = BulkLine | asyncio.Task[BulkLine]


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
    record: Record | None = None,
    first_chunk: int | None = None,
) -> AsyncGenerator[bytes, None]:
    """NDJSON bytes, one line per query in order; each yield is every line ready so far.
    Queries are looked up `first_chunk` (default `chunk`) first, then `chunk` at a time."""
    pending: deque[_Pending] = deque()
    first = chunk if first_chunk is None else first_chunk
    starts = [0, *range(first, len(queries), chunk)] if queries else []
    try:
        for start in starts:
            size = first if start == 0 else chunk
            for item in await _chunk(
                queries, start, size, today, now, max_age_s, scope, lookup, live, record
            ):
                pending.append(item)
            ready = []
            while pending and (isinstance(pending[0], BulkLine) or pending[0].done()):
                ready.append(encode_line(_result(pending.popleft())))
            if ready:
                yield b"".join(ready)
        while pending:
            head = pending.popleft()
            yield encode_line(head if isinstance(head, BulkLine) else await head)
    finally:
        for item in pending:
            if not isinstance(item, BulkLine):
                item.cancel()  # the partner went away; the searches' own flights go on


def _result(item: _Pending) -> BulkLine:
    return item if isinstance(item, BulkLine) else item.result()


async def _chunk(
    queries: Sequence[Any],
    start: int,
    size: int,
    today: dt.date,
    now: float,
    max_age_s: float,
    scope: str,
    lookup: Lookup,
    live: LiveSearch | None,
    record: Record | None = None,
) -> list[_Pending]:
    items: list[_Pending | BulkQuery] = []
    valid: list[tuple[int, BulkQuery]] = []
    for i, raw in enumerate(queries[start : start + size], start):
        parsed = validate_query(raw, today)
        if isinstance(parsed, BulkQuery):
            valid.append((i, parsed))
            items.append(parsed)
        else:
            items.append(BulkLine(index=i, status="invalid", errors=parsed))
    failed = False
    try:
        fares = await lookup([q.slot(scope) for _, q in valid])
    except FareIndexError as exc:
        logger.warning("bulk fares: the fare index did not answer: %s", exc)
        fares, failed = [None] * len(valid), True
    answers: dict[int, _Pending] = {}
    for (i, query), fare in zip(valid, fares, strict=True):
        if fare is not None and fare.usable(now, max_age_s):
            answers[i] = fare_line(i, fare)
            if record is not None:
                record(query, fare)
            continue
        if live is not None:
            answers[i] = asyncio.ensure_future(live(i, query))
            continue
        if record is not None:
            record(query, None)
        if failed:
            answers[i] = BulkLine(index=i, status="error", detail="the fare index is unavailable")
        else:
            answers[i] = BulkLine(index=i, status="not_cached")
    return [
        item if isinstance(item, BulkLine) else answers[start + n] for n, item in enumerate(items)
    ]


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
            live=(lambda i, q: self._live(i, q, max_age_s)) if envelope.mode == "live" else None,
            record=self._record if self._service.usage.enabled else None,
            first_chunk=FIRST_CHUNK,
        )

    def _record(self, query: BulkQuery, fare: CheapestFare | None, cache: str = "hit") -> None:
        self._service.usage.fare(
            query.search_request(),
            fare,
            channel="bulk",
            cache="hit" if fare is not None and cache == "hit" else "miss",
            partner=self._partner,
        )

    async def _live(self, index: int, query: BulkQuery, max_age_s: float) -> BulkLine:
        async with self._slots:
            try:
                fare, entry = await self._service.cheapest(query.search_request())
                if self._wall_clock() - entry.cached_at > max_age_s:
                    # The fare cache still serves an answer older than the partner accepts.
                    fare, entry = await self._service.cheapest(query.search_request(cache=False))
            except DomainError as exc:
                return BulkLine(index=index, status="error", detail=exc.detail)
            except Exception:
                logger.exception("bulk fares: live search %d failed", index)
                return BulkLine(index=index, status="error", detail="the search failed")
        if self._service.usage.enabled:
            self._record(query, fare, "miss")
        if fare is not None:
            return fare_line(index, fare)
        if entry.partial:
            return BulkLine(index=index, status="error", detail="no airline answered in time")
        cached_at = dt.datetime.fromtimestamp(entry.cached_at, dt.UTC)
        return BulkLine(index=index, status="ok", offers=0, cached_at=cached_at)


async def _no_index(slots: Sequence[IndexSlot]) -> list[CheapestFare | None]:
    return [None] * len(slots)
