"""The web app's API types stay in step with the served OpenAPI document.

`web/openapi.json` is a snapshot of the document `create_app` serves, and
`web/src/lib/api/schema.d.ts` is what openapi-typescript generates from it, stamped on its first
line with the snapshot's SHA-256. `tests/unit/test_web_types.py` fails when either is stale;
`make web-types` regenerates both:

    python -m skyfare.webtypes snapshot web/openapi.json
    (cd web && npm run types)
    python -m skyfare.webtypes stamp web/openapi.json web/src/lib/api/schema.d.ts
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import msgspec

STAMP_PREFIX = "// generated from openapi.json sha256:"


def served_document() -> bytes:
    """The OpenAPI document as the app serves it, formatted for a readable diff."""
    from skyfare.app import create_app  # the composition root, only when asked
    from skyfare.keys import OPENAPI_DOCUMENT
    from skyfare.settings import load_settings

    document = create_app(load_settings({}))[OPENAPI_DOCUMENT]
    return msgspec.json.format(document, indent=2) + b"\n"


def stamp_line(snapshot: bytes) -> str:
    return f"{STAMP_PREFIX} {hashlib.sha256(snapshot).hexdigest()}"


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "snapshot":
        Path(argv[1]).write_bytes(served_document())
        return 0
    if len(argv) == 3 and argv[0] == "stamp":
        types = Path(argv[2])
        lines = [
            line for line in types.read_text().splitlines() if not line.startswith(STAMP_PREFIX)
        ]
        stamp = stamp_line(Path(argv[1]).read_bytes())
        types.write_text("\n".join([stamp, *lines]) + "\n")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
