"""Tags: which stored entries hold a tag (an opaque string, e.g. an offer id), found from the tag.

Cache keys are hashes of whole queries, so nothing leads from one offer back to the answers that
hold it. When an answer is stored, its caller tags it: for each tag, a Redis set
(`skyfare:fares:{tags}:tag:v1:<hash of the tag>`) gains a member the caller chose (the cache
key, and whatever else the caller must correct). A set lives as long as the longest-lived entry
it names, so a tag leads nowhere once every answer holding it has expired.

A member is `name` or `name SEP rest`: `name` is what an eviction marks (a cache key).

`take_owed` takes a tag's members, marks their names and records them as owed, in one script:
the caller finishes the eviction later (off a request's path) and then `settle`s it. What a
process crashed before settling stays owed, and `overdue` hands it to another process, so a take
is never lost between Redis and the caller (a plain `take` followed by a crash would be).

An eviction also leaves a short-lived mark (`mark`): a load that began before it read the world as
it was before the eviction, so `add` refuses to tag its answer (and the caller does not store it)
— otherwise a search in flight during a sale would put the old price back for a whole TTL.
`take_owed` marks the tag itself too (an offer re-priced wrong), whether or not anything was
recorded under it yet: `add` refuses an answer holding a tag marked after its load began. So an
answer served before its tags are written (they follow it, off the traveler's path) is never
stored with a price its traveler's re-pricing has already found wrong, whichever comes first.
"""

from __future__ import annotations

import asyncio
import hashlib
from binascii import hexlify
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol

import msgspec
import redis.asyncio as aioredis

from cache.batch import Queued, evalsha, script_call
from cache.model import REDIS_FAILURES, CacheError
from kernel.logs import describe

# One hash tag for every tag set and eviction mark: `_ADD` reads a mark and writes tag sets in one
# script, which Redis Cluster allows only within one slot. The price: all of them live on one
# shard (small sets, written once per cache miss; deploy/README.md, "Redis Cluster").
PREFIX = "skyfare:fares:{tags}:tag:v1:"
MARK_PREFIX = "skyfare:fares:{tags}:evicted:v1:"
OWED_KEY = "skyfare:fares:{tags}:owed:v1"  # sorted set: owed evictions by when taken (or retried)
SEP = "\x1f"  # ends a member's name; in neither cache keys nor index keys

# Adds the member to every tag's set and only ever extends a set's TTL (Redis 6.2 has no
# `PEXPIRE ... GT`): a set must outlive the longest-lived answer it names. One call for all the
# offers of an answer: a pipeline of one command per offer cost ten times the CPU (redis-py packs
# each command in Python) on the path of a cache miss. Under Redis Cluster its keys share the
# `{tags}` hash tag (PREFIX, MARK_PREFIX).
# KEYS: the member's name's mark, the tag sets, then the tags' own marks (ARGV[4] of each).
_ADD = """
local since = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
for i = 1, #KEYS do
    if i == 1 or i > n + 1 then
        local evicted = redis.call('GET', KEYS[i])
        if evicted and tonumber(evicted) >= since then return 0 end
    end
end
for i = 2, n + 1 do
    redis.call('SADD', KEYS[i], ARGV[1])
    if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[2]) then
        redis.call('PEXPIRE', KEYS[i], ARGV[2])
    end
end
return 1
"""


# SMEMBERS and DEL at once: one caller gets each member. A script, not MULTI: redis-py's cluster
# client (8.1) fails on a transaction pipeline, and one round trip is all this needs.
_TAKE = """
local members = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
return members
"""


# `take` + `mark` of each member's name + the owed record, atomically: no crash can separate the
# members leaving their tag from the record that they still need evicting. The marks' keys are
# not declared (they come from the members) but share the `{tags}` hash tag, so they live on the
# script's shard under Redis Cluster too. The record is the JSON [tag, [members…]].
_TAKE_OWED = """
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[3])
local members = redis.call('SMEMBERS', KEYS[1])
if #members == 0 then return false end
redis.call('DEL', KEYS[1])
for _, m in ipairs(members) do
    local name = string.match(m, '^[^\\31]*')
    redis.call('SET', ARGV[1] .. name, ARGV[2], 'PX', ARGV[3])
end
local owed = cjson.encode({ARGV[4], members})
redis.call('ZADD', KEYS[2], ARGV[2], owed)
return owed
"""

# EXISTS of each key, answered per key (EXISTS k1 k2 answers only how many): one round trip for
# every offer a batch of re-pricings asks about. The keys share the `{tags}` hash tag.
_CONTAINS_EACH = """
local found = {}
for i, key in ipairs(KEYS) do found[i] = redis.call('EXISTS', key) end
return found
"""

