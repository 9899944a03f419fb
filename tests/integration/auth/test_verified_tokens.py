"""The authenticator remembers verified tokens (issue 18) against the sim's real identity provider:
a repeated token skips verification, a key set change or an expiring token takes the full path."""

from __future__ import annotations

import pytest

from kernel.errors import Unauthorized
from skyfare.auth import JwksAuthenticator
from tests.integration.auth.conftest import (
    MAX_AGE_S,
    REFETCH_INTERVAL_S,
    ManualClock,
    bearer_request,
)
from tests.support.sim import SimHandle
from tests.support.tokens import mint_token, rotate_keys


async def test_a_verified_token_is_remembered_and_answers_the_same_principal(
    sim: SimHandle, authenticator: JwksAuthenticator
) -> None:
    token = await mint_token(sim.url, "alice", roles=["analyst"])

    first = await authenticator(bearer_request(token))
    assert len(authenticator.verified) == 1
    second = await authenticator(bearer_request(token))

    assert second == first
    assert first.roles == frozenset({"analyst"})


async def test_a_token_about_to_expire_is_not_remembered(
    sim: SimHandle, authenticator: JwksAuthenticator
) -> None:
    token = await mint_token(sim.url, "alice", ttl_s=2)  # within the cache's margin of exp

    assert (await authenticator(bearer_request(token))).subject == "alice"
    assert len(authenticator.verified) == 0


async def test_a_new_key_set_forgets_remembered_tokens(
    sim: SimHandle, authenticator: JwksAuthenticator, clock: ManualClock
) -> None:
    old = await mint_token(sim.url, "alice")
    await authenticator(bearer_request(old))
    await rotate_keys(sim.url)
    clock.advance(REFETCH_INTERVAL_S)

    await authenticator(bearer_request(await mint_token(sim.url, "bob")))  # refetches the keys

    assert len(authenticator.verified) == 1  # bob's only: alice's was forgotten
    assert (await authenticator(bearer_request(old))).subject == "alice"  # verified again
    assert len(authenticator.verified) == 2


async def test_a_remembered_token_of_a_retired_key_is_refused_once_the_keys_are_old(
    sim: SimHandle, authenticator: JwksAuthenticator, clock: ManualClock
) -> None:
    old = await mint_token(sim.url, "alice")
    await authenticator(bearer_request(old))
    await authenticator(bearer_request(old))  # remembered
    await rotate_keys(sim.url, retire_old=True)
    clock.advance(MAX_AGE_S)

    for _ in range(2):  # the keys are fresh again the second time: still not remembered
        with pytest.raises(Unauthorized, match="kid"):
            await authenticator(bearer_request(old))
    assert len(authenticator.verified) == 0
