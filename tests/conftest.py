"""Shared fixtures: real PostgreSQL and Redis for the tests that ask for them.

`database_url` / `redis_url` are the environment's DATABASE_URL / REDIS_URL when set (a machine
with services running, CI with service containers); otherwise embedded servers (skyfare.embedded)
under a temporary directory, started only when a test requests the fixture, once per session.
Under pytest-xdist (`make test` runs two workers) each worker has its own: its own embedded
servers, or its own database and Redis database on the environment's servers
(tests/support/workers.py).

Each run takes a temporary root of its own (not pytest's shared `/tmp/pytest-of-<user>/pytest-N`):
pytest prunes that shared folder down to its three newest runs, and a run started beside this one
(a developer's, another checkout's) deleted a running session's embedded PostgreSQL from under it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from skyfare.embedded import EmbeddedPostgres, EmbeddedRedis
from tests.support import deadline, spare_schemas, workers
from tests.support.fake_server import Faults
from tests.support.pgbouncer import PgBouncer, pgbouncer_binary
from tests.support.redis_binaries import redis_server_binary, tls_redis_binaries
from tests.support.redis_cluster import RedisClusterHandle
from tests.support.sim import SimHandle, fast_profiles, running_sim
from tests.support.tls_files import write_tls_files

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


# pytest-timeout's hooks (optional: absent under `-p no:timeout`). Each returns None, so
# pytest-timeout's own implementation still sets and cancels the timer.
@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_timeout_set_timer(item: pytest.Item, settings: Any) -> None:
    """The test's timer starts: helpers wait no longer than it lets them (support/deadline.py)."""
    deadline.started(settings.timeout)


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_timeout_cancel_timer(item: pytest.Item) -> None:
    deadline.ended()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if url:
        worker = workers.worker_number()
        if worker is not None:
            url = workers.database_of_worker(url, worker)
            workers.ensure_database(url)
        try:
            yield url
        finally:
            spare_schemas.drop_all(url)  # the migrated schemas kept for reuse (migrated_pool)
        return
    server = EmbeddedPostgres(tmp_path_factory.mktemp("embedded") / "postgres")
    try:
        yield server.start()  # its folder goes when it stops, with the schemas kept in it
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        worker = workers.worker_number()
        yield url if worker is None else workers.redis_of_worker(url, worker)
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("embedded") / "redis")
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterHandle]:
    """A Redis Cluster of three masters and three replicas (Debian's `redis-server`) on free
    ports, once per session, for the tests parametrized ["redis", "cluster"]."""
    if redis_server_binary() is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    cluster = RedisClusterHandle(tmp_path_factory.mktemp("redis-cluster"))
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def redis_tls_cluster(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RedisClusterHandle]:
    """The same cluster over TLS only, its certificates signed by a CA made for it
    (`handle.tls.ca_cert`): started once, when the first test that asks for it runs (a run
    without such a test starts nothing); its six processes and its folder (certificates, logs,
    nodes files) are gone at the session's end, however the tests did."""
    yield from _tls_cluster(tmp_path_factory, "redis-tls-cluster", auth_clients=False)


@pytest.fixture(scope="session")
def redis_mtls_cluster(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RedisClusterHandle]:
    """The TLS cluster asking every client for a certificate its CA signed
    (`tls-auth-clients yes`, redis-server's default; `handle.tls.client_cert`), started and
    removed as `redis_tls_cluster` is, and only by the tests that ask for it."""
    yield from _tls_cluster(tmp_path_factory, "redis-mtls-cluster", auth_clients=True)


def _tls_cluster(
    tmp_path_factory: pytest.TempPathFactory, name: str, *, auth_clients: bool
) -> Iterator[RedisClusterHandle]:
    if tls_redis_binaries() is None:
        pytest.skip("no redis-server built with TLS is installed (apt-get install redis-server)")
    directory = tmp_path_factory.mktemp(name)
    tls = write_tls_files(directory / "tls")
    cluster = RedisClusterHandle(directory, tls=tls, auth_clients=auth_clients)
    try:
        yield cluster.start()
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def pgbouncer(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgBouncer]:
    """PgBouncer in transaction pooling mode in front of the test PostgreSQL (once per session;
    skipped, saying so, where Debian's `pgbouncer` is not installed: `make test` installs it)."""
    if pgbouncer_binary() is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    server = PgBouncer(tmp_path_factory.mktemp("pgbouncer"))
    try:
        server.start(database_url)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def db_pooler(request: pytest.FixtureRequest) -> PgBouncer | None:
    """What the booking and payment suites reach PostgreSQL through: PgBouncer when
    SKYFARE_TEST_DB_POOLER=pgbouncer (`make test` runs them so once more), else nothing."""
    if os.environ.get("SKYFARE_TEST_DB_POOLER") != "pgbouncer":
        return None
    pooler: PgBouncer = request.getfixturevalue("pgbouncer")
    return pooler


@pytest.fixture
def fake_faults() -> Iterator[Faults]:
    """For a test that serves its own fake: watch the fake with it; any fault fails the test."""
    faults = Faults()
    yield faults
    faults.check()


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    """The sim airlines (and the rest of the sim's world) on a free port, answering fast."""
    async with running_sim(profiles=fast_profiles()) as handle:
        yield handle
