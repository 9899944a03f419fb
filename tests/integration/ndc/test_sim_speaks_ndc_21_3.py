"""The sim airline is a conforming NDC 21.3 airline, and the connector can check what it reads.

Every message of these tests is also checked by the `ndc_exchanges` recorder (conftest.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from lxml import etree

from connectors import errors
from connectors.ndc import NdcConnector, schemas
from tests.integration.ndc.conftest import CRIMSON, TIMEOUT, serve
from tests.support.flights import LHR_JFK, adults, supplier_id
from tests.support.ndc_exchanges import ExchangeRecorder, schema_folder
from tests.support.sim import SimHandle

DATA = Path(__file__).parents[2] / "data" / "ndc"
SAMPLES = Path(__file__).parents[2] / "unit" / "connectors" / "ndc" / "samples"
NS = {"n": schemas.MESSAGE_NS, "c": schemas.COMMON_NS}


def by_hand(depart_in_days: int = 30) -> bytes:
    """The hand-written AirShoppingRQ of tests/data, its dates moved to days from today."""
    root = etree.parse(str(DATA / "air_shopping_rq_by_hand.xml")).getroot()
    today = dt.date.today()
    out, back = root.xpath("//c:OriginDepCriteria/c:Date", namespaces=NS)
    out.text = (today + dt.timedelta(days=depart_in_days)).isoformat()
    back.text = (today + dt.timedelta(days=depart_in_days + 14)).isoformat()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


async def post(sim: SimHandle, operation: str, body: bytes) -> tuple[int, etree._Element]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sim.url}{CRIMSON.base_path}/{operation}", data=body) as response,
    ):
        return response.status, etree.fromstring(await response.read())


def values(root: etree._Element, xpath: str) -> list[str]:
    return [str(v) for v in root.xpath(xpath, namespaces=NS)]


async def test_a_hand_written_air_shopping_rq_is_answered_with_valid_offers(
    sim: SimHandle,
) -> None:
    request = etree.fromstring(by_hand())
    assert schemas.problems(request, schema_folder()) == []  # the sample is 21.3 itself

    status, answer = await post(sim, "AirShopping", by_hand())

    assert status == 200
    assert schemas.problems(answer, schema_folder()) == []
    offers = answer.xpath("n:Response/c:OffersGroup/c:CarrierOffers/c:Offer", namespaces=NS)
    assert offers
    # Two travellers (one without a PTC is an adult), both journeys, in the currency asked for.
    assert values(answer, "n:Response/c:DataLists/c:PaxList/c:Pax/c:PTC/text()") == ["ADT", "ADT"]
    for offer in offers:
        assert len(values(offer, "c:JourneyOverview/c:JourneyPriceClass")) == 2
        assert values(offer, "c:TotalPrice/c:TotalAmount/@CurCode") == ["GBP"]
        assert values(offer, "c:OwnerCode/text()") == ["VS"]


async def test_a_request_its_schema_refuses_gets_a_valid_error_naming_the_element(
    sim: SimHandle, ndc_exchanges: ExchangeRecorder
) -> None:
    schema_folder()  # the airline checks requests only with the schemas at hand
    ndc_exchanges.expect_invalid_requests()
    # What Skyfare sent before 21.3: PayloadAttributes first, no DistributionChain.
    request = etree.fromstring(by_hand())
    chain = request.find("n:DistributionChain", NS)
    assert chain is not None
    request.remove(chain)

    status, answer = await post(sim, "AirShopping", etree.tostring(request))

    assert status == 400
    assert etree.QName(answer).localname == "IATA_AirShoppingRS"
    assert schemas.problems(answer, schema_folder()) == []
    assert values(answer, "n:Error/c:Code/text()") == ["INVALID_REQUEST"]
    [text] = values(answer, "n:Error/c:DescText/text()")
    assert "not NDC 21.3" in text
    assert "PayloadAttributes" in text
    assert "DistributionChain" in text


async def test_a_message_sent_to_another_operation_is_refused(
    sim: SimHandle, ndc_exchanges: ExchangeRecorder
) -> None:
    ndc_exchanges.expect_invalid_requests()

    status, answer = await post(sim, "OfferPrice", by_hand())

    assert status == 400
    assert etree.QName(answer).localname == "IATA_OfferPriceRS"
    assert values(answer, "n:Error/c:Code/text()") == ["INVALID_REQUEST"]


def _with_stranger(sample: str) -> bytes:
    """A recorded answer with an element 21.3 does not have, where the mapping never looks."""
    root = etree.parse(str(SAMPLES / sample)).getroot()
    lists = root.find("n:Response/c:DataLists", NS)
    assert lists is not None
    lists.insert(0, etree.Element(f"{{{schemas.COMMON_NS}}}Stranger"))
    return etree.tostring(root)


@pytest.fixture
async def stranger_airline() -> AsyncIterator[str]:
    """An airline answering AirShopping with a well-formed answer that is not valid 21.3."""
    body = _with_stranger("air_shopping_connections_rs.xml")

    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/xml")

    app = web.Application()
    app.router.add_post("/AirShopping", answer)
    async for url in serve(app):
        yield url


@pytest.mark.parametrize("validating", [False, True])
async def test_certification_runs_refuse_an_answer_its_schema_refuses(
    stranger_airline: str, validating: bool
) -> None:
    folder = schema_folder() if validating else None
    connector = NdcConnector(
        "ndc-stranger", stranger_airline, max_timeout_s=TIMEOUT, schema_folder=folder
    )
    try:
        if validating:
            with pytest.raises(errors.ConnectorUnavailable, match=r"not NDC 21\.3.*Stranger"):
                await connector.search(LHR_JFK, timeout=TIMEOUT)
        else:  # in production the answer is read as far as it can be
            assert await connector.search(LHR_JFK, timeout=TIMEOUT)
    finally:
        await connector.close()


async def test_a_certification_run_against_the_sim_checks_and_reads_every_answer(
    sim: SimHandle,
) -> None:
    connector = NdcConnector(
        "ndc-crimson",
        sim.url + CRIMSON.base_path,
        max_timeout_s=TIMEOUT,
        schema_folder=schema_folder(),
    )
    try:
        await connector.start()
        [offer] = await connector.search(LHR_JFK, timeout=TIMEOUT)
        priced = await connector.price(supplier_id(offer), timeout=TIMEOUT)
        held = await connector.hold(
            supplier_id(priced), adults(1), reference="ord_cert", timeout=TIMEOUT
        )
        found = await connector.retrieve("ord_cert", timeout=TIMEOUT)
        ticketed = await connector.ticket(held.locator, timeout=TIMEOUT)
        cancelled = await connector.cancel(held.locator, timeout=TIMEOUT)
        with pytest.raises(errors.HoldNotFound):  # an Error answer is checked, then mapped
            await connector.retrieve("ord_unknown", timeout=TIMEOUT)
    finally:
        await connector.close()

    assert found == held
    assert (ticketed.status, len(ticketed.ticket_numbers)) == ("ticketed", 1)
    assert cancelled.status == "cancelled"


async def test_an_airline_without_a_route_network_works_with_its_configured_owner_code(
    sim: SimHandle,
) -> None:
    connector = NdcConnector(
        "ndc-crimson", sim.url + CRIMSON.base_path, max_timeout_s=TIMEOUT, owner_code="VS"
    )
    try:  # no start(): nothing learned from /network, every request names VS as configured
        [offer] = await connector.search(LHR_JFK, timeout=TIMEOUT)
        held = await connector.hold(
            supplier_id(offer), adults(1), reference="ord_cfg", timeout=TIMEOUT
        )
        ticketed = await connector.ticket(held.locator, timeout=TIMEOUT)
    finally:
        await connector.close()

    assert offer.owner.iata_code == "VS"
    assert ticketed.status == "ticketed"
    assert (await sim.stats())["crimson"]["network"] == 0
