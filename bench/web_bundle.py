"""The web app's initial JavaScript, gzipped, against its budget (issue 16: <= 150 kB).

Reads web/dist (`make web` first): every script index.html loads, and every module it preloads,
gzipped at level 9 as a server or CDN would send it. Prints a Markdown line; with `--write`,
appends it to bench/results/web-bundle.md.

    .venv/bin/python -m bench.web_bundle [--write]
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
RESULTS = ROOT / "bench" / "results" / "web-bundle.md"
BUDGET_KB = 150.0
_LOADED = re.compile(
    r'<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="(/assets/[^"]+\.js)"'
)


def initial_scripts(dist: Path) -> list[Path]:
    shell = (dist / "index.html").read_text()
    return [dist / url.lstrip("/") for url in _LOADED.findall(shell)]


def main(argv: list[str]) -> int:
    scripts = initial_scripts(DIST)
    raw = sum(len(p.read_bytes()) for p in scripts)
    gzipped = sum(len(gzip.compress(p.read_bytes(), 9)) for p in scripts)
    verdict = "within" if gzipped / 1000 <= BUDGET_KB else "OVER"
    line = (
        f"| {dt.date.today().isoformat()} | {len(scripts)} | {raw / 1000:.1f} kB | "
        f"{gzipped / 1000:.1f} kB | {verdict} the {BUDGET_KB:.0f} kB budget |"
    )
    print(line)
    if "--write" in argv:
        if not RESULTS.exists():
            RESULTS.write_text(
                "# The web app's initial JavaScript\n\n`python -m bench.web_bundle --write` after "
                "`make web`: the scripts index.html loads, gzip level 9.\n\n"
                "| date | scripts | raw | gzip | budget |\n|---|---|---|---|---|\n"
            )
        with RESULTS.open("a") as out:
            out.write(line + "\n")
    return 0 if verdict == "within" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
