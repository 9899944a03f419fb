"""`PgIdempotencyStore` against real PostgreSQL: claims, replays, leases, recovery, expiry."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from booking.idempotency import (
    Claimed,
    Completion,
    PgIdempotencyStore,
    Replay,
    StoredResponse,
    fingerprint,
)
from booking.model import Order
from booking.pg import Database
from booking.repository import PgOrderRepository
from booking.state import Change
from kernel.errors import Conflict, ValidationFailed
from tests.support.orders import new_order

BODY = {"offer_id": "off_1", "passengers": [{"given_name": "Ada"}]}
REQUEST = fingerprint("POST", "/v1/orders", BODY)
ANSWER = StoredResponse(201, b'{"id": "ord_1"}')


async def _lapse(pool: asyncpg.Pool, owner: str, key: str) -> None:
    """What a crashed request leaves once its lease has run out."""
    await pool.execute(
        "UPDATE idempotency_keys SET locked_until = now() - interval '1 second'"
        " WHERE owner = $1 AND key = $2",
        owner,
        key,
    )


async def test_the_first_claim_wins_and_a_second_is_told_it_is_in_progress(
    keys: PgIdempotencyStore,
) -> None:
    assert await keys.claim("alice", "k", REQUEST) == Claimed()

    with pytest.raises(Conflict, match="in progress"):
        await keys.claim("alice", "k", REQUEST)


async def test_a_completed_key_replays_the_stored_status_and_body(
    keys: PgIdempotencyStore,
) -> None:
    await keys.claim("alice", "k", REQUEST)
    await keys.complete("alice", "k", ANSWER)

    replay = await keys.claim("alice", "k", fingerprint("POST", "/v1/orders", dict(BODY)))

    assert replay == Replay(ANSWER)


async def test_the_body_is_compared_as_json_not_as_bytes() -> None:
    reordered = {"passengers": [{"given_name": "Ada"}], "offer_id": "off_1"}

    assert fingerprint("POST", "/v1/orders", reordered) == REQUEST


@pytest.mark.parametrize(
    "other",
    [
        fingerprint("POST", "/v1/orders", {**BODY, "offer_id": "off_2"}),
        fingerprint("POST", "/v1/orders/ord_1/payments", BODY),
    ],
    ids=["another body", "another path"],
)
async def test_a_key_reused_for_another_request_is_refused_naming_the_header(
    keys: PgIdempotencyStore, other: object
) -> None:
    await keys.claim("alice", "k", REQUEST)
    await keys.complete("alice", "k", ANSWER)

    with pytest.raises(ValidationFailed) as caught:
        await keys.claim("alice", "k", other)  # type: ignore[arg-type]

    assert [e.field for e in caught.value.errors] == ["headers.Idempotency-Key"]


async def test_keys_are_scoped_to_their_caller(keys: PgIdempotencyStore) -> None:
    await keys.claim("alice", "k", REQUEST)

    assert await keys.claim("bob", "k", REQUEST) == Claimed()


async def test_twenty_concurrent_claims_of_one_key_have_exactly_one_winner(
    keys: PgIdempotencyStore,
) -> None:
    async def claim() -> object:
        try:
            return await keys.claim("alice", "race", REQUEST)
        except Conflict as exc:
            return exc

    results = await asyncio.gather(*(claim() for _ in range(20)))

    assert sum(isinstance(r, Claimed) for r in results) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 19


async def test_releasing_a_claim_that_created_nothing_forgets_the_key(
    keys: PgIdempotencyStore,
) -> None:
    await keys.claim("alice", "k", REQUEST)

    await keys.release("alice", "k")

    assert await keys.claim("alice", "k", fingerprint("POST", "/v1/orders", {})) == Claimed()


async def test_a_retry_after_a_released_claim_resumes_the_order_it_created(
    keys: PgIdempotencyStore, repository: PgOrderRepository
) -> None:
    await keys.claim("alice", "k", REQUEST)
    order = await repository.create(new_order(), actor="alice", idempotency_key="k")

    await keys.release("alice", "k")

    assert await keys.claim("alice", "k", REQUEST) == Claimed(order.id)


async def test_a_lapsed_lease_is_taken_over_by_exactly_one_retry(
    keys: PgIdempotencyStore, repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    await keys.claim("alice", "k", REQUEST)
    order = await repository.create(new_order(), actor="alice", idempotency_key="k")
    await _lapse(booking_pool, "alice", "k")

    async def claim() -> object:
        try:
            return await keys.claim("alice", "k", REQUEST)
        except Conflict as exc:
            return exc

    results = await asyncio.gather(*(claim() for _ in range(10)))

    assert results.count(Claimed(order.id)) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 9


ANSWER_ID = Completion("alice", "k", lambda changed: StoredResponse(201, changed.id.encode()))


async def _claimed_order(keys: PgIdempotencyStore, repository: PgOrderRepository) -> Order:
    """Alice's key "k" claimed, and the order its request created."""
    await keys.claim("alice", "k", REQUEST)
    return await repository.create(new_order(), actor="alice", idempotency_key="k")


