"""Partner routes (docs/api.md "Bulk fares"): `POST /v1/fares/bulk` and `GET /v1/fares/calendar`,
and the travelers' read of the same calendar, `GET /v1/calendar` (the web app's date picker).

The partner routes declare `security=("api_key",)`: the plumbing checks the partner's key and rate
limit (401, 429) before the view runs (skyfare/guard.py). `GET /v1/calendar` is public, like an
anonymous search: the gateway limits it per client address with the searches
(deploy/nginx/routes.conf). Both calendars answer only what the fare index holds: neither asks an
airline, so neither can be used to make the service search.
"""

from __future__ import annotations

import datetime as dt
from contextlib import aclosing

import msgspec
from aiohttp import web

from connectors.model import AIRPORT_CODE_SCHEMA, CABIN_CLASSES
from kernel.accept import refuse_unacceptable
from kernel.auth import PARTNER_NAME
from kernel.errors import ServiceUnavailable
from kernel.http import prepare_stream, read_json_body
from kernel.openapi import Operation, Parameter
from search.bulk import BulkLine, BulkQueryBody, BulkRequest, parse_envelope
from search.bulk_service import BulkFares
from search.calendar import CalendarResponse, build_calendar, parse_calendar_query
from search.fare_index import FareIndexError
from search.fare_index_breaker import FareIndexUnavailable
from search.model import CURRENCIES
from search.routes import NDJSON, SEARCH_SERVICE

_encoder = msgspec.json.Encoder()
JSON = "application/json"
_UNREADABLE = "the fare index cannot be read right now"


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


async def post_bulk(request: web.Request) -> web.StreamResponse:
    # A header of the request as sent: judged before its body (docs/api.md, "Which problem
    # comes first"), and before any work for an answer the client would not read.
    # Each NDJSON line is a JSON text: a client that asks for JSON (many HTTP libraries' default
    # with a JSON body) reads it line by line, so only a type no JSON reader takes is a 406.
    refuse_unacceptable(request, NDJSON, read_as=(JSON,))
    envelope = parse_envelope(await read_json_body(request))
    bulk = BulkFares(request.config_dict[SEARCH_SERVICE], partner=request.get(PARTNER_NAME))
    response = web.StreamResponse(headers={"Content-Type": NDJSON, "Cache-Control": "no-store"})
    await prepare_stream(request, response)  # with its X-Request-Id and RateLimit-* headers
    async with aclosing(bulk.lines(envelope, today=_today())) as lines:
        async for chunk in lines:
            await response.write(chunk)  # each chunk: every line ready so far, in order
    await response.write_eof()
    return response


async def get_calendar(request: web.Request) -> web.Response:
    return await _calendar(request, partner=request.get(PARTNER_NAME))


async def get_public_calendar(request: web.Request) -> web.Response:
    return await _calendar(request, partner=None)


async def _calendar(request: web.Request, *, partner: str | None) -> web.Response:
    query = parse_calendar_query(request.query.items(), today=_today())
    service = request.config_dict[SEARCH_SERVICE]
    index = service.fare_index
    fares = {}
    if index is not None:
        try:
            fares = await index.month(query.key(service.index_scope))
        except FareIndexUnavailable as exc:  # not asked: its breaker is open
            raise ServiceUnavailable(_UNREADABLE, retry_after_s=exc.retry_after_s) from exc
        except FareIndexError as exc:  # asked, and failed: worth a retry in a second
            raise ServiceUnavailable(_UNREADABLE) from exc
    calendar = build_calendar(query, fares)
    if service.usage.enabled:
        service.usage.calendar(
            query.origin,
            query.destination,
            f"{query.month}-01",
            cabin=query.cabin_class,
            adults=query.adults,
            days=len(fares),
            partner=partner,
            currency=query.currency,
        )
    body = _encoder.encode(calendar)
    return web.Response(body=body, content_type="application/json")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/v1/fares/bulk", post_bulk, name="fares_bulk")
    router.add_get("/v1/fares/calendar", get_calendar, name="fares_calendar", allow_head=False)
    router.add_get("/v1/calendar", get_public_calendar, name="calendar", allow_head=False)


_CODE = AIRPORT_CODE_SCHEMA
_PARTNER_ERRORS = {
    401: "Missing, unknown or revoked X-API-Key",
    422: "A field is invalid; `errors` names every bad field",
    429: "Over the partner's rate limit (Retry-After)",
    503: "Partner keys cannot be checked right now; retry after Retry-After s",
}
# Retry-After: until the fare index's breaker lets a read through again (at least 1 s).
_CALENDAR_UNAVAILABLE = "The fare index cannot be read right now; retry after Retry-After s"
_PARTNER_CALENDAR_UNAVAILABLE = (
    "Partner keys cannot be checked, or the fare index cannot be read, right now; "
    "retry after Retry-After s"
)

_MONTH_PARAMETERS = (
    Parameter("origin", "query", "IATA airport code", True, _CODE),
    Parameter("destination", "query", "IATA airport code", True, _CODE),
    Parameter(
        "month",
        "query",
        "YYYY-MM, this month or later",
        True,
        {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "format": "year-month"},
    ),
    Parameter(
        "cabin_class",
        "query",
        "",
        False,
        {"enum": list(CABIN_CLASSES), "default": "economy"},
    ),
    Parameter(
        "adults",
        "query",
        "1 to 9",
        False,
        {"type": "integer", "minimum": 1, "maximum": 9, "default": 1},
    ),
    Parameter(
        "currency",
        "query",
        "The fares of searches priced in it (the airlines' own prices: nothing is converted)",
        False,
        {"enum": sorted(CURRENCIES), "default": "USD"},
    ),
)

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="post",
        path="/v1/fares/bulk",
        operation_id="fares_bulk",
        summary=(
            "Cheapest cached fares of up to 1000 queries, streamed as NDJSON lines in request "
            "order (BulkLine); mode=live searches what is missing"
        ),
        tag="partners",
        request=BulkRequest,
        response=BulkLine,
        referenced=(BulkQueryBody,),
        response_media=(NDJSON,),
        errors={
            **_PARTNER_ERRORS,
            406: (
                "Accept admits neither application/x-ndjson nor application/json (nor a range "
                "covering either), or names application/x-ndjson with q=0"
            ),
        },
        security=("api_key",),
    ),
    Operation(
        method="get",
        path="/v1/fares/calendar",
        operation_id="fares_calendar",
        validates_query=True,  # its view names undeclared parameters too
        summary="The cheapest cached one-way fare for each day of a month (null when not cached)",
        tag="partners",
        response=CalendarResponse,
        parameters=_MONTH_PARAMETERS,
        errors={**_PARTNER_ERRORS, 503: _PARTNER_CALENDAR_UNAVAILABLE},
        security=("api_key",),
    ),
    Operation(
        method="get",
        path="/v1/calendar",
        operation_id="calendar",
        validates_query=True,  # its view names undeclared parameters too
        summary=(
            "The traveler's price calendar: the cheapest cached one-way fare for each day of a "
            "month (null when not cached), the partners' calendar without a key"
        ),
        tag="search",
        response=CalendarResponse,
        parameters=_MONTH_PARAMETERS,
        errors={
            422: "A parameter is invalid; `errors` names every bad one",
            503: _CALENDAR_UNAVAILABLE,
        },
    ),
)
