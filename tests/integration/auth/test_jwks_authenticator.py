"""The authenticator against the sim's real identity provider over sockets: the JWKS is fetched,
cached, refetched on a rotation, never hammered, and an unreachable IdP is a 503, not a 401."""

from __future__ import annotations

import asyncio
import time

import jwt
import pytest

from kernel.auth import Principal
from kernel.errors import ServiceUnavailable, Unauthorized
from sim.identity.keys import SigningKey
from skyfare.auth import JwksAuthenticator
from tests.e2e.conftest import closed_port
from tests.integration.auth.conftest import (
    MAX_AGE_S,
    REFETCH_INTERVAL_S,
    ManualClock,
    authenticator_for,
    bearer_request,
)
from tests.support.sim import SimHandle
from tests.support.tokens import (
    identity_state,
    mint_token,
    rotate_keys,
    set_jwks_behaviour,
    sim_claims,
    sim_issuer,
)


async def jwks_requests(sim: SimHandle) -> int:
    count: int = (await identity_state(sim.url))["jwks_requests"]
    return count


def with_kid(sim: SimHandle, kid: str) -> str:
    """A token signed with the sim's real key but naming a key id the sim never published."""
    key = SigningKey(42, 1).private_key
    return jwt.encode(sim_claims(sim.url, "mallory"), key, algorithm="ES256", headers={"kid": kid})


async def test_a_sim_token_authenticates_and_concurrent_first_requests_fetch_the_jwks_once(
    sim: SimHandle, authenticator: JwksAuthenticator
) -> None:
    token = await mint_token(sim.url, "alice", roles=["support"], auth_time=1_700_000_000)

    principals = await asyncio.gather(*(authenticator(bearer_request(token)) for _ in range(20)))

    issued_at = principals[0].issued_at  # the sim's clock: now
    assert issued_at is not None
    alice = Principal(
        subject="alice", roles=frozenset({"support"}), auth_time=1_700_000_000, issued_at=issued_at
    )
    assert set(principals) == {alice}
    assert await jwks_requests(sim) == 1


async def test_cached_keys_serve_later_requests_without_asking_the_idp(
    sim: SimHandle, authenticator: JwksAuthenticator, clock: ManualClock
) -> None:
    token = await mint_token(sim.url, "alice")
    await authenticator(bearer_request(token))

    clock.advance(MAX_AGE_S - 1)
    await authenticator(bearer_request(await mint_token(sim.url, "bob")))

    assert await jwks_requests(sim) == 1


async def test_a_rotated_key_is_fetched_on_its_first_token_and_old_tokens_still_work(
    sim: SimHandle, authenticator: JwksAuthenticator, clock: ManualClock
) -> None:
    old = await mint_token(sim.url, "alice")
    await authenticator(bearer_request(old))
    new_kid = await rotate_keys(sim.url)
    new = await mint_token(sim.url, "alice")
    assert jwt.get_unverified_header(new)["kid"] == new_kid
    clock.advance(REFETCH_INTERVAL_S)

    assert (await authenticator(bearer_request(new))).subject == "alice"
    assert (await authenticator(bearer_request(old))).subject == "alice"
    assert await jwks_requests(sim) == 2


async def test_a_flood_of_unknown_kids_costs_the_idp_at_most_one_request_per_interval(
    sim: SimHandle, authenticator: JwksAuthenticator, clock: ManualClock
) -> None:
    await authenticator(bearer_request(await mint_token(sim.url, "alice")))
    clock.advance(REFETCH_INTERVAL_S)

    results = await asyncio.gather(
        *(authenticator(bearer_request(with_kid(sim, f"forged-{i}"))) for i in range(200)),
        return_exceptions=True,
    )
    more = await asyncio.gather(
        *(authenticator(bearer_request(with_kid(sim, f"again-{i}"))) for i in range(50)),
        return_exceptions=True,
    )

    assert all(isinstance(result, Unauthorized) for result in (*results, *more))
    assert all("kid" in result.detail for result in results if isinstance(result, Unauthorized))
    assert await jwks_requests(sim) == 2  # the first fetch and one refetch for the whole flood


async def test_a_new_kid_within_the_refetch_interval_waits_for_the_interval(
    sim: SimHandle, authenticator: JwksAuthenticator, clock: ManualClock
) -> None:
    await authenticator(bearer_request(await mint_token(sim.url, "alice")))
    await rotate_keys(sim.url)
    new = await mint_token(sim.url, "alice")

    with pytest.raises(Unauthorized, match="kid"):
        await authenticator(bearer_request(new))
    clock.advance(REFETCH_INTERVAL_S)

    assert (await authenticator(bearer_request(new))).subject == "alice"


