"""Report routes (docs/api.md "Reports"): `GET /v1/reports/{name}` for analysts.

The route declares `security=("bearer",)`, so the plumbing authenticates first (401); the view
then wants the `analyst` role (403) before it reads anything of the request.
"""

from __future__ import annotations

import msgspec
from aiohttp import web

from analytics.reports import NAMES, Report, parse_since
from analytics.service import ReportService, unknown_report
from kernel.auth import principal
from kernel.errors import FieldError, Forbidden, NotFound, ValidationFailed
from kernel.http import add_response_headers
from kernel.openapi import Operation, Parameter
from kernel.query import query_params

REPORT_SERVICE = web.AppKey("report_service", ReportService)
ROLE = "analyst"
DEFAULT_SINCE = "7d"

_encoder = msgspec.json.Encoder()


async def get_report(request: web.Request) -> web.Response:
    if ROLE not in principal(request).roles:
        raise Forbidden(f"reports need the {ROLE!r} role")
    # Each analyst's answer, never a shared cache's.
    add_response_headers(request, {"Cache-Control": "private"})
    service = request.config_dict[REPORT_SERVICE]
    query, errors = query_params(request.query.items(), ("since",))
    now = service.now()
    since = parse_since(query.get("since", DEFAULT_SINCE), now)
    if since is None:
        errors.append(FieldError("query.since", "a span like 7d or 24h (1 to 9999)"))
    if errors:
        raise ValidationFailed(errors)
    assert since is not None
    found = await service.report(request.match_info["name"], since, now)
    return web.Response(body=_encoder.encode(found), content_type="application/json")


async def unknown_report_method(request: web.Request) -> web.Response:
    """A method other than GET and HEAD on a name that is no report."""
    raise NotFound(unknown_report(request.match_info["name"]))


_KNOWN = "|".join(NAMES)


def add_routes(router: web.UrlDispatcher) -> None:
    # The names are fixed, so a name that is none is no resource: a 404 whatever the method.
    # One route for every name answered OPTIONS 204 and POST 405 (with `Allow`) as if it were
    # one; a known name still does (the plumbing's answer to a method a path lacks).
    router.add_get(f"/v1/reports/{{name:{_KNOWN}}}", get_report, name="report", allow_head=False)
    unknown = router.add_resource(
        f"/v1/reports/{{name:(?!(?:{_KNOWN})$)[^/]+}}", name="report_unknown"
    )
    # GET and HEAD as a report's: the token first (an anonymous caller learns nothing, not even
    # that the name is none), then the 404.
    unknown.add_route("GET", get_report)
    unknown.add_route("HEAD", get_report)
    unknown.add_route("*", unknown_report_method)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="get",
        path="/v1/reports/{name}",
        operation_id="get_report",
        validates_query=True,  # its view names undeclared parameters too
        summary="An analytics report as a table (columns, rows), for tokens with the analyst role",
        tag="reports",
        response=Report,
        parameters=(
            Parameter("name", "path", "One of: " + ", ".join(NAMES), True, {"enum": list(NAMES)}),
            Parameter(
                "since",
                "query",
                "How far back: 1d to 9999d, or 1h to 9999h (default 7d)",
                False,
                {"type": "string", "pattern": "^[1-9][0-9]{0,3}[dh]$", "default": DEFAULT_SINCE},
            ),
        ),
        errors={
            401: "Missing, malformed, expired or wrongly signed token",
            403: "The token has no analyst role",
            404: "No report of that name",
            422: "`since` is not a span like 7d or 24h",
            503: "The analytics store is busy, or this process has none; retry after Retry-After",
        },
        security=("bearer",),
    ),
)
