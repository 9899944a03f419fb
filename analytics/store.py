"""`AnalyticsStore`: the DuckDB file the consumer loads and the reports read, and the daily
Parquet folders DuckDB writes from it.

Exactly once: each batch's rows and the stream positions the batch ends at are written in one
DuckDB transaction (`load`), so after a crash the store holds whole batches and says where to
resume; a row is keyed by its stream entry, and an entry delivered again adds nothing (`load`).
Parquet is derived from the tables, under `parquet/<table>/year=/month=/day=/`: each export
writes only the rows loaded since the last, a part file per table and day, and compacts a day's
parts at a bounded cost (analytics/parquet.py), so a day's files hold its rows once each.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import duckdb

from analytics import hits
from analytics.parquet import PART, ParquetFolders, rebuild_from, schema
from analytics.rows import HITS, POSITION, POSITION_TYPES, TABLES, Row, columns, split_id

DB_FILE = "skyfare.duckdb"
# The writer (the consumer) shares the API's cores: DuckDB's pool of a thread per core spent
# ~15 % more CPU per loaded row than one thread does.
_WRITER: dict[str, str | bool | int | float | list[str]] = {"threads": 1}


def _insert(table: str, *, ignore: bool = False) -> str:
    """A batch's rows of `table` as one statement whatever their number: each column one list
    parameter, unnested side by side and cast to the column's type (exact for DECIMAL, typed
    even when a column holds only NULLs). A multi-row `VALUES` of one parameter per value
    cost DuckDB ~190 µs of CPU per search row to plan and bind (23 columns; more than the API
    worker spends answering the search), this ~25 µs (bench/results/2026-12-04-cached-search.md);
    `executemany` ~6 ms per row.

    `ignore`: `INSERT OR IGNORE`, which skips a row whose key the table (or an earlier row of
    the statement) holds. It cost DuckDB ~25% more CPU per row, so a batch is tried without it
    first (`AnalyticsStore.load`)."""
    types = (*POSITION_TYPES, *(kind for _, kind in TABLES[table]))
    names = list(columns(table))
    unnested = ", ".join(f"unnest(?::{kind}[])" for kind in types)
    verb = "INSERT OR IGNORE" if ignore else "INSERT"
    # `part`: the open Parquet part, read in the batch's own transaction (analytics/parquet.py).
    return (
        f"{verb} INTO {table} ({', '.join(names)}, {PART}) "
        f"SELECT {unnested}, (SELECT open FROM parquet_parts)"
    )


_INSERTS = {table: _insert(table) for table in TABLES}
_INSERTS_IGNORING = {table: _insert(table, ignore=True) for table in TABLES}


class StoreBusy(Exception):
    """The DuckDB file stayed locked by another process for the whole wait."""


class StoreUnreadable(Exception):
    """DuckDB could not open the file for another reason than a lock; the message is DuckDB's."""


class StoreMissing(Exception):
    """A reader found no DuckDB file: no consumer has created one in this directory (not yet,
    or it runs elsewhere, on a volume this process does not see)."""


