"""Nothing in Skyfare keeps PostgreSQL session state across transactions, so it runs behind
PgBouncer in transaction pooling mode (deploy/README.md): a server connection is ours for one
transaction only. This reads the application's code and SQL for what would break there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("analytics", "booking", "cache", "connectors", "kernel", "notify", "payment")
PACKAGES += ("search", "skyfare", "users")

# What holds beyond its transaction on the server connection that ran it.
SESSION_STATE = {
    "a session-scoped advisory lock": re.compile(
        r"pg_(try_)?advisory_lock(_shared)?\s*\(", re.IGNORECASE
    ),
    "a SET outside SET LOCAL": re.compile(
        r"""["';]\s*SET\s+(?!LOCAL\b)(SESSION\s+)?[a-z_.]+\s*(=|TO\b)""",
        re.IGNORECASE,
    ),
    "LISTEN": re.compile(r"""["';]\s*LISTEN\s|\.add_listener\(""", re.IGNORECASE),
    "a temporary table": re.compile(r"CREATE\s+(LOCAL\s+)?TEMP(ORARY)?\s+TABLE", re.IGNORECASE),
    "a named prepared statement": re.compile(r"\bconn(ection)?\.prepare\("),
    "a cursor WITH HOLD": re.compile(r"WITH\s+HOLD", re.IGNORECASE),
}


def _sources() -> list[Path]:
    found: list[Path] = []
    for package in PACKAGES:
        for suffix in ("*.py", "*.sql"):
            found += sorted((ROOT / package).rglob(suffix))
    return found


def _findings(text: str) -> list[str]:
    return [what for what, pattern in SESSION_STATE.items() if pattern.search(text)]


def test_the_checks_find_what_they_look_for() -> None:
    assert _findings('conn.execute("SELECT pg_advisory_lock($1)", 1)') == [
        "a session-scoped advisory lock"
    ]
    assert _findings('conn.execute("SET statement_timeout = 5")') == ["a SET outside SET LOCAL"]
    assert _findings('conn.execute("SET LOCAL statement_timeout = 5")') == []
    assert _findings("UPDATE orders\nSET status = $2") == []  # an UPDATE's SET is no setting
    assert _findings('await conn.add_listener("orders", cb)') == ["LISTEN"]
    assert _findings("CREATE TEMP TABLE t (id int)") == ["a temporary table"]
    assert _findings("stmt = await conn.prepare(QUERY)") == ["a named prepared statement"]
    assert _findings("SELECT pg_try_advisory_xact_lock($1)") == []


def test_no_code_keeps_session_state_across_transactions() -> None:
    sources = _sources()
    assert len(sources) > 100  # the packages were found
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sources
        if (found := _findings(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
