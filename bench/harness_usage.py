"""Usage events' cost in `make bench`: cached GET /v1/search with usage events on ÷ off.

`bench.usage_cost` starts its own pair of `skyfare serve --workers 1` (one with
`SKYFARE_USAGE_EVENTS=false`, nothing else different) and one sim, on the PostgreSQL and Redis
of the environment (`DATABASE_URL` / `REDIS_URL`), else on embedded ones it starts for the pair,
and drives them in alternating wrk turns.
"""

from __future__ import annotations

import socket

from bench import usage_cost
from bench.harness_stack import display
from bench.report import UsageCost

# usage_cost's layout: the two APIs on base and base+2, the sim on +10, its SMTP sink on +35.
SPAN = 40


def measure(*, turns: int, seconds: int, connections: int) -> tuple[UsageCost, list[str]]:
    base = _free_span(SPAN)
    found = usage_cost.measure(base, turns=turns, seconds=seconds, connections=connections)
    command = [
        "python", "-m", "bench.usage_cost", "--port-base", str(base), "--turns", str(turns),
        "--seconds", str(seconds), "--connections", str(connections),
    ]  # fmt: skip
    result = UsageCost(
        wrk=found["wrk"],
        on_rps=found["usage_on_rps"],
        off_rps=found["usage_off_rps"],
        on_median_rps=found["usage_on_median_rps"],
        off_median_rps=found["usage_off_median_rps"],
        ratio=found["ratio"],
        cpu_us_per_request=found["cpu_us_per_request"],
        cpu_ratio=found["cpu_ratio"],
        target=found["target"],
        meets_target=found["meets_target"],
        non_2xx=found["non_2xx"],
    )
    return result, [display(command)]


def _free_span(span: int) -> int:
    """A base port whose next `span` ports are free now (the OS's ephemeral ones move on)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base: int = probe.getsockname()[1]
        if base + span < 65536 and all(_free(base + i) for i in range(span)):
            return base
    raise RuntimeError(f"no {span} free ports in a row")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
