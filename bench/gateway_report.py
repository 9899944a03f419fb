"""The Markdown summary of a gateway bench run (bench/gateway.py): medians, ratios, CPU cost."""

from __future__ import annotations

from typing import Any

TREES = ("search-1", "search-2", "nginx-1", "nginx-2", "sim", "booking")


def render(result: dict[str, Any]) -> str:
    medians, ratios, plan = result["medians"], result["ratios"], result["plan"]
    machine = result.get("machine", {})
    lines = [
        f"# Gateway bench, {result['date']} ({result['sha']})",
        "",
        f"Command: `{result['command']}`  ",
        f"Machine: {machine.get('cpus', '?')} cores ({machine.get('cpu_model', '?')}), "
        f"load average before {machine.get('load_average_before')}, after "
        f"{result.get('load_average_after')}: shared with other work, so every figure is the "
        f"median of {plan['runs']} turns, each turn running every configuration once.  ",
        f"wrk -t1 -c{plan['connections']} -d{plan['seconds']}s; sim airlines at "
        f"{plan['airline_latency_ms']} ms; nginx `worker_processes auto`; nothing pinned.",
        "",
        "| search | configuration | requests/s | non-2xx | CPU µs per request (process trees) |",
        "|---|---|---:|---:|---|",
    ]
    for kind in ("cached", "cold"):
        for config, figures in medians[kind].items():
            cpu = ", ".join(
                f"{tree} {figures[f'cpu_us_per_request_{tree}']:.0f}"
                for tree in TREES
                if figures.get(f"cpu_us_per_request_{tree}", 0) >= 1
            )
            lines.append(
                f"| {kind} | {config} | {figures['requests_per_s']:.0f} | "
                f"{figures['non_2xx']:.0f} | {cpu} |"
            )
    booking = medians["booking"]
    lines += [
        "",
        "| booking (`POST /v1/orders`, hold, 16 clients) | orders/s | p50 ms | p99 ms "
        "| CPU µs per attempt: booking, nginx |",
        "|---|---:|---:|---:|---|",
    ]
    for config, figures in booking.items():
        lines.append(
            f"| {config} | {figures['orders_per_s']:.1f} | {figures.get('p50_ms', 0):.1f} | "
            f"{figures.get('p99_ms', 0):.1f} | "
            f"{figures.get('cpu_us_per_attempt_booking', 0):.0f}, "
            f"{figures.get('cpu_us_per_attempt_nginx-1', 0):.0f} |"
        )
    lines += ["", "| ratio | value |", "|---|---:|"]
    lines += [f"| {name} | {value:.3f} |" for name, value in ratios.items()]
    lines.append("")
    return "\n".join(lines)
