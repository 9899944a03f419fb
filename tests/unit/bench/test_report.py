"""The result file: what the harness writes is what compare.py and plots.py read back."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from bench import plots, summary
from bench.report import SCHEMA, decode, encode
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
