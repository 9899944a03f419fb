"""Session cutoffs over real Redis and the sim's identity provider: two authenticators stand for
two API processes. A cutoff set on one refuses the tokens signed in before it on the other: at
once through the stream, within the cache's TTL without it; and a request whose subject was
read within the TTL pays no round trip for it."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from kernel.errors import AccountErased
from kernel.tasks import stop_task
from skyfare.auth import JwksAuthenticator
from skyfare.auth.cutoffs import FAIL_OPEN, KEY_PREFIX, SessionCutoffs, subject_digest
from tests.integration.auth.conftest import ManualClock, authenticator_for, bearer_request
from tests.support.notify import eventually
from tests.support.ports import free_port
from tests.support.redis_cluster import client_of, redis_or_cluster
from tests.support.sim import SimHandle
from tests.support.tokens import sign_as_sim, sim_claims, sim_issuer

TTL_S = 10.0


@pytest.fixture(params=["redis", "cluster"])
def redis_url(request: pytest.FixtureRequest, redis_url: str) -> str:
    """Against one Redis and a Redis Cluster (the mark and its stream are in other slots)."""
    return redis_or_cluster(request, redis_url)


@pytest.fixture
def subject() -> str:
    return f"usr_cut{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def stored(redis_client: redis.Redis, subject: str) -> AsyncIterator[None]:
    yield
    await redis_client.delete(KEY_PREFIX + subject_digest(subject))


def process(
    sim: SimHandle, client: redis.Redis, clock: ManualClock
) -> tuple[JwksAuthenticator, SessionCutoffs]:
    """One API process's authenticator and cutoffs over the shared Redis."""
    issuer = sim_issuer(sim.url)
    authenticator = authenticator_for(f"{issuer}/.well-known/jwks.json", issuer, ManualClock())
    cutoffs = SessionCutoffs(client, timeout_s=3.0, ttl_s=TTL_S, clock=clock)
    authenticator.cutoffs = cutoffs
    return authenticator, cutoffs


def token(sim: SimHandle, subject: str, *, signed_in_at: float) -> str:
    return sign_as_sim(sim_claims(sim.url, subject, auth_time=int(signed_in_at)))


async def until_followed(
    sim: SimHandle, client: redis.Redis, here: SessionCutoffs, there: JwksAuthenticator
) -> None:
    """Return once `there`'s follower has applied a mark announced after it started. It reads on
    from the stream's newest entry when it starts, so a mark announced before that is not news
    to it; on a busy machine the task started that late (a cluster client learns its slots
    first) and missed the test's own mark."""
    probe = f"usr_probe{uuid.uuid4().hex[:8]}"
    old = token(sim, probe, signed_in_at=time.time() - 60)
    try:
        assert (await there(bearer_request(old))).subject == probe  # "no cutoff" remembered

        async def announced_and_applied() -> bool:
            await here.end_sessions(probe, at=time.time())
            try:
                await there(bearer_request(old))
            except AccountErased:
                return True
            return False

        await eventually(announced_and_applied, every_s=0.05)
    finally:
        await client.delete(KEY_PREFIX + subject_digest(probe))


async def test_a_cutoff_set_on_one_process_refuses_older_sign_ins_on_another_at_once(
    sim: SimHandle, redis_client: redis.Redis, redis_url: str, subject: str, stored: None
) -> None:
    clock = ManualClock()  # never moved: only the stream can tell the other process
    here, here_cutoffs = process(sim, redis_client, clock)
    there, there_cutoffs = process(sim, redis_client, clock)
    follower_client = client_of(redis_url, socket_timeout=3)
    following = asyncio.create_task(there_cutoffs.follow(follower_client, block_ms=200))
    now = time.time()
    old = token(sim, subject, signed_in_at=now - 60)
    newer = token(sim, subject, signed_in_at=now + 60)
    try:
        await until_followed(sim, redis_client, here_cutoffs, there)
        assert (await there(bearer_request(old))).subject == subject  # "no cutoff" remembered

        await here_cutoffs.end_sessions(subject, at=now)

        with pytest.raises(AccountErased):
            await here(bearer_request(old))

        async def refused_there() -> bool:
            try:
                await there(bearer_request(old))
            except AccountErased:
                return True
            return False

        await eventually(refused_there)
        assert (await there(bearer_request(newer))).subject == subject
    finally:
        await stop_task(following)
        await follower_client.aclose()
        await here.close()
        await there.close()


async def test_a_process_that_missed_the_announcement_refuses_once_its_ttl_passed(
    sim: SimHandle, redis_client: redis.Redis, subject: str, stored: None
) -> None:
    clock = ManualClock()
    here, here_cutoffs = process(sim, redis_client, clock)
    there, _ = process(sim, redis_client, clock)  # follows no stream
    old = token(sim, subject, signed_in_at=time.time() - 60)
    try:
        assert (await there(bearer_request(old))).subject == subject
        await here_cutoffs.end_sessions(subject, at=time.time())

        clock.advance(TTL_S - 1)
        # Read within the TTL: answered from memory, no round trip, so not yet refused.
        assert (await there(bearer_request(old))).subject == subject
        clock.advance(1)
        with pytest.raises(AccountErased) as refused:
            await there(bearer_request(old))
    finally:
        await here.close()
        await there.close()

    assert refused.value.challenge.startswith('Bearer realm="skyfare", error="invalid_token"')


async def test_a_token_that_does_not_say_when_it_signed_in_is_refused_under_a_cutoff(
    sim: SimHandle, redis_client: redis.Redis, subject: str, stored: None
) -> None:
    authenticator, cutoffs = process(sim, redis_client, ManualClock())
    undated = sign_as_sim(sim_claims(sim.url, subject, auth_time=None, iat=None))
    try:
        await cutoffs.end_sessions(subject, at=time.time())
        with pytest.raises(AccountErased):
            await authenticator(bearer_request(undated))
    finally:
        await authenticator.close()


async def test_redis_not_answering_lets_a_token_through_unless_a_cutoff_is_remembered(
    sim: SimHandle, subject: str
) -> None:
    # Nothing listens on this port: every command fails at once. (Was a fixed port, 24097, which
    # another suite's server on the same machine could hold.)
    dead = redis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/4", socket_connect_timeout=0.5)
    clock = ManualClock()
    authenticator, cutoffs = process(sim, dead, clock)
    other = f"{subject}-other"
    now = time.time()
    opened = FAIL_OPEN.value() or 0.0
    try:
        assert (await authenticator(bearer_request(token(sim, other, signed_in_at=now)))).subject
        assert FAIL_OPEN.value() == opened + 1

        digest = subject_digest(subject)
        cutoffs.apply({b"subject": digest.encode(), b"until": repr(now).encode()})
        clock.advance(TTL_S * 3)  # long past the TTL: Redis would be asked, and fails
        with pytest.raises(AccountErased):
            await authenticator(bearer_request(token(sim, subject, signed_in_at=now - 60)))
    finally:
        await authenticator.close()
        await dead.aclose()
