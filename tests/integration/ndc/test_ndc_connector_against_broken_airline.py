"""The NDC connector against a tiny airline that answers garbage: its own error, never a crash."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from connectors import errors
from connectors.model import FlightQuery, Passengers, SliceQuery
from connectors.ndc import NdcConnector
from tests.integration.ndc.conftest import TIMEOUT, serve

ANSWERS: dict[str, tuple[int, bytes]] = {
    "garbage": (200, b"<IATA_AirShoppingRS><Response><OffersGroup>"),
    "html": (502, b"<html><body>Bad gateway</body></html>"),
    "shape": (
        200,
        b'<IATA_AirShoppingRS xmlns="http://www.iata.org/IATA/2015/EASD/00/'
        b'IATA_OffersAndOrdersMessage"><Response><OffersGroup><CarrierOffers><Offer>'
        b"<OfferID>x</OfferID></Offer></CarrierOffers></OffersGroup></Response>"
        b"</IATA_AirShoppingRS>",
    ),
}
QUERY = FlightQuery(
    slices=(SliceQuery("LHR", "JFK", dt.date.today() + dt.timedelta(days=30)),),
    passengers=Passengers(),
)


async def answer(request: web.Request) -> web.Response:
    status, body = ANSWERS[request.match_info["kind"]]
    request.app[SENT].append(request.match_info["kind"])
    return web.Response(status=status, body=body, content_type="application/xml")


SENT = web.AppKey("sent", list[str])


@pytest.fixture
async def broken_airline() -> AsyncIterator[tuple[str, list[str]]]:
    """The airline's URL and the kinds of answer it sent (the fake fails the test if it breaks)."""
    app = web.Application()
    app[SENT] = []
    app.router.add_route("*", "/{kind}/{message}", answer)
    async for url in serve(app):
        yield url, app[SENT]


# Each answer must reach the connector and be told apart: a fake answering 500 by mistake would
# pass all three as "HTTP 500".
@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("garbage", "unparseable XML answer"),
        ("html", "answered HTTP 502"),
        ("shape", "malformed NDC answer"),
    ],
)
async def test_an_unreadable_answer_is_the_connector_being_unavailable(
    broken_airline: tuple[str, list[str]], kind: str, reason: str
) -> None:
    url, sent = broken_airline
    connector = NdcConnector("ndc-broken", f"{url}/{kind}", max_timeout_s=TIMEOUT)
    try:
        await connector.start()  # the network cannot be learned: every route is asked for

        assert connector.serves(QUERY)
        with pytest.raises(errors.ConnectorUnavailable, match=reason):
            await connector.search(QUERY, timeout=TIMEOUT)
        with pytest.raises(errors.ConnectorUnavailable, match=reason):
            await connector.retrieve("ord_1", timeout=TIMEOUT)
    finally:
        await connector.close()
    assert set(sent) == {kind}


async def test_an_airline_that_is_not_listening_is_unavailable() -> None:
    connector = NdcConnector("ndc-gone", "http://127.0.0.1:9/ndc", max_timeout_s=TIMEOUT)
    try:
        with pytest.raises(errors.ConnectorUnavailable):
            await connector.search(QUERY, timeout=TIMEOUT)
    finally:
        await connector.close()
