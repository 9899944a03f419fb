"""CPU per airline call, by protocol: each configured connector (REST, SOAP, NDC: the settings'
own, without the resilience layer) searches LHR→JFK N times in a row against a running sim, and
the thread's CPU time per search is read. A search is one HTTP call plus the connector's build
and parse, alike on both sides of an A/B: the difference is the HTTP client's.

    skyfare sim &   # SKYFARE_SIM_PORT=21060; every airline at a fixed 5 ms (see the results)
    python -m bench.airline_call_cpu --sim-port 21060 -n 300 --label branch-1

For an A/B run it alternately from two checkouts with PYTHONPATH set to each
(bench/results/2026-12-04-airline-client.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time

import uvloop

from connectors.base import Connector
from connectors.model import FlightQuery, Passengers, SliceQuery
from connectors.registry import build_connectors
from skyfare.settings import load_settings

WARMUP = 20  # connections, the WSDL, request templates


def _query(i: int) -> FlightQuery:
    day = dt.date.today() + dt.timedelta(days=7 + i % 60)
    return FlightQuery(slices=(SliceQuery("LHR", "JFK", day),), passengers=Passengers())


async def _per_call(connector: Connector, n: int) -> float:
    for i in range(WARMUP):
        await connector.search(_query(i), timeout=5.0)
    cpu = time.thread_time()
    for i in range(n):
        await connector.search(_query(i), timeout=5.0)
    return (time.thread_time() - cpu) * 1e6 / n


async def measure(sim_port: int, n: int) -> dict[str, object]:
    settings = load_settings({"SKYFARE_SIM_PORT": str(sim_port)})
    connectors = [c.inner for c in build_connectors(settings.connectors)]
    for connector in connectors:
        await connector.start()
    try:
        per_call = {c.name: round(await _per_call(c, n), 1) for c in connectors}
    finally:
        for connector in connectors:
            await connector.close()
    kinds = {c.name: c.kind for c in connectors}
    by_kind: dict[str, list[float]] = {}
    for name, us in per_call.items():
        by_kind.setdefault(kinds[name], []).append(us)
    return {
        "cpu_us_per_call": per_call,
        "cpu_us_per_call_by_kind": {k: round(sum(v) / len(v), 1) for k, v in by_kind.items()},
        "load1": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sim-port", type=int, required=True)
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--label", default="run")
    args = parser.parse_args()
    result = uvloop.run(measure(args.sim_port, args.n))
    print(json.dumps({"label": args.label, **result}), flush=True)


if __name__ == "__main__":
    main()
