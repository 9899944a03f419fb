"""The Markdown summary of a result (pure: a `Result` in, text out).

python -m bench.summary bench/results/<date>-<sha>.json   # rewrites the .md beside it
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from statistics import median

from bench import issue18
from bench.report import (
    Booking,
    Ceiling,
    Ceilings,
    Cold,
    CoreBudget,
    Mixed,
    PriceChecks,
    Result,
    UsageCost,
    colds,
    load,
)
from bench.summary_notify_rss import notify_row, notify_table, rss_row, rss_table

NOISY = (
    "The machine is shared and noisy: other work (test suites, builds) ran beside the benchmark, "
    "so absolute figures move from run to run; the ratios, measured in turns in one run, move less."
)


def _n(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def _mark(ok: bool) -> str:
    return "met" if ok else "**not met**"


def render(result: Result, *, plots: Iterable[str] = ()) -> str:
    quick = " (quick)" if result.quick else ""
    lines = [
        f"# Skyfare benchmarks, {result.date}, {result.sha}{quick}",
        "",
        machine_line(result),
        "",
        NOISY,
        "",
        *issue18.table(result),
        "",
        *headline(result),
    ]
    if result.ceilings is not None:
        lines += ["", *ceilings_table(result.ceilings)]
    for plot in plots:
        lines += ["", f"![{plot}]({plot})"]
    if result.mixed is not None:
        lines += ["", *mixed_table(result.mixed)]
    for cold in colds(result):
        lines += ["", *cold_table(cold)]
    if result.booking is not None:
        lines += ["", *booking_table(result.booking)]
    if result.notify is not None:
        lines += ["", *notify_table(result.notify)]
    if result.rss is not None:
        lines += ["", *rss_table(result.rss)]
    lines += ["", *cpu_table(result)]
    if result.skipped or result.notes:
        lines += ["", "## Not measured, and notes", ""]
        lines += [f"- {s.measurement}: {s.reason}" for s in result.skipped]
        lines += [f"- {note}" for note in result.notes]
    lines += ["", "## Commands", "", f"All of it: `{result.command}`"]
    for name, commands in result.commands.items():
        lines += ["", f"{name}:", "", "```sh", *commands, "```"]
    return "\n".join(lines) + "\n"


def machine_line(result: Result) -> str:
    m = result.machine
    packages = ", ".join(f"{k} {v}" for k, v in m.packages.items())
    if m.pinned:
        cores = (
            f"server (API, PostgreSQL, Redis) on core(s) {','.join(map(str, m.server_cores))}, "
            f"load generators and the sim airlines (the outside world) on core(s) "
            f"{','.join(map(str, m.loadgen_cores))} (taskset)"
        )
    else:
        cores = "server and load generator share the only core (not pinned)"
    dirty = " with uncommitted changes" if m.git_dirty else ""
    return (
        f"Machine: {m.cpu_model}, {m.cpus} CPUs, {m.os} ({m.hostname}); Python {m.python}, "
        f"{packages}; {m.tools.get('wrk', '')}. {cores[0].upper() + cores[1:]}. Load average "
        f"before "
        f"{'/'.join(map(str, m.load_average_before))}, after "
        f"{'/'.join(map(str, m.load_average_after))}. Code: "
        f"{m.git_sha[:12] or 'not a git checkout'}{dirty}; "
        f"{_runs(result)}; took {result.wall_s:.0f} s."
    )


def _runs(result: Result) -> str:
    runs = {
        len(x.runs)
        for x in (result.bulk, *colds(result), result.booking, result.mixed, result.notify)
        if x is not None
    }
    turns = (
        f", ceilings the medians of {result.ceilings.turns} alternating turns"
        if (result.ceilings is not None)
        else ""
    )
    return f"each figure the median of {max(runs) if runs else 1} run(s){turns}"


def headline(result: Result) -> list[str]:
    rows = ["| measurement | figures | target | ratio / result |", "|---|---|---|---|"]
    if result.ceiling is not None:
        rows.append(_ceiling_row(result.ceiling))
    if result.bulk is not None:
        rows.append(_bulk_row(result))
    rows += [_cold_row(cold) for cold in colds(result)]
    if result.booking is not None:
        rows.append(_booking_row(result.booking))
    if result.mixed is not None:
        rows.append(_mixed_row(result.mixed))
        if result.mixed.price_checks is not None:
            rows.append(price_checks_row(result.mixed.price_checks))
    if result.usage is not None:
        rows.append(usage_row(result.usage))
    if result.notify is not None:
        rows.append(notify_row(result.notify))
    if result.rss is not None:
        rows.append(rss_row(result.rss))
    return rows


def ceilings_table(c: Ceilings) -> list[str]:
    """Every ceiling row of the same turns: req/s per turn, medians, ratios, CPU per request."""
    rows = [
        f"## Ceiling rows: `{c.wrk}`, {c.turns} alternating turns, same {c.response_bytes:,} bytes",
        "",
        "| row | Skyfare req/s (turns) | bare req/s (turns) | ratio (medians) | "
        "CPU µs/request Skyfare / bare | CPU ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    if c.placement:
        rows[2:2] = [f"Placement: {c.placement}.", ""]
    for r in c.rows:
        turns = " ".join(f"{x:,.0f}" for x in r.skyfare_rps)
        bare = " ".join(f"{x:,.0f}" for x in r.baseline_rps)
        cpu = (
            f"{r.cpu_us_skyfare:g} / {r.cpu_us_baseline:g}"
            if r.cpu_us_skyfare is not None and r.cpu_us_baseline is not None
            else "-"
        )
        ratio_cpu = "-" if r.cpu_ratio is None else f"{r.cpu_ratio:.2f}"
        rows.append(
            f"| {r.method} {r.workers} worker(s) | {turns} | {bare} | **{r.ratio:.2f}** | {cpu} | "
            f"{ratio_cpu} | ≥ {r.target} |"
        )
    if c.scaling is not None:
        bare = (
            ""
            if not c.baseline_scaling
            else f"; the bare handler's on the same cores {c.baseline_scaling:.2f}, so Skyfare "
            f"scales {c.scaling / c.baseline_scaling:.2f}× as well as it does"
        )
        rows += [
            "",
            f"2 workers ÷ 1 worker (Skyfare GET, medians): **{c.scaling:.2f}** "
            f"(target ≥ {c.scaling_target}){bare}.",
        ]
    if c.core_budget is not None:
        rows += ["", budget_words(c.core_budget, c.scaling_target)]
    return rows


def budget_words(b: CoreBudget, target: float) -> str:
    """What the scaling target asks of the machine's cores, from the 2-worker turns."""
    needed = b.needed_cores
    uncounted = "" if b.rest_cores is not None else ", before PostgreSQL, Redis and the consumers"
    verdict = (
        f"more than the {b.cores} cores there are{uncounted}: no placement reaches the target "
        "on this machine"
        if needed > b.cores
        else f"within the {b.cores} cores there are"
        + (" (PostgreSQL, Redis and the consumers not counted)" if b.rest_cores is None else "")
    )
    rest = (
        ""
        if b.rest_cores is None
        else f", and the rest of the stack (PostgreSQL, Redis, the consumers, the supervisor) at "
        f"{b.rest_us:g} µs {b.rest_cores:.2f}"
    )
    busy = (
        ""
        if b.busy_cores is None
        else f" As the 2-worker turns ran, {b.busy_cores:.2f} of the machine's {b.cores} cores "
        "were busy (/proc/stat: every process and the kernel's own work)."
    )
    return (
        f"Core budget of {target:g} × 1 worker ({b.target_rps:,.0f} req/s) on 2 workers: the API "
        f"workers at {b.server_us:g} µs a request need {b.server_cores:.2f} cores, wrk, the "
        f"load generator, at {b.wrk_us:g} µs a request {b.wrk_cores:.2f}{rest}: "
        f"{needed:.2f} cores, {verdict}.{busy}"
    )


