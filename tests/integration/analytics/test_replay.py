"""`skyfare analytics replay --from ID` against a real Redis and a real DuckDB file: it forgets
what the store holds from ID on and loads it again, and never moves the store's position past
entries it has not loaded. Before, the position was set to just before ID whatever it was: a
replay from an id after it skipped the entries between (never loaded), and one from an id
beyond the streams' ends (a typo, a future time) put the group there, so the consumer loaded
nothing more until that time came."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import redis.asyncio as redis

from analytics.consumer import AnalyticsConsumer, replay
from analytics.rows import split_id
from analytics.store import AnalyticsStore
from tests.support.analytics import publish


def _consumer(
    client: redis.Redis, store: AnalyticsStore, streams: tuple[str, str]
) -> AnalyticsConsumer:
    return AnalyticsConsumer(client, store, usage_stream=streams[0], event_stream=streams[1])


def _rows(store: AnalyticsStore) -> int:
    total = 0
    for table in ("searches", "reprices", "breakers", "order_events"):
        (count, *_), *_ = store.query(f"SELECT count(*) FROM {table}")[1]
        total += count
    return total


async def _last_ids(client: redis.Redis, streams: tuple[str, str]) -> list[str]:
    found = []
    for stream in streams:
        last: Any = await client.xrevrange(stream, count=1)
        found.append(last[0][0].decode())
    return found


async def _one_day_loaded(
    client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> tuple[AnalyticsStore, int]:
    """A store that loaded the scripted day, and the rows it holds."""
    store = AnalyticsStore(str(tmp_path))
    await publish(client, streams)
    await _consumer(client, store, streams).catch_up()
    return store, _rows(store)


async def test_a_replay_from_after_the_stores_position_loads_the_entries_between(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    store, one_day = await _one_day_loaded(redis_client, streams, tmp_path)
    await publish(redis_client, streams)  # loaded by no one yet

    latest = max(await _last_ids(redis_client, streams), key=split_id)
    await replay(_consumer(redis_client, store, streams), store, streams, latest)

    assert _rows(store) == 2 * one_day


async def test_a_replay_from_beyond_the_streams_leaves_the_consumer_loading(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    store, one_day = await _one_day_loaded(redis_client, streams, tmp_path)

    await replay(_consumer(redis_client, store, streams), store, streams, "99999999999999-0")
    await publish(redis_client, streams)
    await _consumer(redis_client, store, streams).catch_up()

    assert _rows(store) == 2 * one_day
