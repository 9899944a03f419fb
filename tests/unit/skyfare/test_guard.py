"""What the plumbing enforces is what each operation declares; a mismatch stops the start."""

from __future__ import annotations

import pytest
from aiohttp import web

from kernel.openapi import Operation
from skyfare.guard import RECENT_BEARER, route_security
from skyfare.keys import ROUTE_SECURITY
from skyfare.plumbing import install_plumbing


def _op(path: str, *security: str, method: str = "get", recent: bool = False) -> Operation:
    return Operation(
        method=method,  # type: ignore[arg-type]
        path=path,
        operation_id=path.strip("/").replace("/", "_") or "root",
        summary="",
        tag="t",
        security=security,
        recent_sign_in=recent,
    )


def test_each_secured_operation_is_keyed_by_method_and_path_template() -> None:
    table = route_security(
        (_op("/v1/things/{id}", "bearer"), _op("/v1/bulk", "api_key", method="post"), _op("/open"))
    )

    assert table == {("GET", "/v1/things/{id}"): "bearer", ("POST", "/v1/bulk"): "api_key"}


@pytest.mark.parametrize("security", [("oauth2",), ("bearer", "api_key")])
def test_a_scheme_the_plumbing_cannot_check_is_refused(security: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="cannot enforce"):
        route_security((_op("/v1/things", *security),))


def test_a_bearer_operation_asking_for_a_recent_sign_in_gets_the_step_up_check() -> None:
    table = route_security(
        (_op("/v1/me", "bearer", method="delete", recent=True), _op("/v1/me", "bearer"))
    )

    assert table == {("DELETE", "/v1/me"): RECENT_BEARER, ("GET", "/v1/me"): "bearer"}


@pytest.mark.parametrize("security", [(), ("api_key",)])
def test_a_recent_sign_in_without_bearer_security_is_refused(security: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match=r"cannot enforce|needs bearer"):
        route_security((_op("/v1/things", *security, recent=True),))


def test_the_step_up_check_is_no_scheme_an_operation_may_declare() -> None:
    with pytest.raises(ValueError, match="cannot enforce"):
        route_security((_op("/v1/things", RECENT_BEARER),))


async def _ok(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def test_an_operation_whose_path_differs_from_its_route_stops_the_app_starting() -> None:
    app = web.Application()
    install_plumbing(app)
    app.router.add_get("/v1/things/{thing_id}", _ok)
    app[ROUTE_SECURITY] = route_security((_op("/v1/things/{id}", "bearer"),))

    runner = web.AppRunner(app)

    with pytest.raises(RuntimeError, match=r"GET /v1/things/\{id\}"):
        await runner.setup()
    await runner.cleanup()
