"""Where the web app's time goes between the first stream line with offers and the first offer
painted (bench/web_paint.py's "paint after first line"): a Chromium performance trace of a few
searches, each summed by what the renderer's main thread did in that window.

The probe of bench/web_paint.py marks the line's arrival (`performance.mark("first-offers")`,
in the trace as a user-timing event); the window ends at the Element Timing `renderTime` of the
first offer's price. In it: each top-level main-thread task and, inside, the time of scripting
(V8), style, layout, pre-paint and paint; and the frames the compositor produced.

    .venv/bin/python -m bench.web_trace --url http://127.0.0.1:8080 [--runs 3] [--keep trace.json]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from bench.web_paint import _PROBE, _READ, CHROMIUM, WAIT_DONE

CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.frame",
    "blink.user_timing",
    "v8.execute",
    "toplevel",
    "benchmark",
    "disabled-by-default-v8.cpu_profiler",
]
# Renderer main-thread work, by trace event name, grouped as DevTools' summary groups it.
GROUPS = {
    "FunctionCall": "script",
    "EvaluateScript": "script",
    "v8.compile": "script",
    "V8.GCScavenger": "gc",
    "MajorGC": "gc",
    "MinorGC": "gc",
    "RunMicrotasks": "script",
    "TimerFire": "script",
    "FireAnimationFrame": "script",
    "EventDispatch": "script",
    "UpdateLayoutTree": "style",
    "RecalculateStyles": "style",
    "Layout": "layout",
    "PrePaint": "pre-paint",
    "Paint": "paint",
    "PaintImage": "paint",
    "Layerize": "paint",
    "UpdateLayer": "paint",
    "CompositeLayers": "paint",
    "Commit": "commit",
}
MARK = 'performance.mark("first-offers")'


def _probe_with_mark() -> str:
    marked = _PROBE.replace(
        "if (offers) probe.firstOffers = performance.now();",
        f"if (offers) {{ probe.firstOffers = performance.now(); {MARK}; }}",
    )
    assert marked != _PROBE, "bench/web_paint.py's probe changed: mark the first offers line"
    return marked


def _threads(events: list[dict[str, Any]]) -> dict[tuple[int, int], str]:
    return {
        (e["pid"], e["tid"]): e["args"]["name"]
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name"
    }


def _samples(
    events: list[dict[str, Any]], pid: int
) -> tuple[dict[int, dict[str, Any]], list[tuple[float, int]]]:
    """The renderer's V8 CPU profile in the trace: its nodes by id, and (time, node) samples."""
    nodes: dict[int, dict[str, Any]] = {}
    samples: list[tuple[float, int]] = []
    starts = {
        e["id"]: e["args"]["data"]["startTime"]
        for e in events
        if e.get("name") == "Profile" and e["pid"] == pid
    }
    clock: dict[str, float] = dict(starts)
    for e in events:
        if e.get("name") != "ProfileChunk" or e["pid"] != pid or e["id"] not in clock:
            continue
        data = e["args"]["data"]
        for node in data.get("cpuProfile", {}).get("nodes", []):
            nodes[node["id"]] = node
        for node_id, delta in zip(
            data.get("cpuProfile", {}).get("samples", []), data.get("timeDeltas", []), strict=False
        ):
            clock[e["id"]] += delta
            samples.append((clock[e["id"]], node_id))
    return nodes, samples


def _where(node: dict[str, Any]) -> str:
    frame = node["callFrame"]
    name = frame.get("functionName") or "(anonymous)"
    url = Path(frame.get("url", "")).name
    return f"{name} {url}:{frame.get('lineNumber', 0) + 1}" if url else name


def profile(events: list[dict[str, Any]], pid: int, start: float, end: float) -> dict[str, Any]:
    """Self and total time by function of the samples in [start, end] (trace µs)."""
    nodes, samples = _samples(events, pid)
    parents = {
        child: node_id for node_id, node in nodes.items() for child in node.get("children", [])
    }
    for node_id, node in nodes.items():
        if "parent" in node:
            parents[node_id] = node["parent"]
    inside = sorted(t for t in samples if start <= t[0] <= end)
    self_ms: dict[str, float] = collections.defaultdict(float)
    total_ms: dict[str, float] = collections.defaultdict(float)
    for (at, node_id), following in zip(inside, [*inside[1:], (end, 0)], strict=True):
        took = (following[0] - at) / 1000
        if node_id not in nodes:
            continue
        self_ms[_where(nodes[node_id])] += took
        seen = set()
        current: int | None = node_id
        while current is not None and current in nodes:
            where = _where(nodes[current])
            if where not in seen:
                total_ms[where] += took
                seen.add(where)
            current = parents.get(current)
    top = sorted(self_ms.items(), key=lambda kv: -kv[1])[:25]
    return {"self": top, "total": sorted(total_ms.items(), key=lambda kv: -kv[1])[:40]}


