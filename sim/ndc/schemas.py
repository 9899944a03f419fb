"""The NDC 21.3 schemas the sim airline checks every request against (lxml, loaded once).

IATA's schemas are not in this repository: they are read from `../shared/standards/` beside the
project (see its README) or the folder given to `Schemas`. Without them the front still answers,
unchecked, and says so once in the log (`sim.server`): a conforming airline needs the standard.
"""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

FOLDER = "iata-ndc-21.3"
DEFAULT_STANDARDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "standards"
_NAMESPACES = (
    "http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersMessage",
    "http://www.iata.org/IATA/2015/EASD/00/IATA_OffersAndOrdersCommonTypes",
)


class Schemas:
    """Each message's compiled schema, loaded on first use and kept."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._loaded: dict[str, etree.XMLSchema] = {}

    @classmethod
    def find(cls, standards_dir: str | Path | None = None) -> Schemas | None:
        folder = Path(standards_dir or DEFAULT_STANDARDS_DIR) / FOLDER
        return cls(folder) if folder.is_dir() else None

    def load(self, message: str) -> etree.XMLSchema:
        with self._lock:
            found = self._loaded.get(message)
            if found is None:
                path = self.folder / f"{message}.xsd"
                found = self._loaded[message] = etree.XMLSchema(etree.parse(str(path)))
            return found

    def problems(self, root: etree._Element) -> list[str]:
        """The violations of the message `root`, each naming its element (none: it is valid)."""
        message = etree.QName(root).localname
        checker = self.load(message)
        if checker.validate(root):
            return []
        return [f"line {e.line}: {_short(e.message)}" for e in checker.error_log]  # type: ignore[attr-defined]


def _short(text: str) -> str:
    for namespace in _NAMESPACES:
        text = text.replace(f"{{{namespace}}}", "")
    return text
