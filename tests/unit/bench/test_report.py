"""The result file: what the harness writes is what compare.py and plots.py read back."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from bench import plots, summary
from bench.report import SCHEMA, UsageCost, decode, encode
from tests.unit.bench.samples import result


def test_a_result_survives_a_round_trip_through_its_json_file() -> None:
    original = result()
    assert decode(encode(original)) == original


def test_the_file_is_indented_json_with_the_schema_version() -> None:
    text = encode(result()).decode()
    assert text.startswith("{\n  ")
    assert f'"schema": {SCHEMA}' in text


def test_a_measurement_that_did_not_run_is_null() -> None:
    partial = msgspec.structs.replace(result(), booking=None, mixed=None)
    assert decode(encode(partial)).booking is None


def test_a_file_missing_a_required_field_is_refused() -> None:
    with pytest.raises(msgspec.ValidationError, match="machine"):
        decode(
            b'{"date": "2026-11-25", "started_at": "x", "sha": "a", "quick": true,'
            b' "command": "c", "commands": {}}'
        )


def test_the_summary_shows_all_four_measurements_the_machine_and_the_commands() -> None:
    text = summary.render(result(), plots=["x-latency.png"])
    for expected in (
        "| ceiling: cached `GET /v1/search`",
        "12,000 vs 24,000 requests/s",
        "0.50, **not met**",
        "+4.0 / +10.0 ms, met",
        "100 vs 1,000 orders/s",
        "33.0 requests/s",
        "AMD EPYC, 2 CPUs",
        "shared and noisy",
        "![x-latency.png](x-latency.png)",
        "wrk -t1 -c64 -d8s URL",
        "`POST /v1/orders`: boom (2×)",
    ):
        assert expected in text


def test_plots_are_drawn_for_a_complete_and_for_a_partial_result(tmp_path: Path) -> None:
    paths = plots.draw(result(), tmp_path / "full")
    paths += plots.draw(
        msgspec.structs.replace(result(), ceiling=None, mixed=None), tmp_path / "partial"
    )
    assert [p.name for p in paths] == [
        "full-latency.png",
        "full-throughput.png",
        "partial-latency.png",
        "partial-throughput.png",
    ]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)


def test_the_summary_shows_the_cost_of_usage_events_when_measured() -> None:
    usage = UsageCost(
        wrk="wrk -t1 -c64 -d8s",
        on_rps=[9_700.0, 9_800.0, 9_900.0],
        off_rps=[10_000.0, 10_000.0, 10_100.0],
        on_median_rps=9_800.0,
        off_median_rps=10_000.0,
        ratio=0.98,
        cpu_us_per_request={"on": [41.0, 42.0, 43.0], "off": [40.0, 41.0, 41.0]},
        cpu_ratio=0.976,
        target=0.97,
        meets_target=True,
        non_2xx=0,
    )

    text = summary.render(msgspec.structs.replace(result(), usage=usage))

    assert "| usage events: cached `GET /v1/search` with them on vs off" in text
    assert "9,800 vs 10,000 requests/s; CPU 42.0 vs 41.0 µs/request | ≥ 0.97 | 0.980" in text
    assert "(CPU 0.976), met |" in text
    assert decode(encode(msgspec.structs.replace(result(), usage=usage))).usage == usage
