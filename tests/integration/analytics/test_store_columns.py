"""A DuckDB file made before a column was added gains it when the store opens it for writing,
so an upgraded consumer loads into the file it already has (no replay needed)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from analytics.rows import TABLES, columns
from analytics.store import DB_FILE, AnalyticsStore


def test_an_older_file_gains_the_columns_added_since(tmp_path: Path) -> None:
    AnalyticsStore(str(tmp_path)).close()
    # As the file was before route, hash, refund and charged amounts.
    with duckdb.connect(str(tmp_path / DB_FILE)) as db:
        db.execute("ALTER TABLE order_events DROP COLUMN charged_amount")
        db.execute("ALTER TABLE order_events DROP COLUMN refund_amount")
        db.execute("ALTER TABLE order_events DROP COLUMN traveler_hash")
        db.execute("ALTER TABLE order_events DROP COLUMN route")
        db.execute("INSERT INTO positions VALUES ('s', '1-0')")

    store = AnalyticsStore(str(tmp_path))
    names, _ = store.query("SELECT * EXCLUDE (part) FROM order_events LIMIT 0")

    assert names == list(columns("order_events"))
    assert names[-4:] == [name for name, _ in TABLES["order_events"][-4:]]
    assert store.positions() == {"s": "1-0"}  # nothing else touched