# Owed records taken at or before ARGV[1], re-stamped ARGV[2]: the caller retries them, and
# another process sees them again only once they are overdue anew (the caller crashed too).
_OVERDUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, owed in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], owed) end
return due
"""

_owed_decoder = msgspec.json.Decoder(tuple[str, list[str]])


class Owed(NamedTuple):
    """Members taken from `tag` whose eviction is not finished; `record` settles it."""

    record: str
    tag: str
    members: frozenset[str]


def owed(record: str | bytes) -> Owed:
    tag, members = _owed_decoder.decode(record)
    text = record.decode() if isinstance(record, bytes) else record
    return Owed(text, tag, frozenset(members))


def _digest(tag: str) -> bytes:
    """A tag's short name in its keys, as hex bytes (`tag_keys` sends them as they are)."""
    return hexlify(hashlib.blake2b(tag.encode(), digest_size=12).digest())


def tag_key(tag: str) -> str:
    """Short keys for long tags (offer ids run to a few hundred characters)."""
    return PREFIX + _digest(tag).decode()


def mark_key(name: str) -> str:
    return MARK_PREFIX + name


def tag_mark_key(tag: str) -> str:
    """Where `take_owed` marks the tag itself (see the module's docstring)."""
    return _TAG_MARK_PREFIX + _digest(tag).decode()


_TAG_MARK_PREFIX = MARK_PREFIX + "tag:"
_PREFIX_BYTES = PREFIX.encode()
_TAG_MARK_PREFIX_BYTES = _TAG_MARK_PREFIX.encode()


def tag_keys(tags: list[str]) -> list[bytes]:
    """`tag_key` of each tag, then `tag_mark_key` of each, as the bytes Redis gets: `_ADD`'s keys
    after the first. One hash per tag, not two; and bytes, because redis-py turns every str
    argument into bytes in Python (`Encoder.encode`: four type checks and an encode each), two
    keys per offer of every answer a cold search stores (bench/results/2026-12-05-cold-cpu-cut.md).
    """
    digests = [_digest(tag) for tag in tags]
    return [_PREFIX_BYTES + d for d in digests] + [_TAG_MARK_PREFIX_BYTES + d for d in digests]


class TagIndex(Protocol):
    """The port. Every call is bounded by `timeout` seconds and raises `CacheError` on failure."""

    async def add(
        self,
        tags: Iterable[str],
        member: str,
        *,
        ttl_s: float,
        timeout: float,
        unless_marked: str,
        since: float,
    ) -> bool:
        """Record `member` under each of `tags` for at least `ttl_s` seconds, unless
        `unless_marked` or one of `tags` was marked at or after `since` (unix seconds): then
        record nothing and answer False."""
        ...

    async def mark(self, names: Iterable[str], *, at: float, ttl_s: float, timeout: float) -> None:
        """Mark `names` (evicted at `at`, unix seconds) for `ttl_s` seconds."""
        ...

    async def contains(self, tag: str, *, timeout: float) -> bool:
        """Whether anything is recorded under `tag`."""
        ...

    async def contains_each(self, tags: Sequence[str], *, timeout: float) -> list[bool]:
        """`contains` of each of `tags`, in order, in one call."""
        ...

    async def take(self, tag: str, *, timeout: float) -> set[str]:
        """The members recorded under `tag`, forgetting them (one caller gets each)."""
        ...

    async def take_owed(
        self, tag: str, *, at: float, mark_ttl_s: float, timeout: float
    ) -> Owed | None:
        """`take`, `mark` each member's name and `tag` itself (`at`, for `mark_ttl_s`) and
        record the members as owed until `settle`d, all at once; None when nothing is recorded
        under `tag` (which is marked all the same)."""
        ...

    async def settle(self, records: Iterable[str], *, timeout: float) -> None:
        """The evictions owed under `records` are done."""
        ...

    async def overdue(
        self, *, taken_before: float, now: float, limit: int, timeout: float
    ) -> list[Owed]:
        """Up to `limit` owed records taken before `taken_before`, handed to the caller: they
        count as taken `now`, so nobody else retries them unless the caller does not settle."""
        ...


