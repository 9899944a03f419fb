"""Unknown query parameters, refused in the plumbing from what each operation declares.

docs/api.md: a `/v1` request with a query parameter its route does not take is a 422 naming it
(`query.<name>`): a client's `?limit=5` on a list without pages would otherwise silently get
everything. Every operation already declares its query parameters for the OpenAPI document;
`skyfare.plumbing` holds each `/v1` route to that declaration, before its view and after its
authentication (guard.py: an anonymous request learns nothing about its own validity). A new route
gets the rule by declaring its operation. Outside `/v1` query strings are ignored: the probes, the
documents and the web app's pages (its client routes read `?origin=…` in the browser).

A route whose view validates its parameters itself (`Operation.validates_query`: the search, the
calendars, the airports, the order list, seat maps, saved travelers, reports) is left to it: its
view names an undeclared parameter beside every other bad one, which a refusal before the view
could not, and the cached `GET /v1/search`, answered from a query string validated before
without parsing it, pays nothing here. tests/e2e/test_query_parameters.py holds those views to
their declarations.

Cost: a route without a query string pays one test of its raw query string (the usual request has
none, and then nothing is parsed); with one, the parse is aiohttp's `request.query`, cached on the
request for the view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from aiohttp import web

from kernel.openapi import Operation
from kernel.query import refuse_undeclared

QueryCheck = Callable[[web.Request], None]
# (METHOD, path template) → the query parameters its operation declares, for the routes the
# plumbing checks (app[keys.ROUTE_PARAMETERS]).
RouteParameters = Mapping[tuple[str, str], frozenset[str]]


def route_parameters(operations: Iterable[Operation]) -> dict[tuple[str, str], frozenset[str]]:
    """The declared query parameters of each operation the plumbing checks."""
    return {
        (op.method.upper(), op.path): op.query_names
        for op in operations
        if op.query_checked_by_plumbing
    }


def declared_of(parameters: RouteParameters, method: str, path: str) -> frozenset[str] | None:
    # HEAD answers what GET would, so it takes what GET takes.
    return parameters.get(("GET" if method == "HEAD" else method, path))


def query_check(declared: frozenset[str]) -> QueryCheck:
    """The check of one route: 422 naming each query parameter not in `declared`."""

    def refuse_undeclared_parameters(request: web.Request) -> None:
        if request.rel_url.raw_query_string:  # the usual request has none: nothing is parsed
            refuse_undeclared(request.query.items(), declared)

    return refuse_undeclared_parameters


def check_all_checked(parameters: RouteParameters, checked: set[tuple[str, str]]) -> None:
    """An operation whose path or method differs from its route's (`{id}` against `{order_id}`)
    would leave that route's query unchecked: refuse to start instead."""
    missing = set(parameters) - checked
    if missing:
        shown = ", ".join(f"{m} {p}" for m, p in sorted(missing))
        raise RuntimeError(f"operations whose query parameters no route checks: {shown}")
