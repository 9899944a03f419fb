"""The summary's rows and tables for notifications end to end and the API worker's memory
(pure: parts of a `Result` in, Markdown lines out; bench/summary.py puts them in place)."""

from __future__ import annotations

from bench.report import Notify, Rss

MIB = 2**20


def notify_row(n: Notify) -> str:
    m = n.median
    once = "exactly once" if n.exactly_once else "**not exactly once**"
    met = n.exactly_once and m["end_to_end_events_per_s"] >= n.target_events_per_s
    return (
        f"| notifications end to end, one worker: {n.events:,} `order.held` events (a mail and "
        f"an SMS each) outbox → relay → stream → worker → SMTP sink + SMS sim, batch "
        f"{n.batch_size} | {m['end_to_end_events_per_s']:,.0f} events/s (relay alone "
        f"{m['relay_events_per_s']:,.0f}); worker CPU {m['worker_cpu_ms_per_event']:.3f} "
        f"ms/event, sim {m['sim_cpu_ms_per_event']:.3f} | ≥ {n.target_events_per_s:,.0f} "
        f"events/s, exactly once | {once}, {'met' if met else '**not met**'} |"
    )


def notify_table(n: Notify) -> list[str]:
    """Each run: the wall clock, the CPU per event and what each sink holds at the end."""
    rows = [
        "## Notifications end to end, per run (one worker)",
        "",
        "| run | end to end events/s | relay events/s | worker CPU ms/event | "
        "sim CPU ms/event | mails / SMS in the sinks (of events) |",
        "|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(n.runs, 1):
        rows.append(
            f"| {i} | {r['end_to_end_events_per_s']:g} | {r['relay_events_per_s']:g} | "
            f"{r['worker_cpu_ms_per_event']:g} | {r['sim_cpu_ms_per_event']:g} | "
            f"{r['mails']:g} / {r['sms']:g} (of {r['events']:g}) |"
        )
    return rows


def rss_rule(r: Rss) -> str:
    return (
        f"flat: every worker's least-squares slope over the last {r.flat_window_s:g} s within "
        f"±{r.flat_slope_mib_per_min:g} MiB/min"
    )


def l1_text(r: Rss) -> str:
    bound = f"{r.l1_max_bytes:,} bytes ({r.l1_max_bytes / MIB:g} MiB)"
    if r.l1_bytes is None:
        return f"L1 size not measured: {r.l1_note or 'unknown'}; its bound {bound}"
    return f"L1 {r.l1_bytes:,.0f} bytes ({r.l1_bytes / MIB:.1f} MiB) of its bound {bound}"


def warm_up_text(r: Rss) -> str:
    """How long the warm-up lasted: the fixed part, or until the L1 first reached its bound."""
    if r.l1_full_at_s is None:
        return f"warm-up {r.warmup_s:g} s; the L1 did not reach its bound"
    if r.l1_full_at_s > r.warmup_s:
        return f"warm-up until the L1 reached its bound at {r.l1_full_at_s:g} s"
    return f"warm-up {r.warmup_s:g} s (the L1 reached its bound at {r.l1_full_at_s:g} s)"


def rss_row(r: Rss) -> str:
    ends = ", ".join(f"{w.end_mib:g}" for w in r.per_worker) or "-"
    slopes = ", ".join(f"{w.window_slope_mib_per_min:+g}" for w in r.per_worker) or "-"
    return (
        f"| API worker RSS: locust mix, {r.users} users, {r.duration_s / 60:g} min, "
        f"{warm_up_text(r)} | {ends} MiB at the end; slope over the last {r.flat_window_s:g} s "
        f"{slopes} MiB/min; {l1_text(r)} | {rss_rule(r)}; L1 within its bound | "
        f"{rss_verdict(r)} |"
    )


def rss_verdict(r: Rss) -> str:
    if r.flat:
        return "flat"
    # Growing while the L1 still fills may be only the filling: the run was too short to tell.
    return "**growing** (the L1 still filling)" if r.l1_full_at_s is None else "**growing**"


def rss_table(r: Rss) -> list[str]:
    rows = [
        f"## API worker memory under the locust mix ({r.users} users, {r.duration_s:g} s, "
        f"sampled every {r.every_s:g} s, MiB)",
        "",
        "| worker pid | RSS after warm-up | RSS at the end | growth | slope since warm-up "
        f"(MiB/min) | slope over the last {r.flat_window_s:g} s (MiB/min) |",
        "|---|---|---|---|---|---|",
    ]
    for w in r.per_worker:
        rows.append(
            f"| {w.pid} | {w.after_warmup_mib:g} | {w.end_mib:g} | {w.growth_mib:+g} | "
            f"{w.slope_mib_per_min:+g} | {w.window_slope_mib_per_min:+g} |"
        )
    rows += [
        "",
        f"Rule: {rss_rule(r)}. This run: {rss_verdict(r)}; {warm_up_text(r)}. {l1_text(r)}.",
    ]
    return rows
