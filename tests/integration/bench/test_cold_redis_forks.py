"""The cold step counts the stack's Redis forks around each run and has Redis save its snapshot
before each run, against a real redis-server: a snapshot's fork is counted, the snapshot before
a run has finished when the run starts, and a Redis that cannot be read is no count (not a zero)
and no snapshot."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from bench.harness_cold import redis_forks, snapshot_before_run
from bench.harness_stack import Stack
from skyfare.embedded import EmbeddedRedis


def _stack(data_dir: Path, env: dict[str, str] | None = None) -> Stack:
    return Stack("http://127.0.0.1:1", "http://127.0.0.1:2", 1, 2, data_dir, env or {}, 0, [])


def _saved(client: redis.Redis) -> None:
    """Until the background save has finished (a fork is counted when it starts)."""
    while client.info("persistence")["rdb_bgsave_in_progress"]:
        time.sleep(0.01)


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[tuple[Stack, redis.Redis]]:
    """A stack whose Redis is a real embedded redis-server, and a client of it."""
    server = EmbeddedRedis(tmp_path / "redis")
    client = redis.Redis.from_url(server.start())
    try:
        yield _stack(tmp_path), client
    finally:
        client.close()
        server.stop()


def test_a_snapshot_is_one_fork(embedded: tuple[Stack, redis.Redis]) -> None:
    stack, client = embedded
    before = redis_forks(stack)
    assert before is not None
    client.set("fare", "x")
    client.bgsave()
    _saved(client)
    assert redis_forks(stack) == before + 1


def test_an_unreadable_redis_is_no_count(tmp_path: Path) -> None:
    stack = _stack(tmp_path, {"REDIS_URL": f"unix://{tmp_path / 'nobody.sock'}"})
    assert redis_forks(stack) is None


def test_a_snapshot_is_saved_before_a_run(embedded: tuple[Stack, redis.Redis]) -> None:
    stack, client = embedded
    client.set("fare", "x")
    before = redis_forks(stack)
    assert before is not None
    assert client.info("persistence")["rdb_changes_since_last_save"] > 0

    assert snapshot_before_run(stack)

    persistence = client.info("persistence")
    assert not persistence["rdb_bgsave_in_progress"]  # finished, not only started
    assert persistence["rdb_changes_since_last_save"] == 0
    assert redis_forks(stack) == before + 1


def test_a_save_already_running_is_waited_for(embedded: tuple[Stack, redis.Redis]) -> None:
    stack, client = embedded
    client.set("fare", "x")
    client.bgsave()  # the second BGSAVE is refused while this one runs; it is waited for

    assert snapshot_before_run(stack)
    assert not client.info("persistence")["rdb_bgsave_in_progress"]


def test_an_unreadable_redis_is_no_snapshot(tmp_path: Path) -> None:
    stack = _stack(tmp_path, {"REDIS_URL": f"unix://{tmp_path / 'nobody.sock'}"})
    assert not snapshot_before_run(stack)