def summarize(events: list[dict[str, Any]], paint_after_ms: float) -> dict[str, Any]:
    """The window [mark, mark + paint_after_ms] on the renderer main thread of the page."""
    marks = [
        e
        for e in events
        if e.get("name") == "first-offers" and e.get("ph") in ("R", "I", "b", "n", "X")
    ]
    if not marks:
        raise RuntimeError("the first-offers mark is not in the trace")
    mark = marks[0]
    start = mark["ts"]
    end = start + paint_after_ms * 1000
    names = _threads(events)
    main = (mark["pid"], mark["tid"])
    if names.get(main) != "CrRendererMain":
        main = next(k for k, v in names.items() if v == "CrRendererMain" and k[0] == mark["pid"])
    spans = [
        e
        for e in events
        if (e["pid"], e["tid"]) == main
        and e.get("ph") == "X"
        and e["ts"] < end
        and e["ts"] + e.get("dur", 0) > start
    ]
    tasks = [e for e in spans if e["name"] == "RunTask"]  # the outermost: each task once
    busy = sum(min(e["ts"] + e["dur"], end) - max(e["ts"], start) for e in tasks) / 1000
    by_group: collections.Counter[str] = collections.Counter()
    by_function: collections.Counter[str] = collections.Counter()
    for e in spans:
        group = GROUPS.get(e["name"])
        if group is None:
            continue
        clipped = (min(e["ts"] + e["dur"], end) - max(e["ts"], start)) / 1000
        # Only outermost events of each group count (a FunctionCall inside a TimerFire is one).
        outer = not any(
            o is not e
            and GROUPS.get(o["name"]) == group
            and o["ts"] <= e["ts"]
            and o["ts"] + o["dur"] >= e["ts"] + e["dur"]
            for o in spans
        )
        if outer:
            by_group[group] += clipped
        if e["name"] == "FunctionCall" and outer:
            data = e.get("args", {}).get("data", {})
            where = f"{data.get('functionName') or '(anonymous)'} {Path(data.get('url', '')).name}"
            by_function[where] += clipped
    frames = [
        (e["ts"] - start) / 1000
        for e in events
        if e.get("name") in ("DrawFrame", "Graphics.Pipeline")
        and e["pid"] != mark["pid"]
        and start <= e["ts"] <= end
    ]
    return {
        "profile": profile(events, mark["pid"], start, end),
        "window_ms": paint_after_ms,
        "main_thread_busy_ms": busy,
        "tasks": [
            ((t["ts"] - start) / 1000, t["dur"] / 1000)
            for t in sorted(tasks, key=lambda t: t["ts"])
            if t["dur"] >= 1000
        ],
        "groups": dict(by_group.most_common()),
        "functions": by_function.most_common(8),
        "frames_at_ms": frames[:10],
    }


def trace(url: str, runs: int, keep: Path | None) -> list[dict[str, Any]]:
    out = []
    today = dt.datetime.now(dt.UTC).date()
    first_day = 10 + int(time.time() // 60) % 80  # below bench/web_paint.py's days: misses too
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for run in range(runs + 1):  # the first run warms the browser and the app; not kept
            context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
            context.add_init_script(_probe_with_mark())
            page = context.new_page()
            path = keep or Path(tempfile.mkstemp(suffix=".json")[1])
            browser.start_tracing(page=page, path=str(path), categories=CATEGORIES)
            day = today + dt.timedelta(days=first_day + run)
            page.goto(
                f"/results?trip=one-way&leg=LHR.JFK.{day}&adults=1&children=0&infants=0&cabin=economy"
            )
            page.wait_for_function(WAIT_DONE, polling=100, timeout=60_000)
            got = page.evaluate(_READ)
            browser.stop_tracing()
            context.close()
            if run == 0:
                continue
            raw = json.loads(path.read_text())
            events = raw["traceEvents"] if isinstance(raw, dict) else raw
            out.append(summarize(events, got["paint"] - got["firstOffers"]))
        browser.close()
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the last trace here (chrome://tracing)")
    args = parser.parse_args(argv)
    for summary in trace(args.url, args.runs, args.keep):
        print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
