"""The parts of a result issue 18 added to the harness: cold search at two rates, notifications
end to end, the API worker's RSS; for the tests of what renders and compares them."""

from __future__ import annotations

import msgspec

from bench.harness_notify import summarize as summarize_notify
from bench.report import Cold, Notify, Result, Rss, RssSample, RssWorker, ToolCpu
from tests.unit.bench.samples import result


def cold(rate: float, over50: float, over99: float) -> Cold:
    figures = {
        "p50": 70.0 + over50,
        "p99": 70.0 + over99,
        "p50_over_slowest_airline_ms": over50,
        "p99_over_slowest_airline_ms": over99,
        "errors": 0.0,
    }
    return Cold(
        route="LHR-JFK",
        rate=rate,
        duration_s=20.0,
        airline_latency_ms={"crimson": 70.0},
        slowest_airline_ms=70.0,
        target_p50_over_ms=5.0,
        target_p99_over_ms=20.0,
        runs=[figures],
        median=figures,
        cpu=[ToolCpu("open-loop generator (load generator)", 1.0, 20.0)],
    )


def notify_run(events: int, per_s: float, *, mails: int | None = None) -> dict[str, float]:
    return {
        "events": events,
        "end_to_end_s": events / per_s,
        "end_to_end_events_per_s": per_s,
        "relay_events_per_s": 2500.0,
        "worker_cpu_s": 0.5 * events / 1000,
        "sim_cpu_s": 0.4 * events / 1000,
        "relay_and_inserts_cpu_s": 0.3,
        "worker_cpu_ms_per_event": 0.5,
        "sim_cpu_ms_per_event": 0.4,
        "mails": events if mails is None else mails,
        "sms": events,
    }


def notify(per_s: float = 1200.0, *, duplicate: bool = False) -> Notify:
    runs = [notify_run(2000, per_s), notify_run(2000, per_s, mails=2001 if duplicate else None)]
    return summarize_notify(runs, events=2000, batch_size=50, per_tx=100)


def rss(*, slope: float = 0.1, l1_bytes: float | None = 50 * 2**20) -> Rss:
    worker = RssWorker(
        pid=4242,
        after_warmup_mib=160.0,
        end_mib=200.0,
        growth_mib=40.0,
        slope_mib_per_min=5.0,
        window_slope_mib_per_min=slope,
    )
    return Rss(
        users=20,
        duration_s=600.0,
        warmup_s=120.0,
        every_s=10.0,
        flat_window_s=300.0,
        flat_slope_mib_per_min=0.5,
        per_worker=[worker],
        flat=abs(slope) <= 0.5,
        l1_max_bytes=64 * 2**20,
        l1_bytes=l1_bytes,
        l1_note="" if l1_bytes is not None else "not exposed",
        samples=[RssSample(0.0, {"4242": 100.0}), RssSample(600.0, {"4242": 200.0})],
    )


def full(**parts: object) -> Result:
    """A result of today's harness: every rate of cold search, notifications and RSS."""
    found: dict[str, object] = {
        "cold": None,
        "cold_by_rate": [cold(40.0, 2.5, 10.0), cold(200.0, 2.9, 11.0)],
        "notify": notify(),
        "rss": rss(),
    }
    return msgspec.structs.replace(result(), **(found | parts))
