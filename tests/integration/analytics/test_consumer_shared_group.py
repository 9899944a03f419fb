"""Entries a store already holds, delivered again, against a real Redis and a real DuckDB file.

Two `skyfare up` stacks on one Redis database share the streams and the consumer group
`analytics`, each with its own DuckDB file. A consumer starting puts the group at *its* store's
positions (`XGROUP SETID`), which rewinds the group under the other stack's running consumer:
that one is handed again entries its store holds. Loading them raised DuckDB's duplicate-key
error, and the consumer died (and `skyfare up` stopped the whole stack with it:
tests/e2e/analytics/test_consumer_restart.py). An entry loaded twice must be stored once.

Entries the store holds but the group still has pending (a consumer killed after its commit and
before its XACK) are acknowledged by the next start: no read hands them out again, and the
group's pending count is what anyone watching the load reads.
"""

from __future__ import annotations

from pathlib import Path

import redis.asyncio as redis

from analytics.consumer import GROUP, AnalyticsConsumer
from analytics.rows import empty_rows, usage_rows
from analytics.store import AnalyticsStore
from kernel.usage import HitsEvent, encode_usage
from tests.support.analytics import publish, search_event


def _consumer(
    client: redis.Redis, store: AnalyticsStore, streams: tuple[str, str]
) -> AnalyticsConsumer:
    return AnalyticsConsumer(
        client, store, usage_stream=streams[0], event_stream=streams[1], batch_size=7
    )


def _counts(store: AnalyticsStore) -> dict[str, tuple[int, int]]:
    """Per table: (rows, distinct keys)."""
    found = {}
    for table in ("searches", "connector_calls", "reprices", "breakers", "order_events"):
        key = "stream, stream_id, connector" if table == "connector_calls" else "stream, stream_id"
        (rows, keys), *_ = store.query(f"SELECT count(*), count(DISTINCT ({key})) FROM {table}")[1]
        found[table] = (rows, keys)
    return found


async def test_a_second_stack_starting_on_the_same_group_does_not_crash_the_first(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    await publish(redis_client, streams)
    first_store = AnalyticsStore(str(tmp_path / "first"))
    first = _consumer(redis_client, first_store, streams)
    loaded = await first.catch_up()
    before = _counts(first_store)

    # The second stack's consumer starts on an empty store: the group goes back to 0-0.
    second_store = AnalyticsStore(str(tmp_path / "second"))
    await _consumer(redis_client, second_store, streams).start()

    # The first consumer reads on (`step`, as `run` does, without its own `start`): it is
    # handed again every entry its store holds.
    again = 0
    with first_store.session(write=True):
        while n := await first.step():
            again += n

    assert again == loaded
    assert _counts(first_store) == before
    assert all(rows == keys for rows, keys in before.values())


async def test_a_batch_loaded_twice_is_stored_once(tmp_path: Path) -> None:
    """The store alone: a batch loaded again, and an entry twice in one batch; the expanded rows
    of a `hits` entry (`<entry id>.<n>`) are each kept."""
    store = AnalyticsStore(str(tmp_path))
    hit = search_event(1, "bulk", "miss", ("LHR", "JFK"))
    hits = HitsEvent(search=hit, at=(hit.at, hit.at + 0.001, hit.at), took_ms=(0, 0, 0))
    rows = empty_rows()
    usage_rows("u", "1-0", encode_usage(search_event(0, "get", "miss", ("LHR", "JFK"))), rows)
    usage_rows("u", "2-0", encode_usage(hits), rows)
    snapshot = {table: list(found) for table, found in rows.items()}

    store.load(rows, {"u": "2-0"})
    store.load(snapshot, {"u": "2-0"})
    # And within one batch: the same entry twice (a redelivery and its original).
    doubled = {table: found + found for table, found in snapshot.items()}
    store.load(doubled, {"u": "2-0"})

    assert _counts(store) == {
        "searches": (4, 4),
        "connector_calls": (8, 8),
        "reprices": (0, 0),
        "breakers": (0, 0),
        "order_events": (0, 0),
    }
    ids = [r[0] for r in store.query("SELECT stream_id FROM searches ORDER BY stream_id")[1]]
    assert ids == ["1-0", "2-0.0", "2-0.1", "2-0.2"]
    assert store.positions() == {"u": "2-0"}


async def _pending(client: redis.Redis, streams: tuple[str, str]) -> int:
    return sum([int((await client.xpending(s, GROUP))["pending"]) for s in streams])


async def test_a_batch_committed_but_never_acknowledged_is_acknowledged_at_the_next_start(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    """It stayed pending for good: tests/e2e/analytics/test_consumer_crash.py, waiting for
    `pending == 0` after a SIGKILL at a random moment, waited out its bound when the kill fell
    between the commit and the XACK."""
    await publish(redis_client, streams)
    store = AnalyticsStore(str(tmp_path))
    loaded = await _consumer(redis_client, store, streams).catch_up()
    # What that kill leaves: entries handed to the group, in the store, never acknowledged
    # (here all of them; the start rewinds the group past them).
    for stream in streams:
        await redis_client.xgroup_setid(stream, GROUP, id="0-0")
        await redis_client.xreadgroup(GROUP, "analytics-1", {stream: ">"})
    assert await _pending(redis_client, streams) == loaded

    assert await _consumer(redis_client, store, streams).catch_up() == 0  # the store has all

    assert await _pending(redis_client, streams) == 0
