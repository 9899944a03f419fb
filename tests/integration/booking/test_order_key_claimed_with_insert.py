"""`POST /v1/orders` claims its Idempotency-Key in the statement that inserts the order
(booking/creation.py): a read-only look-up first, the re-price, then the owner's lock, the limits,
the claim and the insert in one statement. On real PostgreSQL, with real concurrent requests."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import msgspec
import pytest

from booking.idempotency import PgIdempotencyStore, StoredResponse, fingerprint
from booking.limits import OrderLimits
from booking.model import CreateOrderRequest
from booking.repository import PgOrderRepository
from booking.service import OrderService
from connectors import errors
from connectors.model import Hold, PricedOffer
from kernel.auth import Principal
from kernel.errors import Conflict, DomainError, LimitReached
from tests.fakes import FakeConnector, offer
from tests.support.orders import ADA

ALICE = Principal("alice")
OFFER = offer("612.40")
ONE_HOLD = OrderLimits(max_open_holds=1, max_held_seats=0, max_held_seats_per_flight=0)


class RacingAirline(FakeConnector):
    """A fake airline that can keep re-prices until `priced` lets them all go together (then
    each one waits for the next of `then`, if any), refuse the next re-price, and keep holds
    until `may_hold` is set (`holding`: one was asked for)."""

    def __init__(self) -> None:
        super().__init__(offers=[OFFER])
        self.priced: asyncio.Barrier | None = None
        self.then: list[asyncio.Event] = []
        self.price_errors: list[BaseException] = []
        self.may_hold = asyncio.Event()
        self.may_hold.set()
        self.holding = asyncio.Event()

    async def price(self, supplier_offer_id: str, *, timeout: float) -> PricedOffer:
        priced = await super().price(supplier_offer_id, timeout=timeout)
        if self.price_errors:
            raise self.price_errors.pop(0)
        if self.priced is not None:
            await self.priced.wait()
        if self.then:
            await self.then.pop(0).wait()
        return priced

    async def hold(self, *args: Any, **kwargs: Any) -> Hold:
        self.holding.set()
        await self.may_hold.wait()
        return await super().hold(*args, **kwargs)


@pytest.fixture
def airline() -> RacingAirline:
    return RacingAirline()


def _service(
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: RacingAirline,
    limits: OrderLimits | None = None,
) -> OrderService:
    return OrderService(
        repository, keys, {"fake": airline}, price_timeout_s=30.0, hold_timeout_s=30.0,
        limits=limits,
    )  # fmt: skip


async def _create(service: OrderService, key: str = "k1") -> StoredResponse | DomainError:
    request = CreateOrderRequest(offer_id=OFFER.id, passengers=(ADA,))
    fp = fingerprint("POST", "/v1/orders", msgspec.to_builtins(request))
    try:
        return await service.create(ALICE, key, request, fp)
    except DomainError as exc:
        return exc


async def _key_rows(pool: asyncpg.Pool, key: str) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM idempotency_keys WHERE owner = 'alice' AND key = $1", key
    )
    return count


async def _orders(pool: asyncpg.Pool) -> list[str]:
    return [r["id"] for r in await pool.fetch("SELECT id FROM orders WHERE owner = 'alice'")]


async def _lapse(pool: asyncpg.Pool) -> None:
    """What a dead attempt's lease comes to once `lease_s` has passed."""
    await pool.execute(
        "UPDATE idempotency_keys SET locked_until = now() - interval '1 second'"
        " WHERE owner = 'alice' AND key = 'k1'"
    )


def _in_progress(answer: Any) -> bool:
    return isinstance(answer, Conflict) and answer.extensions.get("in_progress") is True


async def _one_then_the_other(service: OrderService, airline: RacingAirline) -> list[Any]:
    """Two requests with one key: both look the key up before either inserts (neither finds it)
    and re-price together; then one goes on, and the other only once the first has answered."""
    airline.priced = asyncio.Barrier(2)
    later = asyncio.Event()
    now = asyncio.Event()
    now.set()
    airline.then = [now, later]
    requests = {asyncio.create_task(_create(service)), asyncio.create_task(_create(service))}
    done, pending = await asyncio.wait(requests, timeout=30, return_when="FIRST_COMPLETED")
    first = done.pop().result()
    later.set()
    return [first, await pending.pop()]


@pytest.fixture(params=[None, ONE_HOLD], ids=["no-limits", "one-open-hold"])
def either_service(
    request: pytest.FixtureRequest,
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: RacingAirline,
) -> OrderService:
    """Without limits, and with a cap of one open hold: there the second request's order does
    not fit beside the first's either, and it must still answer from the key."""
    return _service(repository, keys, airline, request.param)


