"""Issue 18's rows the harness took last: cold search at 40/s and 200/s, notifications end to
end, API worker RSS; in its table, the summary, the result file and the comparison."""

from __future__ import annotations

import pytest

from bench import issue18, summary
from bench.compare import diff, headline
from bench.report import Result, decode, encode
from tests.unit.bench.issue18_parts import cold, full, notify, rss
from tests.unit.bench.samples import result


def _row(found: Result, start: str) -> str:
    lines = issue18.table(found)[4:]
    return next(line for line in lines if line.lstrip("| ").startswith(start))


COLD, NOTIFY, RSS = "cold search", "notifications", "API worker RSS"


def test_every_new_row_is_measured_and_met_when_its_figures_meet_the_targets() -> None:
    found = full()
    assert "+2.5 / +10.0 ms at 40/s; +2.9 / +11.0 ms at 200/s" in _row(found, COLD)
    assert "1,200 events/s, exactly once (2 run(s) of 2,000)" in _row(found, NOTIFY)
    assert "160 → 200 MiB, +0.10 MiB/min over the last 5 min" in _row(found, RSS)
    assert "L1 50.0 of 64 MiB" in _row(found, RSS)
    for name in (COLD, NOTIFY, RSS):
        assert _row(found, name).endswith("| met |"), name


@pytest.mark.parametrize(
    ("parts", "name"),
    [
        ({"cold_by_rate": [cold(40.0, 2.5, 10.0), cold(200.0, 3.5, 11.0)]}, COLD),  # 200/s p50
        ({"notify": notify(999.0)}, NOTIFY),
        ({"notify": notify(duplicate=True)}, NOTIFY),  # fast, but a mail went out twice
        ({"rss": rss(slope=0.8)}, RSS),
        ({"rss": rss(l1_bytes=65 * 2**20)}, RSS),  # past its byte bound
        ({"rss": rss(l1_bytes=None)}, RSS),  # flat, but the L1's bytes were not read
    ],
)
def test_a_row_missing_its_target_is_not_met(parts: dict[str, object], name: str) -> None:
    assert _row(full(**parts), name).endswith("| **not met** |")


def test_a_duplicate_at_a_sink_is_not_exactly_once() -> None:
    assert notify().exactly_once
    assert not notify(duplicate=True).exactly_once
    assert "**not exactly once**" in _row(full(notify=notify(duplicate=True)), NOTIFY)


def test_one_rate_measured_says_the_other_was_not_and_is_not_met() -> None:
    only_fast = full(cold_by_rate=[cold(200.0, 1.0, 5.0)])
    assert f"40/s {issue18.NOT_MEASURED}" in _row(only_fast, COLD)
    assert _row(only_fast, COLD).endswith("| **not met** |")


def test_an_old_result_still_renders_its_one_rate_and_the_rest_not_measured() -> None:
    old = result()  # cold at 40/s only, no notifications, no RSS
    assert "+4.0 / +10.0 ms at 40/s; 200/s not measured in this run" in _row(old, COLD)
    assert _row(old, COLD).endswith("| **not met** |")
    for name in (NOTIFY, RSS):
        assert issue18.NOT_MEASURED in _row(old, name)
        assert _row(old, name).endswith("| — |")
    text = summary.render(old)
    assert "Cold search latency at 40/s" in text
    assert "Notifications end to end, per run" not in text


def test_the_summary_shows_both_rates_the_notifications_and_the_memory() -> None:
    text = summary.render(full())
    assert "Cold search latency at 40/s" in text
    assert "Cold search latency at 200/s" in text
    assert "| cold 200/s |" in text  # its CPU
    assert "| 1 | 1200 | 2500 | 0.5 | 0.4 | 2000 / 2000 (of 2000) |" in text
    assert "| notify | notification worker |" in text
    assert "| 4242 | 160 | 200 | +40 | +5 | +0.1 |" in text
    assert "within ±0.5 MiB/min" in text
    assert "L1 52,428,800 bytes (50.0 MiB) of its bound 67,108,864 bytes (64 MiB)" in text
    unread = summary.render(full(rss=rss(l1_bytes=None)))
    assert "L1 size not measured: not exposed" in unread


def test_the_new_parts_survive_the_result_file() -> None:
    assert decode(encode(full())) == full()


def test_compare_pairs_cold_by_rate_an_old_single_rate_with_the_same_rate() -> None:
    rows = {row.name: row for row in diff(result(), full())}
    assert rows["cold.40/s.p50_over_slowest_airline_ms"].change == pytest.approx(-1.5)
    assert rows["cold.200/s.p99"].old is None
    assert rows["notify.end_to_end_events_per_s"].new == 1200.0
    assert rows["rss.worker1.window_slope_mib_per_min"].new == 0.1
    assert rows["rss.l1_bytes"].new == 50 * 2**20
    worse = {row.name: row for row in diff(full(), full(notify=notify(duplicate=True)))}
    assert worse["notify.exactly_once"].verdict == "worse"
    assert "rss.l1_bytes" not in headline(full(rss=rss(l1_bytes=None)))
