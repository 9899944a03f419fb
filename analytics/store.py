"""`AnalyticsStore`: the DuckDB file the consumer loads and the reports read, and the daily
Parquet folders DuckDB writes from it.

Exactly once: each batch's rows and the stream positions the batch ends at are written in one
DuckDB transaction (`load`), so after a crash the store holds whole batches and says where to
resume. Parquet is derived from the tables: the days a batch touched are rewritten
(`export_days`), one file per table and day under `parquet/<table>/year=/month=/day=/`, so a
day's file always equals that day's rows once written, however often it is rewritten.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import duckdb

from analytics.rows import POSITION, TABLES, Row, columns, split_id

DB_FILE = "skyfare.duckdb"
_POSITION_TYPES = ("VARCHAR", "VARCHAR", "BIGINT", "BIGINT", "TIMESTAMP", "DATE")


class AnalyticsStore:
    """One DuckDB connection (DuckDB allows one writing process per file)."""

    def __init__(self, directory: str, *, read_only: bool = False) -> None:
        self.directory = directory
        self.parquet_dir = os.path.join(directory, "parquet")
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, DB_FILE)
        if read_only and not os.path.exists(path):
            duckdb.connect(path).close()  # an empty store: the schema below makes it readable
            read_only = False
        self.db = duckdb.connect(path, read_only=read_only)
        if not read_only:
            self._schema()

    def close(self) -> None:
        self.db.close()

    def _schema(self) -> None:
        for table, fields in TABLES.items():
            defs = [f"{n} {t}" for n, t in zip(POSITION, _POSITION_TYPES, strict=True)]
            defs += [f"{name} {kind}" for name, kind in fields]
            defs.append("PRIMARY KEY (stream, stream_id)")
            self.db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(defs)})")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS positions (stream VARCHAR PRIMARY KEY, last_id VARCHAR)"
        )

    def positions(self) -> dict[str, str]:
        """Each stream's last entry id committed to the store."""
        return dict(self.db.execute("SELECT stream, last_id FROM positions").fetchall())

    def load(self, rows: Mapping[str, Sequence[Row]], positions: Mapping[str, str]) -> None:
        """The batch's rows and the positions it ends at, in one transaction."""
        db = self.db
        db.execute("BEGIN TRANSACTION")
        try:
            for table, table_rows in rows.items():
                if table_rows:
                    names = list(columns(table))
                    marks = ", ".join("?" * len(names))
                    db.executemany(
                        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
                        [list(r) for r in table_rows],
                    )
            for stream, last_id in positions.items():
                db.execute(
                    "INSERT INTO positions VALUES (?, ?) "
                    "ON CONFLICT (stream) DO UPDATE SET last_id = excluded.last_id",
                    [stream, last_id],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def forget_from(self, streams: Iterable[str], entry_id: str) -> None:
        """Delete every row of `streams` at or after `entry_id` and rewind their positions to just
        before it (a replay loads them again), in one transaction."""
        ms, seq = split_id(entry_id)
        before = f"{ms}-{seq - 1}" if seq > 0 else f"{max(ms - 1, 0)}-18446744073709551615"
        db = self.db
        db.execute("BEGIN TRANSACTION")
        try:
            for stream in streams:
                for table in TABLES:
                    db.execute(
                        f"DELETE FROM {table} "
                        "WHERE stream = ? AND (ms > ? OR (ms = ? AND seq >= ?))",
                        [stream, ms, ms, seq],
                    )
                db.execute(
                    "INSERT INTO positions VALUES (?, ?) "
                    "ON CONFLICT (stream) DO UPDATE SET last_id = excluded.last_id",
                    [stream, before if ms or seq else "0-0"],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def export_days(self, dates: Iterable[dt.date]) -> None:
        """Rewrite the Parquet file of each table for each of `dates`."""
        for date in sorted(set(dates)):
            for table in TABLES:
                folder = os.path.join(
                    self.parquet_dir,
                    table,
                    f"year={date.year}",
                    f"month={date.month:02d}",
                    f"day={date.day:02d}",
                )
                os.makedirs(folder, exist_ok=True)
                target = os.path.join(folder, "data.parquet")
                temporary = target + ".tmp"
                self.db.execute(
                    f"COPY (SELECT * FROM {table} WHERE date = ? ORDER BY ms, seq) "
                    f"TO '{_quoted(temporary)}' (FORMAT PARQUET)",
                    [date],
                )
                os.replace(temporary, target)  # readers see the old file or the new, whole

    def export_all(self) -> None:
        dates: set[dt.date] = set()
        for table in TABLES:
            dates.update(
                d for (d,) in self.db.execute(f"SELECT DISTINCT date FROM {table}").fetchall()
            )
        self.export_days(dates)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, list(params)).fetchall()


def _quoted(path: str) -> str:
    return path.replace("'", "''")