def usage_row(u: UsageCost) -> str:
    """Cached search throughput with usage events on ÷ off (and the steadier CPU figure)."""
    cpu = u.cpu_us_per_request
    return (
        f"| usage events: cached `GET /v1/search` with them on vs off, `{u.wrk}`, "
        f"{len(u.on_rps)} turns | {_n(u.on_median_rps)} vs {_n(u.off_median_rps)} requests/s; "
        f"CPU {median(cpu['on']):.1f} vs {median(cpu['off']):.1f} µs/request | ≥ {u.target} | "
        f"{u.ratio:.3f} (CPU {u.cpu_ratio:.3f}), {_mark(u.meets_target)} |"
    )


def price_checks_row(p: PriceChecks) -> str:
    """How often a price the fare cache served held when re-priced, in the mixed scenario."""
    share = p.held_share
    return (
        "| fare cache price accuracy (mixed): cached offers re-priced or booked | "
        f"{p.held:,} held, {p.changed:,} changed, {p.gone:,} gone of {p.checked:,} | "
        f"— | {'no checks' if share is None else f'{share:.1%} held'} |"
    )


def _ceiling_row(c: Ceiling) -> str:
    return (
        f"| ceiling: cached `GET /v1/search` vs a bare aiohttp handler, same {c.response_bytes:,} "
        f"bytes, {c.workers} worker(s), `{c.wrk}`, {len(c.skyfare_rps)} turns | "
        f"{_n(c.skyfare_median_rps)} vs {_n(c.baseline_median_rps)} requests/s | ≥ {c.target} | "
        f"{c.ratio:.2f}, {_mark(c.meets_target)} |"
    )


