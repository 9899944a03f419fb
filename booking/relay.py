"""The outbox relay: moves committed outbox rows to the event stream, in `id` order.

Every API process runs one. One batch is one PostgreSQL transaction:

1. `pg_try_advisory_xact_lock`: one relay publishes at a time, the others skip this round. Two
   relays publishing the same rows would only duplicate entries (consumers dedup on the event
   id), but one at a time keeps duplicates rare and the stream in `id` order. The lock is
   transaction-scoped, so a relay that dies or times out mid-batch holds nothing.
2. `SELECT … WHERE published_at IS NULL ORDER BY id LIMIT n FOR UPDATE`: by `published_at`, never
   by "id > the last one published": identity values are handed out at insert but become visible
   at commit, so a lower id can commit after a higher one was published; it is simply published
   with a later batch.
3. One Lua script: per event, `SET <marker> NX EX <ttl>` and, only if it was not set yet,
   `XADD <stream> MAXLEN ~ <cap> * id <event id> type <type> event <json>`.
4. `UPDATE outbox SET published_at = now()`, `COMMIT`.

Nothing is lost: a row is marked only in the transaction that follows a successful script. A crash,
a timeout or a Redis killed between the script and COMMIT (the XADD done, its answer lost) sends the
batch again; the markers, written atomically with their entries, make that second sending add
nothing, so the stream holds each event once. A marker lives `marker_ttl_s` (a day), far longer
than any outage the relay waits out; its key carries the stream's name as a hash tag, so on a
Redis Cluster the script's keys share the stream's slot.

Wake-up is by polling (`interval_s`, 0.1 s by default): an index-only look at the partial index
of unpublished rows (one statement, outside any transaction; the batch's transaction only when it
finds a row), cheap enough that LISTEN/NOTIFY — one more connection per process to keep
alive and re-listen after every reconnect, and none through PgBouncer in transaction mode —
would not pay for itself. Still, every API process relays, and ten looks a second were most of
an idle search worker's CPU (bench/results/2026-12-04-after-answer.md): after each look that
finds nothing the pause doubles, up to `idle_interval_s` (0.5 s by default), and the first look
that finds a row (published here or, the lock taken, by another relay) brings it back to
`interval_s`. So an event written after an idle spell waits at most `idle_interval_s`, the rest
of a burst `interval_s` as before. A full batch means more may wait, so the relay goes again at
once. PostgreSQL or Redis down: the error is logged, the relay
backs off (up to `max_backoff_s`) and resumes by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
import redis.asyncio as redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import RedisClusterException

from booking.events import ACCOUNT_EVENTS
from booking.pg import UNAVAILABLE
from kernel.counters import MeasuredCounter
from kernel.gauges import MeasuredGauge
from kernel.logs import describe

logger = logging.getLogger(__name__)

# An arbitrary constant naming "the outbox relay" among the advisory locks of the database.
RELAY_LOCK_KEY = 0x5C1F_0B0E

# Exported only by a process that runs a relay, from its start (kernel/counters.py): search
# processes and the worker served them as 0.
EVENTS_PUBLISHED = MeasuredCounter(
    "skyfare_events_published", "Outbox events published to the event stream by this process."
)
RELAY_FAILURES = MeasuredCounter(
    "skyfare_outbox_relay_failures",
    "Relay rounds that failed (PostgreSQL or Redis unreachable, a timeout); each is retried.",
)
# Exported only by a process whose relay measured it (kernel/gauges.py): search and booking run
# none in a deployment of separate services, and served it as 0.
OUTBOX_LAG = MeasuredGauge(
    "skyfare_outbox_lag_seconds",
    "Age of the oldest unpublished outbox event (0: none), as this process's relay last saw it.",
)

# KEYS: the stream, then one marker per event; ARGV: maxlen, marker TTL, then (id, type, event)
# per event. The number of entries added.
_PUBLISH_ONCE = """
local added = 0
for i = 2, #KEYS do
  local at = 3 + (i - 2) * 3
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[2]) then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',
               'id', ARGV[at], 'type', ARGV[at + 1], 'event', ARGV[at + 2])
    added = added + 1
  end
