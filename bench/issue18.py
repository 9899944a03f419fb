"""Issue 18's table from a result: each target, the figure the issue started from, this run's
figure, and whether it is met (pure: a `Result` in, Markdown rows out).

A row whose part did not run (`--only`, or a step that failed) says "not measured in this run";
it is never counted as met. The cold-search row is met only when both of its rates were measured
and meet the target; the RSS row only when the workers were flat and the L1's bytes were read
and within its bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.report import Result, colds
from bench.summary_notify_rss import rss_verdict, warm_up_text

NOT_MEASURED = "not measured in this run"


@dataclass(frozen=True)
class Row:
    figure: str
    before: str  # the "now"
    target: str
    measure: Callable[[Result], tuple[str, bool] | None]  # (this run's figure, met), or None


def _ratio(name: str, target: float) -> Callable[[Result], tuple[str, bool] | None]:
    def measure(result: Result) -> tuple[str, bool] | None:
        row = result.ceilings.row(name) if result.ceilings is not None else None
        legacy = result.ceiling
        if row is None and name == "get_1w" and legacy is not None:  # a result before issue 18
            text = f"{legacy.ratio:.2f} ({legacy.skyfare_median_rps:,.0f} / "
            return text + f"{legacy.baseline_median_rps:,.0f} req/s)", legacy.ratio >= target
        if row is None:
            return None
        cpu = f"; CPU ratio {row.cpu_ratio:.2f}" if row.cpu_ratio is not None else ""
        figures = (
            f"{row.ratio:.2f} ({row.skyfare_median_rps:,.0f} / {row.baseline_median_rps:,.0f} "
            f"req/s{cpu})"
        )
        return figures, row.ratio >= target

    return measure


def _two_workers(result: Result) -> tuple[str, bool] | None:
    found = _ratio("get_2w", 0.85)(result)
    c = result.ceilings
    if found is None or c is None or c.scaling is None:
        return None
    text, met = found
    bare = "" if not c.baseline_scaling else f" (bare handler {c.baseline_scaling:.2f})"
    text = f"{text}; 2 ÷ 1 worker {c.scaling:.2f}{bare}"
    if (b := c.core_budget) is not None:
        text += (
            f"; {c.scaling_target:g}× would need {b.needed_cores:.2f} cores"
            f" (API workers {b.server_cores:.2f} + wrk {b.wrk_cores:.2f}"
            + ("" if b.rest_cores is None else f" + the rest {b.rest_cores:.2f}")
            + f") of {b.cores}"
        )
    return text, met and c.scaling >= c.scaling_target


def _booking(result: Result) -> tuple[str, bool] | None:
    b = result.booking
    if b is None:
        return None
    m = b.median
    text = f"{b.ratio:.2f} ({m['api_orders_per_s']:,.0f} / {m['raw_orders_per_s']:,.0f} orders/s)"
    if b.bare_ratio is not None:
        text += f"; the bare hold's {b.bare_ratio:.2f}"
    return text, b.ratio >= 0.45


COLD_RATES = (40.0, 200.0)
COLD_TARGET_MS = (3.0, 12.0)  # p50, p99 over the slowest answering airline


def _cold(result: Result) -> tuple[str, bool] | None:
    """Every rate measured, and met only when both of the issue's rates were and meet it."""
    parts, met = [], {}
    for c in colds(result):
        over50 = c.median.get("p50_over_slowest_airline_ms")
        over99 = c.median.get("p99_over_slowest_airline_ms")
        if over50 is None or over99 is None:
            parts.append(f"no answers at {c.rate:g}/s")
            met[c.rate] = False
            continue
        parts.append(f"+{over50:.1f} / +{over99:.1f} ms at {c.rate:g}/s")
        met[c.rate] = over50 <= COLD_TARGET_MS[0] and over99 <= COLD_TARGET_MS[1]
    if not parts:
        return None
    missing = [f"{rate:g}/s {NOT_MEASURED}" for rate in COLD_RATES if rate not in met]
    return "; ".join(parts + missing), all(met.get(rate, False) for rate in COLD_RATES)


