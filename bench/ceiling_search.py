"""The `search` layer of the ceiling ablation: Skyfare's own search views, deterministically.

The `plumbing` layer's app (Skyfare's route table, `install_plumbing`, the read-deadline runner)
whose `GET` and `POST /v1/search` are the real `get_search` and `post_search` over a
`SearchService` with an in-memory fare cache holding the answer, and a usage sink that keeps
nothing: what a cached search costs in Skyfare's views (the query memo, the L1 look-up, the
usage event, the response) without the clock-driven background tasks of the whole app, so
callgrind counts it the same run after run (`bench.ceiling_callgrind --layers search`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler

from bench.harness_ceiling import post_body
from bench.usage_memos import DropSink
from cache.memory import InMemoryFareCache
from cache.model import FareEntry
from cache.read_through import ReadThroughCache
from cache.tiered import TieredFareCache
from search import routes
from search.caching import cache_key
from search.service import SearchService
from search.usage import SearchUsage
from search.validation import parse_search_body

SEARCH_PATH = "/v1/search?origin=LHR&destination=JFK&departure_date=%s"
# About the size of the bench's cached answer (~10 kB of offers).
_OFFER = b'{"id":"off_%06d","total_amount":"123.45","total_currency":"USD","owner":"BA"}'
_OFFERS = b"[" + b",".join([_OFFER % i for i in range(120)]) + b"]"


def search_body(departure: str) -> bytes:
    """The POST body of the bench's one-way search, as the ceiling rows send it."""
    return post_body(SEARCH_PATH % departure)


def cached_service(departure: str) -> SearchService:
    """A service without airlines whose L1 holds the answer of the bench's search for a day."""
    fares = ReadThroughCache(TieredFareCache(InMemoryFareCache(100, max_bytes=64 << 20)))
    service = SearchService(
        [], default_deadline_ms=2000, fares=fares, usage=SearchUsage(DropSink())
    )
    request = parse_search_body(search_body(departure), today=dt.datetime.now(dt.UTC).date())
    now = time.time()
    entry = FareEntry(_OFFERS, b"[]", False, 120, now, now + 86_400, now + 2 * 86_400)
    fares.store.l1.put(cache_key(request, service._cache_scope), entry)
    return service


def search_app(routed: Callable[..., web.Application], settings: object) -> web.Application:
    """`routed`: `bench.ceiling_ablation._routed_app` (Skyfare's route table, plumbed)."""
    departure = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    views: dict[str, Handler] = {"GET": routes.get_search, "POST": routes.post_search}
    app = routed(settings, routes.get_search, plumbing=True, views=views)
    app[routes.SEARCH_SERVICE] = cached_service(departure)
    return app
