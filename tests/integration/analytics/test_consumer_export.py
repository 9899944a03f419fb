"""The analytics consumer's Parquet export while busy, against a real Redis and DuckDB file: an
export runs at most every `export_every_s` while batches keep coming (it rewrote each touched day
whole, every 20 batches and every second: its cost grew with the day's rows until it outweighed
the searches it reported; each export is a part file more now), and at once when the streams fall
idle."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import redis.asyncio as redis

from analytics.consumer import AnalyticsConsumer
from analytics.rows import Row
from analytics.store import AnalyticsStore
from tests.support.analytics import publish

KEY = b"test-traveler-key"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _exported_searches(directory: Path) -> int:
    files = list((directory / "parquet" / "searches").glob("*/*/*/*.parquet"))
    if not files:
        return 0
    glob = str(directory / "parquet" / "searches" / "*" / "*" / "*" / "*.parquet")
    with duckdb.connect() as db:
        found = db.execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchone()
    return int(found[0]) if found else 0


async def _run_until_exported(consumer: AnalyticsConsumer, directory: Path) -> None:
    """`consumer.run()` until every search of the script is in the Parquet files (up to 30 s)."""
    running = asyncio.create_task(consumer.run())
    try:
        for _ in range(600):
            if _exported_searches(directory) == 30:
                break
            await asyncio.sleep(0.05)
    finally:
        consumer.stop()
        await running


async def test_busy_batches_export_once_per_interval_not_per_batch(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    await publish(redis_client, streams)  # 30 searches and more, in batches of 7
    store = AnalyticsStore(str(tmp_path))
    clock = Clock()
    consumer = AnalyticsConsumer(
        redis_client, store, usage_stream=streams[0], event_stream=streams[1],
        batch_size=7, export_every_s=30.0, traveler_key=KEY, clock=clock,
    )  # fmt: skip
    await consumer.start()
    store.hold()

    for _ in range(4):  # batches loaded within the interval: no file rewritten yet
        assert await consumer.step() > 0
        clock.now += 5.0
    assert _exported_searches(tmp_path) == 0

    clock.now += 15.0  # 35 s since the last export: the next batch exports
    assert await consumer.step() > 0
    exported = _exported_searches(tmp_path)
    loaded = store.query("SELECT count(*) FROM searches")[1][0][0]
    assert 0 < exported == loaded
    store.release()


async def test_idle_streams_export_at_once(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    await publish(redis_client, streams)
    store = AnalyticsStore(str(tmp_path))
    consumer = AnalyticsConsumer(
        redis_client, store, usage_stream=streams[0], event_stream=streams[1],
        batch_size=500, block_ms=50, export_every_s=3600.0, traveler_key=KEY,
    )  # fmt: skip
    await _run_until_exported(consumer, tmp_path)
    assert _exported_searches(tmp_path) == 30


class CountingStore(AnalyticsStore):
    """The real store, counting its Parquet exports."""

    exports = 0

    def export(self, today: dt.date, *, settle: bool = False) -> None:
        self.exports += 1
        super().export(today, settle=settle)


class Ticking:
    """A clock that moves 0.4 s each time it is read: the consumer holds the file past HOLD_S
    every few batches, as it does under steady load."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 0.4
        return self.now


async def _busy_run(
    redis_client: redis.Redis, streams: tuple[str, str], store: AnalyticsStore
) -> None:
    """The script's entries in batches of 2, the clock passing HOLD_S every few of them."""
    await publish(redis_client, streams)
    consumer = AnalyticsConsumer(
        redis_client, store, usage_stream=streams[0], event_stream=streams[1],
        batch_size=2, block_ms=50, export_every_s=3600.0, traveler_key=KEY, clock=Ticking(),
    )  # fmt: skip
    await _run_until_exported(consumer, Path(store.directory))
    assert _exported_searches(Path(store.directory)) == 30


async def test_a_busy_run_lets_readers_in_without_exporting_each_time(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    store = CountingStore(str(tmp_path))
    await _busy_run(redis_client, streams, store)
    assert store.exports == 1  # once, when the streams fell idle


class HoldingStore(AnalyticsStore):
    """The real store, counting the batches loaded while the consumer did not hold the file."""

    held = False
    loaded_unheld = 0

    def hold(self) -> None:
        self.held = True
        super().hold()

    def release(self) -> None:
        self.held = False
        super().release()

    def load(self, rows: Mapping[str, Sequence[Row]], positions: Mapping[str, str]) -> None:
        self.loaded_unheld += not self.held
        super().load(rows, positions)


async def test_a_busy_run_loads_every_batch_in_the_file_it_holds(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    # The first batch after each release was loaded in a session of its own: the file opened
    # and closed (a checkpoint) once more per HOLD_S, ~20 ms of CPU, for `hold` to reopen it.
    store = HoldingStore(str(tmp_path))
    await _busy_run(redis_client, streams, store)
    assert store.loaded_unheld == 0