def _notify(result: Result) -> tuple[str, bool] | None:
    n = result.notify
    if n is None:
        return None
    m = n.median
    once = "exactly once" if n.exactly_once else "**not exactly once**"
    text = (
        f"{m['end_to_end_events_per_s']:,.0f} events/s, {once} ({len(n.runs)} run(s) of "
        f"{n.events:,}); worker CPU {m['worker_cpu_ms_per_event']:.2f} ms/event"
    )
    return text, n.exactly_once and m["end_to_end_events_per_s"] >= n.target_events_per_s


def _rss(result: Result) -> tuple[str, bool] | None:
    r = result.rss
    if r is None or not r.per_worker:
        return None
    workers = "; ".join(
        f"{w.after_warmup_mib:.0f} → {w.end_mib:.0f} MiB, "
        f"{w.window_slope_mib_per_min:+.2f} MiB/min over the last {r.flat_window_s / 60:g} min"
        for w in r.per_worker
    )
    flat = rss_verdict(r)
    rule = f"|slope| ≤ {r.flat_slope_mib_per_min:g} MiB/min"
    if r.l1_bytes is None:
        l1 = f"L1 bytes not measured (bound {r.l1_max_bytes / 2**20:g} MiB)"
    else:
        l1 = f"L1 {r.l1_bytes / 2**20:.1f} of {r.l1_max_bytes / 2**20:g} MiB"
    bounded = r.l1_bytes is not None and r.l1_bytes <= r.l1_max_bytes
    text = f"{workers} after {r.duration_s / 60:g} min: {flat} ({rule}); {l1}; {warm_up_text(r)}"
    return text, r.flat and bounded


def _bulk(result: Result) -> tuple[str, bool] | None:
    b = result.bulk
    if b is None:
        return None
    first, last = b.median["first_ms"], b.median["last_ms"]
    return f"{first:.1f} / {last:.1f} ms", first <= b.target_first_ms and last <= b.target_last_ms


ROWS = (
    Row(
        "booking: `POST /v1/orders` (hold, airlines at 0 ms) ÷ raw asyncpg loop, same rows",
        "0.16",
        "≥ 0.45",
        _booking,
    ),
    Row(
        "cached `GET /v1/search` ÷ bare aiohttp + uvloop handler, same bytes, 1 worker",
        "0.76–0.80",
        "≥ 0.90",
        _ratio("get_1w", 0.90),
    ),
    Row(
        "the same with 2 workers (both cores, load generator pinned as today)",
        "not measured",
        "≥ 0.85, and 2 workers ≥ 1.6 × 1 worker",
        _two_workers,
    ),
    Row(
        "cached `POST /v1/search` (JSON body) ÷ the same bare handler",
        "not measured",
        "≥ 0.80",
        _ratio("post_1w", 0.80),
    ),
    Row(
        "cold search over the slowest answering airline, open loop at 40/s and at 200/s",
        "+5.0 / +20.5 ms at 40/s",
        "≤ +3 / +12 ms at both rates",
        _cold,
    ),
    Row(
        "bulk fares: 1000 cached queries, first line / last line, server time",
        "4 / 16–23 ms",
        "≤ 2 / ≤ 10 ms",
        _bulk,
    ),
    Row(
        "notifications end to end per worker (outbox → stream → worker → SMTP sink + SMS sim)",
        "371 events/s",
        "≥ 1,000 events/s, still exactly once",
        _notify,
    ),
    Row(
        "API worker RSS after 10 minutes of the locust mix",
        "not measured",
        "flat after warm-up, in MB; L1 bounded in bytes",
        _rss,
    ),
)


def table(result: Result) -> list[str]:
    lines = [
        "## Issue 18's targets",
        "",
        "| figure | issue's figure | this run | target | met |",
        "|---|---|---|---|---|",
    ]
    for row in ROWS:
        found = row.measure(result)
        now, met = (NOT_MEASURED, "—") if found is None else (found[0], _met(found[1]))
        lines.append(f"| {row.figure} | {row.before} | {now} | {row.target} | {met} |")
    return lines


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"
