"""`ParquetFolders`: the daily Parquet folders, written from the store's tables a part at a time.

Every row of a table carries `part`, the export it belongs to: a batch's rows get the store's
open part (`parquet_parts.open`, read in the batch's own transaction). An export writes, for each
table and each day that part's rows fall on, one file `part-0-<part>-<part>.parquet` in that
day's folder, and only then closes the part (`open` + 1, committed). So a day's files hold its
rows once each, whatever a crash interrupts:

- killed after some files of part P were written and before P was closed: P is still open, the
  next export writes P again, for every day P's rows (those and the batches since) fall on,
  each file under the same name, whole (`os.replace`): no row twice, none lost;
- the files are derived from the tables only, never from other files.

Compaction keeps the count of a day's files bounded at a bounded cost (the old export rewrote
every touched day whole each time: ~2 s of CPU for a 2.4 M-row day). Levels: `LEVEL_FILES`
files of level L are merged into one of level L + 1 (its rows read again from the table, by their
parts' range), so a row is rewritten about once per level, log(parts a day) times; once a day is
over (an export finds it untouched, `settle`, or rows of it were forgotten: `parquet_rebuild`)
its files become one, `data.parquet`. A compaction builds the day's new folder beside the tree
(`parquet-staging/`: hard links of the files it keeps and the merged file), then swaps it with
the day's folder in one step (`renameat2(RENAME_EXCHANGE)`): a reader lists the old files or the
new, never both. Killed before the swap, the old folder stands; after it, the new one does; what
is left in `parquet-staging/` is deleted when the next process exports first (`_recover`).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import logging
import os
import re
import shutil
from collections.abc import Iterable

import duckdb

from analytics.rows import POSITION, TABLES

logger = logging.getLogger(__name__)

PART = "part"
FULL = "data.parquet"
# Files of one level a day's folder holds before they are merged into one of the next level.
# 8: a day exported every 30 s (2,880 parts) has at most ~4 levels, ~28 files and `data.parquet`.
LEVEL_FILES = 8
_NAME = re.compile(r"part-(\d+)-(\d+)-(\d+)\.parquet")
_ASIDE = re.compile(r"(\w+)\.(\d{4}-\d{2}-\d{2})\.old")
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2

Key = tuple[str, dt.date]


def schema(db: duckdb.DuckDBPyConnection) -> None:
    """The tables' `part` column and the export's own tables. A file from before parts: its rows
    get part 0, and every day of it is rewritten whole at the next export (its old
    `data.parquet` may lag the tables: the old export ran after the load, not with it)."""
    db.execute("CREATE TABLE IF NOT EXISTS parquet_parts (open BIGINT)")
    if not db.execute("SELECT count(*) FROM parquet_parts").fetchall()[0][0]:
        db.execute("INSERT INTO parquet_parts VALUES (1)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS parquet_rebuild "
        "(tbl VARCHAR, date DATE, PRIMARY KEY (tbl, date))"
    )
    for table in TABLES:
        found = db.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = ? AND column_name = ?",
            [table, PART],
        ).fetchall()[0][0]
        if not found:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {PART} BIGINT DEFAULT 0")
            rebuild_from(db, table, "true", [])


def rebuild_from(
    db: duckdb.DuckDBPyConnection, table: str, where: str, params: list[object]
) -> None:
    """Mark for a whole rewrite the days of `table`'s rows that `where` picks (rows about to be
    deleted: in the deleting transaction, so the files cannot keep them past a crash)."""
    db.execute(
        f"INSERT OR IGNORE INTO parquet_rebuild SELECT DISTINCT '{table}', date FROM {table} "
        f"WHERE {where}",
        params,
    )


class ParquetFolders:
    """The folders `parquet/<table>/year=YYYY/month=MM/day=DD/` of one store directory."""

    def __init__(self, directory: str) -> None:
        self.root = os.path.join(directory, "parquet")
        self.staging = os.path.join(directory, "parquet-staging")
        # Days whose folder holds more than `data.parquet`; None until this process's first
        # export has looked (`_recover`).
        self._unsettled: set[Key] | None = None

    def folder(self, table: str, date: dt.date) -> str:
        return os.path.join(
            self.root, table, f"year={date.year}", f"month={date.month:02d}", f"day={date.day:02d}"
        )

    def export(
        self, db: duckdb.DuckDBPyConnection, today: dt.date, *, settle: bool = False
    ) -> None:
        """Write the open part's rows, close it, then compact: merge full levels of the days it
        touched; rewrite whole the days marked for it and, of the days before `today`, those it
        did not touch (`settle`: those it touched too)."""
        if self._unsettled is None:
            self._unsettled = self._recover()
        part = db.execute("SELECT open FROM parquet_parts").fetchall()[0][0]
        written = self._write_part(db, part)
        self._close(db, part)
        self._unsettled |= written
        for key in sorted(written):
            self._merge_levels(db, key)
        for table, date in db.execute("SELECT tbl, date FROM parquet_rebuild").fetchall():
            self.rewrite(db, table, date)
            db.execute("DELETE FROM parquet_rebuild WHERE tbl = ? AND date = ?", [table, date])
        done = self._unsettled if settle else self._unsettled - written
        for table, date in sorted(done):
            if date < today:
                self.rewrite(db, table, date)

    def _write_part(self, db: duckdb.DuckDBPyConnection, part: int) -> set[Key]:
        written: set[Key] = set()
        for table in TABLES:
            found = db.execute(f"SELECT DISTINCT date FROM {table} WHERE {PART} = ?", [part])
            for (date,) in found.fetchall():
                folder = self.folder(table, date)
                os.makedirs(folder, exist_ok=True)
                name = f"part-0-{part:010d}-{part:010d}.parquet"
                self._copy(db, table, date, (part, part), os.path.join(folder, name))
                written.add((table, date))
        return written

    def _close(self, db: duckdb.DuckDBPyConnection, part: int) -> None:
        """Record that part `part` is in the files: what the crash tests kill just before."""
        db.execute("UPDATE parquet_parts SET open = ?", [part + 1])

    def _copy(
        self,
        db: duckdb.DuckDBPyConnection,
        table: str,
        date: dt.date,
        parts: tuple[int, int],
        target: str,
    ) -> None:
        """`table`'s rows of `date` and parts `parts` (both ends in) to `target`, whole: written
        beside it (`.tmp`, which a `*.parquet` glob skips), made durable, then renamed."""
        names = ", ".join((*POSITION, *(name for name, _ in TABLES[table])))
        temporary = target + ".tmp"
        db.execute(
            f"COPY (SELECT {names} FROM {table} WHERE date = ? AND {PART} BETWEEN ? AND ? "
            f"ORDER BY ms, seq) TO '{_quoted(temporary)}' (FORMAT PARQUET)",
            [date, *parts],
        )
        _fsync(temporary)
        os.replace(temporary, target)
        _fsync(os.path.dirname(target))

    def _merge_levels(self, db: duckdb.DuckDBPyConnection, key: Key) -> None:
        """While a level of the day holds `LEVEL_FILES` files, merge them into one of the next."""
        table, date = key
        while True:
            levels: dict[int, list[tuple[int, int, str]]] = {}
            for name in os.listdir(self.folder(table, date)):
                if match := _NAME.fullmatch(name):
                    level, first, last = map(int, match.groups())
                    levels.setdefault(level, []).append((first, last, name))
            full = sorted(level for level, files in levels.items() if len(files) >= LEVEL_FILES)
            if not full:
                return
            merged = levels[full[0]]
            first = min(f for f, _, _ in merged)
            last = max(last for _, last, _ in merged)
            name = f"part-{full[0] + 1}-{first:010d}-{last:010d}.parquet"
            self._replace(db, key, {n for _, _, n in merged}, name, (first, last))

    def rewrite(self, db: duckdb.DuckDBPyConnection, table: str, date: dt.date) -> None:
        """The day's folder as one file of all its closed parts' rows."""
        closed = db.execute("SELECT open - 1 FROM parquet_parts").fetchall()[0][0]
        folder = self.folder(table, date)
        present = set(os.listdir(folder)) if os.path.isdir(folder) else set()
        self._replace(db, (table, date), present, FULL, (0, closed))
        assert self._unsettled is not None
        self._unsettled.discard((table, date))

    def _replace(
        self,
        db: duckdb.DuckDBPyConnection,
        key: Key,
        dropped: set[str],
        name: str,
        parts: tuple[int, int],
    ) -> None:
        """Swap the day's folder for one without `dropped` and with `name`: the rows of `parts`."""
        table, date = key
        folder = self.folder(table, date)
        new = os.path.join(self.staging, f"{table}.{date.isoformat()}")
        shutil.rmtree(new, ignore_errors=True)
        os.makedirs(new)
        kept = set(os.listdir(folder)) - dropped if os.path.isdir(folder) else set()
        for file in kept:
            os.link(os.path.join(folder, file), os.path.join(new, file))
        self._copy(db, table, date, parts, os.path.join(new, name))
        if os.path.isdir(folder):
            _exchange(new, folder)
        else:
            os.makedirs(os.path.dirname(folder), exist_ok=True)
            os.rename(new, folder)
        _fsync(os.path.dirname(folder))
        self._discard(new)

    def _discard(self, swapped_out: str) -> None:
        """Delete the day's old folder, swapped out to `swapped_out`: what the crash tests kill
        just before."""
        shutil.rmtree(swapped_out, ignore_errors=True)

    def _recover(self) -> set[Key]:
        """What a killed export left: folders in staging (built and not swapped in, or swapped
        out and not deleted) and `.tmp` files go; the days whose folders hold more than
        `data.parquet` are returned (they settle once over). A day's folder that a swap in two
        steps (`_exchange`, where there is no atomic one) had moved aside goes back first."""
        for name in os.listdir(self.staging) if os.path.isdir(self.staging) else ():
            if (aside := _ASIDE.fullmatch(name)) and aside[1] in TABLES:
                folder = self.folder(aside[1], dt.date.fromisoformat(aside[2]))
                if not os.path.exists(folder):
                    os.makedirs(os.path.dirname(folder), exist_ok=True)
                    os.rename(os.path.join(self.staging, name), folder)
        shutil.rmtree(self.staging, ignore_errors=True)
        unsettled: set[Key] = set()
        for table in TABLES:
            for folder, date in self._days(table):
                names = os.listdir(folder)
                for name in names:
                    if name.endswith(".tmp"):
                        os.remove(os.path.join(folder, name))
                if set(names) - {FULL} and any(n.endswith(".parquet") for n in names):
                    unsettled.add((table, date))
        return unsettled

    def _days(self, table: str) -> Iterable[tuple[str, dt.date]]:
        top = os.path.join(self.root, table)
        for year in _listed(top, "year="):
            for month in _listed(os.path.join(top, year), "month="):
                for day in _listed(os.path.join(top, year, month), "day="):
                    folder = os.path.join(top, year, month, day)
                    yield folder, dt.date(int(year[5:]), int(month[6:]), int(day[4:]))


def _listed(folder: str, prefix: str) -> list[str]:
    if not os.path.isdir(folder):
        return []
    return sorted(name for name in os.listdir(folder) if name.startswith(prefix))


_libc: ctypes.CDLL | None = None


def _exchange(a: str, b: str) -> None:
    """Swap two folders in one step (Linux's `renameat2`, ext4, XFS, Btrfs, tmpfs): Python's
    `os` has no call for it. Where the system has none, the folders are swapped by three renames:
    a reader between the first two finds the day empty, and a crash there leaves the old folder
    aside as `<a>.old`, which `_recover` puts back."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    call = getattr(_libc, "renameat2", None)
    if call is not None:
        if call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), b)
    logger.warning("no atomic folder swap here: %s swapped in two steps", b)
    aside = a + ".old"
    os.rename(b, aside)
    os.rename(a, b)
    os.rename(aside, a)


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _quoted(path: str) -> str:
    return path.replace("'", "''")
