"""Per-search CPU cost of the NDC connector: parsing and mapping one AirShoppingRS with lxml.

Results: bench/results/2026-12-03-ndc-cost.md (before and after NDC 21.3),
bench/results/2026-12-04-baggage-cost.md (before and after baggage allowances).

The answer is what the sim's NDC front writes for a round trip of ~50 offers (the most a sim
airline quotes); the same quotes as REST JSON, decoded by the REST connector, are timed beside
it for scale. Pure CPU, no sockets:

    .venv/bin/python -m bench.ndc_cost [--number 200] [--repeat 5] [--cpu]

`--cpu` times with the process's CPU time instead of the wall clock: steadier on a shared,
loaded machine. The last line is the JSON encoding of the mapped offers (a search miss encodes
them once; a cache hit serves the stored bytes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
import timeit

import msgspec
from lxml import etree

from connectors.model import Owner
from connectors.ndc import mapping as ndc_mapping
from connectors.rest import mapping as rest_mapping
from connectors.rest import wire as rest_wire
from sim import rest as sim_rest
from sim import wire
from sim.ndc import responses
from sim.world import World


def _answers() -> tuple[bytes, bytes, int]:
    world = World(42)
    airline = world.airlines["globetrotter"]  # 50 offers: BA and AA flights resold
    today = dt.datetime.now(dt.UTC).date()
    request = wire.ShoppingRequest(
        journeys=(
            wire.JourneyRequest("LHR", "JFK", today + dt.timedelta(days=30)),
            wire.JourneyRequest("JFK", "LHR", today + dt.timedelta(days=37)),
        ),
        travellers=wire.Travellers(ADT=2, CHD=1),
    )
    quotes = airline.shop(request)
    xml = etree.tostring(
        responses.shopping_response(quotes, airline.spec), xml_declaration=True, encoding="UTF-8"
    )
    fares = tuple(sim_rest.fare_to_wire(q) for q in quotes)
    json = msgspec.json.encode(wire.ShoppingResponse(fares))
    return xml, json, len(quotes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--number", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cpu", action="store_true", help="time CPU, not the wall clock")
    args = parser.parse_args()
    timer = time.process_time if args.cpu else time.perf_counter
    xml, json, offers = _answers()
    owner = Owner("GT", "Globetrotter Travel")
    decoder = msgspec.json.Decoder(rest_wire.ShoppingResponse)

    def ndc() -> None:
        root = ndc_mapping.parse(xml, airline="ndc")
        ndc_mapping.to_offers(root, source="ndc", owner=owner)

    def ndc_parse_only() -> None:
        ndc_mapping.parse(xml, airline="ndc")

    def rest() -> None:
        answer = decoder.decode(json)
        [rest_mapping.to_offer(f, source="rest", owner=owner) for f in answer.fares]

    mapped = ndc_mapping.to_offers(ndc_mapping.parse(xml, airline="ndc"), source="ndc", owner=owner)
    encoder = msgspec.json.Encoder()

    def encode() -> None:
        encoder.encode(mapped)

    print(f"AirShoppingRS: {offers} offers, {len(xml)} bytes XML; REST JSON: {len(json)} bytes")
    print(f"offers as the API's JSON: {len(encoder.encode(mapped))} bytes")
    runs = (("ndc parse+map", ndc), ("ndc parse only", ndc_parse_only), ("rest", rest))
    for name, run in (*runs, ("encode offers", encode)):
        times = timeit.repeat(run, number=args.number, repeat=args.repeat, timer=timer)
        best = min(times) / args.number
        print(f"{name:>15}: {best * 1e6:8.0f} µs per search ({best * 1e6 / offers:.1f} µs/offer)")


if __name__ == "__main__":
    main()
