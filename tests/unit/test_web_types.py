"""The web app's types are generated from the document the API serves: a stale one fails here.

Fix: `make web-types` (after a merge that adds or changes routes), then commit web/openapi.json
and web/src/lib/api/schema.d.ts.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from skyfare.webtypes import served_document, stamp_line

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
SNAPSHOT = WEB / "openapi.json"
TYPES = WEB / "src" / "lib" / "api" / "schema.d.ts"


def test_the_openapi_snapshot_is_the_document_the_api_serves() -> None:
    assert SNAPSHOT.read_bytes() == served_document(), "stale web/openapi.json: run make web-types"


def test_the_typescript_types_were_generated_from_the_snapshot() -> None:
    first_line = TYPES.read_text().splitlines()[0]

    assert first_line == stamp_line(SNAPSHOT.read_bytes()), "stale schema.d.ts: run make web-types"


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _venv(folder: Path, python: str) -> Path:
    """A .venv of a python alone: no install stamp (a fresh clone, a pull, a venv by hand)."""
    (folder / "bin").mkdir(parents=True)
    (folder / "bin" / "python").write_text(python)
    os.chmod(folder / "bin" / "python", 0o755)
    return folder


def test_make_web_types_uses_the_venv_there_is_not_the_install_step(tmp_path: Path) -> None:
    venv = _venv(tmp_path / ".venv", "#!/bin/sh\n")  # a dry run runs nothing

    plan = _make("--dry-run", "web-types", f"VENV={venv}")

    assert plan.returncode == 0, plan.stderr
    assert "pip install" not in plan.stdout  # the install step: minutes, and the network
    assert f"{venv}/bin/python -m skyfare.webtypes snapshot web/openapi.json" in plan.stdout


def test_make_web_types_says_what_is_missing_where_the_venv_cannot_import_skyfare(
    tmp_path: Path,
) -> None:
    venv = _venv(tmp_path / ".venv", "#!/bin/sh\nexit 1\n")  # as a venv without Skyfare's deps

    made = _make("web-types", f"VENV={venv}")

    assert made.returncode != 0
    assert f"{venv}/bin/python cannot import Skyfare" in made.stdout
    assert "run make install" in made.stdout
