"""What every request passes through: request id, problem documents, metrics, owed headers.

`install_plumbing(app)` wraps each route's handler when the app starts, and answers paths no
route matches (404, 405) through a catch-all route wrapped the same way. A route whose operation
declares a security scheme authenticates before its view (skyfare/guard.py); a `/v1` route then
refuses query parameters its operation does not declare (skyfare/parameters.py). Per route, not
as an aiohttp middleware: with any middleware at all, aiohttp runs every request through two more
coroutine layers (the middleware and its own `_fix_request_current_app`) and a cached look-up of
the chain, which cost a cached search ~7 % of its throughput (bench/results/2026-11-25-*).
Wrapping at start-up also wraps routes added after `create_app` (tests do).

No `on_response_prepare` hook either (a coroutine per response through aiosignal): the headers a
response owes (`X-Request-Id`; `RateLimit-*` on partner routes, added by the gate) sit in the
request's `kernel.http.RESPONSE_HEADERS`; they are added here to the response a handler returns
or raises, and by `kernel.http.prepare_stream` to a response a handler streams itself.
"""

from __future__ import annotations

import logging
from time import perf_counter

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp.web_protocol import RequestPayloadError
from multidict import istr

from kernel.errors import DomainError, UnsupportedContentEncoding
from kernel.http import RESPONSE_HEADERS
from skyfare import problems
from skyfare.guard import check_all_guarded, guarded, scheme_of
from skyfare.keys import NOT_FOUND_PAGE, ROUTE_PARAMETERS, ROUTE_SECURITY, ROUTE_STATUSES
from skyfare.methods import add_head_routes, expect_handler, unrouted_method
from skyfare.metrics import UNMATCHED, UNNAMED, RouteMetrics, route_metrics, unmatched_metrics
from skyfare.parameters import QueryCheck, check_all_checked, declared_of, query_check
from skyfare.protocol import parse_error_detail
from skyfare.request_id import (
    HEADER,
    TRACEPARENT,
    current_request_id,
    current_trace_id,
    new_request_id,
    request_id_from,
    trace_id_from,
)
from skyfare.security_headers import owed_headers

logger = logging.getLogger(__name__)

CATCH_ALL_PATH = "/{path:.*}"
# nginx's status for a request whose client closed the connection before the answer was sent.
CLIENT_CLOSED_REQUEST = 499
# Header names as `istr`: a CIMultiDict finds them, and takes them in, without folding their case
# on every request (skyfare/security_headers.py).
_REQUEST_ID = istr(HEADER)
_TRACEPARENT = istr(TRACEPARENT)
# X-Request-Id (its value set per request) and the security headers, in their order: a copy of
# this per request costs half of building the dict (bench/results/2026-12-05-cached-view.md).
_OWED = owed_headers(_REQUEST_ID, "")


def install_plumbing(app: web.Application) -> None:
    """Plumb every route of `app` when it starts (after all routes are added)."""
    app.on_startup.append(_plumb_routes)


async def _plumb_routes(app: web.Application) -> None:
    router = app.router
    add_head_routes(router)
    # Last: the router tries the most specific path first, so this one only gets requests that
    # no other route's path matches (and those whose path matched but not their method).
    router.add_route("*", CATCH_ALL_PATH, _unmatched, name=UNMATCHED)
    security = app.get(ROUTE_SECURITY, {})
    parameters = app.get(ROUTE_PARAMETERS, {})
    statuses = app.get(ROUTE_STATUSES, {})
    secured: set[tuple[str, str]] = set()
    checked: set[tuple[str, str]] = set()
    for resource in router.resources():
        if not isinstance(resource, web.Resource):
            continue  # a sub-app or static files: install_plumbing on the sub-app instead
        for route in list(resource):
            scheme = None
            if resource.name == UNMATCHED:
                handler = plumbed(route.handler, None)
            else:
                # HEAD answers what GET would, so it counts GET's statuses from 0 too.
                documented = statuses.get((_as_get(route.method), resource.canonical), ())
                metrics = route_metrics(resource.name or UNNAMED, route.method, documented)
                # Authentication first, inside the plumbing so its 401 is a problem document.
                scheme = scheme_of(security, route.method, resource.canonical)
                if scheme is not None:
                    secured.add((route.method, resource.canonical))
                # Then undeclared query parameters (skyfare/parameters.py): in the guard's layer
                # where there is one, else in the plumbing's own (no coroutine layer added).
                declared = declared_of(parameters, route.method, resource.canonical)
                check = None if declared is None else query_check(declared)
                if check is not None:
                    checked.add((route.method, resource.canonical))
                guard = guarded(route.handler, scheme, check)
                handler = plumbed(guard, metrics, None if scheme is not None else check)
            # Public API: a route for the same method replaces the old one in its resource.
            resource.register_route(
                web.ResourceRoute(
                    route.method, handler, resource, expect_handler=expect_handler(scheme)
                )
            )
    check_all_guarded(security, secured)
    check_all_checked(parameters, checked)


