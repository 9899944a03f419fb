"""Each (event id, channel) is sent at most once, as far as Redis can tell: one key per pair.

`claim` before sending: the key is absent → it becomes `claim:<owner>` with a lease (`SET NX PX`,
in one Lua call with the checks below); it is `sent` → already done, send nothing; it is another
owner's live claim → someone is sending right now, try later. `mark_sent` after the provider
accepted; `release` (our claim only) after a failure, so the retry need not wait for the lease.

A claim whose lease lapsed means its worker died mid-send: the next claim succeeds and sends
again (the residual window described in notify/__init__.py). The lease must outlast one send
(the send timeout), or a slow live worker would be overtaken.
"""

from __future__ import annotations

import enum

import redis.asyncio as redis

from notify.pipeline import AutoPipeline

SENT = b"sent"
# "sent" markers outlive every redelivery: the retries of a message last minutes, a relay
# publishing a batch twice does so within seconds.
RETENTION_S = 3 * 24 * 3600

_CLAIM = """
local value = redis.call('GET', KEYS[1])
if not value then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'claimed'
end
if value == 'sent' then return 'sent' end
if value == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 'claimed'
end
return 'busy'
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Claim(enum.Enum):
    CLAIMED = "claimed"  # ours: send
    SENT = "sent"  # done before: send nothing
    BUSY = "busy"  # another worker is sending it now: look again later


def sent_key(prefix: str, event_id: str, channel: str) -> str:
    return f"{prefix}{event_id}:{channel}"


class RedisDedup:
    """Claims and "sent" markers under `prefix` (default `notify:sent:`).

    The commands of concurrent calls share pipelines (notify/pipeline.py); each pipeline, and
    so each call, is bounded by `timeout_s`. The scripts go as EVAL, not EVALSHA: Redis keeps
    the compiled script by its hash either way, and a pipeline has no NOSCRIPT to recover from
    (on a cluster, a node that never saw the script)."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        owner: str,
        lease_s: float,
        timeout_s: float,
        prefix: str = "notify:sent:",
    ) -> None:
        self._pipeline = AutoPipeline(client, timeout_s=timeout_s)
        self._owner = f"claim:{owner}"
        self._lease_ms = max(1, int(lease_s * 1000))
        self._prefix = prefix

    async def claim(self, event_id: str, channel: str) -> Claim:
        key = sent_key(self._prefix, event_id, channel)
        answer = await self._pipeline.execute("EVAL", _CLAIM, 1, key, self._owner, self._lease_ms)
        return Claim(answer.decode() if isinstance(answer, bytes) else answer)

    async def mark_sent(self, event_id: str, channel: str) -> None:
        key = sent_key(self._prefix, event_id, channel)
        await self._pipeline.execute("SET", key, SENT, "EX", RETENTION_S)

    async def release(self, event_id: str, channel: str) -> None:
        key = sent_key(self._prefix, event_id, channel)
        await self._pipeline.execute("EVAL", _RELEASE, 1, key, self._owner)