def _bulk_row(result: Result) -> str:
    b = result.bulk
    assert b is not None
    m = b.median
    return (
        f"| bulk fares: `POST /v1/fares/bulk`, {b.queries} cached queries ({b.distinct} distinct), "
        f"{b.requests} requests a run, loopback | first line {m['first_ms']:.1f} ms, last line "
        f"{m['last_ms']:.1f} ms (p90 {m['first_p90_ms']:.1f} / {m['last_p90_ms']:.1f}) | "
        f"≤ {b.target_first_ms:g} / ≤ {b.target_last_ms:g} ms | "
        f"{_mark(m['first_ms'] <= b.target_first_ms and m['last_ms'] <= b.target_last_ms)} |"
    )


def _cold_row(c: Cold) -> str:
    m = c.median
    over50, over99 = m.get("p50_over_slowest_airline_ms"), m.get("p99_over_slowest_airline_ms")
    ok = over50 is not None and over99 is not None
    verdict = (
        f"+{over50:.1f} / +{over99:.1f} ms, "
        f"{_mark(over50 <= c.target_p50_over_ms and over99 <= c.target_p99_over_ms)}"
        if over50 is not None and over99 is not None
        else "no answers"
    )
    figures = f"p50 {m['p50']:.1f} ms, p99 {m['p99']:.1f} ms" if ok else "-"
    return (
        f"| cold search: `{c.route}` uncached, open loop at {c.rate:g}/s for {c.duration_s:g} s, "
        f"airlines at fixed {min(c.airline_latency_ms.values()):g}–{c.slowest_airline_ms:g} ms | "
        f"{figures}; errors {m.get('errors', 0):.0f} | p50 ≤ slowest airline "
        f"+{c.target_p50_over_ms:g} ms, p99 ≤ +{c.target_p99_over_ms:g} ms | {verdict} |"
    )


def _booking_row(b: Booking) -> str:
    m = b.median
    moved = m.get("api_outcome_409", 0) / b.duration_s
    # Python, not PostgreSQL, was the limit in every profile so far (bench/results/*booking*.md).
    cpu = "" if b.cpu_ratio is None else f"; server CPU per order raw ÷ API {b.cpu_ratio:.2f}"
    return (
        f"| booking: `POST /v1/orders` (hold) vs a raw asyncpg loop writing the same rows, "
        f"{b.concurrency} concurrent, {b.duration_s:g} s | {_n(m['api_orders_per_s'])} vs "
        f"{_n(m['raw_orders_per_s'])} orders/s (hold p50 {m.get('api_p50_ms', 0):.0f} ms; "
        f"besides, {moved:.0f}/s answered 409: the fare moved){cpu}{_floor(b)} | "
        f"≥ 0.45 (issue 18) | {b.ratio:.2f} |"
    )


