"""Authentication first: a route that declares a security scheme authenticates before its view.

docs/api.md: an anonymous request learns nothing about its own validity, so the 401 (and a partner's
429) comes before every check a view makes: a missing Idempotency-Key, the media type, the body
(malformed, too deep, too large: it is not even read), ids, query parameters. That order is a
property of the plumbing, not of each view: every package's `OPERATIONS` already declares its
routes' `security` for the OpenAPI document, and `skyfare.plumbing` wraps each route declaring
one with the check of that scheme. A new route gets it by declaring `security=("bearer",)`, and
its view reads the caller with `kernel.auth.principal(request)`.

What stays before authentication: the router's 404 (no route has the path) and 405 (the path
does not take the method). They describe the API's public surface, which `/openapi.json` shows
anyone, not the request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping

from aiohttp import web
from aiohttp.typedefs import Handler

from kernel.auth import AUTHENTICATE, PARTNER_CHECK, PRINCIPAL
from kernel.openapi import Operation
from skyfare.parameters import QueryCheck

# (METHOD, path template) → the scheme its operation declares (app[keys.ROUTE_SECURITY]).
RouteSecurity = Mapping[tuple[str, str], str]

Check = Callable[[web.Request], Awaitable[None]]


async def _bearer(request: web.Request) -> None:
    request[PRINCIPAL] = await request.config_dict[AUTHENTICATE](request)


async def _api_key(request: web.Request) -> None:
    await request.config_dict[PARTNER_CHECK](request)  # 401, then 429 with Retry-After


# By the names `skyfare.openapi` gives the security schemes.
CHECKS: dict[str, Check] = {"bearer": _bearer, "api_key": _api_key}


def route_security(operations: Iterable[Operation]) -> dict[tuple[str, str], str]:
    """The scheme each secured operation declares; ValueError for one this module cannot check
    (an unknown scheme, or a choice of several, which no route needs yet)."""
    table: dict[tuple[str, str], str] = {}
    for op in operations:
        if not op.security:
            continue
        if len(op.security) != 1 or op.security[0] not in CHECKS:
            raise ValueError(f"{op.operation_id}: cannot enforce security {op.security!r}")
        table[(op.method.upper(), op.path)] = op.security[0]
    return table


def scheme_of(security: RouteSecurity, method: str, path: str) -> str | None:
    # HEAD answers what GET would, so it needs what GET needs.
    return security.get(("GET" if method == "HEAD" else method, path))


# Set on a request once its route's check passed: an `Expect: 100-continue` request is checked
# by its expect handler (before the body is invited), and not again by its route.
AUTHENTICATED: web.RequestKey[bool] = web.RequestKey("authenticated")


async def authenticate(request: web.Request, scheme: str) -> None:
    """Run the check of `scheme` on `request` once; raises its `kernel.errors` (401, 429)."""
    if not request.get(AUTHENTICATED):
        await CHECKS[scheme](request)
        request[AUTHENTICATED] = True


def guarded(handler: Handler, scheme: str | None, check: QueryCheck | None = None) -> Handler:
    """`handler` behind the check of `scheme`, then the route's query `check` (its 422 comes
    after the 401); unchanged when the route declares none (public routes, the hot cached search
    among them, pay nothing: the plumbing runs their query check in its own layer)."""
    if scheme is None:
        return handler

    async def guard(request: web.Request) -> web.StreamResponse:
        await authenticate(request, scheme)
        if check is not None:
            check(request)
        return await handler(request)

    return guard


def check_all_guarded(security: RouteSecurity, guarded_routes: set[tuple[str, str]]) -> None:
    """An operation whose path or method differs from its route's (`{id}` against `{order_id}`)
    would leave that route unguarded: refuse to start instead."""
    missing = set(security) - guarded_routes
    if missing:
        shown = ", ".join(f"{m} {p}" for m, p in sorted(missing))
        raise RuntimeError(f"secured operations without a route: {shown}")
