"""The web app's search form tells a refused far date the last day that can be searched
(web/src/features/search/model.ts `MAX_DAYS_AHEAD`): counted from the API's own horizon, or it
would name a day the API refuses, or hide days it sells."""

from __future__ import annotations

import re
from pathlib import Path

from search.model import MAX_DAYS_AHEAD

MODEL = Path(__file__).resolve().parents[3] / "web" / "src" / "features" / "search" / "model.ts"
_CONSTANT = re.compile(r"^export const MAX_DAYS_AHEAD = (\d+);$", re.MULTILINE)


def test_the_web_form_counts_the_same_days_ahead_as_the_api() -> None:
    found = _CONSTANT.findall(MODEL.read_text())
    assert found == [str(MAX_DAYS_AHEAD)]
