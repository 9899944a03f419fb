"""One airline's seats are one set whichever protocol sells them.

Nordic Skyways is served here by all three of the sim's fronts at once (SOAP, REST and NDC 21.3
over one `World`), as an airline offers its legacy SOAP API beside its NDC one: a seat chosen
through one is taken in the seat maps of the others, because every front books through the same
seat desk (sim/seat_sales.py) on the same inventory. The connectors talk to it over sockets; the
NDC messages are checked against IATA's 21.3 schemas in both directions (`ExchangeRecorder`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import NamedTuple

import pytest
from aiohttp import web

from connectors import errors
from connectors.model import HoldPassenger, Offer, Passengers
from connectors.ndc import NdcConnector
from connectors.rest.connector import RestConnector
from connectors.seat_model import LegSeatMap, SeatSelection
from connectors.soap import SoapConnector
from sim import control
from sim.control import BEHAVIOUR, Behaviour
from sim.ndc import ndc_airline_app
from sim.ndc.schemas import Schemas
from sim.rest import airline_app
from sim.soap import SIM_PASSWORD, SIM_USERNAME, soap_airline_app
from sim.world import World
from tests.support import fake_server
from tests.support.flights import adults, flights, query, supplier_id
from tests.support.ndc_exchanges import ExchangeRecorder, schema_folder_or_none
from tests.support.seat_maps import available, free_seats
from tests.support.sim import fast_profiles

# A bound only a broken sim reaches: a machine running the suite in two processes beside
# Chromium took over 2 s to answer one call (tests that are about a timeout pass their own).
TIMEOUT = 20.0
CPH_JFK = query(("CPH", "JFK", 30), stops=0)


class Fronts(NamedTuple):
    soap: SoapConnector
    rest: RestConnector
    ndc: NdcConnector


def _nordic_on_every_front(recorder: ExchangeRecorder) -> web.Application:
    world = World(42)
    behaviour = Behaviour(control.profiles_with(fast_profiles()), seed=42)
    app = web.Application(middlewares=[recorder.middleware])
    app[BEHAVIOUR] = behaviour
    control.add_routes(app.router)
    folder = schema_folder_or_none()
    nordic = world.airlines["nordic"]
    soap = soap_airline_app(nordic, behaviour, username=SIM_USERNAME, password=SIM_PASSWORD)
    app.add_subapp("/soap/nordic", soap)
    app.add_subapp("/rest/nordic", airline_app(nordic, behaviour))
    schemas = None if folder is None else Schemas(folder)
    app.add_subapp("/ndc/nordic", ndc_airline_app(nordic, behaviour, schemas=schemas))
    return app


@pytest.fixture
async def fronts() -> AsyncIterator[Fronts]:
    recorder = ExchangeRecorder()
    async with fake_server.serve(_nordic_on_every_front(recorder)) as url:
        connectors = Fronts(
            SoapConnector(
                "soap-nordic",
                url + "/soap/nordic",
                username=SIM_USERNAME,
                password=SIM_PASSWORD,
                max_timeout_s=TIMEOUT,
            ),
            RestConnector("rest-nordic", url + "/rest/nordic", max_timeout_s=TIMEOUT),
            NdcConnector("ndc-nordic", url + "/ndc/nordic", max_timeout_s=TIMEOUT),
        )
        for connector in connectors:
            await connector.start()
        yield connectors
        for connector in connectors:
            await connector.close()
    folder = schema_folder_or_none()
    if folder is not None:
        recorder.check(folder)


async def _offer_map(
    connector: SoapConnector | RestConnector | NdcConnector, flown: tuple[tuple[str, ...], ...]
) -> LegSeatMap:
    """The seat map of the first leg of `connector`'s offer for the flights `flown`."""
    offers: list[Offer] = await connector.search(CPH_JFK, timeout=TIMEOUT)
    offer = next(o for o in offers if flights(o) == flown)
    return (await connector.seat_maps(supplier_id(offer), timeout=TIMEOUT)).legs[0]


async def test_a_seat_sold_through_one_protocol_is_taken_in_the_others(fronts: Fronts) -> None:
    soap, rest, ndc = fronts
    offer = (await soap.search(CPH_JFK, timeout=TIMEOUT))[0]
    flown = flights(offer)
    soap_hold = await soap.hold(supplier_id(offer), adults(1), reference="ord_x1", timeout=TIMEOUT)
    leg = (await soap.booking_seat_maps(soap_hold.locator, timeout=TIMEOUT)).legs[0]
    by_soap, by_ndc = free_seats(leg)[:2]
    assert available(await _offer_map(rest, flown), by_soap)
    assert available(await _offer_map(ndc, flown), by_soap)

    await soap.select_seats(soap_hold.locator, [SeatSelection(0, 0, by_soap)], timeout=TIMEOUT)

    assert not available(await _offer_map(rest, flown), by_soap)
    assert not available(await _offer_map(ndc, flown), by_soap)
    # And back: a seat the NDC front sells is gone for the SOAP booking and the REST shopper.
    ndc_offer = next(o for o in await ndc.search(CPH_JFK, timeout=TIMEOUT) if flights(o) == flown)
    ndc_hold = await ndc.hold(
        supplier_id(ndc_offer), adults(1), reference="ord_x2", timeout=TIMEOUT
    )
    await ndc.select_seats(ndc_hold.locator, [SeatSelection(0, 0, by_ndc)], timeout=TIMEOUT)
    seen_by_soap = (await soap.booking_seat_maps(soap_hold.locator, timeout=TIMEOUT)).legs[0]
    assert not available(seen_by_soap, by_ndc)
    assert available(seen_by_soap, by_soap)  # the SOAP booking's own seat
    assert not available(await _offer_map(rest, flown), by_ndc)


# Two adults and an infant, listed so; the second adult (index 1) holds the infant (index 2).
LAP_TRIP = query(("CPH", "JFK", 30), passengers=Passengers(adults=2, infants=1), stops=0)
SECOND_ADULT_HOLDS = [
    HoldPassenger("adult", "Ada", "Lovelace", dt.date(1990, 1, 1), "f"),
    HoldPassenger("adult", "Charles", "Babbage", dt.date(1988, 1, 1), "m", lap_infant=2),
    HoldPassenger("infant", "Tim", "Babbage", dt.date.today() - dt.timedelta(days=200), "m"),
]


@pytest.mark.parametrize("protocol", ["soap", "rest", "ndc"])
async def test_each_protocol_tells_the_airline_which_adult_holds_the_infant(
    fronts: Fronts, protocol: str
) -> None:
    connector: SoapConnector | RestConnector | NdcConnector = getattr(fronts, protocol)
    offer = (await connector.search(LAP_TRIP, timeout=TIMEOUT))[0]
    hold = await connector.hold(
        supplier_id(offer), SECOND_ADULT_HOLDS, reference=f"ord_lap_{protocol}", timeout=TIMEOUT
    )
    leg = (await connector.booking_seat_maps(hold.locator, timeout=TIMEOUT)).legs[0]
    holder_seat, other_seat = free_seats(leg, exit_row=True)[:2]

    with pytest.raises(errors.SeatRestricted):
        await connector.select_seats(
            hold.locator, [SeatSelection(0, 1, holder_seat)], timeout=TIMEOUT
        )
    await connector.select_seats(hold.locator, [SeatSelection(0, 0, other_seat)], timeout=TIMEOUT)

    leg = (await connector.booking_seat_maps(hold.locator, timeout=TIMEOUT)).legs[0]
    assert available(leg, other_seat)  # the booking's own seat, shown free to it
    assert not available(await _offer_map(connector, flights(offer)), other_seat)
