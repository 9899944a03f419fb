"""`AnalyticsConsumer`: the usage stream and the order event stream into the store, exactly once.

It reads both streams as consumer group `analytics`, in batches. The store, not the group, is
the record of what was loaded: a batch's rows and the entry ids it ends at are committed in one
DuckDB transaction (`AnalyticsStore.load`), then the entries are acknowledged. At start the
group is moved to the store's positions (`XGROUP SETID`), so entries delivered but not committed
before a crash are delivered again, and those committed are not (those a crash left pending are
acknowledged): no gap, no duplicate. One consumer process per store (DuckDB has one writer per
file). Another stack's consumer on the same Redis database shares the group and rewinds it so
when it starts: this one is then handed again entries its store holds, which the store skips
(`AnalyticsStore.load` ignores a key it holds).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

import redis.asyncio as redis
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot
from redis.exceptions import ResponseError

from analytics.rows import OrderRows, Row, empty_rows, usage_rows
from analytics.store import AnalyticsStore

logger = logging.getLogger(__name__)

GROUP = "analytics"
# How long the consumer keeps the DuckDB file while busy before letting a reader in.
HOLD_S = 1.0
# While busy, how often the Parquet files follow the tables (idle: at once). An export writes the
# rows loaded since the last as part files and compacts a day's parts at a bounded cost
# (analytics/parquet.py). It once rewrote each touched day whole: its cost grew with the day
# (~2 s of CPU a 2.4 M-row day), and every second (each HOLD_S) that made the consumer's CPU per
# search grow past the API worker's own (bench/results/2026-12-04-cached-search.md); each part
# is a file more for a reader to open, so not every second either.
EXPORT_EVERY_S = 30.0
Parse = Callable[[str, str, bytes, dict[str, list[Row]]], None]
P = ParamSpec("P")
T = TypeVar("T")


# How many pending entries `start` acknowledges per command.
PENDING_PAGE = 500
# Redis Cluster, streams in different slots: how often an idle consumer looks again.
CLUSTER_POLL_MS = 200


class AnalyticsConsumer:
    def __init__(
        self,
        client: redis.Redis,
        store: AnalyticsStore,
        *,
        usage_stream: str,
        event_stream: str,
        consumer: str = "analytics-1",
        batch_size: int = 500,
        block_ms: int = 1000,
        export_every_s: float = EXPORT_EVERY_S,
        traveler_key: bytes = b"",
        clock: Callable[[], float] = time.monotonic,
        linger_s: float = 0.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        today: Callable[[], dt.date] = lambda: dt.datetime.now(dt.UTC).date(),
    ) -> None:
        self._client = client
        self._store = store
        # `traveler_key`: what order owners are hashed with (the search side's secret).
        orders = OrderRows(traveler_key)
        self._parsers: dict[str, Parse] = {usage_stream: usage_rows, event_stream: orders}
        self._consumer = consumer
        self._batch_size = batch_size
        self._block_ms = block_ms
        self._export_every_s = export_every_s
        self._clock = clock
        self._dirty = False  # rows loaded since the last export
        self._today = today  # the UTC day: the Parquet folders of the days before it settle
        self._exported_at = clock()
        self._stopping = False
        self._held_since: float | None = None
        self._hold_while_busy = False  # `run`: the file stays open from a batch to the next
        # After a batch smaller than `batch_size`, wait this long before reading again, so the
        # next batch gathers what arrived meanwhile. Without it a steady trickle (a usage event
        # per search) was loaded one or two entries at a time: a DuckDB transaction per entry,
        # bursts of CPU on the API's core.
        self._linger_s = linger_s
        self._sleep = sleep
        # The store's work (a batch's load, an export: up to seconds) runs on this one thread,
        # never on the event loop: `skyfare analytics` serves the reports on that loop, and a
        # batch loading there held every report (and /healthz) until it was in. One thread:
        # the writer's DuckDB connection is used by one thread at a time, as DuckDB asks (a
        # connection is not thread-safe; the readers open connections of their own), and the
        # batches, exports and releases keep their order.
        self._store_thread = ThreadPoolExecutor(1, thread_name_prefix="analytics-store")

    async def _in_store_thread(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`work` on the store's thread. Cancelled meanwhile, the work still ends there (a
        batch commits or rolls back whole) before the next one starts."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._store_thread, lambda: work(*args, **kwargs))

    def close(self) -> None:
        """End the store's thread (once `run` or `catch_up` has returned)."""
        self._store_thread.shutdown()

    def stop(self) -> None:
        """End `run` after the batch in hand (a signal handler calls it)."""
        self._stopping = True

    async def start(self) -> None:
        """Create the group where missing, put it at the store's positions, and acknowledge
        the entries still pending up to there: the store holds them."""
        positions = await self._in_store_thread(self._store.positions)
        for stream in self._parsers:
            at = positions.get(stream, "0-0")
            try:
                await self._client.xgroup_create(stream, GROUP, id=at, mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
                await self._client.xgroup_setid(stream, GROUP, id=at)
                await self._acknowledge_held(stream, at)

    async def _acknowledge_held(self, stream: str, at: str) -> None:
        """A consumer that died after its batch committed and before its XACK left the batch
        pending, and no read hands it out again (the group now starts after it): acknowledged
        here, or the group's pending count never came back to 0 (the load looked stuck to
        whoever watches it: tests/e2e/analytics/test_consumer_crash.py waited out its bound).
        Entries after `at` stay pending: the next reads hand them out again, then they are
        acknowledged as loaded."""
        if at == "0-0":
            return
        while held := await self._client.xpending_range(stream, GROUP, "-", at, PENDING_PAGE):
            await self._client.xack(stream, GROUP, *(entry["message_id"] for entry in held))

    async def run(self) -> None:
        """Load batches until cancelled; the Parquet files follow at least every
        `export_every_s` while busy, whenever the streams fall idle, and at the end."""
        await self.start()
        self._hold_while_busy = True
        try:
            while not self._stopping:
                loaded = await self.step(block_ms=self._block_ms)
                if 0 < loaded < self._batch_size and self._linger_s > 0:
                    await self._sleep(self._linger_s)
                # Busy: the file stays open (`step` holds it; opening costs more than a batch).
                # Idle, or held for HOLD_S: let it go, so a report in another process can read.
                now = self._clock()
                if self._held_since is not None and (not loaded or now - self._held_since > HOLD_S):
                    if not loaded:
                        await self.export()
                    await self._in_store_thread(self._store.release)
                    self._held_since = None
        finally:
            self._hold_while_busy = False
            await self.export()
            await self._in_store_thread(self._store.release)
            self._held_since = None

    async def _read(
        self, block_ms: int | None
    ) -> dict[str, list[tuple[str, Mapping[bytes, bytes]]]]:
        streams = list(self._parsers)
        if not isinstance(self._client, RedisCluster) or _one_slot(streams):
            reply = await self._client.xreadgroup(
                GROUP,
                self._consumer,
                dict.fromkeys(streams, ">"),
                count=self._batch_size,
                block=block_ms,
            )
            return _entries(reply)
        # Redis Cluster, the streams in different slots: one XREADGROUP cannot read them both.
        # Each is read without blocking; with nothing in either, a short pause stands in for the
        # blocking read (a loader of reports can be a fraction of a second late).
        found: dict[str, list[tuple[str, Mapping[bytes, bytes]]]] = {}
        for stream in streams:
            reply = await self._client.xreadgroup(
                GROUP, self._consumer, {stream: ">"}, count=self._batch_size
            )
            found.update(_entries(reply))
        if not found and block_ms:
            await asyncio.sleep(min(block_ms, CLUSTER_POLL_MS) / 1000)
        return found

    async def step(self, *, block_ms: int | None = None) -> int:
        """Read and load one batch; the number of entries it held."""
        entries = await self._read(block_ms)
        if not entries:
            return 0
        rows = empty_rows()
        positions: dict[str, str] = {}
        for stream, items in entries.items():
            parse = self._parsers[stream]
            for entry_id, fields in items:
                data = fields.get(b"event")
                if data is not None:
                    parse(stream, entry_id, data, rows)
                positions[stream] = entry_id
        if self._hold_while_busy and self._held_since is None:
            # Held before the batch, not after it: loaded in a session of its own, a batch
            # opened the file and closed it (a checkpoint) only for `hold` to open it again,
            # twice the ~20 ms of CPU per HOLD_S while busy.
            await self._in_store_thread(self._store.hold)
            self._held_since = self._clock()
        await self._in_store_thread(self._store.load, rows, positions)
        for stream, items in entries.items():
            await self._client.xack(stream, GROUP, *(entry_id for entry_id, _ in items))
        self._dirty = True
        if self._clock() - self._exported_at >= self._export_every_s:
            await self.export()
        return sum(len(items) for items in entries.values())

    async def catch_up(self) -> int:
        """Load until both streams are read to their end (replays, tests); entries loaded."""
        await self.start()
        total = 0
        await self._in_store_thread(self._store.hold)
        try:
            while loaded := await self.step(block_ms=None):
                total += loaded
            await self.export(settle=True)
        finally:
            await self._in_store_thread(self._store.release)
        return total

    async def export(self, *, settle: bool = False) -> None:
        """What was loaded since the last export into the Parquet files; `settle`: every day
        before today down to one file (`catch_up`: a replay ends with the days it rewrote)."""
        if self._dirty or settle:
            await self._in_store_thread(self._store.export, self._today(), settle=settle)
            self._dirty = False
        self._exported_at = self._clock()


def _one_slot(streams: Sequence[str]) -> bool:
    return len({key_slot(stream.encode()) for stream in streams}) == 1


def _entries(reply: Any) -> dict[str, list[tuple[str, Mapping[bytes, bytes]]]]:
    """XREADGROUP's reply as {stream: [(entry id, fields)]} with text names and ids."""
    found: dict[str, list[tuple[str, Mapping[bytes, bytes]]]] = {}
    for stream, items in reply or ():
        name = stream.decode() if isinstance(stream, bytes) else stream
        kept = [(_text(entry_id), fields or {}) for entry_id, fields in items]
        if kept:
            found[name] = kept
    return found


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def replay(consumer: AnalyticsConsumer, store: AnalyticsStore, streams: Sequence[str],
                 from_id: str) -> int:  # fmt: skip
    """Forget what the store holds from `from_id` on and load it again from the streams."""
    store.forget_from(streams, from_id)
    loaded = await consumer.catch_up()
    logger.info("analytics replay from %s: %d entries loaded", from_id, loaded)
    return loaded
