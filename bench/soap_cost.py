"""Per-search CPU cost of the SOAP connector: zeep building the envelope, lxml reading the answer.

Runs the sim's SOAP airline in-process (no simulated latency), records one OTA_AirLowFareSearchRS
per query over a real socket, then times, offline with timeit (median of --repeat runs), what each
search costs the event loop: build (envelope + WS-Security digest, zeep), and reading the answer
into Offers two ways in the same run: zeep (typed parse against the WSDL, then the zeep mapping,
as the connector did before) and lxml (`shopping.to_offers`, what the connector does now). Both
must give the same Offers. Also reports the whole `SoapConnector.search` over loopback.

    .venv/bin/python -m bench.soap_cost [--number 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import time
import timeit
from collections.abc import Callable

import zeep
from aiohttp import web

from connectors.model import FlightQuery, Offer, Passengers, SliceQuery
from connectors.soap import SoapConnector, mapping, shopping
from connectors.soap.client import build_request, parse_reply
from sim import control
from sim.control import Behaviour, Profile
from sim.soap import SIM_PASSWORD, SIM_USERNAME, soap_airline_app
from sim.world import World

QUERIES = {
    "LHR-JFK one-way": (("LHR", "JFK", 30),),
    "LHR-FRA round trip": (("LHR", "FRA", 30), ("FRA", "LHR", 37)),
    "AMS-FRA round trip": (("AMS", "FRA", 30), ("FRA", "AMS", 37)),
}


def zeep_offers(client: zeep.Client, payload: bytes) -> list[Offer]:
    """The connector's shopping read before the lxml path: zeep's parse, then its mapping."""
    rs = parse_reply(client, "LowFareSearch", 200, payload, airline="bench")
    if rs.PricedItineraries is None:
        return []
    return [mapping.to_offer(p, source="bench") for p in rs.PricedItineraries.PricedItinerary]


def flight_query(pairs: tuple[tuple[str, str, int], ...]) -> FlightQuery:
    today = dt.datetime.now(dt.UTC).date()
    return FlightQuery(
        slices=tuple(SliceQuery(o, d, today + dt.timedelta(days=n)) for o, d, n in pairs),
        passengers=Passengers(adults=1),
    )


async def main(number: int, repeat: int) -> None:
    world = World(42)
    behaviour = Behaviour({s: Profile() for s in control.DEFAULT_PROFILES}, seed=42)
    app = web.Application()
    app.add_subapp(
        "/soap/nordic",
        soap_airline_app(
            world.airlines["nordic"], behaviour, username=SIM_USERNAME, password=SIM_PASSWORD
        ),
    )
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/soap/nordic"
    soap = SoapConnector("soap-nordic", url, username=SIM_USERNAME, password=SIM_PASSWORD)
    await soap.start()
    client = await soap._client._client(5.0)  # the zeep client the connector built from the WSDL

    def per_call_ms(fn: Callable[[], object]) -> float:
        return 1000 * statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number

    print(
        f"{'query':<20} {'itins':>5} {'RS KiB':>7} {'build ms':>9} {'zeep read ms':>13} "
        f"{'lxml read ms':>13} {'speed-up':>9} {'search ms (loopback, p50)':>26}"
    )
    for label, pairs in QUERIES.items():
        query = flight_query(pairs)
        body = mapping.search_body(query)
        data, headers = build_request(client, "LowFareSearch", body)
        async with soap._client._http().post(url, data=data, headers=headers) as response:
            payload = await response.read()
        offers = shopping.to_offers(200, payload, source="bench")
        assert offers == zeep_offers(client, payload), "the two reads disagree"
        build_ms = per_call_ms(lambda body=body: build_request(client, "LowFareSearch", body))
        zeep_ms = per_call_ms(lambda payload=payload: zeep_offers(client, payload))
        lxml_ms = per_call_ms(
            lambda payload=payload: shopping.to_offers(200, payload, source="bench")
        )
        walls = []
        for _ in range(50):
            started = time.perf_counter()
            await soap.search(query, timeout=5.0)
            walls.append(1000 * (time.perf_counter() - started))
        print(
            f"{label:<20} {len(offers):>5} {len(payload) / 1024:>7.1f} {build_ms:>9.3f} "
            f"{zeep_ms:>13.3f} {lxml_ms:>13.3f} {zeep_ms / lxml_ms:>8.1f}x "
            f"{statistics.median(walls):>26.2f}"
        )
    await soap.close()
    await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=200, help="calls per timeit repeat")
    parser.add_argument("--repeat", type=int, default=5, help="timeit repeats (median reported)")
    args = parser.parse_args()
    asyncio.run(main(args.number, args.repeat))
