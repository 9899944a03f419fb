"""The Parquet export against a real DuckDB file: each export writes only the rows loaded since
the last, a part file per day, leaving the files written before untouched; a day's parts are
merged a level at a time and once the day is over into one `data.parquet`; whatever the files,
a reader globbing them finds every loaded row once (analytics/parquet.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from pathlib import Path

import duckdb

from analytics.parquet import LEVEL_FILES
from analytics.store import DB_FILE, AnalyticsStore
from tests.support.parquet_export import day_files, exported_ids, load, loaded_ids, with_parts

DAY = dt.date(2026, 12, 4)
NEXT = DAY + dt.timedelta(days=1)


def test_each_export_writes_only_the_new_rows_and_leaves_the_earlier_files_alone(
    tmp_path: Path,
) -> None:
    store = AnalyticsStore(str(tmp_path))
    load(store, 0, 50, DAY)
    store.export(DAY)
    [first] = day_files(tmp_path, DAY)
    written = (tmp_path / "parquet" / "searches").rglob(first)
    before = [(path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes()) for path in written]

    load(store, 50, 20, DAY)
    store.export(DAY)

    files = day_files(tmp_path, DAY)
    assert len(files) == 2
    assert first in files
    after = [(p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
             for p in (tmp_path / "parquet" / "searches").rglob(first)]  # fmt: skip
    assert after == before
    glob = str(tmp_path / "parquet" / "searches" / "*" / "*" / "*" / "*.parquet")
    with duckdb.connect() as db:
        per_file = db.execute(
            f"SELECT count(*) FROM read_parquet('{glob}', filename = true) GROUP BY filename "
            "ORDER BY filename"
        ).fetchall()
    assert per_file == [(50,), (20,)]
    assert exported_ids(tmp_path) == loaded_ids(store)


def test_an_export_with_nothing_new_writes_nothing(tmp_path: Path) -> None:
    store = AnalyticsStore(str(tmp_path))
    load(store, 0, 5, DAY)
    store.export(DAY)
    store.export(DAY)
    assert len(day_files(tmp_path, DAY)) == 1


def test_a_full_level_of_parts_is_merged_into_one_file_of_the_next(tmp_path: Path) -> None:
    store = AnalyticsStore(str(tmp_path))
    store.hold()  # as the busy consumer does: the file opened once, not per load and export
    counts = []
    for n in range(LEVEL_FILES * LEVEL_FILES + 3):
        load(store, n * 10, 10, DAY)
        store.export(DAY)
        counts.append(len(day_files(tmp_path, DAY)))
        if (n + 1) % LEVEL_FILES in (0, 1):  # an export that merged, and the one after it
            assert exported_ids(tmp_path) == loaded_ids(store)
    store.release()

    assert max(counts) < 2 * LEVEL_FILES  # never more than a level's worth below each level
    assert counts[LEVEL_FILES - 2 : LEVEL_FILES + 1] == [LEVEL_FILES - 1, 1, 2]
    levels = sorted(name.split("-")[1] for name in day_files(tmp_path, DAY))
    assert levels == ["0", "0", "0", "2"]  # 64 parts made one file of level 2, then 3 more


def test_a_day_that_is_over_settles_into_one_data_file(tmp_path: Path) -> None:
    store = with_parts(tmp_path, 3, DAY)
    assert len(day_files(tmp_path, DAY)) == 3

    load(store, 100, 5, NEXT)  # the next day's first rows: the day before is over
    store.export(NEXT)

    assert day_files(tmp_path, DAY) == ["data.parquet"]
    assert len(day_files(tmp_path, NEXT)) == 1
    assert exported_ids(tmp_path) == loaded_ids(store)


def test_a_late_row_for_a_settled_day_is_a_part_beside_its_data_file(tmp_path: Path) -> None:
    store = AnalyticsStore(str(tmp_path))
    load(store, 0, 10, DAY)
    store.export(NEXT)
    load(store, 20, 1, NEXT)
    store.export(NEXT)
    assert day_files(tmp_path, DAY) == ["data.parquet"]

    load(store, 10, 1, DAY)
    store.export(NEXT)  # touched now: left as a part until an export that does not touch it
    assert len(day_files(tmp_path, DAY)) == 2
    assert exported_ids(tmp_path) == loaded_ids(store)
    load(store, 21, 1, NEXT)
    store.export(NEXT)
    assert day_files(tmp_path, DAY) == ["data.parquet"]
    assert exported_ids(tmp_path) == loaded_ids(store)


def test_forgotten_rows_leave_the_files_even_when_no_export_follows_in_that_process(
    tmp_path: Path,
) -> None:
    store = with_parts(tmp_path, 3, DAY)

    store.forget_from(["skyfare:usage"], "1764853507015-0")  # then the process ends
    store.close()
    store = AnalyticsStore(str(tmp_path))
    store.export(DAY)

    assert len(loaded_ids(store)) == 15
    assert exported_ids(tmp_path) == loaded_ids(store)


def test_a_store_from_before_parts_rewrites_its_days_whole_once(tmp_path: Path) -> None:
    store = AnalyticsStore(str(tmp_path))
    load(store, 0, 10, DAY)
    store.close()
    with duckdb.connect(str(tmp_path / DB_FILE)) as db:  # as the file was before parts
        db.execute("ALTER TABLE searches DROP COLUMN part")
        db.execute("DROP TABLE parquet_parts")
        db.execute("DROP TABLE parquet_rebuild")
    # Its consumer exported the day before its last batch: the file lags the table.
    old = tmp_path / "parquet" / "searches" / "year=2026" / "month=12" / "day=04"
    old.mkdir(parents=True)
    with duckdb.connect(str(tmp_path / DB_FILE)) as db:
        db.execute(f"COPY (SELECT * FROM searches LIMIT 4) TO '{old / 'data.parquet'}'")

    store = AnalyticsStore(str(tmp_path))
    load(store, 10, 3, DAY)
    store.export(DAY)

    assert day_files(tmp_path, DAY) == ["data.parquet"]
    assert exported_ids(tmp_path) == loaded_ids(store)
    assert len(loaded_ids(store)) == 13


def test_rewriting_days_whole_leaves_one_file_each(tmp_path: Path) -> None:
    store = with_parts(tmp_path, 3, DAY)
    store.export_all()
    assert day_files(tmp_path, DAY) == ["data.parquet"]
    assert exported_ids(tmp_path) == loaded_ids(store)


def test_a_reader_during_exports_and_merges_finds_each_exported_row_once(tmp_path: Path) -> None:
    store = AnalyticsStore(str(tmp_path))
    exported = 0  # rows every completed export holds
    done = threading.Event()
    reads: list[tuple[int, list[str]]] = []

    def read() -> None:
        while not done.is_set():
            before = exported
            with contextlib.suppress(duckdb.IOException):  # a file gone between list and open
                reads.append((before, exported_ids(tmp_path)))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(2 * LEVEL_FILES):  # two merges
            load(store, n * 10, 10, DAY)
            store.export(DAY)
            exported = (n + 1) * 10
        load(store, 1000, 1, NEXT)
        store.export(NEXT)  # the day settles
        exported += 1
    finally:
        done.set()
        reader.join()

    everything = loaded_ids(store)
    assert len(reads) > 10
    for before, ids in reads:
        assert ids == everything[: len(ids)]  # once each, in load order: no row twice
        assert len(ids) >= before  # none an export had completed is missing
