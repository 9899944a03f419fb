"""IATA NDC 21.3 XML Schemas: each message's schema loaded once (lxml), cached, and checked.

The schemas are IATA's and are not copied into this repository: they live in a folder beside it
(`../shared/standards/iata-ndc-21.3/`, see its README) or where `SKYFARE_STANDARDS_DIR` points
(setting `standards_dir`). Loading one message's schema parses the 1 MB common-types schema, so
it is done once per message name and kept. Validation is for tests and certification runs
(setting `ndc_validate_responses`), never on every call in production.
"""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

FOLDER = "iata-ndc-21.3"
# The project's root is two levels above this package; the standards sit beside the project.
DEFAULT_STANDARDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "standards"

_lock = threading.Lock()
_loaded: dict[tuple[Path, str], etree.XMLSchema] = {}


class SchemaInvalid(ValueError):
    """A message that is well-formed XML but not an instance of its NDC 21.3 schema."""


class SchemasUnavailable(RuntimeError):
    """The schema folder (or the message's schema in it) is not where it was looked for."""


def schema_dir(standards_dir: str | Path | None = None) -> Path:
    """The folder holding the `IATA_*.xsd` files under `standards_dir` (default: beside us)."""
    return Path(standards_dir or DEFAULT_STANDARDS_DIR) / FOLDER


def schema(message: str, folder: Path) -> etree.XMLSchema:
    """The compiled schema of `message` (e.g. `IATA_AirShoppingRQ`), loaded once per folder."""
    key = (folder, message)
    found = _loaded.get(key)
    if found is None:
        with _lock:
            found = _loaded.get(key)
            if found is None:
                path = folder / f"{message}.xsd"
                if not path.is_file():
                    raise SchemasUnavailable(f"no NDC 21.3 schema for {message}: looked in {path}")
                found = _loaded[key] = etree.XMLSchema(etree.parse(str(path)))
    return found


def problems(root: etree._Element, folder: Path) -> list[str]:
    """Every schema violation of the message `root`, each naming its element and line."""
    message = etree.QName(root).localname
    checker = schema(message, folder)
    if checker.validate(root):
        return []
    return [f"{message} line {e.line}: {_short(e.message)}" for e in checker.error_log]  # type: ignore[attr-defined]


def validate(root: etree._Element, folder: Path) -> None:
    """Raise `SchemaInvalid` naming the first violations of `root` against its schema."""
    found = problems(root, folder)
    if found:
        raise SchemaInvalid("; ".join(found[:3]))


def _short(text: str) -> str:
    """lxml's messages spell every element `{namespace}Name`; the name says enough."""
    for namespace in (MESSAGE_NS, COMMON_NS):
        text = text.replace(f"{{{namespace}}}", "")
    return text


MESSAGE_NS = "http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersMessage"
COMMON_NS = "http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersCommonTypes"
