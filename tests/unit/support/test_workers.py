"""Each pytest-xdist worker's own database and Redis database on the environment's servers."""

from __future__ import annotations

import pytest

from tests.support.workers import database_of_worker, redis_of_worker, worker_number


def test_a_worker_gets_a_database_named_after_the_environments() -> None:
    url = "postgresql://postgres:secret@127.0.0.1:5432/h5?sslmode=disable"
    assert database_of_worker(url, 1) == (
        "postgresql://postgres:secret@127.0.0.1:5432/h5_gw1?sslmode=disable"
    )


def test_a_url_naming_no_database_means_the_users() -> None:
    assert database_of_worker("postgresql://alice@db", 0) == "postgresql://alice@db/alice_gw0"
    assert database_of_worker("postgresql://db", 2) == "postgresql://db/postgres_gw2"


def test_a_worker_gets_the_redis_database_after_the_environments() -> None:
    assert redis_of_worker("redis://127.0.0.1:6379/5", 0) == "redis://127.0.0.1:6379/5"
    assert redis_of_worker("redis://:pw@127.0.0.1:6379/5", 2) == "redis://:pw@127.0.0.1:6379/7"
    assert redis_of_worker("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/1"


def test_a_redis_database_past_the_servers_is_refused_naming_the_cure() -> None:
    with pytest.raises(ValueError, match="database 16, past Redis' 16: name a lower database"):
        redis_of_worker("redis://127.0.0.1:6379/15", 1)


def test_a_unix_socket_redis_is_refused_for_workers() -> None:
    with pytest.raises(ValueError, match="TCP URL"):
        redis_of_worker("unix:///tmp/redis.sock", 1)


def test_the_worker_number_comes_from_xdist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    assert worker_number() == 3
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert worker_number() is None
