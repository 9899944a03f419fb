"""Search routes: thin views over `SearchService` (docs/api.md "Search")."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from contextlib import aclosing
from typing import Any

import msgspec
from aiohttp import web
from multidict import CIMultiDict, istr

from connectors.model import AIRPORT_CODE_SCHEMA, CABIN_CLASSES, PricedOffer
from kernel.accept import prefers_media_type
from kernel.auth import signed_in_subject
from kernel.http import prepare_stream, read_json_body
from kernel.openapi import Operation, Parameter
from search import airports
from search.body_schema import SearchRequestBody
from search.model import (
    CURRENCIES,
    LIMIT_MAX,
    MAX_CONNECTIONS,
    MAX_SEATED,
    SORT_KEYS,
    ConnectorsResponse,
    SearchRequest,
    SearchResponse,
)
from search.service import SearchService
from search.validation import known_airports, parse_search_body, parse_search_query

SEARCH_SERVICE = web.AppKey("search_service", SearchService)
NDJSON = "application/x-ndjson"
# The search routes' names: the `route` label of their metrics (skyfare/metrics.py).
GET_ROUTE = "search_get"
POST_ROUTE = "search"

_encoder = msgspec.json.Encoder()
# The headers of each cached answer, built once: copying a CIMultiDict is cheaper than building
# one from a dict and a content type on every request.
_HEADERS = {
    state: CIMultiDict({"Content-Type": "application/json", "X-Cache": x_cache})
    for state, x_cache in (("hit", "HIT"), ("miss", "MISS"), ("stale", "STALE"))
}
HIT_HEADERS = _HEADERS["hit"]  # the fast paths': no dict look-up per request
_EPOCH = dt.date(1970, 1, 1)
# Looked up in every search's headers: an `istr` is found without folding its case each time.
_AUTHORIZATION = istr("Authorization")
_ACCEPT = istr("Accept")


def utc_day() -> int:
    """Today in UTC, as days since 1970 (the day a validated query is remembered for)."""
    # Unix time has no leap seconds: each UTC day is exactly 86,400 of its seconds.
    return int(time.time() // 86_400)


def _today(day: int | None = None) -> dt.date:
    # The airlines sell from today in UTC; "in the past" is judged the same way.
    return _EPOCH + dt.timedelta(days=utc_day() if day is None else day)


def _json(payload: object) -> web.Response:
    return web.Response(body=_encoder.encode(payload), content_type="application/json")


async def post_search(request: web.Request) -> web.StreamResponse:
    raw = await read_json_body(request)
    service = request.app[SEARCH_SERVICE]  # see get_search
    day = utc_day()
    traveler = None  # for usage events only: the search is public
    if _AUTHORIZATION in request.headers:
        traveler = await signed_in_subject(request)
    accept = request.headers.get(_ACCEPT, "")
    # The substring first: the parse runs only for a client that names the stream at all, in
    # any case (media types are case-insensitive, RFC 9110 8.3.1).
    names_stream = NDJSON in accept or "x-ndjson" in accept.lower()
    if names_stream and prefers_media_type(accept, NDJSON):
        # Streamed searches bypass the fare cache: their point is each airline's offers as it
        # answers, which a cached answer (already merged and ranked) no longer has.
        search = parse_search_body(raw, today=_today(day))
        return await _stream(request, service, search, traveler)
    # As for GET: an anonymous body validated before today whose answer is a fresh L1 hit is
    # answered from it, without decoding, validating or hashing it again.
    if traveler is None:
        body = service.cached_query_body(raw, day, channel="post")
        if body is not None:
            return web.Response(body=body, headers=HIT_HEADERS)
    search = parse_search_body(raw, today=_today(day))
    body, state = await service.search_body(
        search, raw_query=raw, day=day, channel="post", traveler=traveler
    )
    return web.Response(body=body, headers=_HEADERS[state])


async def get_search(request: web.Request) -> web.Response:
    # `add_routes` puts the route on the root app, which holds the service: `request.app` is
    # that app, and cheaper than `config_dict` (a ChainMap proxy built per request).
    service = request.app[SEARCH_SERVICE]
    # A query string seen before (validated today) whose answer is a fresh L1 hit is answered
    # straight from it: the same bytes the full path below gives, minus its parsing and hashing.
    raw_query = request.rel_url.raw_query_string
    day = utc_day()
    # A signed-in traveler's search takes the full path: its usage event names the traveler
    # (hashed), which the fast path's pre-encoded event cannot.
    traveler = None
    if _AUTHORIZATION in request.headers:
        traveler = await signed_in_subject(request)
    if traveler is None:
        body = service.cached_query_body(raw_query, day)
        if body is not None:
            return web.Response(body=body, headers=HIT_HEADERS)
    search = parse_search_query(request.query.items(), today=_today(day))
    body, state = await service.search_body(
        search, raw_query=raw_query, day=day, channel="get", traveler=traveler
    )
    return web.Response(body=body, headers=_HEADERS[state])


async def _stream(
    request: web.Request, service: SearchService, search: SearchRequest, traveler: str | None
) -> web.StreamResponse:
    lines = service.stream(search, traveler=traveler)
    async with aclosing(lines):
        # The first line is awaited before the headers go out, so a search that no airline could
        # be asked still answers 503 as a problem document rather than as a broken stream.
        first = await anext(lines)
        response = web.StreamResponse(headers={"Content-Type": NDJSON, "Cache-Control": "no-store"})
        await prepare_stream(request, response)
        await response.write(first)
        async for line in lines:
            await response.write(line)  # each line reaches the socket as its connector answers
    await response.write_eof()
    return response


async def get_offer(request: web.Request) -> web.Response:
    offer = await request.config_dict[SEARCH_SERVICE].get_offer(request.match_info["offer_id"])
    return _json(offer)


async def get_connectors(request: web.Request) -> web.Response:
    statuses = request.config_dict[SEARCH_SERVICE].connector_statuses()
    return _json(ConnectorsResponse(connectors=tuple(statuses)))


async def get_airports(request: web.Request) -> web.Response:
    q, limit = airports.parse_airport_query(request.query.items())
    return _json(airports.AirportsResponse(airports=airports.match_airports(q, limit)))


def add_routes(router: web.UrlDispatcher) -> None:
    # Load the airport table (~50 ms) while the app is built, not in the first traveler's search.
    known_airports()
    # GET first: the router tries the resources of one path in registration order, and the
    # cached GET is the hot one (POST then pays the one extra, failed method match).
    router.add_get("/v1/search", get_search, name=GET_ROUTE, allow_head=False)
    router.add_post("/v1/search", post_search, name=POST_ROUTE)
    router.add_get("/v1/offers/{offer_id}", get_offer, name="offer", allow_head=False)
    router.add_get("/v1/connectors", get_connectors, name="connectors", allow_head=False)
    router.add_get("/v1/airports", get_airports, name="airports", allow_head=False)


def _query(
    name: str, description: str, schema: Mapping[str, object], *, required: bool = False
) -> Parameter:
    return Parameter(name, "query", description, required, dict(schema))


def _integer(low: int, high: int | None, default: int) -> dict[str, object]:
    schema: dict[str, object] = {"type": "integer", "minimum": low, "default": default}
    if high is not None:
        schema["maximum"] = high
    return schema


_CODE = AIRPORT_CODE_SCHEMA
_DATE = {"type": "string", "format": "date"}
_SEARCH_PARAMETERS = (
    _query("origin", "IATA airport code (case-insensitive)", _CODE, required=True),
    _query("destination", "IATA airport code (case-insensitive)", _CODE, required=True),
    _query("departure_date", "YYYY-MM-DD", _DATE, required=True),
    _query("return_date", "YYYY-MM-DD; makes it a round trip", _DATE),
    _query("adults", "1 to 9", _integer(1, MAX_SEATED, 1)),
    _query("children", "0 to 8", _integer(0, MAX_SEATED - 1, 0)),
    _query("infants", "at most one per adult", _integer(0, None, 0)),
    _query("cabin_class", "", {"enum": list(CABIN_CLASSES), "default": "economy"}),
    _query("sort", "", {"enum": list(SORT_KEYS), "default": "price"}),
    _query("limit", "", _integer(1, LIMIT_MAX, 50)),
    _query("currency", "ISO 4217", {"enum": sorted(CURRENCIES), "default": "USD"}),
    _query("max_connections", "", _integer(0, MAX_CONNECTIONS, 1)),
    _query(
        "cache",
        "false: search the airlines even when the fare cache holds the answer",
        {"type": "boolean", "default": True},
    ),
)
_SEARCH_ERRORS = {
    422: "A field is invalid; `errors` names every bad field",
    503: "No airline serving the route could be asked (every circuit open or busy)",
}

# From a search to what a traveler does next with its cheapest offer: re-price it, or hold it.
_FIRST_OFFER = "$response.body#/offers/0/id"
_OFFER_LINKS: dict[str, dict[str, Any]] = {
    "RepriceFirstOffer": {"operationId": "get_offer", "parameters": {"offer_id": _FIRST_OFFER}},
    "HoldFirstOffer": {
        "operationId": "create_order",
        "requestBody": {
            "offer_id": _FIRST_OFFER,
            "type": "hold",
            "passengers": [
                {"type": "adult", "given_name": "Ada", "family_name": "Lovelace",
                 "born_on": "1990-12-10", "gender": "f", "email": "ada@example.com",
                 "phone_number": "+442071838750"}
            ],
        },
    },
}  # fmt: skip

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="post",
        path="/v1/search",
        operation_id="search",
        summary=(
            "Search flights (fare-cached: X-Cache HIT | MISS | STALE, as meta.cache); with "
            "Accept: application/x-ndjson, stream per-airline lines (live, never cached)"
        ),
        tag="search",
        request=SearchRequestBody,
        response=SearchResponse,
        response_media=("application/json", NDJSON),
        errors=_SEARCH_ERRORS,
        links=_OFFER_LINKS,
    ),
    Operation(
        method="get",
        path="/v1/search",
        operation_id="search_get",
        validates_query=True,  # its view names undeclared parameters too
        summary="Search a one-way or round trip from query parameters (fare-cached, X-Cache)",
        tag="search",
        response=SearchResponse,
        parameters=_SEARCH_PARAMETERS,
        errors=_SEARCH_ERRORS,
        links=_OFFER_LINKS,
    ),
    Operation(
        method="get",
        path="/v1/offers/{offer_id}",
        operation_id="get_offer",
        summary="Re-price an offer with its airline",
        tag="search",
        response=PricedOffer,
        parameters=(Parameter("offer_id", "path", "An offer id from a search", required=True),),
        errors={
            404: "Unknown offer id",
            409: "The airline reports the price changed",
            410: "The offer expired or sold out",
            503: "The airline cannot be reached now",
        },
    ),
    Operation(
        method="get",
        path="/v1/airports",
        operation_id="list_airports",
        validates_query=True,  # its view names undeclared parameters too
        summary="Airports whose code, city or name match `q` (type-ahead), best match first",
        tag="search",
        response=airports.AirportsResponse,
        parameters=(
            _query(
                "q",
                "What the traveler typed: a code, a city or a word of the name",
                {"type": "string", "minLength": 1, "maxLength": airports.QUERY_MAX},
                required=True,
            ),
            _query("limit", "", _integer(1, airports.LIMIT_MAX, airports.LIMIT_DEFAULT)),
        ),
        errors={422: "`q` is missing or too long, or `limit` is out of range"},
    ),
    Operation(
        method="get",
        path="/v1/connectors",
        operation_id="list_connectors",
        summary="Each connector's kind, circuit state, recent error rate and latency",
        tag="operations",
        response=ConnectorsResponse,
    ),
)
