"""Per-search CPU cost of the SOAP connector: zeep building the envelope and parsing the answer.

Runs the sim's SOAP airline in-process (no simulated latency), records one OTA_AirLowFareSearchRS
per query over a real socket, then times, offline with timeit, what each search costs the event
loop: build (envelope + WS-Security digest), parse (zeep, against the WSDL's types) and map
(zeep objects -> Offers). Also reports the whole `SoapConnector.search` over loopback.

    .venv/bin/python -m bench.soap_cost [--number 200]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import time
import timeit

from aiohttp import web

from connectors.model import FlightQuery, Passengers, SliceQuery
from connectors.soap import SoapConnector, mapping
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


def flight_query(pairs: tuple[tuple[str, str, int], ...]) -> FlightQuery:
    today = dt.datetime.now(dt.UTC).date()
    return FlightQuery(
        slices=tuple(SliceQuery(o, d, today + dt.timedelta(days=n)) for o, d, n in pairs),
        passengers=Passengers(adults=1),
    )


async def main(number: int) -> None:
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
    print(
        f"{'query':<20} {'itins':>5} {'RS KiB':>7} {'build ms':>9} {'parse ms':>9} "
        f"{'map ms':>7} {'search ms (loopback, p50)':>26}"
    )
    for label, pairs in QUERIES.items():
        query = flight_query(pairs)
        body = mapping.search_body(query)
        data, headers = build_request(client, "LowFareSearch", body)
        async with soap._client._http().post(url, data=data, headers=headers) as response:
            payload = await response.read()
        rs = parse_reply(client, "LowFareSearch", 200, payload, airline="bench")
        count = len(mapping.to_offers(rs, source="bench"))

        def per_call_ms(fn: object) -> float:
            return 1000 * min(timeit.repeat(fn, number=number, repeat=5)) / number  # type: ignore[arg-type]

        build_ms = per_call_ms(lambda body=body: build_request(client, "LowFareSearch", body))
        parse_ms = per_call_ms(
            lambda payload=payload: parse_reply(
                client, "LowFareSearch", 200, payload, airline="bench"
            )
        )
        map_ms = per_call_ms(lambda rs=rs: mapping.to_offers(rs, source="bench"))
        walls = []
        for _ in range(50):
            started = time.perf_counter()
            await soap.search(query, timeout=5.0)
            walls.append(1000 * (time.perf_counter() - started))
        print(
            f"{label:<20} {count:>5} {len(payload) / 1024:>7.1f} {build_ms:>9.3f} "
            f"{parse_ms:>9.3f} {map_ms:>7.3f} {statistics.median(walls):>26.2f}"
        )
    await soap.close()
    await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=200, help="calls per timeit repeat")
    asyncio.run(main(parser.parse_args().number))
