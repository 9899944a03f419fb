"""`PgOrderRepository` against real PostgreSQL: atomic creation, guarded transitions, listing."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import asyncpg
import msgspec
import pytest

from booking.events import decode_event
from booking.idempotency import NewKey, fingerprint
from booking.limits import OrderLimits
from booking.model import FareTerms, OrderSeat, Passenger
from booking.pagination import OrderFilter
from booking.pg import Database
from booking.references import ReferencesExhausted
from booking.repository import PgOrderRepository
from booking.state import Change, IllegalTransition
from kernel.cursors import Position
from tests.support.orders import ADA, HOLD, new_order

CANCEL = Change(from_status=("held",), to_status="cancelled", reason="cancelled by traveler")
PAY = Change(from_status=("held",), from_payment=("unpaid",), to_payment="processing", reason="pay")
CONFIRM = Change(
    from_status=("held",), to_status="confirmed", from_payment=("unpaid",), to_payment="paid",
    reason="paid and ticketed",
)  # fmt: skip
EXPIRE = Change(from_status=("held",), to_status="expired", reason="not paid in time")


async def _outbox(pool: asyncpg.Pool, order_id: str) -> list[str]:
    rows = await pool.fetch("SELECT type FROM outbox WHERE order_id = $1 ORDER BY id", order_id)
    return [row["type"] for row in rows]


async def test_create_writes_a_pending_order_its_passengers_history_and_created_event(
    repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    order = await repository.create(new_order(), actor="alice")

    assert order.status == "pending"
    assert order.payment_status == "unpaid"
    assert order.passengers == (ADA,)
    assert len(order.booking_reference) == 6
    assert order.total_amount == Decimal("612.40")
    assert await repository.get(order.id) == order
    history = await repository.history(order.id)
    assert [(h.from_status, h.to_status, h.actor) for h in history] == [(None, "pending", "alice")]
    payload = await booking_pool.fetchval(
        "SELECT payload::text FROM outbox WHERE order_id = $1", order.id
    )
    event = decode_event(payload)
    assert (event.type, event.order.booking_reference) == ("order.created", order.booking_reference)
    assert event.contact is not None
    assert event.contact.email == ADA.email


@pytest.mark.parametrize(
    ("limits", "claimed"),
    [(None, False), (OrderLimits(5, 9, 9), False), (OrderLimits(5, 9, 3), True)],
)
async def test_the_created_order_is_the_one_read_back_to_the_byte(
    repository: PgOrderRepository, limits: OrderLimits | None, claimed: bool
) -> None:
    # The create returns only what the database alone knows and builds the rest from what was
    # sent (booking/rows.py, `created_order`): money stored to the cent, a short currency padded
    # by char(3), seats listed in the database's order, an infant who takes no seat.
    baby = Passenger("infant", "Ivy", "Lovelace", dt.date.today() - dt.timedelta(days=200), "f")
    seats = (
        OrderSeat("seg_2", "pas_1", "14C", Decimal("12.345"), "USD"),
        OrderSeat("seg_1", "pas_1", "3A", Decimal("7"), "USD"),
    )
    order = new_order(
        "carol", total_amount=Decimal("631.7"), total_currency="XU", passengers=(ADA, baby),
        seats=seats, terms=FareTerms(Decimal("80.125"), refundable=False, changeable=True),
    )  # fmt: skip
    claim = None
    if claimed:
        claim = NewKey("carol", "k-read-back", fingerprint("POST", "/v1/orders", {}), 30.0, 60.0)

    created = await repository.create(order, actor="carol", limits=limits, claim=claim)

    read = await repository.get(created.id)
    assert read is not None
    assert msgspec.json.encode(created) == msgspec.json.encode(read)
    assert created == read
    assert (created.total_amount, created.total_currency) == (Decimal("631.70"), "XU ")
    assert [s.designator for s in created.seats] == ["3A", "14C"]


async def test_create_sets_the_idempotency_keys_recovery_point_in_the_same_statement(
    repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    await booking_pool.execute(
        "INSERT INTO idempotency_keys (owner, key, request_method, request_path, request_hash)"
        " VALUES ('alice', 'k1', 'POST', '/v1/orders', '\\x00')"
    )

    order = await repository.create(new_order(), actor="alice", idempotency_key="k1")

    stored = await booking_pool.fetchval(
        "SELECT resource_id FROM idempotency_keys WHERE owner = 'alice' AND key = 'k1'"
    )
    assert stored == order.id


async def test_a_failed_create_leaves_nothing_behind(
    repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    first = await repository.create(new_order(), actor="alice")

    with pytest.raises(asyncpg.UniqueViolationError):
        await repository.create(new_order(id=first.id), actor="alice")  # same id: refused

    assert await booking_pool.fetchval("SELECT count(*) FROM order_passengers") == 1
    assert await booking_pool.fetchval("SELECT count(*) FROM order_history") == 1
    assert await booking_pool.fetchval("SELECT count(*) FROM outbox") == 1


async def test_a_taken_booking_reference_is_retried_with_a_fresh_one(
    db: Database, booking_pool: asyncpg.Pool
) -> None:
    draws = iter(["TAKEN2", "TAKEN2", "TAKEN2", "FRESH3"])
    repository = PgOrderRepository(db, draw_reference=lambda: next(draws))
    first = await repository.create(new_order(), actor="alice")

    second = await repository.create(new_order(), actor="alice")

    assert (first.booking_reference, second.booking_reference) == ("TAKEN2", "FRESH3")
    assert await booking_pool.fetchval("SELECT count(*) FROM order_history") == 2
    assert await booking_pool.fetchval("SELECT count(*) FROM outbox") == 2


async def test_references_that_keep_colliding_give_up(db: Database) -> None:
    repository = PgOrderRepository(db, draw_reference=lambda: "SAME22")
    await repository.create(new_order(), actor="alice")

    with pytest.raises(ReferencesExhausted):
        await repository.create(new_order(), actor="alice")


async def test_a_transition_writes_the_change_its_history_row_and_its_event(
    repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    order = await repository.create(new_order(), actor="alice")

    held = await repository.transition(order.id, HOLD, actor="booking")

    assert held is not None
    assert (held.status, held.airline_locator) == ("held", "ABC123")
    assert held.payment_required_by == HOLD.payment_required_by
    assert held.updated_at >= order.updated_at
    history = await repository.history(order.id)
    assert [(h.from_status, h.to_status, h.reason) for h in history][-1] == (
        "pending",
        "held",
        "held at the airline",
    )
    assert await _outbox(booking_pool, order.id) == ["order.created", "order.held"]


async def test_a_transition_whose_guard_fails_returns_none_and_writes_nothing(
    repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    order = await repository.create(new_order(), actor="alice")

    assert await repository.transition(order.id, CANCEL, actor="alice") is None

    assert await repository.get(order.id) == order
    assert len(await repository.history(order.id)) == 1
    assert await _outbox(booking_pool, order.id) == ["order.created"]


async def test_concurrent_transitions_from_one_state_have_exactly_one_winner(
    repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    order = await repository.create(new_order(), actor="alice")
    await repository.transition(order.id, HOLD, actor="booking")

    results = await asyncio.gather(
        *(repository.transition(order.id, CANCEL, actor=f"agent-{i}") for i in range(20))
    )

    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    history = await repository.history(order.id)
    assert [h.to_status for h in history] == ["pending", "held", "cancelled"]
    assert await _outbox(booking_pool, order.id) == [
        "order.created",
        "order.held",
        "order.cancelled",
    ]


async def test_payment_changes_are_guarded_by_the_payment_status_too(
    repository: PgOrderRepository,
) -> None:
    order = await repository.create(new_order(), actor="alice")
    await repository.transition(order.id, HOLD, actor="booking")
    paying = Change(
        from_status=("held",),
        from_payment=("unpaid", "failed"),
        to_payment="processing",
        reason="payment started",
    )

    first = await repository.transition(order.id, paying, actor="payments")
    second = await repository.transition(order.id, paying, actor="payments")

    assert first is not None
    assert (first.status, first.payment_status) == ("held", "processing")
    assert second is None
    last = (await repository.history(order.id))[-1]
    assert (last.from_payment_status, last.to_payment_status) == ("unpaid", "processing")


async def test_an_illegal_change_is_refused_before_any_sql(repository: PgOrderRepository) -> None:
    with pytest.raises(IllegalTransition):
        await repository.transition(
            "ord_x", Change(from_status=("cancelled",), to_status="held", reason="no"), actor="x"
        )


async def test_listing_pages_newest_first_over_visible_orders_of_one_owner(
    repository: PgOrderRepository,
) -> None:
    ids = []
    for _ in range(5):
        order = await repository.create(new_order("alice"), actor="alice")
        await repository.transition(order.id, HOLD, actor="booking")
        ids.append(order.id)
    await repository.create(new_order("alice"), actor="alice")  # pending: never listed
    other = await repository.create(new_order("bob"), actor="bob")
    await repository.transition(other.id, HOLD, actor="booking")

    first = await repository.list_orders(owner="alice", limit=2)
    after = Position(first[-1].created_at, first[-1].id)
    second = await repository.list_orders(owner="alice", limit=2, after=after)
    after = Position(second[-1].created_at, second[-1].id)
    third = await repository.list_orders(owner="alice", limit=2, after=after)
    everyone = await repository.list_orders(owner=None, limit=10)

    listed = [o.id for o in (*first, *second, *third)]
    assert listed == list(reversed(ids))
    assert len(everyone) == 6
    assert other.id in {o.id for o in everyone}


async def test_orders_created_in_one_instant_still_page_without_gaps(
    repository: PgOrderRepository, booking_pool: asyncpg.Pool
) -> None:
    for _ in range(4):
        order = await repository.create(new_order("carol"), actor="carol")
        await repository.transition(order.id, HOLD, actor="booking")
    await booking_pool.execute(
        "UPDATE orders SET created_at = '2030-01-01T00:00:00Z' WHERE owner = 'carol'"
    )

    seen: list[str] = []
    after = None
    while True:
        page = await repository.list_orders(owner="carol", limit=1, after=after)
        if not page:
            break
        seen.append(page[0].id)
        after = Position(page[0].created_at, page[0].id)

    assert len(seen) == len(set(seen)) == 4
    assert seen == sorted(seen, reverse=True)


async def test_passengers_are_stored_as_given_in_their_order_whatever_their_text(
    repository: PgOrderRepository,
) -> None:
    # Issue 18: the insert takes the passengers as one JSON parameter (booking/rows.py
    # `passengers_json`), no longer as column arrays: quotes, backslashes, non-ASCII names,
    # missing contact details and the passengers' order all come back exactly.
    odd = msgspec.structs.replace(
        ADA, given_name='Zoë "Jo"', family_name="O'Neil\\Ünal", email=None, phone_number=None
    )
    infant = msgspec.structs.replace(
        ADA, type="infant", given_name="Ōtā", born_on=dt.date(2025, 1, 2)
    )
    passengers = (odd, ADA, infant)

    order = await repository.create(new_order(passengers=passengers), actor="alice")

    assert order.passengers == passengers
    stored = await repository.get(order.id)
    assert stored is not None
    assert stored.passengers == passengers


@pytest.mark.parametrize("expected", [True, False], ids=["one-statement", "guarded"])
async def test_each_event_of_a_change_is_an_outbox_row_named_by_its_id_and_type(
    repository: PgOrderRepository, booking_pool: asyncpg.Pool, expected: bool
) -> None:
    # Issue 18: a change's events reach the statement as one JSON array (`events_json`); each
    # becomes its own row, its id and type in their columns, the whole event as the payload.
    order = await repository.create(new_order(), actor="alice")
    both = Change(
        from_status=("pending",),
        to_status="held",
        reason="held and failed to pay, in one change",
        events=("order.held", "payment.failed"),
    )

    await repository.transition(
        order.id, both, actor="booking", expected=order if expected else None
    )

    rows = await booking_pool.fetch(
        "SELECT event_id, type, payload FROM outbox WHERE order_id = $1 ORDER BY id", order.id
    )
    events = [decode_event(row["payload"]) for row in rows]
    assert [row["type"] for row in rows] == ["order.created", "order.held", "payment.failed"]
    assert [e.type for e in events] == [row["type"] for row in rows]
    assert [e.id for e in events] == [str(row["event_id"]) for row in rows]
    assert all(e.order.id == order.id for e in events)


async def test_listing_filters_by_status_and_in_flight_and_pages_from_any_position(
    repository: PgOrderRepository,
) -> None:
    moves: dict[str, tuple[Change, ...]] = {
        "held": (),
        "held paying": (PAY,),
        "confirmed": (CONFIRM,),
        "cancelled": (CANCEL,),
        "cancelled paying": (PAY, CANCEL),  # the money still on its way: in flight
        "expired": (EXPIRE,),
    }
    ids: dict[str, str] = {}
    for name, changes in moves.items():
        order = await repository.create(new_order("alice"), actor="alice")
        await repository.transition(order.id, HOLD, actor="booking")
        for change in changes:
            await repository.transition(order.id, change, actor="booking")
        ids[name] = order.id
    await repository.create(new_order("alice"), actor="alice")  # pending: in flight, not listed
    bob = await repository.create(new_order("bob"), actor="bob")
    await repository.transition(bob.id, HOLD, actor="booking")

    async def listed(
        only: OrderFilter, after: Position | None = None, limit: int = 10
    ) -> list[str]:
        page = await repository.list_orders(owner="alice", limit=limit, after=after, only=only)
        names = {order_id: name for name, order_id in ids.items()}
        return [names[o.id] for o in page]

    assert await listed(OrderFilter(statuses=("held",))) == ["held paying", "held"]
    assert await listed(OrderFilter(statuses=("confirmed", "expired"))) == ["expired", "confirmed"]
    in_flight = ["cancelled paying", "held paying", "held"]
    assert await listed(OrderFilter(in_flight=True)) == in_flight
    assert await listed(OrderFilter(in_flight=False)) == ["expired", "cancelled", "confirmed"]
    assert await listed(OrderFilter(("cancelled",), in_flight=True)) == ["cancelled paying"]
    # A cursor is a position: one from the unfiltered list, at an order the filter leaves out
    # ("expired") or keeps ("cancelled paying"), goes on from there with the filter.
    unfiltered = await repository.list_orders(owner="alice", limit=2)
    assert [o.id for o in unfiltered] == [ids["expired"], ids["cancelled paying"]]
    at_expired = Position(unfiltered[0].created_at, unfiltered[0].id)
    at_paying = Position(unfiltered[1].created_at, unfiltered[1].id)
    assert await listed(OrderFilter(in_flight=True), after=at_expired) == in_flight
    assert await listed(OrderFilter(in_flight=True), after=at_paying) == in_flight[1:]
    assert await listed(OrderFilter(statuses=("held",)), after=at_paying) == ["held paying", "held"]
    # Paging a filtered list one at a time meets each of its orders once, in order.
    seen: list[str] = []
    after = None
    while page := await repository.list_orders(
        owner="alice", limit=1, after=after, only=OrderFilter(in_flight=True)
    ):
        seen.append(page[0].id)
        after = Position(page[0].created_at, page[0].id)
    assert seen == [ids[name] for name in in_flight]
    everyone_held = await repository.list_orders(
        owner=None, limit=10, only=OrderFilter(statuses=("held",))
    )
    assert bob.id in {o.id for o in everyone_held}