def _floor(b: Booking) -> str:
    """The bare hold (bench/bare_hold.py), where the run measured it."""
    if b.bare_ratio is None:
        return ""
    bare = b.median["bare_orders_per_s"]
    return (
        f"; the bare hold (its I/O, no Skyfare code) {_n(bare)} orders/s, {b.bare_ratio:.2f} of "
        f"the raw loop: the API makes {b.median['api_orders_per_s'] / bare:.2f} of it"
    )


def booking_table(b: Booking) -> list[str]:
    """Server CPU per order attempt, by process: where an order's time goes."""
    prefix = "_cpu_ms_per_attempt_"
    parts = sorted({k.split(prefix)[1] for k in b.median if prefix in k})
    rows = [
        "## Booking: CPU per order attempt (ms, median of runs)",
        "",
        "| side | " + " | ".join(p.replace("_", " ") for p in parts) + " |",
        "|---" * (len(parts) + 1) + "|",
    ]
    sides = (("api", "`POST /v1/orders`"), ("bare", "bare hold"), ("raw", "raw asyncpg loop"))
    for side, label in sides:
        if f"{side}_orders_per_s" not in b.median:
            continue  # a result from before the bare hold
        cells = " | ".join(f"{b.median.get(f'{side}{prefix}{p}', 0):g}" for p in parts)
        rows.append(f"| {label} | {cells} |")
    if b.placement:
        rows += ["", f"Placement: {b.placement}."]
    if b.cpu_ratio is not None:
        m = b.median
        rows += [
            "",
            "Over the measured window only (no searches, no warm-up), CPU ms per order made: "
            f"API worker {m['api_cpu_ms_per_ok_api_workers']:g} + PostgreSQL "
            f"{m['api_cpu_ms_per_ok_postgresql']:g}, raw loop {m['raw_cpu_ms_per_ok_client']:g}"
            f" + PostgreSQL {m['raw_cpu_ms_per_ok_postgresql']:g}: CPU ratio raw ÷ API "
            f"**{b.cpu_ratio:.2f}**.",
        ]
        if "bare_cpu_ms_per_ok_bare_server" in m:
            rows[-1] += (
                f" The bare hold: its server {m['bare_cpu_ms_per_ok_bare_server']:g} + PostgreSQL "
                f"{m['bare_cpu_ms_per_ok_postgresql']:g} + Redis "
                f"{m.get('bare_cpu_ms_per_ok_redis', 0):g} (the API's Redis: "
                f"{m.get('api_cpu_ms_per_ok_redis', 0):g})."
            )
        rows += _kernel_shares(m)
    return rows


def _kernel_shares(m: Mapping[str, float]) -> list[str]:
    """The part of each process's CPU per order made spent in the kernel (its syscalls:
    sockets, epoll, the WAL's writes and flushes), where the run measured it."""
    sides = (
        ("`POST /v1/orders`", "api", ("api_workers", "postgresql", "redis")),
        ("bare hold", "bare", ("bare_server", "postgresql", "redis")),
        ("raw loop", "raw", ("client", "postgresql")),
    )
    cells = []
    for label, side, names in sides:
        parts = [
            f"{name.replace('_', ' ')} {m[f'{side}_cpu_ms_per_ok_{name}_kernel']:g} of "
            f"{m[f'{side}_cpu_ms_per_ok_{name}']:g}"
            for name in names
            if f"{side}_cpu_ms_per_ok_{name}_kernel" in m
        ]
        if parts:
            cells.append(f"{label}: {', '.join(parts)}")
    if not cells:
        return []
    return ["", "In the kernel (system time), CPU ms per order made: " + "; ".join(cells) + "."]


def _mixed_row(x: Mixed) -> str:
    t = x.median_total
    return (
        f"| mixed: locust {', '.join(x.user_classes)}, {x.users} users, {x.duration_s} s | "
        f"{_n(t.rps, 1)} requests/s, p50 {t.p50:g} / p95 {t.p95:g} / p99 {t.p99:g} ms | "
        f"no failures | {t.failures} failures of {t.requests:,} |"
    )


