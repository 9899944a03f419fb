"""A traveler's orders for their export, and the removal of their passengers' contact details
on erasure — against real PostgreSQL."""

from __future__ import annotations

import asyncpg
import pytest

from booking.events import decode_event
from booking.idempotency import PgIdempotencyStore, StoredResponse, fingerprint
from booking.personal_data import PgPersonalData
from booking.pg import Database
from booking.repository import PgOrderRepository
from booking.state import Change
from kernel.errors import Conflict
from tests.support.orders import new_order


@pytest.fixture
def personal(db: Database) -> PgPersonalData:
    return PgPersonalData(db)


async def _order(repository: PgOrderRepository, owner: str, *path: str) -> str:
    """A new order of `owner`, moved along `path` (e.g. "held", "cancelled")."""
    order = await repository.create(new_order(owner), actor=owner)
    status = "pending"
    for to in path:
        change = Change(from_status=(status,), to_status=to, reason=f"to {to}")  # type: ignore[arg-type]
        assert await repository.transition(order.id, change, actor="test") is not None
        status = to
    return order.id


async def test_the_export_holds_every_order_of_the_owner_only_with_its_history(
    repository: PgOrderRepository, personal: PgPersonalData
) -> None:
    mine = [await _order(repository, "ada", "held", "cancelled"), await _order(repository, "ada")]
    await _order(repository, "bob", "held")

    orders = await personal.orders_of("ada")
    history = await personal.history_of("ada")

    assert [o.id for o in orders] == mine[::-1]  # newest first, the pending one included
    assert set(history) == set(mine)
    assert [h.to_status for h in history[mine[0]]] == ["pending", "held", "cancelled"]
    assert history[mine[0]][0].code == "created"  # as the API shows each step


async def test_pseudonymize_removes_contact_details_everywhere_and_keeps_the_rest(
    repository: PgOrderRepository,
    personal: PgPersonalData,
    keys: PgIdempotencyStore,
    booking_pool: asyncpg.Pool,
) -> None:
    order_id = await _order(repository, "ada", "held", "cancelled")
    bobs = await _order(repository, "bob", "held", "cancelled")
    await keys.claim("ada", "k1", fingerprint("POST", "/v1/orders", {"offer_id": "x"}))
    await keys.complete("ada", "k1", StoredResponse(201, b'{"email": "ada@example.com"}'))

    done = await personal.pseudonymize("ada")

    assert (done.orders, done.passengers, done.answers) == (1, 1, 1)
    assert done.events == 3  # created, held, cancelled
    order = await repository.get(order_id)
    assert order is not None
    passenger = order.passengers[0]
    assert (passenger.email, passenger.phone_number) == (None, None)
    assert (passenger.given_name, passenger.family_name) == ("Ada", "Lovelace")
    events = await booking_pool.fetch("SELECT payload FROM outbox WHERE order_id = $1", order_id)
    assert [decode_event(e["payload"]).contact for e in events] == [None, None, None]
    others = await repository.get(bobs)
    assert others is not None
    assert others.passengers[0].email == "ada@example.com"
    assert await booking_pool.fetchval("SELECT count(*) FROM idempotency_keys") == 0


async def test_pseudonymize_again_changes_nothing_more(
    repository: PgOrderRepository, personal: PgPersonalData
) -> None:
    await _order(repository, "ada", "held", "expired")
    await personal.pseudonymize("ada")

    again = await personal.pseudonymize("ada")

    assert (again.orders, again.passengers, again.events, again.answers) == (1, 0, 0, 0)


@pytest.mark.parametrize("path", [(), ("held",)], ids=["pending", "held"])
async def test_an_order_in_flight_refuses_the_erasure_and_nothing_changes(
    repository: PgOrderRepository, personal: PgPersonalData, path: tuple[str, ...]
) -> None:
    settled = await _order(repository, "ada", "held", "cancelled")
    in_flight = await _order(repository, "ada", *path)

    with pytest.raises(Conflict) as caught:
        await personal.pseudonymize("ada")

    assert caught.value.extensions["orders_in_flight"] == [in_flight]
    assert caught.value.detail.startswith("1 of your orders is still in flight (held, ")
    order = await repository.get(settled)
    assert order is not None
    assert order.passengers[0].email == "ada@example.com"
