"""Authentication first: a route that declares a security scheme authenticates before its view.

docs/api.md: an anonymous request learns nothing about its own validity, so the 401 (and a partner's
429) comes before every check a view makes: a missing Idempotency-Key, the media type, the body
(malformed, too deep, too large: it is not even read), ids, query parameters. That order is a
property of the plumbing, not of each view: every package's `OPERATIONS` already declares its
routes' `security` for the OpenAPI document, and `skyfare.plumbing` wraps each route declaring
one with the check of that scheme. A new route gets it by declaring `security=("bearer",)`, and
its view reads the caller with `kernel.auth.principal(request)`. A bearer route that also
declares `recent_sign_in=True` gets the RFC 9470 step-up check right after the token's
(skyfare/auth/step_up.py: a sign-in older than the app's `RECENT_SIGN_IN` allows is a 401 with
`error="insufficient_user_authentication"`); no other route pays for it.

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
from skyfare.keys import RECENT_SIGN_IN
from skyfare.parameters import QueryCheck

# (METHOD, path template) → the scheme its operation declares (app[keys.ROUTE_SECURITY]).
RouteSecurity = Mapping[tuple[str, str], str]

Check = Callable[[web.Request], Awaitable[None]]


async def _bearer(request: web.Request) -> None:
    request[PRINCIPAL] = await request.config_dict[AUTHENTICATE](request)


async def _api_key(request: web.Request) -> None:
    await request.config_dict[PARTNER_CHECK](request)  # 401, then 429 with Retry-After


async def _recent_bearer(request: web.Request) -> None:
    await _bearer(request)
    request.config_dict[RECENT_SIGN_IN].check(request[PRINCIPAL])


# By the names `skyfare.openapi` gives the security schemes.
SCHEMES: dict[str, Check] = {"bearer": _bearer, "api_key": _api_key}
# The bearer scheme of a route declaring `recent_sign_in` (the document still says "bearer").
RECENT_BEARER = "bearer+recent_sign_in"
CHECKS: dict[str, Check] = {**SCHEMES, RECENT_BEARER: _recent_bearer}


def route_security(operations: Iterable[Operation]) -> dict[tuple[str, str], str]:
    """The check each secured operation declares; ValueError for one this module cannot make
    (an unknown scheme, a choice of several, which no route needs yet, or a recent sign-in
    asked of a route whose callers do not sign in)."""
    table: dict[tuple[str, str], str] = {}
    for op in operations:
        if not op.security and not op.recent_sign_in:
            continue
        if len(op.security) != 1 or op.security[0] not in SCHEMES:
            raise ValueError(f"{op.operation_id}: cannot enforce security {op.security!r}")
        scheme = op.security[0]
        if op.recent_sign_in:
            if scheme != "bearer":
                raise ValueError(f"{op.operation_id}: a recent sign-in needs bearer security")
            scheme = RECENT_BEARER
        table[(op.method.upper(), op.path)] = scheme
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