def mixed_table(x: Mixed) -> list[str]:
    rows = [
        "## Mixed scenario, per endpoint (median of runs; ms)",
        "",
        "| endpoint | requests/s | p50 | p95 | p99 | max | failures |",
        "|---|---|---|---|---|---|---|",
    ]
    for e in [*x.median, x.median_total]:
        name = "**all**" if e.name == "Aggregated" else f"`{e.method} {e.name}`"
        rows.append(
            f"| {name} | {e.rps:g} | {e.p50:g} | {e.p95:g} | {e.p99:g} | {e.max:g} | "
            f"{e.failures} of {e.requests:,} |"
        )
    failures = {(f.method, f.name, f.error): f.occurrences for run in x.runs for f in run.failures}
    if failures:
        rows += ["", "Failures (all runs):", ""]
        rows += [f"- `{m} {n}`: {err} ({count}×)" for (m, n, err), count in failures.items()]
    return rows


def cold_table(c: Cold) -> list[str]:
    keys = ("p50", "p75", "p90", "p95", "p99", "p99.9", "max")
    # Runs before 2026-12-07 did not count Redis's forks: no column for them.
    forks = any("redis_forks" in run for run in c.runs)
    rows = [
        f"## Cold search latency at {c.rate:g}/s, measured from each request's intended send "
        "time (ms)",
        "",
        "| run | "
        + " | ".join(keys)
        + " | over slowest connector p50 / p99 | generator lag p99 |"
        + (" Redis forks (snapshots) |" if forks else ""),
        "|---" * (len(keys) + 3 + forks) + "|",
    ]
    for label, figures in [*((str(i + 1), r) for i, r in enumerate(c.runs)), ("median", c.median)]:
        cells = " | ".join(f"{figures.get(k, 0):g}" for k in keys)
        over = (
            f"{figures.get('p50_over_slowest_connector_ms', 0):g} / "
            f"{figures.get('p99_over_slowest_connector_ms', 0):g}"
        )
        row = f"| {label} | {cells} | {over} | {figures.get('lag_p99_ms', 0):g} |"
        if forks:
            row += f" {figures['redis_forks']:g} |" if "redis_forks" in figures else " — |"
        rows.append(row)
    if c.placement:
        rows += ["", f"Placement: {c.placement}."]
    saved = [run["snapshot_before"] for run in c.runs if "snapshot_before" in run]
    if saved:
        rows += [
            "",
            f"Redis saved its snapshot before {sum(saved):g} of the {len(c.runs)} runs (so its "
            "`save 60 10000` forks no child onto the server core mid-run); a fork counted in a "
            "run fell in it all the same.",
        ]
    return rows


def cpu_table(result: Result) -> list[str]:
    rows = [
        "## CPU use (seconds of CPU over seconds of wall time)",
        "",
        "| measurement | process | CPU s | wall s | cores busy |",
        "|---|---|---|---|---|",
    ]
    measured = [(name, getattr(result, name)) for name in ("ceilings", "bulk")]
    measured += [(f"cold {c.rate:g}/s", c) for c in colds(result)]
    measured += [(name, getattr(result, name)) for name in ("booking", "mixed", "notify")]
    for name, measurement in measured:
        for tool in measurement.cpu if measurement is not None else ():
            rows.append(
                f"| {name} | {tool.name} | {tool.cpu_s:g} | {tool.wall_s:g} | "
                f"{tool.cores_busy:.2f} |"
            )
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rewrite a result's Markdown summary.")
    parser.add_argument("result", type=Path)
    args = parser.parse_args(argv)
    stem = args.result.with_suffix("")
    plots = [
        p.name
        for p in (stem.with_name(stem.name + s) for s in ("-latency.png", "-throughput.png"))
        if p.exists()
    ]
    stem.with_suffix(".md").write_text(render(load(args.result), plots=plots))
    print(stem.with_suffix(".md"))


if __name__ == "__main__":
    main()
