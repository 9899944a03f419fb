"""bench/gateway.py's pure parts: the cold search script, the ratios and the summary."""

from __future__ import annotations

import re
from pathlib import Path

from bench.gateway import CONFIGS, _cold_script, _ratios
from bench.gateway_report import render


def _medians(
    rps: dict[str, float], orders: dict[str, float]
) -> dict[str, dict[str, dict[str, float]]]:
    search = {c: {"requests_per_s": rps[c], "non_2xx": 0.0, "cpu_us_per_request_search-1": 80.0}
              for c in CONFIGS}  # fmt: skip
    return {
        "cached": search,
        "cold": search,
        "booking": {
            c: {"orders_per_s": v, "p50_ms": 9.0, "p99_ms": 30.0} for c, v in orders.items()
        },
    }


def test_every_cold_request_is_an_uncached_search_of_its_own(tmp_path: Path) -> None:
    text = _cold_script(tmp_path).read_text()
    paths = re.findall(r'"(/v1/search\?[^"]+)"', text)
    assert len(paths) == len(set(paths)) > 1000
    assert all(p.endswith("&cache=false") for p in paths)


def test_ratios_are_two_processes_over_one_and_gateway_over_direct() -> None:
    medians = _medians({"direct-1": 1000, "gateway-1": 800, "gateway-2": 1400},
                       {"direct-1": 50, "gateway-1": 40})  # fmt: skip
    ratios = _ratios(medians)
    assert ratios["cached_2_processes_over_1"] == 1.75
    assert ratios["cached_gateway_over_direct"] == 0.8
    assert ratios["booking_gateway_over_direct"] == 0.8


def test_the_summary_names_the_command_and_every_configuration() -> None:
    medians = _medians({"direct-1": 1000, "gateway-1": 800, "gateway-2": 1400},
                       {"direct-1": 50, "gateway-1": 40})  # fmt: skip
    plan = {"runs": 3, "connections": 64, "seconds": 5, "airline_latency_ms": 5.0}
    result = {"date": "2026-12-03", "sha": "abc1234", "command": "python -m bench.gateway",
              "plan": plan, "medians": medians, "ratios": _ratios(medians)}  # fmt: skip
    text = render(result)
    assert "`python -m bench.gateway`" in text
    assert "median of 3 turns" in text
    assert all(f"| cached | {config} |" in text for config in CONFIGS)
    assert "| cached_2_processes_over_1 | 1.750 |" in text
