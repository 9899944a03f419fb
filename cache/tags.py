"""Tags: which stored entries hold a tag (an opaque string, e.g. an offer id), found from the tag.

Cache keys are hashes of whole queries, so nothing leads from one offer back to the answers that
hold it. When an answer is stored, its caller tags it: for each tag, a Redis set
(`skyfare:fares:tag:v1:<hash of the tag>`) gains a member the caller chose (the cache key, and
whatever else the caller must correct). A set lives as long as the longest-lived entry it names,
so a tag leads nowhere once every answer holding it has expired.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from cache.model import CacheError

PREFIX = "skyfare:fares:tag:v1:"
_FAILURES = (RedisError, OSError, TimeoutError)

# Adds the member to every tag's set and only ever extends a set's TTL (Redis 6.2 has no
# `PEXPIRE ... GT`): a set must outlive the longest-lived answer it names. One call for all the
# offers of an answer: a pipeline of one command per offer cost ten times the CPU (redis-py packs
# each command in Python) on the path of a cache miss. (Under Redis Cluster the keys would need a
# common hash tag, as the flight lock's entry and lock keys would.)
_ADD = """
for _, key in ipairs(KEYS) do
    redis.call('SADD', key, ARGV[1])
    if redis.call('PTTL', key) < tonumber(ARGV[2]) then redis.call('PEXPIRE', key, ARGV[2]) end
end
return 1
"""


def tag_key(tag: str) -> str:
    """Short keys for long tags (offer ids run to a few hundred characters)."""
    return PREFIX + hashlib.blake2b(tag.encode(), digest_size=12).hexdigest()


class TagIndex(Protocol):
    """The port. Every call is bounded by `timeout` seconds and raises `CacheError` on failure."""

    async def add(self, tags: Iterable[str], member: str, *, ttl_s: float, timeout: float) -> None:
        """Record `member` under each of `tags` for at least `ttl_s` seconds."""
        ...

    async def contains(self, tag: str, *, timeout: float) -> bool:
        """Whether anything is recorded under `tag`."""
        ...

    async def take(self, tag: str, *, timeout: float) -> set[str]:
        """The members recorded under `tag`, forgetting them (one caller gets each)."""
        ...


class RedisTagIndex:
    """A `TagIndex` over a `redis.asyncio` client (which owns the connections)."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client
        self._add = client.register_script(_ADD)

    async def add(self, tags: Iterable[str], member: str, *, ttl_s: float, timeout: float) -> None:
        ttl_ms = int(ttl_s * 1000)
        if ttl_ms <= 0:
            return
        keys = list(dict.fromkeys(map(tag_key, tags)))
        if not keys:
            return
        try:
            async with asyncio.timeout(timeout):
                await self._add(keys=keys, args=[member, ttl_ms])
        except _FAILURES as exc:
            raise CacheError(f"redis tag SADD failed: {exc!r}") from exc

    async def contains(self, tag: str, *, timeout: float) -> bool:
        try:
            async with asyncio.timeout(timeout):
                return bool(await self._client.exists(tag_key(tag)))
        except _FAILURES as exc:
            raise CacheError(f"redis tag EXISTS failed: {exc!r}") from exc

    async def take(self, tag: str, *, timeout: float) -> set[str]:
        key = tag_key(tag)
        try:
            async with asyncio.timeout(timeout):
                async with self._client.pipeline(transaction=True) as pipe:
                    pipe.smembers(key)
                    pipe.delete(key)
                    members, _ = await pipe.execute()
        except _FAILURES as exc:
            raise CacheError(f"redis tag SMEMBERS failed: {exc!r}") from exc
        return {m.decode() if isinstance(m, bytes) else m for m in members}


class InMemoryTagIndex:
    """The fake: a dict of sets, no expiry."""

    def __init__(self) -> None:
        self.sets: dict[str, set[str]] = {}

    async def add(self, tags: Iterable[str], member: str, *, ttl_s: float, timeout: float) -> None:
        if ttl_s <= 0:
            return
        for tag in tags:
            self.sets.setdefault(tag, set()).add(member)

    async def contains(self, tag: str, *, timeout: float) -> bool:
        return tag in self.sets

    async def take(self, tag: str, *, timeout: float) -> set[str]:
        return self.sets.pop(tag, set())
