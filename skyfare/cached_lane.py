"""The cached search's lane: a fresh fare-cache hit of `GET` or `POST /v1/search`, answered by
the protocol as its request is parsed, without aiohttp's web layer.

Why. A cached search is the service's hottest request, and the issue's target for it is 0.90 of a
bare aiohttp + uvloop handler sending the same bytes. On aiohttp's web layer that cannot be met:
the contract's own per-request work (a fresh `search_id` and `took_ms`, `X-Request-Id`, the owed
headers, route metrics) costs more instructions than the target leaves over the bare handler,
which is itself almost all aiohttp's request path (`Request`, the handler task, routing,
`Response`; bench/results/2026-12-05-cached-budget.md). So this request skips that path: the
protocol (skyfare/protocol.py) hands each request aiohttp's parser produced to `answer` first,
and writes what it returns; everything else goes on to aiohttp as before.

What it answers — everything else gets `None` and aiohttp's path, which is the reference:
- `GET /v1/search?<query>` (that literal path, no fragment, no body) and `POST /v1/search` with a
  complete `Content-Type: application/json` body within the app's size limit, not asking for
  NDJSON;
- HTTP/1.1, kept alive, no `Upgrade`, `Expect`, `Transfer-Encoding` or `Content-Encoding`;
- anonymous (no `Authorization`: a signed-in search's usage names the traveler);
- whose answer `SearchService.cached_query_body` has: a query string or body validated before
  today, and a fresh L1 entry. A miss, a stale entry, an invalid query: aiohttp's path.

What it keeps of the contract, byte for byte as the views and the plumbing would write it
(tests/e2e/cached_lane/ compares the two): the status line, `Content-Type` and
`X-Cache: HIT`, `X-Request-Id` (the client's when sane, else minted), the security headers,
`Content-Length`, `Date`; the body with its fresh `search_id` and `took_ms`; the usage event;
the route's request count and latency in `/metrics` (`search_get`, `search`). It logs nothing,
so it sets no request or trace id for log lines. Off (the full path for every request) when
`SKYFARE_CACHED_LANE=false`, and when tracing is on: a request's server span is aiohttp's.
"""

from __future__ import annotations

from time import perf_counter

from aiohttp import web
from aiohttp.helpers import rfc822_formatted_time
from aiohttp.http import HttpVersion11, RawRequestMessage
from multidict import istr

from search.routes import GET_ROUTE, HIT_HEADERS, NDJSON, POST_ROUTE, SEARCH_SERVICE, utc_day
from search.service import SearchService
from skyfare.metrics import route_metrics
from skyfare.request_id import HEADER, request_id_from
from skyfare.security_headers import owed_headers
from skyfare.settings import Settings

_GET_PREFIX = "/v1/search?"
_GET_QUERY_AT = len(_GET_PREFIX)
_POST_PATH = "/v1/search"
_JSON = "application/json"
# Looked up in every lane request's headers: as `istr`, found without folding their case.
_AUTHORIZATION = istr("Authorization")
_EXPECT = istr("Expect")
_REQUEST_ID = istr(HEADER)
_CONTENT_TYPE = istr("Content-Type")
_ACCEPT = istr("Accept")


def _head_template() -> bytes:
    """The answer's head with three holes: the request id, the length and the date; the headers
    in the order aiohttp writes them for the view's `web.Response` after the plumbing's update."""
    fixed = [*HIT_HEADERS.items(), *owed_headers(HEADER, "").items()]
    lines = ["HTTP/1.1 200 OK"]
    for name, value in fixed:
        lines.append(f"{name}: %s" if name == HEADER else f"{name}: {value.replace('%', '%%')}")
    lines += ["Content-Length: %d", "Date: %s", "", ""]
    return "\r\n".join(lines).encode("latin-1")


class CachedSearchLane:
    """`answer` a parsed request from the fare cache, or say None (aiohttp's path answers)."""

    __slots__ = ("_get", "_head", "_max_body", "_post", "_service")

    def __init__(self, service: SearchService, *, max_body_bytes: int) -> None:
        self._service = service
        self._get = route_metrics(GET_ROUTE, "GET")
        self._post = route_metrics(POST_ROUTE, "POST")
        self._max_body = max_body_bytes
        self._head = _head_template()

    def takes_body(self, message: RawRequestMessage, size: int) -> bool:
        """Whether `message`'s complete body of `size` bytes is worth reading for `answer`: a
        JSON search it might answer, not a streamed one (a body read cannot be put back: the
        protocol hands aiohttp a copy)."""
        headers = message.headers
        return (
            message.path == _POST_PATH
            and message.method == "POST"
            and 0 < size <= self._max_body
            and headers.get(_CONTENT_TYPE) == _JSON
            and NDJSON not in headers.get(_ACCEPT, "")
            and _plain(message)
        )

    def answer(self, message: RawRequestMessage, body: bytes | None) -> tuple[bytes, bytes] | None:
        """The head and body of the answer to `message` (`body`: its body, which `takes_body`
        accepted, or None when it came without one), or None for aiohttp's path."""
        started = perf_counter()
        day = utc_day()
        if body is None:
            path = message.path
            if (
                message.method != "GET"
                or not path.startswith(_GET_PREFIX)
                or "#" in path
                or not _plain(message)
            ):
                return None
            answer = self._service.cached_query_body(path[_GET_QUERY_AT:], day)
            metrics = self._get
        else:
            answer = self._service.cached_query_body(body, day, channel="post")
            metrics = self._post
        if answer is None:
            return None
        request_id = request_id_from(message.headers.get(_REQUEST_ID))
        # aiohttp's own Date (formatted once a second), as its path writes it.
        date = rfc822_formatted_time().encode("ascii")
        head = self._head % (request_id.encode("ascii"), len(answer), date)
        metrics.observe(200, perf_counter() - started)
        return head, answer


def _plain(message: RawRequestMessage) -> bool:
    # A request whose handling by aiohttp's path could differ from a plain 200 (keep-alive,
    # protocol switches, interim answers, an encoded or chunked body, a signed-in traveler).
    headers = message.headers
    return (
        message.version is HttpVersion11
        and not message.should_close
        and not message.upgrade
        and not message.chunked
        and message.compression is None
        and _AUTHORIZATION not in headers
        and _EXPECT not in headers
    )


def lane_for(app: web.Application, settings: Settings) -> CachedSearchLane | None:
    """The lane for `app`'s search service, or None: no search service in the app, or no
    search routes (booking has the service, to re-price offers, and served cached searches
    the gateway never sends it, beside a series of each search route at 0), the lane switched
    off, or tracing on."""
    service = app.get(SEARCH_SERVICE)
    if service is None or not settings.cached_lane or settings.otel_endpoint is not None:
        return None
    routes = app.router.named_resources()
    if GET_ROUTE not in routes or POST_ROUTE not in routes:
        return None
    return CachedSearchLane(service, max_body_bytes=settings.max_body_bytes)
