"""deploy/Dockerfile, which no container engine here builds (hadolint lints it): the image carries
what its processes serve. The booking service serves the web app at / (skyfare/webapp.py) from
SKYFARE_WEB_DIST; the image had no build of it, so every booking pod answered / with "no build"."""

from __future__ import annotations

import re
from pathlib import Path

from skyfare.settings import _ENV_FIELDS

DOCKERFILE = Path(__file__).resolve().parents[3] / "deploy" / "Dockerfile"


def _stages() -> list[tuple[str, list[str]]]:
    """(name, instructions) per stage, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    stages: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            alias = re.search(r"\bAS (\S+)", line)
            stages.append((alias.group(1) if alias else "final", []))
        elif stages:
            stages[-1][1].append(line)
    return stages


def test_the_image_serves_the_web_app_built_from_the_lock_file() -> None:
    stages = dict(_stages())
    web = stages["web"]
    assert "RUN npm ci --no-audit --no-fund" in web
    assert "RUN npm run build" in web
    final = stages["final"]
    (copied,) = [i.split()[-1] for i in final if i.startswith("COPY --from=web /web/dist ")]
    environment = dict(
        pair.split("=", 1) for i in final if i.startswith("ENV ") for pair in i.split()[1:]
    )
    assert environment["SKYFARE_WEB_DIST"] == copied
    assert _ENV_FIELDS["SKYFARE_WEB_DIST"] == "web_dist"
