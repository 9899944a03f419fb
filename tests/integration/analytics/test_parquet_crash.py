"""The Parquet export killed (SIGKILL, a real process) at its two dangerous points, then run
again by a new process: a reader of the folders finds every loaded row once at each moment —
right after the kill and after the next export — never twice, never missing one that an export
completed (analytics/parquet.py)."""

from __future__ import annotations

import datetime as dt
import signal
from pathlib import Path

import pytest

from analytics.parquet import LEVEL_FILES
from analytics.store import AnalyticsStore
from tests.support.parquet_export import (
    day_files,
    exported_ids,
    killed_export,
    load,
    loaded_ids,
    with_parts,
)

DAY = dt.date(2026, 12, 4)
NEXT = DAY + dt.timedelta(days=1)
KILLED = -signal.SIGKILL


def test_killed_after_writing_a_part_and_before_closing_it(tmp_path: Path) -> None:
    store = AnalyticsStore(str(tmp_path))
    load(store, 0, 10, DAY)
    store.export(DAY)
    store.close()

    # The next batch's part file is written (a reader sees its rows: they are loaded), the part
    # is not recorded as written.
    assert killed_export(tmp_path, "close", 10, 7, DAY, DAY) == KILLED
    store = AnalyticsStore(str(tmp_path))
    assert len(day_files(tmp_path, DAY)) == 2
    assert exported_ids(tmp_path) == loaded_ids(store)

    load(store, 17, 5, DAY)  # the next process loads more, then exports
    store.export(DAY)

    assert len(loaded_ids(store)) == 22
    assert exported_ids(tmp_path) == loaded_ids(store)
    assert len(day_files(tmp_path, DAY)) == 2  # the killed part written again, whole


def test_killed_after_writing_parts_of_two_days_and_before_closing_them(tmp_path: Path) -> None:
    store = AnalyticsStore(str(tmp_path))
    load(store, 0, 10, NEXT)
    store.close()
    assert killed_export(tmp_path, "close", 10, 4, DAY, NEXT) == KILLED

    store = AnalyticsStore(str(tmp_path))
    load(store, 14, 3, NEXT)  # the part now holds no more rows of DAY, more of NEXT
    store.export(NEXT)
    store.export(NEXT)

    assert exported_ids(tmp_path) == loaded_ids(store)
    assert len(loaded_ids(store)) == 17


@pytest.mark.parametrize("compaction", ["merge", "settle"])
def test_killed_after_a_compaction_swapped_its_folder_and_before_deleting_the_old(
    tmp_path: Path, compaction: str
) -> None:
    store = with_parts(tmp_path, LEVEL_FILES - 1, DAY)
    store.close()
    assert len(day_files(tmp_path, DAY)) == LEVEL_FILES - 1

    if compaction == "merge":  # the level's last part: its files merged into one
        assert killed_export(tmp_path, "discard", 1000, 10, DAY, DAY) == KILLED
    else:  # the day over: its files rewritten as one
        assert killed_export(tmp_path, "discard", 1000, 10, NEXT, NEXT) == KILLED

    store = AnalyticsStore(str(tmp_path))
    assert len(day_files(tmp_path, DAY)) == 1
    assert exported_ids(tmp_path) == loaded_ids(store)
    assert list((tmp_path / "parquet-staging").iterdir())  # the old folder, not yet deleted

    load(store, 2000, 3, NEXT)
    store.export(NEXT)

    assert not list((tmp_path / "parquet-staging").glob("*"))  # the old folder deleted
    assert day_files(tmp_path, DAY) == ["data.parquet"]
    assert exported_ids(tmp_path) == loaded_ids(store)
    assert len(loaded_ids(store)) == (LEVEL_FILES - 1) * 10 + 10 + 3


def test_a_folder_a_two_step_swap_left_aside_goes_back_before_staging_is_cleared(
    tmp_path: Path,
) -> None:
    # Where the system has no atomic folder swap, the old folder is renamed aside, then the new
    # one in: killed between the two, the day's folder is missing and its files are in staging.
    store = with_parts(tmp_path, 3, DAY)
    store.close()
    folder = tmp_path / "parquet" / "searches" / "year=2026" / "month=12" / "day=04"
    staging = tmp_path / "parquet-staging"
    staging.mkdir()
    folder.rename(staging / "searches.2026-12-04.old")
    (staging / "searches.2026-12-04").mkdir()  # the new folder, built, not yet renamed in

    store = AnalyticsStore(str(tmp_path))
    load(store, 100, 2, NEXT)
    store.export(NEXT)

    assert not list(staging.glob("*"))
    assert day_files(tmp_path, DAY) == ["data.parquet"]
    assert exported_ids(tmp_path) == loaded_ids(store)