async def test_an_answer_is_stored_with_the_change_and_not_when_the_change_loses(
    keys: PgIdempotencyStore, repository: PgOrderRepository
) -> None:
    order = await _claimed_order(keys, repository)
    losing = Change(from_status=("held",), to_status="cancelled", reason="cancelled")

    assert await repository.transition(order.id, losing, actor="x", completion=ANSWER_ID) is None
    with pytest.raises(Conflict):
        await keys.claim("alice", "k", REQUEST)  # still in progress: nothing was stored

    winning = Change(from_status=("pending",), to_status="failed", reason="refused")
    await repository.transition(order.id, winning, actor="x", completion=ANSWER_ID)

    assert await keys.claim("alice", "k", REQUEST) == Replay(StoredResponse(201, order.id.encode()))


async def test_an_answer_written_with_its_change_rolls_back_with_it(
    keys: PgIdempotencyStore, repository: PgOrderRepository
) -> None:
    # The answer shares the history row's statement (one round trip): still one transaction.
    order = await _claimed_order(keys, repository)
    change = Change(from_status=("pending",), to_status="failed", reason="refused")

    async def fail_after(conn: asyncpg.Connection, changed: object) -> None:
        raise RuntimeError("the transaction rolls back")

    with pytest.raises(RuntimeError):
        await repository.transition(
            order.id, change, actor="x", completion=ANSWER_ID, also=fail_after
        )

    with pytest.raises(Conflict):
        await keys.claim("alice", "k", REQUEST)  # still in progress: nothing was stored
    unchanged = await repository.get(order.id)
    assert unchanged is not None
    assert unchanged.status == "pending"


async def test_an_expired_key_is_forgotten_when_met_again(
    keys: PgIdempotencyStore, booking_pool: asyncpg.Pool
) -> None:
    await keys.claim("alice", "k", REQUEST)
    await keys.complete("alice", "k", ANSWER)
    await booking_pool.execute("UPDATE idempotency_keys SET expires_at = now() - interval '1 s'")

    assert await keys.claim("alice", "k", fingerprint("POST", "/v1/orders", {})) == Claimed()


async def test_purging_deletes_expired_keys_only(
    keys: PgIdempotencyStore, booking_pool: asyncpg.Pool, db: Database
) -> None:
    for key in ("old-1", "old-2", "fresh"):
        await keys.claim("alice", key, REQUEST)
    await booking_pool.execute(
        "UPDATE idempotency_keys SET expires_at = now() - interval '1 s' WHERE key LIKE 'old-%'"
    )

    assert await keys.purge_expired() == 2

    remaining = await booking_pool.fetch("SELECT key FROM idempotency_keys")
    assert [row["key"] for row in remaining] == ["fresh"]
