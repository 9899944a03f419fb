"""The event stream as the worker sees it: a Redis stream read by the consumer group `notify`.

Every command is bounded (`asyncio.timeout`); a blocking read by its block time plus that bound.
Each entry is acked after it was handled; until then it stays in the group's pending list, where
`retries` finds this consumer's failed entries once their backoff passed and `takeover` (XAUTOCLAIM)
finds entries of consumers that died. Both hand out entries with their delivery count: the number
of attempts, which decides the backoff and when an entry goes to `<stream>:dead`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import msgspec
import redis.asyncio as redis
from redis.exceptions import ResponseError

from notify.pipeline import AutoPipeline
from notify.retry import Backoff
from notify.wire import ACCOUNT_EVENTS, event_type

Fields = dict[bytes, bytes]


class Delivery(msgspec.Struct, frozen=True):
    """One stream entry handed to this consumer; `attempts` counts this delivery."""

    entry_id: str
    fields: Fields
    attempts: int


class GroupState(msgspec.Struct, frozen=True):
    lag: int  # entries on the stream not yet delivered to the group
    pending: int  # delivered, not yet acknowledged
    dead: int  # entries in the dead-letter stream


class EventStream:
    """`stream` read by `group` as `consumer`; dead letters go to `<stream>:dead`."""

    def __init__(
        self,
        client: redis.Redis,
        stream: str,
        *,
        group: str,
        consumer: str,
        timeout_s: float,
        dead_maxlen: int = 100_000,
    ) -> None:
        self._redis = client
        self.stream = stream
        self.dead_stream = f"{stream}:dead"
        self.group = group
        self.consumer = consumer
        self._timeout_s = timeout_s
        self._dead_maxlen = dead_maxlen
        self._takeover_cursor = "0-0"
        self._acks = AutoPipeline(client, timeout_s=timeout_s)

    async def ensure_group(self) -> None:
        """Create the group (and the stream) if missing; it starts at the stream's beginning."""
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def read_new(self, count: int, block_s: float | None) -> list[Delivery]:
        """Entries never delivered to the group, waiting up to `block_s` (None: not at all)."""
        block_ms = None if block_s is None else max(1, int(block_s * 1000))
        async with asyncio.timeout((block_s or 0) + self._timeout_s):
            answer: Any = await self._redis.xreadgroup(
                self.group, self.consumer, {self.stream: ">"}, count=count, block=block_ms
            )
        found: list[Delivery] = []
        for _, entries in answer or ():
            found.extend(_deliveries(entries, attempts=1))
        return found

    async def retries(self, backoff: Backoff, count: int) -> list[Delivery]:
        """This consumer's pending entries whose backoff has passed, claimed anew."""
        shortest_ms = int(backoff.base_s * 1000 / 2)  # no delay is shorter; `due` decides
        async with asyncio.timeout(self._timeout_s):
            pending: Any = await self._redis.xpending_range(
                self.stream, self.group, "-", "+", count, consumername=self.consumer,
                idle=shortest_ms,
            )  # fmt: skip
        due: list[tuple[str, int, int]] = []  # (entry id, deliveries so far, idle ms)
        for entry in pending:
            entry_id, delivered = _text(entry["message_id"]), int(entry["times_delivered"])
            idle_ms = int(entry["time_since_delivered"])
            if backoff.due(delivered, entry_id, idle_ms / 1000):
                due.append((entry_id, delivered, idle_ms))
        if not due:
            return []
        # MIN-IDLE: an entry another worker took over meanwhile (its idle time restarted) stays
        # with that worker.
        min_idle = min(idle for _, _, idle in due)
        attempts = {entry_id: n + 1 for entry_id, n, _ in due}
        async with asyncio.timeout(self._timeout_s):
            claimed = await self._redis.xclaim(
                self.stream, self.group, self.consumer, min_idle, [i for i, _, _ in due]
            )
        return _deliveries(claimed, attempts=attempts)

    async def takeover(self, min_idle_s: float, count: int) -> list[Delivery]:
        """Entries pending longer than `min_idle_s` with any consumer (XAUTOCLAIM, scanning the
        pending list a page per call); their consumer died, or never came back."""
        async with asyncio.timeout(self._timeout_s):
            answer = await self._redis.xautoclaim(
                self.stream,
                self.group,
                self.consumer,
                int(min_idle_s * 1000),
                start_id=self._takeover_cursor,
                count=count,
            )
        self._takeover_cursor = _text(answer[0])
        claimed = [entry for entry in answer[1] if entry[0] is not None]
        if not claimed:
            return []
        counts = await self._attempts([_text(entry[0]) for entry in claimed])
        return _deliveries(claimed, attempts=counts)

    async def _attempts(self, entry_ids: list[str]) -> dict[str, int]:
        """Delivery counts of entries this consumer holds (XAUTOCLAIM does not report them)."""
        pipe = self._redis.pipeline(transaction=False)
        for entry_id in entry_ids:
            pipe.xpending_range(self.stream, self.group, entry_id, entry_id, 1)
        async with asyncio.timeout(self._timeout_s):
            answers = await pipe.execute()
        return {
            _text(p["message_id"]): int(p["times_delivered"]) for found in answers for p in found
        }

    async def ack(self, *entry_ids: str) -> None:
        """Ack the entries, in one XACK; acks asked for in the same turn share one pipeline
        (notify/pipeline.py)."""
        if entry_ids:
            await self._acks.execute("XACK", self.stream, self.group, *entry_ids)

    async def forget(self, *entry_ids: str) -> None:
        """Delete the entries from the stream (XDEL), with the acks of the same turn: an
        account's events, whose address must not outlive their sending (notify/wire.py)."""
        if entry_ids:
            await self._acks.execute("XDEL", self.stream, *entry_ids)

    async def dead_letter(self, delivery: Delivery, error: str) -> None:
        """Park the entry in `<stream>:dead` with the error, then ack it (in that order: a crash
        in between parks it twice, never loses it). An account's event is parked without its
        `event` (the address it carries must not be kept): it can no longer be sent."""
        kept = delivery.fields
        if event_type(kept) in ACCOUNT_EVENTS:
            kept = {name: value for name, value in kept.items() if name != b"event"}
        fields: dict[Any, Any] = {
            **kept,
            "error": error,
            "entry_id": delivery.entry_id,
            "attempts": delivery.attempts,
            "consumer": self.consumer,
            "failed_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        async with asyncio.timeout(self._timeout_s):
            await self._redis.xadd(
                self.dead_stream, fields, maxlen=self._dead_maxlen, approximate=True
            )
        await self.ack(delivery.entry_id)

    async def state(self) -> GroupState:
        """The group's lag and pending count (XINFO GROUPS) and the dead-letter stream's length."""
        async with asyncio.timeout(self._timeout_s):
            groups = await self._redis.xinfo_groups(self.stream)
            dead = await self._redis.xlen(self.dead_stream)
        group = next((g for g in groups if _text(g["name"]) == self.group), None)
        if group is None:
            return GroupState(lag=0, pending=0, dead=dead)
        lag = group.get("lag")
        if lag is None:  # Redis < 7 has no lag field (and 7 reports none after some deletions)
            lag = await self._count_after(_text(group["last-delivered-id"]))
        return GroupState(lag=int(lag), pending=int(group["pending"]), dead=dead)

    async def _count_after(self, last_id: str, cap: int = 100_000) -> int:
        async with asyncio.timeout(self._timeout_s):
            entries = await self._redis.xrange(self.stream, f"({last_id}", "+", count=cap)
        return len(entries or ())


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _deliveries(entries: list[Any], *, attempts: int | dict[str, int]) -> list[Delivery]:
    found = []
    for raw_id, fields in entries:
        if raw_id is None or fields is None:
            continue  # trimmed off the stream before it was handled (MAXLEN): nothing to read
        entry_id = _text(raw_id)
        count = attempts if isinstance(attempts, int) else attempts.get(entry_id, 1)
        found.append(Delivery(entry_id, fields, count))
    return found