async def test_an_unreachable_idp_with_no_cached_key_is_service_unavailable(
    clock: ManualClock,
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/identity"
    authenticator = authenticator_for(f"{url}/.well-known/jwks.json", url, clock)
    token = jwt.encode(
        {"iss": url, "aud": "skyfare", "sub": "alice", "exp": int(time.time()) + 60},
        SigningKey(42, 1).private_key,
        algorithm="ES256",
        headers={"kid": "sim-42-1"},
    )
    try:
        with pytest.raises(ServiceUnavailable, match="identity provider"):
            await authenticator(bearer_request(token))
        # Within the refetch interval it answers at once, without trying again.
        with pytest.raises(ServiceUnavailable):
            await authenticator(bearer_request(token))
    finally:
        await authenticator.close()


async def test_a_failing_idp_is_unavailable_until_it_recovers(
    sim: SimHandle, authenticator: JwksAuthenticator, clock: ManualClock
) -> None:
    token = await mint_token(sim.url, "alice")
    await set_jwks_behaviour(sim.url, "error")

    with pytest.raises(ServiceUnavailable):
        await authenticator(bearer_request(token))
    await set_jwks_behaviour(sim.url, "ok")
    clock.advance(REFETCH_INTERVAL_S)

    assert (await authenticator(bearer_request(token))).subject == "alice"


async def test_a_hanging_idp_costs_the_fetch_timeout_then_is_unavailable(
    sim: SimHandle, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    token = await mint_token(sim.url, "alice")
    await set_jwks_behaviour(sim.url, "hang")
    issuer = sim_issuer(sim.url)
    authenticator = authenticator_for(
        f"{issuer}/.well-known/jwks.json", issuer, clock, fetch_timeout_s=0.5
    )

    # The sim hangs 600 s, past pytest-timeout: only the key set's fetch timeout ends the wait.
    try:
        with pytest.raises(ServiceUnavailable):
            await authenticator(bearer_request(token))
    finally:
        await authenticator.close()

    assert await jwks_requests(sim) == 1
    assert "/.well-known/jwks.json failed: TimeoutError\n" in caplog.text  # not an HTTP error


async def test_cached_keys_keep_working_while_the_idp_is_down_but_new_kids_are_503(
    sim: SimHandle, authenticator: JwksAuthenticator, clock: ManualClock
) -> None:
    known = await mint_token(sim.url, "alice")
    await authenticator(bearer_request(known))
    await rotate_keys(sim.url)
    unknown = await mint_token(sim.url, "alice")
    await set_jwks_behaviour(sim.url, "error")
    clock.advance(MAX_AGE_S)  # stale: the next request tries to refresh, and fails

    assert (await authenticator(bearer_request(known))).subject == "alice"
    with pytest.raises(ServiceUnavailable):
        await authenticator(bearer_request(unknown))
    assert await jwks_requests(sim) == 2


async def test_a_key_the_idp_retired_is_refused_once_the_cache_refreshes(
    sim: SimHandle, authenticator: JwksAuthenticator, clock: ManualClock
) -> None:
    old = await mint_token(sim.url, "alice")
    await authenticator(bearer_request(old))
    await rotate_keys(sim.url, retire_old=True)
    clock.advance(MAX_AGE_S)

    with pytest.raises(Unauthorized, match="kid"):
        await authenticator(bearer_request(old))


async def test_a_token_from_a_sim_with_another_seed_is_refused(
    sim: SimHandle, authenticator: JwksAuthenticator
) -> None:
    key = SigningKey(7, 1)
    token = jwt.encode(
        sim_claims(sim.url, "alice"), key.private_key, algorithm="ES256", headers={"kid": key.kid}
    )

    with pytest.raises(Unauthorized, match="kid"):
        await authenticator(bearer_request(token))


async def test_a_token_for_another_issuer_url_is_refused(
    sim: SimHandle, authenticator: JwksAuthenticator
) -> None:
    # Same keys (same seed), but issued for another sim URL: the issuer must match exactly.
    token = jwt.encode(
        sim_claims(sim.url, "alice", iss=sim_issuer("http://localhost:1")),
        SigningKey(42, 1).private_key,
        algorithm="ES256",
        headers={"kid": "sim-42-1"},
    )

    with pytest.raises(Unauthorized, match="issuer"):
        await authenticator(bearer_request(token))
