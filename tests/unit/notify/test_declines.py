"""The mail's decline words and the web app's are one table written twice (Python, TypeScript):
the same codes, the same phrases, so a traveler reads in the mail what the trip's page says."""

from __future__ import annotations

import re
from pathlib import Path

from notify.declines import DECLINES

WEB_TABLE = Path(__file__).parents[3] / "web" / "src" / "lib" / "declines.ts"
# `  code: NAMED,` or `  code: { phrase: "…", next: … },` inside `const DECLINES … = { … };`
_ENTRY = re.compile(r'^\s+(\w+): (?:\{ phrase: "([^"]+)"|(\w+),)', re.MULTILINE)


def _web_phrases() -> dict[str, str]:
    text = WEB_TABLE.read_text()
    named = dict(re.findall(r'const (\w+): Known = \{ phrase: "([^"]+)"', text))
    table = text[text.index("const DECLINES") : text.index("};", text.index("const DECLINES"))]
    return {code: phrase or named[name] for code, phrase, name in _ENTRY.findall(table)}


def test_the_mail_and_the_web_app_know_the_same_codes_by_the_same_phrases() -> None:
    web = _web_phrases()
    assert len(web) > 20
    assert set(DECLINES) == set(web)
    # The generic words may differ (the page quotes the code for support; a mail never does).
    differ = {c for c, d in DECLINES.items() if d.phrase != web[c]}
    assert differ <= {"payment_failed"}, differ
