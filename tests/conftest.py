"""Shared fixtures: real PostgreSQL and Redis for the tests that ask for them.

`database_url` / `redis_url` are the environment's DATABASE_URL / REDIS_URL when set (a machine
with services running, CI with service containers); otherwise embedded servers (skyfare.embedded)
under a temporary directory, started only when a test requests the fixture, once per session.

Each run takes a temporary root of its own (not pytest's shared `/tmp/pytest-of-<user>/pytest-N`):
pytest prunes that shared folder down to its three newest runs, and a run started beside this one
(a developer's, another checkout's) deleted a running session's embedded PostgreSQL from under it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

from skyfare.embedded import EmbeddedPostgres, EmbeddedRedis
from tests.support.fake_server import Faults

_OWN_BASETEMP = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    if config.option.basetemp is None:
        config.option.basetemp = config.stash[_OWN_BASETEMP] = tempfile.mkdtemp(
            prefix="skyfare-pytest-"
        )


def pytest_unconfigure(config: pytest.Config) -> None:
    own = config.stash.get(_OWN_BASETEMP, None)
    if own is not None:
        shutil.rmtree(own, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    server = EmbeddedPostgres(tmp_path_factory.mktemp("embedded") / "postgres")
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("embedded") / "redis")
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def fake_faults() -> Iterator[Faults]:
    """For a test that serves its own fake: watch the fake with it; any fault fails the test."""
    faults = Faults()
    yield faults
    faults.check()
