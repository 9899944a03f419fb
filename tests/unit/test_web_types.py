"""The web app's types are generated from the document the API serves: a stale one fails here.

Fix: `make web-types` (after a merge that adds or changes routes), then commit web/openapi.json
and web/src/lib/api/schema.d.ts.
"""

from __future__ import annotations

from pathlib import Path

from skyfare.webtypes import served_document, stamp_line

WEB = Path(__file__).resolve().parents[2] / "web"
SNAPSHOT = WEB / "openapi.json"
TYPES = WEB / "src" / "lib" / "api" / "schema.d.ts"


def test_the_openapi_snapshot_is_the_document_the_api_serves() -> None:
    assert SNAPSHOT.read_bytes() == served_document(), "stale web/openapi.json: run make web-types"


def test_the_typescript_types_were_generated_from_the_snapshot() -> None:
    first_line = TYPES.read_text().splitlines()[0]

    assert first_line == stamp_line(SNAPSHOT.read_bytes()), "stale schema.d.ts: run make web-types"
