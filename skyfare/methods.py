"""HEAD and OPTIONS on every route, and `Expect: 100-continue` checked against the body limit.

HEAD answers like GET without a body (RFC 9110 §9.3.2): each GET route gets a HEAD route to
the same handler when the app starts, so the headers (Content-Length included) are GET's, and
aiohttp leaves the body out.

OPTIONS answers 204 with `Allow` (RFC 9110 §9.3.7), and no CORS. The decision: the web app is
served by this API at `/` (same origin, so a browser asks no permission), and metasearch
partners call server to server (no browser at all). Nobody needs a cross-origin browser call, so
a preflight gets no `Access-Control-Allow-*` and the browser refuses the call, as it should; a
partner that ever needs one gets it through configuration then, not a wildcard now.

`Expect: 100-continue` (RFC 9110 §10.1.1) asks whether to send the body. aiohttp says yes to
every request; here a declared `Content-Length` over the body limit gets its 413 at once instead,
and an expectation other than 100-continue a 417, both problem documents.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from aiohttp import HttpVersion11, web

from kernel.errors import DomainError
from kernel.http import RESPONSE_HEADERS
from skyfare import guard, problems, security_headers
from skyfare.keys import SETTINGS
from skyfare.request_id import HEADER, request_id_from

# Every route answers OPTIONS besides its own methods (the 405's `Allow` lists it too); HEAD
# only where there is a GET (it is GET without a body), and `add_head_routes` routes that one.
IMPLICIT = frozenset({"OPTIONS"})


ExpectHandler = Callable[[web.Request], Awaitable[web.StreamResponse | None]]


def add_head_routes(router: web.UrlDispatcher) -> None:
    """A HEAD route beside each GET route that has none (before the plumbing wraps them)."""
    for resource in router.resources():
        if not isinstance(resource, web.Resource):
            continue
        routes = {route.method: route for route in resource}
        get = routes.get("GET")
        # A resource with a route for every method ("*") answers HEAD by it: aiohttp refuses
        # a route added after one.
        if get is not None and "HEAD" not in routes and "*" not in routes:
            resource.add_route("HEAD", get.handler)


def unrouted_method(method: str, allowed: Iterable[str]) -> web.Response:
    """The answer to a method no route of a matching path has: 204 to OPTIONS, else 405."""
    methods = set(allowed) | IMPLICIT
    if "GET" in methods:
        methods.add("HEAD")
    allow = ", ".join(sorted(methods))
    if method == "OPTIONS":
        return web.Response(status=204, headers={"Allow": allow})
    refused = web.HTTPMethodNotAllowed(method, methods)
    refused.headers["Allow"] = allow  # spelled as OPTIONS spells it (aiohttp joins with ",")
    raise refused


async def expect_continue(request: web.Request) -> web.StreamResponse | None:
    """Every route's `Expect` handler: 100 Continue, or the problem that makes it pointless."""
    expect = request.headers.get("Expect", "")
    if expect.lower() != "100-continue":
        return _problem(
            request, problems.EXPECTATION_FAILED, "only `Expect: 100-continue` is supported"
        )
    if request.version != HttpVersion11:
        return None  # an HTTP/1.0 client knows no interim answer (RFC 9110 §10.1.1)
    limit = request.config_dict[SETTINGS].max_body_bytes
    length = request.content_length
    if length is not None and length > limit:
        return _problem(
            request,
            problems.TOO_LARGE,
            f"the request body ({length} bytes) is over the limit of {limit} bytes",
        )
    await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    request.writer.output_size = 0  # the answer proper has not started (as aiohttp's own does)
    return None


def expect_handler(scheme: str | None) -> ExpectHandler:
    """The `Expect` handler of a route: on a secured one the caller is authenticated first, so
    an anonymous request with an oversized `Content-Length` learns a 401, not the body limit."""
    if scheme is None:
        return expect_continue

    async def authenticated_expect(request: web.Request) -> web.StreamResponse | None:
        try:
            await guard.authenticate(request, scheme)
        except DomainError as exc:
            kind = problems.kind_of_domain_error(exc)
            if kind is None:
                raise
            return _finished(request, problems.domain_error_response(exc, kind, request.path))
        return await expect_continue(request)

    return authenticated_expect


def _problem(request: web.Request, kind: problems.ProblemKind, detail: str) -> web.Response:
    return _finished(request, problems.problem_response(kind, detail, instance=request.path))


def _finished(request: web.Request, response: web.Response) -> web.Response:
    # An answer from here skips the route's handler, and with it the plumbing: the same headers,
    # and those the check owes it (a partner's RateLimit-*: its allowance is spent already).
    security_headers.apply(response)
    response.headers[HEADER] = request_id_from(request.headers.get(HEADER))
    owed = request.get(RESPONSE_HEADERS)
    if owed:
        response.headers.update(owed)
    # The client may send the body regardless; it would only be read and thrown away.
    response.force_close()
    return response