async def test_two_requests_with_one_key_re_priced_together_make_one_order(
    either_service: OrderService, airline: RacingAirline, booking_pool: asyncpg.Pool
) -> None:
    # The first's hold waits, so the second answers while the first is still in progress (409).
    service = either_service
    airline.may_hold.clear()
    airline.priced = asyncio.Barrier(2)
    requests = [asyncio.create_task(_create(service)) for _ in range(2)]
    done, _ = await asyncio.wait(requests, timeout=30, return_when="FIRST_COMPLETED")
    loser = done.pop().result()
    airline.may_hold.set()
    (winner,) = [await t for t in requests if not t.done() or t.result() is not loser]
    replay = await _create(service)

    assert _in_progress(loser), loser
    assert isinstance(winner, StoredResponse)
    assert winner.status == 201
    assert replay == winner
    assert await _orders(booking_pool) == [msgspec.json.decode(winner.body)["id"]]
    assert (airline.calls["price"], airline.calls["hold"]) == (2, 1)


async def test_a_duplicate_re_priced_beside_the_first_gets_its_stored_answer(
    either_service: OrderService, airline: RacingAirline, booking_pool: asyncpg.Pool
) -> None:
    first, second = await _one_then_the_other(either_service, airline)

    assert isinstance(first, StoredResponse)
    assert first.status == 201
    assert second == first
    assert len(await _orders(booking_pool)) == 1
    assert (airline.calls["price"], airline.calls["hold"]) == (2, 1)


async def test_a_replay_is_answered_from_the_key_without_asking_the_airline(
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: RacingAirline,
    statements: list[str],
) -> None:
    service = _service(repository, keys, airline, ONE_HOLD)
    first = await _create(service)
    statements.clear()

    replay = await _create(service)

    assert isinstance(first, StoredResponse)
    assert replay == first
    assert (airline.calls["price"], airline.calls["hold"]) == (1, 1)
    assert len(statements) == 1, statements  # the read-only look-up, nothing written


async def test_a_limited_create_leaves_no_key(
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: RacingAirline,
    booking_pool: asyncpg.Pool,
) -> None:
    service = _service(repository, keys, airline, ONE_HOLD)
    assert isinstance(await _create(service, "k1"), StoredResponse)

    limited = await _create(service, "k2")

    assert isinstance(limited, LimitReached)
    assert await _key_rows(booking_pool, "k2") == 0
    assert len(await _orders(booking_pool)) == 1


async def test_a_refused_re_price_writes_nothing_and_leaves_no_key(
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: RacingAirline,
    booking_pool: asyncpg.Pool,
    statements: list[str],
) -> None:
    service = _service(repository, keys, airline, ONE_HOLD)
    airline.price_errors.append(errors.SoldOut("sold out"))

    refused = await _create(service)

    assert isinstance(refused, Conflict)
    assert len(statements) == 1, statements  # the read-only look-up: no claim, no release
    assert await _key_rows(booking_pool, "k1") == 0
    assert isinstance(await _create(service), StoredResponse)  # the same request, again


async def test_an_attempt_that_died_after_its_insert_is_resumed_once_its_lease_lapses(
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: RacingAirline,
    booking_pool: asyncpg.Pool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = _service(repository, keys, airline, ONE_HOLD)
    airline.may_hold.clear()
    dying = asyncio.create_task(_create(service))
    await asyncio.wait_for(airline.holding.wait(), 30)  # the order and its key are committed
    # The process dies during the airline's hold: none of its code runs any more.
    monkeypatch.setattr(keys, "release", _never_runs)
    dying.cancel()
    with pytest.raises(asyncio.CancelledError):
        await dying
    (order_id,) = await _orders(booking_pool)
    airline.may_hold.set()

    while_leased = await _create(service)
    await _lapse(booking_pool)
    resumed = await _create(service)

    assert _in_progress(while_leased), while_leased
    assert isinstance(resumed, StoredResponse)
    assert (resumed.status, msgspec.json.decode(resumed.body)["id"]) == (201, order_id)
    assert await _orders(booking_pool) == [order_id]
    assert airline.calls["price"] == 1  # the resumed attempt re-priced nothing
    assert list(airline.holds) == [order_id]
    assert await _create(service) == resumed


async def test_a_lapsed_claim_that_created_nothing_is_made_anew(
    repository: PgOrderRepository,
    keys: PgIdempotencyStore,
    airline: RacingAirline,
    booking_pool: asyncpg.Pool,
) -> None:
    # What a request that claims before it creates (`PgIdempotencyStore.claim`) leaves when it
    # dies between the two: a key naming nothing. In progress while leased, then free.
    request = CreateOrderRequest(offer_id=OFFER.id, passengers=(ADA,))
    await keys.claim("alice", "k1", fingerprint("POST", "/v1/orders", msgspec.to_builtins(request)))
    service = _service(repository, keys, airline)

    while_leased = await _create(service)
    await _lapse(booking_pool)
    made = await _create(service)

    assert _in_progress(while_leased), while_leased
    assert isinstance(made, StoredResponse)
    assert made.status == 201
    assert len(await _orders(booking_pool)) == 1


async def _never_runs(owner: str, key: str) -> None:
    """A dead process's `release`: the key keeps its lease."""
