"""A change of an order the caller read, in one statement (booking/known_transition.py), against
real PostgreSQL: what it writes, what a moved row does, atomicity and concurrency."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import asyncpg
import msgspec
import pytest

from booking.creation import created_response
from booking.idempotency import Completion, PgIdempotencyStore, StoredResponse, fingerprint
from booking.known_transition import KNOWN_TRANSITION, PLACEHOLDER, utc_json
from booking.model import Order
from booking.repository import PgOrderRepository
from booking.state import Change
from kernel.errors import Conflict
from tests.support.orders import HOLD, new_order

FAIL = Change(from_status=("pending",), to_status="failed", reason="refused", failure_reason="no")
REQUEST = fingerprint("POST", "/v1/orders", {"offer_id": "off_1"})
ANSWER = Completion("alice", "k", created_response)


async def _created(keys: PgIdempotencyStore, repository: PgOrderRepository) -> Order:
    """Alice's key "k" claimed and the pending order its request created (as the create read it)."""
    await keys.claim("alice", "k", REQUEST)
    return await repository.create(new_order(), actor="alice", idempotency_key="k")


async def _stored(pool: asyncpg.Pool) -> StoredResponse | None:
    row = await pool.fetchrow(
        "SELECT response_status, response_body FROM idempotency_keys"
        " WHERE owner = 'alice' AND key = 'k'"
    )
    assert row is not None
    if row["response_status"] is None:
        return None
    return StoredResponse(row["response_status"], bytes(row["response_body"]))


async def _writes(pool: asyncpg.Pool, order_id: str) -> tuple[list[str], list[str]]:
    history = await pool.fetch(
        "SELECT to_status FROM order_history WHERE order_id = $1 ORDER BY id", order_id
    )
    outbox = await pool.fetch("SELECT type FROM outbox WHERE order_id = $1 ORDER BY id", order_id)
    return [r["to_status"] for r in history], [r["type"] for r in outbox]


async def test_a_change_of_the_order_as_read_writes_everything_in_one_statement(
    keys: PgIdempotencyStore,
    repository: PgOrderRepository,
    booking_pool: asyncpg.Pool,
    statements: list[str],
) -> None:
    order = await _created(keys, repository)
    statements.clear()

    held = await repository.transition(
        order.id, HOLD, actor="booking", completion=ANSWER, expected=order
    )

    assert statements == [KNOWN_TRANSITION]
    assert held is not None
    assert held == await repository.get(order.id)  # the prediction is what the row holds
    assert (held.status, held.airline_locator) == ("held", "ABC123")
    assert held.updated_at > order.updated_at
    assert await _writes(booking_pool, order.id) == (
        ["pending", "held"],
        ["order.created", "order.held"],
    )
    # The stored answer, `updated_at` spliced in by PostgreSQL, is byte for byte the view read back.
    assert await _stored(booking_pool) == created_response(held)
    history = await repository.history(order.id)
    assert (history[-1].from_status, history[-1].actor) == ("pending", "booking")


async def test_values_are_predicted_as_postgresql_stores_them(
    keys: PgIdempotencyStore, repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    order = await _created(keys, repository)
    # An airline's total with a third decimal and a deadline in its own time zone.
    paris = dt.timezone(dt.timedelta(hours=1))
    change = msgspec.structs.replace(
        HOLD,
        total_amount=Decimal("700.005"),
        payment_required_by=dt.datetime(2030, 1, 1, 9, 30, tzinfo=paris),
    )

    held = await repository.transition(
        order.id, change, actor="booking", completion=ANSWER, expected=order
    )

    assert held is not None
    assert held == await repository.get(order.id)
    assert str(held.total_amount) == "700.01"
    assert held.payment_required_by == dt.datetime(2030, 1, 1, 8, 30, tzinfo=dt.UTC)
    assert await _stored(booking_pool) == created_response(held)


async def test_a_row_changed_since_it_was_read_takes_the_guarded_path_and_answers_from_the_row(
    keys: PgIdempotencyStore, repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    order = await _created(keys, repository)
    # Another writer (still pending: the guard holds) changed what the answer shows.
    await booking_pool.execute(
        "UPDATE orders SET total_amount = 700, updated_at = now() WHERE id = $1", order.id
    )

    held = await repository.transition(
        order.id, HOLD, actor="booking", completion=ANSWER, expected=order
    )

    assert held is not None
    assert held.total_amount == Decimal("700.00")
    assert held == await repository.get(order.id)
    assert await _stored(booking_pool) == created_response(held)
    assert await _writes(booking_pool, order.id) == (
        ["pending", "held"],
        ["order.created", "order.held"],
    )


async def test_an_order_moved_on_since_it_was_read_changes_nothing_and_stores_no_answer(
    keys: PgIdempotencyStore, repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    order = await _created(keys, repository)
    assert await repository.transition(order.id, HOLD, actor="reconciler") is not None

    lost = await repository.transition(
        order.id, FAIL, actor="booking", completion=ANSWER, expected=order
    )

    assert lost is None
    assert await _stored(booking_pool) is None
    assert await _writes(booking_pool, order.id) == (
        ["pending", "held"],
        ["order.created", "order.held"],
    )


async def test_a_statement_failing_in_its_answer_leaves_no_half_written_change(
    keys: PgIdempotencyStore, repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    order = await _created(keys, repository)
    # The answer's UPDATE fails on the server, after the order's UPDATE ran in the same statement.
    await booking_pool.execute(
        """CREATE FUNCTION refuse_answers() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION 'no answers today'; END $$;
           CREATE TRIGGER refuse_answers BEFORE UPDATE ON idempotency_keys
           FOR EACH ROW WHEN (NEW.response_status IS NOT NULL) EXECUTE FUNCTION refuse_answers()"""
    )

    with pytest.raises(asyncpg.RaiseError, match="no answers today"):
        await repository.transition(
            order.id, FAIL, actor="booking", completion=ANSWER, expected=order
        )

    assert await repository.get(order.id) == order
    assert await _writes(booking_pool, order.id) == (["pending"], ["order.created"])
    with pytest.raises(Conflict):
        await keys.claim("alice", "k", REQUEST)  # still in progress: nothing stored


async def test_concurrent_changes_of_one_read_order_have_exactly_one_winner(
    keys: PgIdempotencyStore, repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    order = await _created(keys, repository)
    changes = [HOLD if i % 2 else FAIL for i in range(20)]

    results = await asyncio.gather(
        *(
            repository.transition(order.id, c, actor=f"w{i}", completion=ANSWER, expected=order)
            for i, c in enumerate(changes)
        )
    )

    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert winners[0] == await repository.get(order.id)
    history, outbox = await _writes(booking_pool, order.id)
    assert history == ["pending", winners[0].status]
    assert len(outbox) == 2
    assert await _stored(booking_pool) == created_response(winners[0])


@pytest.mark.parametrize(
    "at",
    [
        dt.datetime(2026, 12, 4, 13, 52, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 4, 13, 52, 0, 10, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 4, 13, 52, 0, 100000, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC),
        PLACEHOLDER,
    ],
)
async def test_timestamps_are_written_as_msgspec_writes_them_whatever_the_session_time_zone(
    booking_pool: asyncpg.Pool, at: dt.datetime
) -> None:
    async with booking_pool.acquire() as conn:
        await conn.execute("SET TIME ZONE 'America/Sao_Paulo'")
        try:
            written = await conn.fetchval(f"SELECT {utc_json('$1::timestamptz')}", at)
        finally:
            await conn.execute("RESET TIME ZONE")

    assert written.encode() == msgspec.json.encode(at)