class AnalyticsStore:
    """The DuckDB file, opened for each piece of work and closed after it.

    DuckDB lets one process write a file and no other process read it meanwhile, and the
    consumer, `skyfare report` and the API's report routes are different processes: each holds
    the file only for one batch or one report, and waits (up to `lock_wait_s`) for the other.
    `in_writer_process`: the reader runs in the consumer's process (`_connect`).
    """

    def __init__(
        self,
        directory: str,
        *,
        read_only: bool = False,
        lock_wait_s: float = 10.0,
        in_writer_process: bool = False,
    ):
        self.directory = directory
        self.parquet = ParquetFolders(directory)
        self.parquet_dir = self.parquet.root
        self.path = os.path.join(directory, DB_FILE)
        self._read_only = read_only
        self.lock_wait_s = lock_wait_s
        self._in_writer_process = in_writer_process
        self._db: duckdb.DuckDBPyConnection | None = None
        self.opens = 0  # times this store opened the file (bench/analytics_reports.py)
        if read_only:
            # A reader never makes the file: one it made answered every report with empty
            # rows, as if nothing had happened, wherever the consumer's volume was not mounted.
            if not os.path.exists(self.path):
                raise StoreMissing(f"{self.path} does not exist")
            return
        os.makedirs(directory, exist_ok=True)
        with self.session(write=True):
            self._schema()

    @property
    def db(self) -> duckdb.DuckDBPyConnection:
        if self._db is None:
            raise RuntimeError("the store is used outside a session")
        return self._db

    @contextlib.contextmanager
    def session(self, *, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """The file open (read-only unless `write`) for the block; nested sessions share it."""
        if self._db is not None:
            yield self._db
            return
        self._db = self._connect(write=write)
        try:
            yield self._db
        finally:
            self._db.close()
            self._db = None

    def hold(self) -> None:
        """Keep the file open for writing until `release` (the consumer, while it is busy:
        opening costs ~70 ms, closing a checkpoint); sessions meanwhile share it."""
        if self._db is None:
            self._db = self._connect(write=True)

    def release(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def close(self) -> None:
        self.release()

    def _connect(self, *, write: bool) -> duckdb.DuckDBPyConnection:
        # In the consumer's own process (`skyfare analytics` serving reports) a reader opens the
        # file as the writer does: DuckDB refuses a read-only connection to a file the process
        # holds for writing, and the writer's open after a reader's (a consumer crash), but
        # shares one open database between connections of the same configuration, where a
        # read sees each committed batch and never waits for the writer's hold. It only reads.
        as_writer = write or self._in_writer_process
        deadline = time.monotonic() + self.lock_wait_s
        while True:
            try:
                config = _WRITER if as_writer else {}
                db = duckdb.connect(self.path, read_only=not as_writer, config=config)
                # Not as `config`: DuckDB takes it per connection only. Its Python client draws
                # a progress bar on stdout for a statement past 2 s (a day's whole rewrite can
                # be): into the consumer's and the API's logs.
                db.execute("PRAGMA disable_progress_bar")
                self.opens += 1
                return db
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    # Not a lock (a file that is no DuckDB file, a disk error): said as it is.
                    # It read as "busy", a 503 to retry in 2 s for ever, the reason nowhere.
                    raise StoreUnreadable(str(exc)) from exc
                if time.monotonic() > deadline:
                    raise StoreBusy(f"{self.path} is locked by another process") from exc
                time.sleep(0.02)

    def _schema(self) -> None:
        db = self.db
        for table, fields in TABLES.items():
            defs = [f"{n} {t}" for n, t in zip(POSITION, POSITION_TYPES, strict=True)]
            defs += [f"{name} {kind}" for name, kind in fields]
            # One row per entry, but one per airline of a search in `connector_calls`.
            extra = ", connector" if table == "connector_calls" else ""
            defs.append(f"PRIMARY KEY (stream, stream_id{extra})")
            db.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(defs)})")
            # A file made before a column was added (rows.TABLES appends new ones last, so
            # `SELECT * EXCLUDE (part)` keeps the declared order; the Parquet files name theirs).
            for name, kind in fields:
                db.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {kind}")
        db.execute(
            "CREATE TABLE IF NOT EXISTS positions (stream VARCHAR PRIMARY KEY, last_id VARCHAR)"
        )
        schema(db)

    def positions(self) -> dict[str, str]:
        """Each stream's last entry id committed to the store."""
        with self.session() as db:
            return dict(db.execute("SELECT stream, last_id FROM positions").fetchall())

    def load(self, rows: Mapping[str, Sequence[Row]], positions: Mapping[str, str]) -> None:
        """The batch's rows and the positions it ends at, in one transaction; rows whose key
        the store holds (entries delivered again) are skipped."""
        with self.session(write=True) as db:
            try:
                self._load(db, rows, positions, ignore=False)
            except duckdb.ConstraintException:
                # Entries the store holds, delivered again: a consumer starting puts the group
                # at its store's positions (`XGROUP SETID`), and a second stack on the same
                # Redis database shares the group, so its consumer starting hands this one
                # again what it loaded. The duplicate-key error killed the consumer, and
                # `skyfare up` with it. Rolled back whole: loaded again, skipping those rows.
                self._load(db, rows, positions, ignore=True)

    def _load(
        self,
        db: duckdb.DuckDBPyConnection,
        rows: Mapping[str, Sequence[Row]],
        positions: Mapping[str, str],
        *,
        ignore: bool,
    ) -> None:
        inserts = _INSERTS_IGNORING if ignore else _INSERTS
        db.execute("BEGIN TRANSACTION")
        try:
            for table in TABLES:
                if table_rows := rows.get(table):
                    # Column by column: one list parameter per column, not one per value.
                    db.execute(
                        inserts[table], [list(column) for column in zip(*table_rows, strict=True)]
                    )
            hit_inserts = hits.INSERTS_IGNORING if ignore else hits.INSERTS
            for table, parameters in hits.parameters(rows.get(HITS, ())).items():
                db.execute(hit_inserts[table], parameters)
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
        before it (a replay loads them again), in one transaction. A position is never moved
        forward: from an id after it, the entries between would never be loaded, and from one
        beyond the stream's end (a typo, a future time) the group would wait there, loading
        nothing new until that time."""
        ms, seq = split_id(entry_id)
        before = f"{ms}-{seq - 1}" if seq > 0 else f"{max(ms - 1, 0)}-18446744073709551615"
        with self.session(write=True) as db:
            self._forget(db, streams, ms, seq, before)

    def _forget(
        self,
        db: duckdb.DuckDBPyConnection,
        streams: Iterable[str],
        ms: int,
        seq: int,
        before: str,
    ) -> None:
        db.execute("BEGIN TRANSACTION")
        try:
            for stream in streams:
                for table in TABLES:
                    where = "stream = ? AND (ms > ? OR (ms = ? AND seq >= ?))"
                    rebuild_from(db, table, where, [stream, ms, ms, seq])
                    db.execute(f"DELETE FROM {table} WHERE {where}", [stream, ms, ms, seq])
                held = db.execute(
                    "SELECT last_id FROM positions WHERE stream = ?", [stream]
                ).fetchone()
                at = before if ms or seq else "0-0"
                # No position yet: the consumer starts the group at 0-0.
                at = min(at, held[0] if held else "0-0", key=split_id)
                db.execute(
                    "INSERT INTO positions VALUES (?, ?) "
                    "ON CONFLICT (stream) DO UPDATE SET last_id = excluded.last_id",
                    [stream, at],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def export(self, today: dt.date, *, settle: bool = False) -> None:
        """The rows loaded since the last export into part files, then compaction
        (analytics/parquet.py); `today` (UTC): the days before it are over."""
        with self.session(write=True) as db:
            self.parquet.export(db, today, settle=settle)

    def export_days(self, dates: Iterable[dt.date]) -> None:
        """Rewrite each table's folder of each of `dates` whole, as one file."""
        with self.session(write=True) as db:
            self.parquet.export(db, dt.date.min)
            for date in sorted(set(dates)):
                for table in TABLES:
                    self.parquet.rewrite(db, table, date)

    def export_all(self) -> None:
        with self.session(write=True) as db:
            dates: set[dt.date] = set()
            for table in TABLES:
                found = db.execute(f"SELECT DISTINCT date FROM {table}").fetchall()
                dates.update(d for (d,) in found)
        self.export_days(dates)

    def query(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows of one query (`params` by position, or by name: `$name`)."""
        with self.session() as db:
            cursor = db.execute(sql, dict(params) if isinstance(params, Mapping) else list(params))
            names = [d[0] for d in cursor.description or ()]
            return names, cursor.fetchall()