class RedisTagIndex:
    """A `TagIndex` over a `redis.asyncio` client (which owns the connections)."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client
        self._add = client.register_script(_ADD)
        self._take = client.register_script(_TAKE)
        self._take_owed = client.register_script(_TAKE_OWED)
        self._contains_each = client.register_script(_CONTAINS_EACH)
        self._overdue = client.register_script(_OVERDUE)

    async def add(
        self,
        tags: Iterable[str],
        member: str,
        *,
        ttl_s: float,
        timeout: float,
        unless_marked: str,
        since: float,
    ) -> bool:
        queued = self.add_command(
            tags, member, ttl_s=ttl_s, unless_marked=unless_marked, since=since
        )
        if queued is None:
            return True
        try:
            async with asyncio.timeout(timeout):
                added = await queued.alone()
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis tag SADD failed: {describe(exc)}") from exc
        return bool(added)

    def add_command(
        self, tags: Iterable[str], member: str, *, ttl_s: float, unless_marked: str, since: float
    ) -> Queued | None:
        """What `add` sends, for a batch (`cache.batch`): its reply is truthy when the member was
        recorded. None when there is nothing to record (`add` answers True then)."""
        ttl_ms = int(ttl_s * 1000)
        unique = list(dict.fromkeys(tags))
        if ttl_ms <= 0 or not unique:
            return None
        keys: list[str | bytes] = [mark_key(unless_marked), *tag_keys(unique)]
        return script_call(self._add, keys, [member, ttl_ms, repr(since), len(unique)])

    async def mark(self, names: Iterable[str], *, at: float, ttl_s: float, timeout: float) -> None:
        try:
            async with asyncio.timeout(timeout):
                async with self._client.pipeline(transaction=False) as pipe:
                    for name in names:
                        pipe.set(mark_key(name), repr(at), px=int(ttl_s * 1000))
                    await pipe.execute()
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis eviction mark failed: {describe(exc)}") from exc

    async def contains(self, tag: str, *, timeout: float) -> bool:
        try:
            async with asyncio.timeout(timeout):
                return bool(await self._client.exists(tag_key(tag)))
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis tag EXISTS failed: {describe(exc)}") from exc

    async def contains_each(self, tags: Sequence[str], *, timeout: float) -> list[bool]:
        if not tags:
            return []
        try:
            async with asyncio.timeout(timeout):
                found = await evalsha(self._contains_each, [tag_key(t) for t in tags], ())
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis tag EXISTS failed: {describe(exc)}") from exc
        return [bool(f) for f in found]

    async def take(self, tag: str, *, timeout: float) -> set[str]:
        key = tag_key(tag)
        try:
            async with asyncio.timeout(timeout):
                members = await self._take(keys=[key])
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis tag SMEMBERS failed: {describe(exc)}") from exc
        return {m.decode() if isinstance(m, bytes) else m for m in members}

    async def take_owed(
        self, tag: str, *, at: float, mark_ttl_s: float, timeout: float
    ) -> Owed | None:
        args: list[str | int] = [MARK_PREFIX, repr(at), int(mark_ttl_s * 1000), tag]
        try:
            async with asyncio.timeout(timeout):
                keys = [tag_key(tag), OWED_KEY, tag_mark_key(tag)]
                record = await evalsha(self._take_owed, keys, args)
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis tag take failed: {describe(exc)}") from exc
        return None if record is None else owed(record)

    async def settle(self, records: Iterable[str], *, timeout: float) -> None:
        settled = list(records)
        if not settled:
            return
        try:
            async with asyncio.timeout(timeout):
                await self._client.zrem(OWED_KEY, *settled)
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis owed ZREM failed: {describe(exc)}") from exc

    async def overdue(
        self, *, taken_before: float, now: float, limit: int, timeout: float
    ) -> list[Owed]:
        try:
            async with asyncio.timeout(timeout):
                due = await self._overdue(
                    keys=[OWED_KEY], args=[repr(taken_before), repr(now), limit]
                )
        except REDIS_FAILURES as exc:
            raise CacheError(f"redis owed ZRANGEBYSCORE failed: {describe(exc)}") from exc
        return [owed(record) for record in due]


class InMemoryTagIndex:
    """The fake: a dict of sets, one of marks and one of owed records, no expiry."""

    def __init__(self) -> None:
        self.sets: dict[str, set[str]] = {}
        self.marks: dict[str, float] = {}
        self.tag_marks: dict[str, float] = {}
        self.owed: dict[str, float] = {}  # record → when taken

    async def add(
        self,
        tags: Iterable[str],
        member: str,
        *,
        ttl_s: float,
        timeout: float,
        unless_marked: str,
        since: float,
    ) -> bool:
        tags = list(tags)
        never = -float("inf")
        if self.marks.get(unless_marked, never) >= since or any(
            self.tag_marks.get(tag, never) >= since for tag in tags
        ):
            return False
        if ttl_s > 0:
            for tag in tags:
                self.sets.setdefault(tag, set()).add(member)
        return True

    async def mark(self, names: Iterable[str], *, at: float, ttl_s: float, timeout: float) -> None:
        for name in names:
            self.marks[name] = at

    async def contains(self, tag: str, *, timeout: float) -> bool:
        return tag in self.sets

    async def contains_each(self, tags: Sequence[str], *, timeout: float) -> list[bool]:
        return [tag in self.sets for tag in tags]

    async def take(self, tag: str, *, timeout: float) -> set[str]:
        return self.sets.pop(tag, set())

    async def take_owed(
        self, tag: str, *, at: float, mark_ttl_s: float, timeout: float
    ) -> Owed | None:
        self.tag_marks[tag] = at
        members = self.sets.pop(tag, set())
        if not members:
            return None
        await self.mark({m.split(SEP, 1)[0] for m in members}, at=at, ttl_s=mark_ttl_s, timeout=0)
        record = msgspec.json.encode((tag, sorted(members))).decode()
        self.owed[record] = at
        return owed(record)

    async def settle(self, records: Iterable[str], *, timeout: float) -> None:
        for record in records:
            self.owed.pop(record, None)

    async def overdue(
        self, *, taken_before: float, now: float, limit: int, timeout: float
    ) -> list[Owed]:
        due = [r for r, at in sorted(self.owed.items(), key=lambda i: i[1]) if at <= taken_before]
        for record in due[:limit]:
            self.owed[record] = now
        return [owed(record) for record in due[:limit]]