end
return added
"""
MARKER_TTL_S = 86_400

_TRY_LOCK = "SELECT pg_try_advisory_xact_lock($1)"
_SELECT_BATCH = """
SELECT id, event_id, type, payload::text AS payload
FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE"""
# An account event's contact goes as it is published (booking/personal_data.py): the stream
# entry carries it to the worker, the row keeps none.
_MARK_PUBLISHED = f"""
UPDATE outbox SET published_at = now(),
    payload = CASE WHEN type IN ({", ".join(f"'{t}'" for t in ACCOUNT_EVENTS)})
                   THEN jsonb_set(payload, '{{contact}}', 'null'::jsonb) ELSE payload END
WHERE id = ANY($1::bigint[])"""
# Oldest by id, through the partial index of unpublished rows; ids follow insertion closely
# enough that the first is (about) the oldest.
_OLDEST_AGE = """
SELECT extract(epoch FROM now() - created_at)::float8
FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1"""


class OutboxRelay:
    """Publishes committed outbox rows to the Redis stream `stream`; `run()` until cancelled."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        redis_client: redis.Redis,
        stream: str,
        *,
        maxlen: int = 1_000_000,
        replicas: int = 0,
        interval_s: float = 0.1,
        idle_interval_s: float = 0.5,
        batch_size: int = 500,
        db_timeout_s: float = 2.0,
        redis_timeout_s: float = 2.0,
        max_backoff_s: float = 5.0,
        marker_ttl_s: int = MARKER_TTL_S,
    ) -> None:
        self._pool = pool
        self._redis = redis_client
        self._stream = stream
        self._maxlen = maxlen
        self._replicas = replicas
        self._interval_s = interval_s
        self._idle_interval_s = max(interval_s, idle_interval_s)
        # Whether the last look found unpublished rows (see the module's docstring).
        self._found = False
        self._batch_size = batch_size
        self._db_timeout_s = db_timeout_s
        self._redis_timeout_s = redis_timeout_s
        self._max_backoff_s = max_backoff_s
        self._marker_ttl_s = marker_ttl_s
        # redis-py loads the script again on NOSCRIPT (a restarted Redis has an empty cache).
        self._publish_once = redis_client.register_script(_PUBLISH_ONCE)

    async def run(self, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """Relay forever; every error is logged and retried after a growing pause. `sleep`:
        how a pause is taken (a test records them)."""
        EVENTS_PUBLISHED.start()
        RELAY_FAILURES.start()
        failures = 0
        pause = self._interval_s
        while True:
            try:
                published = await self.relay_once()
            except Exception as exc:  # the relay must outlive any outage, and any surprise
                failures += 1
                RELAY_FAILURES.inc()
                _log_failure(exc, failures)
                await sleep(min(self._max_backoff_s, self._interval_s * 2**failures))
                continue
            if failures:
                logger.warning("outbox relay resumed after %d failed attempts", failures)
                failures = 0
            if published < self._batch_size:
                pause = self._interval_s if self._found else pause
                await sleep(pause)
                pause = min(self._idle_interval_s, pause * 2)

    async def relay_once(self) -> int:
        """Publish one batch if no other relay is publishing; the number of events published."""
        # Most rounds find nothing: one statement then, not the batch's five round trips
        # (BEGIN, lock, select, age, COMMIT) — ten times a second in every API process, a
        # tenth of a busy search worker's CPU (bench/results/2026-12-04-cold-cpu.md).
        timeout = self._db_timeout_s
        async with asyncio.timeout(2 * timeout), self._pool.acquire(timeout=timeout) as conn:
            lag = await conn.fetchval(_OLDEST_AGE, timeout=timeout)
        self._found = lag is not None
        # Set before the batch, not only after one published: while Redis refuses every batch
        # the age must still grow, or the outbox lag alert cannot fire when it is needed most.
        OUTBOX_LAG.set(lag or 0.0)
        if lag is None:
            return 0
        return await self._relay_batch()

    async def _relay_batch(self) -> int:
        # The whole batch is bounded: lock, select, publish, mark, commit.
        timeout = self._db_timeout_s
        budget = 5 * timeout + self._redis_timeout_s
        async with (
            asyncio.timeout(budget),
            self._pool.acquire(timeout=timeout) as conn,
            conn.transaction(),
        ):
            rows: Sequence[asyncpg.Record] = []
            if await conn.fetchval(_TRY_LOCK, RELAY_LOCK_KEY, timeout=timeout):
                rows = await conn.fetch(_SELECT_BATCH, self._batch_size, timeout=timeout)
            if rows:
                await self._publish(rows)
                ids = [row["id"] for row in rows]
                await conn.execute(_MARK_PUBLISHED, ids, timeout=timeout)
            lag = await conn.fetchval(_OLDEST_AGE, timeout=timeout)
        EVENTS_PUBLISHED.inc(len(rows))
        OUTBOX_LAG.set(lag or 0.0)
        return len(rows)

    async def _publish(self, rows: Sequence[asyncpg.Record]) -> None:
        keys = [self._stream]
        args: list[str | int] = [self._maxlen, self._marker_ttl_s]
        for row in rows:
            event_id = str(row["event_id"])
            keys.append(published_marker(self._stream, event_id))
            args += [event_id, row["type"], row["payload"]]
        async with asyncio.timeout(self._redis_timeout_s):
            if not self._replicas:
                await self._publish_once(keys=keys, args=args)
                return
            # WAIT counts the replicas holding this connection's writes: the script and WAIT
            # must share one connection (to the stream's master, on a cluster).
            conn = await self._one_connection()
            try:
                await self._publish_once(keys=keys, args=args, client=conn)
                # A write of this connection's own, always: WAIT waits for the connection's last
                # write, and the replication stream is ordered, so once a replica holds this it
                # holds the batch too, even entries an earlier round added whose WAIT failed
                # (their markers make this round's script write nothing).
                await conn.set(published_marker(self._stream, "wait"), "1", ex=60)
                wait_ms = max(1, int(self._redis_timeout_s * 500))  # half the budget
                acked = await conn.wait(self._replicas, wait_ms)
            except (redis.RedisError, OSError):
                if isinstance(self._redis, RedisCluster):
                    await self._refresh_slots()
                raise
            finally:
                await conn.aclose()
        if int(acked) < self._replicas:
            # Not marked published: the next round publishes the batch again, and the markers
            # of the entries that did arrive keep them from being added twice.
            raise redis.RedisError(
                f"event stream: {acked} of {self._replicas} replicas acknowledged the batch"
            )

    async def _one_connection(self) -> redis.Redis:
        """A client over one connection: of the pool, or to the master of the stream's slot,
        made with the cluster's own connection settings (credentials, TLS and its CA, protocol)."""
        if isinstance(self._redis, RedisCluster):
            # A cluster client learns the slot map with its first command, and this may come
            # first (the relay's own process sends nothing else): without it, "slot not
            # covered" every round, forever. Once it knows the map, this returns at once.
            await self._redis.initialize()
            node = self._redis.get_node_from_key(self._stream)
            settings = {
                **node.connection_kwargs,
                "socket_timeout": self._redis_timeout_s,
                "socket_connect_timeout": self._redis_timeout_s,
            }
            one = redis.ConnectionPool(
                connection_class=node.connection_class, max_connections=1, **settings
            )
            return redis.Redis.from_pool(one)  # closing the client closes its pool
        return self._redis.client()

    async def _refresh_slots(self) -> None:
        """After a failover the stream's master moved: a command through the cluster client
        makes it learn the new slot map (MOVED, or reconnecting), for the next round."""
        with contextlib.suppress(redis.RedisError, RedisClusterException, OSError):
            await self._redis.xlen(self._stream)


def published_marker(stream: str, event_id: str) -> str:
    """The key that says `event_id` is in `stream` (hash-tagged with the stream's name)."""
    return f"{{{stream}}}:published:{event_id}"


def _log_failure(exc: Exception, failures: int) -> None:
    # The first failure of an outage, then every 20th: an outage is visible, not a flood.
    if failures != 1 and failures % 20:
        return
    if isinstance(exc, asyncpg.UndefinedTableError):
        logger.warning("outbox relay: no outbox table yet (migrations not applied?)")
    elif isinstance(
        exc, (*UNAVAILABLE, asyncpg.PostgresError, redis.RedisError, RedisClusterException)
    ):
        logger.warning("outbox relay failed (%d in a row), retrying: %s", failures, describe(exc))
    else:
        logger.exception("outbox relay failed unexpectedly (%d in a row), retrying", failures)
