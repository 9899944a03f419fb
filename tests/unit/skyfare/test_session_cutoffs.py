"""`SessionCutoffs`' memory, without Redis: an announced cutoff answers from memory within the
TTL, and an older announcement (a stream read late) never moves a cutoff back."""

from __future__ import annotations

import redis.asyncio as redis

from skyfare.auth.cutoffs import SessionCutoffs, subject_digest


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def announced(subject: str, at: float) -> dict[bytes, bytes]:
    return {b"subject": subject_digest(subject).encode(), b"until": repr(at).encode()}


def cutoffs(clock: Clock) -> SessionCutoffs:
    # Never connected: every answer below comes from memory (a command would fail the test).
    client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.01)
    return SessionCutoffs(client, timeout_s=0.01, ttl_s=10.0, clock=clock)


async def test_an_announced_cutoff_answers_from_memory_and_only_a_later_one_moves_it() -> None:
    memory = cutoffs(Clock())

    memory.apply(announced("ada", 1_800_000_100.0))
    memory.apply(announced("ada", 1_800_000_000.0))  # an older entry, read after

    assert await memory.cutoff("ada") == 1_800_000_100.0
    memory.apply(announced("ada", 1_800_000_200.0))
    assert await memory.cutoff("ada") == 1_800_000_200.0


async def test_an_entry_without_a_subject_or_a_time_is_ignored() -> None:
    memory = cutoffs(Clock())

    memory.apply({b"subject": subject_digest("ada").encode()})
    memory.apply({b"subject": subject_digest("ada").encode(), b"until": b"soon"})
    memory.apply({b"until": b"1800000000.0"})
    memory.apply(announced("bob", 1_800_000_000.0))

    assert await memory.cutoff("bob") == 1_800_000_000.0
    assert len(memory) == 1  # bob's only
