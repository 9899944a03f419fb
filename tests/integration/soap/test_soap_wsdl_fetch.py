"""How the SOAP client loads its WSDL over the airline's own connections (kernel/http1.py): a
schema the WSDL imports from another host is fetched there, and a WSDL that is not served is
the airline being unavailable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib import resources

import pytest
from aiohttp import web

from connectors import errors
from connectors.soap import SoapConnector
from sim.soap import SIM_PASSWORD, SIM_USERNAME
from tests.support.fake_server import serve
from tests.support.flights import LHR_JFK

TIMEOUT = 2.0
PACKAGE = resources.files("sim.soap")


def connector(url: str) -> SoapConnector:
    return SoapConnector(
        "soap-nordic", url, username=SIM_USERNAME, password=SIM_PASSWORD, max_timeout_s=TIMEOUT
    )


@pytest.fixture
async def schema_host() -> AsyncIterator[tuple[str, list[str]]]:
    """Another origin serving the WSDL's schema; the paths it was asked for."""
    asked: list[str] = []

    async def xsd(request: web.Request) -> web.Response:
        asked.append(request.path)
        return web.Response(body=(PACKAGE / "ota.xsd").read_bytes(), content_type="text/xml")

    app = web.Application()
    app.router.add_get("/schemas/ota.xsd", xsd)
    async with serve(app) as url:
        yield f"{url}/schemas/ota.xsd", asked


async def test_a_schema_on_another_host_is_fetched_there(
    schema_host: tuple[str, list[str]],
) -> None:
    schema_url, asked = schema_host

    async def wsdl(request: web.Request) -> web.Response:
        base = f"{request.url.origin()}/soap/nordic"
        text = (PACKAGE / "nordic.wsdl").read_text()
        text = text.replace("SERVICE_URL/ota.xsd", schema_url).replace("SERVICE_URL", base)
        return web.Response(text=text, content_type="text/xml")

    async def call(request: web.Request) -> web.Response:
        return web.Response(body=b"<soap:Envelope><oops", content_type="text/xml")

    app = web.Application()
    app.router.add_get("/soap/nordic", wsdl)
    app.router.add_post("/soap/nordic", call)
    async with serve(app) as url:
        soap = connector(f"{url}/soap/nordic")
        await soap.start()
        try:
            # The WSDL was built (with the schema from the other host): the call went out.
            with pytest.raises(errors.ConnectorUnavailable, match="malformed"):
                await soap.search(LHR_JFK, timeout=TIMEOUT)
        finally:
            await soap.close()

    assert asked == ["/schemas/ota.xsd"]


async def test_a_wsdl_that_is_not_served_makes_the_airline_unavailable() -> None:
    async def missing(request: web.Request) -> web.Response:
        return web.Response(status=404, text="no such service")

    app = web.Application()
    app.router.add_get("/soap/nordic", missing)
    async with serve(app) as url:
        soap = connector(f"{url}/soap/nordic")
        await soap.start()  # a start without a route network asks for every route
        try:
            with pytest.raises(errors.ConnectorUnavailable, match=r"answered HTTP 404"):
                await soap.search(LHR_JFK, timeout=TIMEOUT)
        finally:
            await soap.close()