def _as_get(method: str) -> str:
    return "GET" if method == "HEAD" else method


def plumbed(
    handler: Handler, metrics: RouteMetrics | None, check: QueryCheck | None = None
) -> Handler:
    """`handler` with the plumbing; `metrics` None: counted as unmatched, by request method;
    `check` runs before `handler`, its 422 a problem document like the handler's."""

    async def plumbing(request: web.Request) -> web.StreamResponse:
        # Once per request: the common cases (no id sent, no traceparent) are decided here
        # without a call each (bench/results/2026-12-05-cached-view.md).
        headers = request.headers
        sent_id = headers.get(_REQUEST_ID)
        request_id = new_request_id() if sent_id is None else request_id_from(sent_id)
        owed = _OWED.copy()
        owed[_REQUEST_ID] = request_id
        earlier = request.get(RESPONSE_HEADERS)
        if earlier is not None:  # owed before the body was invited (Expect: its RateLimit-*)
            owed.update(earlier)
        request[RESPONSE_HEADERS] = owed
        current_request_id.set(request_id)
        traceparent = headers.get(_TRACEPARENT)
        current_trace_id.set("-" if traceparent is None else trace_id_from(traceparent))
        started = perf_counter()
        try:
            if check is not None:
                check(request)
            response = await handler(request)
        except DomainError as exc:
            response = _domain_problem(request, exc, request_id)
            if isinstance(exc, UnsupportedContentEncoding):
                # Its body stays unread: aiohttp would drain it through the decoder it has (a
                # `br` body through Brotli), and drop the connection when that fails.
                response.force_close()
        except RequestPayloadError as exc:
            response = _unreadable_body(exc, request.path)
        except web.HTTPException as exc:
            if exc.status < 400:
                found = metrics or unmatched_metrics(request.method)
                found.observe(exc.status, perf_counter() - started)
                exc.headers.update(owed)
                raise  # redirects and the like are answers, not problems
            response = problems.http_error_response(exc, request.path)
        except ConnectionError:  # a reset, a broken pipe, aiohttp's own "Connection lost"
            response = _connection_failed(request, request_id)
        except Exception:
            logger.exception("unhandled error in %s %s", request.method, request.path)
            response = problems.internal_error_response(request_id)
        found = metrics or unmatched_metrics(request.method)
        found.observe(response.status, perf_counter() - started)
        if not response.prepared:  # a streamed one got them in `prepare_stream`
            response.headers.update(owed)
        return response

    return plumbing


async def _unmatched(request: web.Request) -> web.StreamResponse:
    """404; or when another route's path matched, 405 listing its methods (204 to OPTIONS).

    A browser navigating to an unknown address outside the API gets the web app's not-found
    page instead (where the web app is served: skyfare/webapp.py)."""
    allowed: set[str] = set()
    for resource in request.app.router.resources():
        if resource.name != UNMATCHED:
            allowed |= (await resource.resolve(request))[1]
    if allowed:
        return unrouted_method(request.method, allowed)
    page = request.config_dict.get(NOT_FOUND_PAGE)
    if page is not None and (response := page(request)) is not None:
        return response
    raise web.HTTPNotFound()


def _connection_failed(request: web.Request, request_id: str) -> web.Response:
    if not _client_gone(request):
        logger.exception("unhandled error in %s %s", request.method, request.path)
        return problems.internal_error_response(request_id)
    # The client hung up mid-answer (a partner's timeout on a bulk stream, a closed tab): nothing
    # broke and no one is left to answer. Counted as nginx logs it, not as a 500 that would page
    # (SkyfareHttp5xxRate); aiohttp drops this response.
    logger.info("client went away in %s %s", request.method, request.path)
    return web.Response(status=CLIENT_CLOSED_REQUEST)


def _client_gone(request: web.Request) -> bool:
    """Whether the request's connection is closed or closing: a write to it failed because the
    client left, not because of a bug (a reset from an airline or a store is not this)."""
    transport = request.transport
    return transport is None or transport.is_closing()


def _unreadable_body(exc: RequestPayloadError, instance: str) -> web.Response:
    """400 for a body aiohttp could not read: one that does not decode as its Content-Encoding
    says, or ends before its Content-Length. The parser raises that into the view's read, not
    its own error handler (skyfare/protocol.py), once the head has been answered to a view."""
    detail = parse_error_detail(exc.__cause__) or "the request body could not be read"
    response = problems.problem_response(problems.BAD_REQUEST, detail, instance=instance)
    response.force_close()  # the rest of the body, if any, is beyond reading
    return response


def _domain_problem(request: web.Request, exc: DomainError, request_id: str) -> web.Response:
    kind = problems.kind_of_domain_error(exc)
    if kind is None:
        logger.error("%s is not in the problem table", type(exc).__qualname__, exc_info=exc)
        return problems.internal_error_response(request_id)
    return problems.domain_error_response(exc, kind, request.path)
