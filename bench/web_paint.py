"""The web app's streaming budgets (issue 16), measured in Chromium with the browser's own clocks.

- **paint after first line**: from the first stream line that carries offers reaching the page
  (a `TransformStream` wrapped around the `/v1/search` body by an init script; an airline
  answering none paints nothing) to the first offer's price painted (Element Timing:
  `renderTime` of the `elementtiming="offer-price"` text).
  Budget: <= 50 ms.
- **search to first offer**: from the search request's `fetchStart` (Resource Timing) to that
  paint, against the API's own figure for the same search: the `latency_ms` of the fastest
  airline that answered with offers, from the stream's `done` line (its first offers' line is
  written the moment that airline answers). Budget: the browser within 100 ms of it.

Each run opens the results page of a search no run made before (a new day: a cache miss, so the
airlines are asked). Needs `make web` and /usr/bin/chromium (`make chromium-browser`). Against a
running stack (`--url`, e.g. `skyfare up`), else it starts one (bench/harness_stack.py). With
`--write`, appends the table to bench/results/<date>-web-paint.md with the command.

    .venv/bin/python -m bench.web_paint [--url http://127.0.0.1:8080] [--runs 15] [--write]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PAINT_BUDGET_MS = 50.0
GAP_BUDGET_MS = 100.0

# Runs in the page before the app: times the stream's first bytes and keeps its `done` line, and
# collects Element Timing entries. The app's reading of the body is unchanged.
_PROBE = """
(() => {
  const probe = (window.__probe = { firstChunk: null, firstOffers: null, done: null, paints: [] });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.paints.push(entry.renderTime || entry.loadTime);
  }).observe({ type: "element", buffered: true });
  const original = window.fetch;
  window.fetch = async (input, init) => {
    const response = await original(input, init);
    const url = typeof input === "string" ? input : input.url;
    if (!url.includes("/v1/search") || !response.body) return response;
    const decoder = new TextDecoder();
    let text = "";
    const timed = new TransformStream({
      transform(chunk, controller) {
        if (probe.firstChunk === null) probe.firstChunk = performance.now();
        text += decoder.decode(chunk, { stream: true });
        // The first complete line that carries offers (an airline with none paints nothing).
        if (probe.firstOffers === null) {
          const lines = text.split("\\n").slice(0, -1);
          const offers = lines.some((line) => line.includes('"offers":[{'));
          if (offers) probe.firstOffers = performance.now();
        }
        controller.enqueue(chunk);
      },
      flush() {
        const done = text.split("\\n").find((line) => line.includes('"done"'));
        if (done) probe.done = JSON.parse(done);
      },
    });
    return new Response(response.body.pipeThrough(timed), {
      status: response.status, statusText: response.statusText, headers: response.headers,
    });
  };
})();
"""

# The search done and its first offer painted. A cheap predicate polled every 100 ms: a text
# locator's polling walks the DOM each frame, on the main thread whose paint is measured.
WAIT_DONE = "() => window.__probe.done !== null && window.__probe.paints.length > 0"

_READ = """
() => {
  const probe = window.__probe;
  const search = performance.getEntriesByType("resource")
    .find((e) => e.name.includes("/v1/search"));
  const fastest = Math.min(...probe.done.meta.connectors
    .filter((c) => c.status === "ok" && c.offers > 0).map((c) => c.latency_ms));
  return {
    firstChunk: probe.firstChunk, firstOffers: probe.firstOffers, paint: Math.min(...probe.paints),
    fetchStart: search.fetchStart, apiFirst: fastest, tookMs: probe.done.meta.took_ms,
  };
}
"""


@contextlib.contextmanager
def _stack(url: str | None) -> Iterator[tuple[str, str]]:
    if url:
        yield url, f"(against {url})"
        return
    from bench.harness_stack import running_stack

    with running_stack(1, [0, 1], pinned=False) as stack:
        yield stack.url, stack.command[0]


def measure(url: str, runs: int, first_day: int | None = None) -> list[dict[str, float]]:
    samples = []
    today = dt.datetime.now(dt.UTC).date()
    if first_day is None:  # days no recent run searched: cache misses
        first_day = 100 + int(time.time() // 60) % 200
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for run in range(runs + 1):  # the first run warms the browser and the app; not kept
            context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
            context.add_init_script(_PROBE)
            page = context.new_page()
            day = today + dt.timedelta(days=first_day + run)
            page.goto(
                f"/results?trip=one-way&leg=LHR.JFK.{day}&adults=1&children=0&infants=0"
                "&cabin=economy"
            )
            page.wait_for_function(WAIT_DONE, polling=100, timeout=60_000)
            got: dict[str, Any] = page.evaluate(_READ)
            context.close()
            if run == 0:
                continue
            samples.append(
                {
                    "paint_after_first_line": got["paint"] - got["firstOffers"],
                    "first_bytes_to_first_offers_line": got["firstOffers"] - got["firstChunk"],
                    "search_to_first_offer": got["paint"] - got["fetchStart"],
                    "api_first_offers": float(got["apiFirst"]),
                    "gap": got["paint"] - got["fetchStart"] - float(got["apiFirst"]),
                    "gap_before_line": got["firstOffers"]
                    - got["fetchStart"]
                    - float(got["apiFirst"]),
                    "api_took_ms": float(got["tookMs"]),
                }
            )
        browser.close()
    return samples


def alternate(urls: list[str], rounds: int, runs: int) -> list[list[dict[str, float]]]:
    """`runs` searches on each stack in turn, `rounds` times: two builds compared on a busy
    machine meet the same load. Each stack searches days of its own (the stacks may share a
    cache), none searched by a recent run."""
    base = 20 + int(time.time() // 60) % 40
    samples: list[list[dict[str, float]]] = [[] for _ in urls]
    for round_ in range(rounds):
        for index, url in enumerate(urls):
            first_day = base + 150 * index + (runs + 1) * round_
            samples[index].extend(measure(url, runs, first_day))
    return samples


def table(samples: list[dict[str, float]]) -> str:
    def row(name: str, key: str, budget: str) -> str:
        values = sorted(s[key] for s in samples)
        p90 = values[min(len(values) - 1, round(0.9 * (len(values) - 1)))]
        return (
            f"| {name} | {statistics.median(values):.1f} | {p90:.1f} | {max(values):.1f} | "
            f"{budget} |"
        )

    paint = statistics.median(s["paint_after_first_line"] for s in samples)
    gap = statistics.median(s["gap"] for s in samples)
    return "\n".join(
        [
            "| measure (ms) | median | p90 | max | budget |",
            "|---|---|---|---|---|",
            row(
                "first offers painted after their stream line",
                "paint_after_first_line",
                f"<= {PAINT_BUDGET_MS:.0f}: {'met' if paint <= PAINT_BUDGET_MS else 'NOT met'}",
            ),
            row(
                "(first stream bytes to the first line with offers)",
                "first_bytes_to_first_offers_line",
                "",
            ),
            row("search to first offer painted (browser)", "search_to_first_offer", ""),
            row("the API's first offers (fastest airline)", "api_first_offers", ""),
            row(
                "browser minus API",
                "gap",
                f"<= {GAP_BUDGET_MS:.0f}: {'met' if gap <= GAP_BUDGET_MS else 'NOT met'}",
            ),
            row(
                "(of which before the line reached the page: request, the service's own work)",
                "gap_before_line",
                "",
            ),
            row("the API's whole search (took_ms)", "api_took_ms", ""),
        ]
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--write", action="store_true")
    parser.add_argument(
        "--compare",
        metavar="URL",
        help="another stack (another build) measured in turn with --url: two tables",
    )
    parser.add_argument("--rounds", type=int, default=4, help="with --compare: turns each")
    args = parser.parse_args(argv)
    if args.compare:
        if not args.url:
            parser.error("--compare needs --url")
        per_stack = alternate([args.url, args.compare], args.rounds, args.runs)
        for url, stack_samples in zip([args.url, args.compare], per_stack, strict=True):
            print(f"{url} ({len(stack_samples)} searches)\n{table(stack_samples)}\n")
        return 0
    with _stack(args.url) as (url, started):
        samples = measure(url, args.runs)
    text = table(samples)
    print(text)
    if args.write:
        out = ROOT / "bench" / "results" / f"{dt.date.today().isoformat()}-web-paint.md"
        command = "    .venv/bin/python -m bench.web_paint " + " ".join(argv)
        out.write_text(
            f"# Web app: first offers painted ({len(samples)} searches, desktop Chromium)\n\n"
            f"{(__doc__ or '').split(chr(10) + chr(10))[1]}\n\n"
            f"Command (stack: {started}):\n\n{command}\n\n{text}\n"
        )
        print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
