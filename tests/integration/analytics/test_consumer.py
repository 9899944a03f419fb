"""The analytics consumer against a real Redis and a real DuckDB file: a scripted day of traffic
(usage events and order events, as the API and the outbox relay publish them) is loaded once,
the reports count exactly what the script did, the Parquet files open in plain DuckDB, and the
store holds no personal data."""

from __future__ import annotations

from pathlib import Path

import duckdb
import msgspec
import redis.asyncio as redis

from analytics.consumer import AnalyticsConsumer, replay
from analytics.reports import report
from analytics.store import AnalyticsStore
from kernel.usage import traveler_hash
from tests.support.analytics import CONTACT, DAY, OWNERS, SINCE, UNTIL, publish

KEY = b"test-traveler-key"


def _consumer(
    client: redis.Redis, store: AnalyticsStore, streams: tuple[str, str]
) -> AnalyticsConsumer:
    return AnalyticsConsumer(
        client,
        store,
        usage_stream=streams[0],
        event_stream=streams[1],
        batch_size=7,
        traveler_key=KEY,
    )


def _table(store: AnalyticsStore, name: str) -> dict[str, list[object]]:
    found = report(store, name, SINCE, UNTIL)
    return {c: [row[i] for row in found.rows] for i, c in enumerate(found.columns)}


async def test_a_scripted_day_reports_exactly_what_was_done(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    await publish(redis_client, streams)
    store = AnalyticsStore(str(tmp_path))

    loaded = await _consumer(redis_client, store, streams).catch_up()

    assert loaded == 37 + 3 * 2 + 2 + 1
    funnel = dict(report(store, "funnel", SINCE, UNTIL).rows)
    # Re-price: the 3 offers looked at (`GET /v1/offers/{id}`), not the 3 re-prices the
    # bookings did first: those counted each booking twice before its hold.
    assert funnel == {"search": 30, "re-price": 3, "hold": 3, "paid": 2, "ticketed": 2}
    assert dict(report(store, "routes", SINCE, UNTIL).rows[i][:2] for i in range(2)) == {
        "LHR-JFK": 18, "FRA-JFK": 12}  # fmt: skip
    per_channel = {(r[1]): r[2] for r in report(store, "searches", SINCE, UNTIL).rows}
    assert per_channel == {"get": 10, "post": 5, "bulk": 5, "stream": 5, "calendar": 5}
    revenue = report(store, "revenue", SINCE, UNTIL).rows
    # What the refund gave back, not the order's total (it said "250.50").
    assert revenue == ((DAY.date().isoformat(), "EUR", 2, "501.00", 1, "75.15"),)
    accuracy = {(r[1], r[4]) for r in report(store, "price_accuracy", SINCE, UNTIL).rows}
    assert accuracy == {("offer", 2), ("order", 2)}  # held: 4 of 6
    assert report(store, "breakers", SINCE, UNTIL).rows == (
        (DAY.date().isoformat(), "soap-nordic", 1),
    )
    airlines = _table(store, "airlines")
    assert airlines["connector"] == ["ndc-crimson", "rest-liberty"]
    assert airlines["calls"] == [15, 15]  # 10 misses and 5 streamed searches asked them
    assert airlines["timeout_rate"] == [1.0, 0.0]
    bookings = _table(store, "bookings")
    # One ticketed each (the LHR-JFK one refunded later: still booked); the tie goes to holds.
    assert bookings == {"route": ["LHR-JFK", "FRA-JFK"], "bookings": [1, 1], "holds": [2, 1]}
    look_to_book = _table(store, "look_to_book")
    assert look_to_book == {"route": ["LHR-JFK", "FRA-JFK"], "searches": [18, 12],
                            "bookings": [1, 1], "look_to_book": [18.0, 12.0]}  # fmt: skip
    cache = _table(store, "cache")
    assert sum(cache["searches"]) == 15  # get and post only
    assert sum(cache["saved"]) == 5  # every 3rd search missed: all gets (0, 3 mod 6); posts hit


async def test_parquet_files_open_in_plain_duckdb_by_day(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    await publish(redis_client, streams)
    store = AnalyticsStore(str(tmp_path))
    await _consumer(redis_client, store, streams).catch_up()

    day = tmp_path / "parquet" / "searches" / "year=2026" / "month=12" / "day=01"
    assert (day / "data.parquet").is_file()
    glob = str(tmp_path / "parquet" / "searches" / "*" / "*" / "*" / "*.parquet")
    with duckdb.connect() as db:
        (count, days) = db.execute(
            f"SELECT count(*), count(DISTINCT day) FROM read_parquet('{glob}', "
            "hive_partitioning = true)"
        ).fetchone() or (0, 0)
    assert (count, days) == (30, 1)


async def test_the_store_holds_no_personal_data(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    await publish(redis_client, streams)
    store = AnalyticsStore(str(tmp_path))
    await _consumer(redis_client, store, streams).catch_up()

    dump = []
    with store.session() as db:
        for (table,) in db.execute("SHOW TABLES").fetchall():
            dump += [str(v) for row in db.execute(f"SELECT * FROM {table}").fetchall() for v in row]
    text = "\n".join(dump)
    for value in (*msgspec.structs.astuple(CONTACT), "BR0000", "BR0001", "BR0002", *OWNERS):
        assert value not in text
    # The owners are there only as their keyed hashes: one per traveler, counted per traveler.
    _, owners = store.query(
        "SELECT traveler_hash, count(DISTINCT order_id) FROM order_events "
        "GROUP BY traveler_hash ORDER BY 2 DESC"
    )
    assert owners == [(traveler_hash(KEY, OWNERS[0]), 2), (traveler_hash(KEY, OWNERS[1]), 1)]
    parquet = b"".join(p.read_bytes() for p in tmp_path.rglob("*.parquet"))  # noqa: ASYNC240
    assert b"Hopper" not in parquet
    assert b"grace.hopper" not in parquet


async def test_replay_from_an_id_rebuilds_without_duplicates(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    await publish(redis_client, streams)
    store = AnalyticsStore(str(tmp_path))
    consumer = _consumer(redis_client, store, streams)
    await consumer.catch_up()
    entries = await redis_client.xrange(streams[0])
    middle = entries[len(entries) // 2][0].decode()

    reloaded = await replay(consumer, store, streams, middle)

    assert reloaded >= len(entries) - len(entries) // 2
    assert dict(report(store, "funnel", SINCE, UNTIL).rows)["search"] == 30
    _, rows = store.query("SELECT count(*), count(DISTINCT stream_id) FROM searches")
    assert rows == [(30, 30)]


async def test_after_a_small_batch_the_consumer_lingers_and_loads_what_came_meanwhile_at_once(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    store = AnalyticsStore(str(tmp_path))
    consumer = AnalyticsConsumer(
        redis_client,
        store,
        usage_stream=streams[0],
        event_stream=streams[1],
        batch_size=100,
        block_ms=50,
        linger_s=0.5,
        sleep=lambda seconds: lingered(seconds),
    )
    first = (await redis_client.xadd(streams[0], {"other": "1"})).decode()
    published = [first]
    seen: list[tuple[float, str | None]] = []

    async def lingered(seconds: float) -> None:
        # What the store held when the consumer paused; meanwhile two more entries arrive.
        seen.append((seconds, store.positions().get(streams[0])))
        if len(seen) == 1:
            for _ in range(2):
                published.append((await redis_client.xadd(streams[0], {"other": "1"})).decode())
        else:
            consumer.stop()

    await consumer.run()

    # One batch of the first entry, a pause, then one batch of both that came during it.
    assert seen == [(0.5, published[0]), (0.5, published[2])]
