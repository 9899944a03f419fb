"""Every `/v1` route refuses a query parameter its operation does not declare (docs/api.md), and
takes every one it declares; outside `/v1` a query string is ignored.

The routes are walked from the app's router, so a route added later is held to the rule without a
test of its own: the plumbing checks those whose view does not (skyfare/parameters.py), and this
holds the views that validate their own parameters (`Operation.validates_query`) to the same
declarations, as `/openapi.json` publishes them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from skyfare.settings import Settings
from tests.support.booking import BookingEnv, Headers, booking_app

PROBLEM = "application/problem+json"
UNDECLARED = {"field": "query.colour", "message": "unknown parameter"}
# A value for each path parameter; any other gets "x" (the plumbing answers before the view).
PATH_VALUES = {"order_id": "ord_" + "0" * 24, "name": "funnel", "traveler_id": "trv_x"}
_PATH_PARAMETER = re.compile(r"{([^}/]+)}")


@pytest.fixture
async def env(settings: Settings) -> AsyncIterator[BookingEnv]:
    async with booking_app(settings) as env:
        yield env


@pytest.fixture
async def caller(env: BookingEnv, api_key: str) -> Headers:
    """A traveler who may read reports, with a partner's key: every route gets past its guard."""
    token = await env.token(f"walker-{uuid.uuid4().hex[:8]}", roles=["analyst"])
    return {**token, "X-API-Key": api_key}


def _api_routes(app: web.Application) -> list[tuple[str, str]]:
    """(METHOD, path template) of every `/v1` route the app serves (HEAD answers as GET)."""
    found = []
    for resource in app.router.resources():
        template = resource.canonical
        if isinstance(resource, web.Resource) and template.startswith("/v1/"):
            found += [
                (route.method, template) for route in resource if route.method not in {"HEAD", "*"}
            ]
    return sorted(set(found))


def _path(template: str) -> str:
    return _PATH_PARAMETER.sub(lambda m: PATH_VALUES.get(m.group(1), "x"), template)


async def _errors(response: Any) -> list[dict[str, str]]:
    if response.content_type != PROBLEM:
        return []
    problem: dict[str, Any] = await response.json(content_type=PROBLEM)
    return list(problem.get("errors", []))


async def test_every_api_route_refuses_an_undeclared_parameter_naming_it(
    env: BookingEnv, caller: Headers
) -> None:
    routes = _api_routes(env.client.app)
    assert ("GET", "/v1/search") in routes  # every service's routes are served
    assert ("POST", "/v1/orders") in routes
    refused = {}
    for method, template in routes:
        response = await env.client.request(
            method, _path(template) + "?colour=blue", headers=caller
        )
        refused[f"{method} {template}"] = (response.status, UNDECLARED in await _errors(response))

    assert refused == {route: (422, True) for route in refused}


async def test_every_declared_parameter_is_taken_on_every_api_get_route(
    env: BookingEnv, caller: Headers
) -> None:
    # The other way round: nothing a route declares (and a client may send) is called unknown.
    document = await (await env.client.get("/openapi.json")).json()
    called_unknown = []
    for method, template in _api_routes(env.client.app):
        operation = document["paths"][template][method.lower()]
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            name = parameter["name"]
            response = await env.client.request(
                method, _path(template), params={name: "1"}, headers=caller
            )
            wrong = {"field": f"query.{name}", "message": "unknown parameter"}
            if wrong in await _errors(response):
                called_unknown.append(f"{method} {template} ?{name}")

    assert called_unknown == []


async def test_an_anonymous_request_learns_of_its_parameters_only_after_signing_in(
    env: BookingEnv,
) -> None:
    response = await env.client.get(f"/v1/orders/{PATH_VALUES['order_id']}?colour=blue")

    assert response.status == 401


@pytest.mark.parametrize(
    "path", ["/healthz", "/readyz", "/metrics", "/openapi.json", "/", "/results?origin=LHR"]
)
async def test_paths_outside_the_api_ignore_a_query_string(env: BookingEnv, path: str) -> None:
    joiner = "&" if "?" in path else "?"
    response = await env.client.get(f"{path}{joiner}colour=blue")

    assert response.status == 200, await response.text()
