"""`OrderService` use cases on real PostgreSQL with an in-memory airline (`FakeConnector`)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import asyncpg
import msgspec
import pytest

from booking.idempotency import (
    Completion,
    PgIdempotencyStore,
    StoredResponse,
    fingerprint,
)
from booking.model import CreateOrderRequest, Order, PaymentMethod
from booking.ports import RefundPart
from booking.repository import PgOrderRepository
from booking.service import OrderService
from booking.state import Change
from connectors import errors
from connectors.model import Hold, HoldPassenger, PricedOffer
from kernel.auth import Principal
from kernel.errors import Conflict, Gone, NotFound, ServiceUnavailable, ValidationFailed
from tests.fakes import FakeConnector, offer
from tests.support.orders import ADA

ALICE = Principal("alice")
BOB = Principal("bob")
SUPPORT = Principal("agent-7", frozenset({"support"}))
OFFER = offer("612.40")


class ScriptedAirline(FakeConnector):
    """A fake airline whose next price or hold calls can be made to fail or change price."""

    def __init__(self) -> None:
        super().__init__(offers=[OFFER])
        self.price_errors: list[BaseException] = []
        self.hold_errors: list[BaseException] = []
        self.new_price: Decimal | None = None

    async def price(self, supplier_offer_id: str, *, timeout: float) -> PricedOffer:
        if self.price_errors:
            raise self.price_errors.pop(0)
        priced = await super().price(supplier_offer_id, timeout=timeout)
        if self.new_price is None:
            return priced
        return msgspec.structs.replace(priced, total_amount=self.new_price, price_changed=True)

    async def hold(
        self,
        supplier_offer_id: str,
        passengers: Sequence[HoldPassenger],
        *,
        reference: str,
        timeout: float,
    ) -> Hold:
        if self.hold_errors:
            self.calls["hold"] = self.calls.get("hold", 0) + 1
            raise self.hold_errors.pop(0)
        return await super().hold(
            supplier_offer_id, passengers, reference=reference, timeout=timeout
        )


class RecordingRefunds:
    def __init__(self, repository: PgOrderRepository) -> None:
        self.repository = repository
        self.refunded: list[str] = []
        self.owed: list[str] = []

    async def paid(self, order: Order) -> Decimal:
        return order.total_amount

    async def card(self, order_id: str) -> str | None:
        return None

    async def parts(self, order_id: str) -> tuple[RefundPart, ...]:
        return ()

    async def owe(
        self,
        conn: asyncpg.Connection,
        order: Order,
        *,
        reason: str,
        amount: Decimal | None = None,
        paid: Decimal | None = None,
    ) -> None:
        self.owed.append(order.id)

    async def refund(self, order: Order, *, actor: str, reason: str) -> Order:
        self.refunded.append(order.id)
        change = Change(
            from_status=("cancelled",), from_payment=("paid",), to_payment="refunded", reason=reason
        )
        refunded = await self.repository.transition(order.id, change, actor=actor)
        assert refunded is not None
        return refunded


@pytest.fixture
def airline() -> ScriptedAirline:
    return ScriptedAirline()


@pytest.fixture
def service(
    repository: PgOrderRepository, keys: PgIdempotencyStore, airline: ScriptedAirline
) -> OrderService:
    return OrderService(
        repository, keys, {"fake": airline}, price_timeout_s=1.0, hold_timeout_s=1.0
    )


def _request(**changes: Any) -> CreateOrderRequest:
    fields: dict[str, Any] = {"offer_id": OFFER.id, "passengers": (ADA,), **changes}
    return CreateOrderRequest(**fields)


async def _create(
    service: OrderService, key: str = "k1", principal: Principal = ALICE, **changes: Any
) -> StoredResponse:
    request = _request(**changes)
    fp = fingerprint("POST", "/v1/orders", msgspec.to_builtins(request))
    return await service.create(principal, key, request, fp)


def _order_id(response: StoredResponse) -> str:
    order_id: str = msgspec.json.decode(response.body)["id"]
    return order_id


async def test_an_order_is_held_at_the_airline_under_its_own_id(
    service: OrderService, airline: ScriptedAirline
) -> None:
    response = await _create(service)

    body = msgspec.json.decode(response.body)
    assert response.status == 201
    assert (body["status"], body["airline_locator"]) == ("held", "L00000")
    assert list(airline.holds) == [body["id"]]


async def test_the_same_key_replays_the_stored_answer_without_asking_the_airline_again(
    service: OrderService, airline: ScriptedAirline
) -> None:
    first = await _create(service)
    second = await _create(service)

    assert second == first
    assert airline.calls["hold"] == 1


async def test_a_price_change_answers_409_with_the_new_price_and_creates_nothing(
    service: OrderService, airline: ScriptedAirline, repository: PgOrderRepository
) -> None:
    airline.new_price = Decimal("700.00")

    with pytest.raises(Conflict) as caught:
        await _create(service)

    assert caught.value.extensions["total_amount"] == "700.00"
    assert await repository.list_orders(owner=None, limit=10) == []
    airline.new_price = None
    assert (await _create(service)).status == 201  # the key was released: a retry goes through


@pytest.mark.parametrize(
    ("failure", "answer"),
    [
        (errors.OfferExpired("expired"), Gone),
        (errors.OfferNotFound("unknown"), NotFound),
        (errors.SoldOut("sold out"), Conflict),
        (errors.ConnectorUnavailable("down"), ServiceUnavailable),
    ],
)
async def test_pricing_failures_map_to_their_answers(
    service: OrderService, airline: ScriptedAirline, failure: Exception, answer: type[Exception]
) -> None:
    airline.price_errors.append(failure)

    with pytest.raises(answer):
        await _create(service)


async def test_an_offer_id_we_did_not_issue_is_not_found(service: OrderService) -> None:
    with pytest.raises(NotFound):
        await _create(service, offer_id="off_garbage!")


async def test_a_refused_hold_fails_the_order_and_the_refusal_is_the_stored_answer(
    service: OrderService, airline: ScriptedAirline, repository: PgOrderRepository
) -> None:
    airline.hold_errors.append(errors.SoldOut("sold out"))

    with pytest.raises(Conflict) as first:
        await _create(service)
    with pytest.raises(Conflict) as replayed:
        await _create(service)

    assert replayed.value.detail == first.value.detail
    assert airline.calls["hold"] == 1
    assert await repository.list_orders(owner="alice", limit=10) == []  # failed: not visible


async def test_an_unknown_hold_outcome_leaves_the_order_pending_and_a_retry_resumes_it(
    service: OrderService, airline: ScriptedAirline, repository: PgOrderRepository
) -> None:
    airline.hold_errors.append(errors.ConnectorTimeout("no answer"))

    with pytest.raises(ServiceUnavailable):
        await _create(service)
    pending = await repository.pending_since(_far_future(), limit=10)
    retried = await _create(service)

    assert [o.status for o in pending] == ["pending"]
    assert _order_id(retried) == pending[0].id
    assert list(airline.holds) == [pending[0].id]


async def test_a_retry_finds_the_order_someone_else_already_resolved(
    service: OrderService, airline: ScriptedAirline, repository: PgOrderRepository
) -> None:
    airline.hold_errors.append(errors.ConnectorTimeout("no answer"))
    with pytest.raises(ServiceUnavailable):
        await _create(service)
    (pending,) = await repository.pending_since(_far_future(), limit=10)
    held = Change(from_status=("pending",), to_status="held", reason="reconciled")
    await repository.transition(pending.id, held, actor="reconciler")

    retried = await _create(service)

    assert _order_id(retried) == pending.id
    assert airline.calls["hold"] == 1  # the refused attempt only: the retry asked nothing


async def test_instant_orders_are_refused_naming_type_until_payments_are_enabled(
    service: OrderService,
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await _create(service, type="instant", payment=PaymentMethod("tok_visa"))

    assert [e.field for e in caught.value.errors] == ["type"]


async def test_instant_orders_start_their_payment_with_the_answer_stored_by_it(
    service: OrderService, repository: PgOrderRepository
) -> None:
    class Starter:
        async def start(
            self, order: Order, method: PaymentMethod, *, actor: str, completion: Completion
        ) -> Order:
            change = Change(
                from_status=("held",),
                from_payment=("unpaid",),
                to_payment="processing",
                reason=f"paying with {method.card_token}",
            )
            started = await repository.transition(
                order.id, change, actor=actor, completion=completion
            )
            assert started is not None
            return started

    service.use_payments(Starter(), None)

    first = await _create(service, type="instant", payment=PaymentMethod("tok_visa"))
    replay = await _create(service, type="instant", payment=PaymentMethod("tok_visa"))

    body = msgspec.json.decode(first.body)
    assert (body["status"], body["payment_status"]) == ("held", "processing")
    assert replay == first


async def test_passengers_must_match_the_offers_mix(service: OrderService) -> None:
    with pytest.raises(ValidationFailed) as caught:
        # Two people for an offer of one adult (one person twice is refused sooner: check_distinct).
        await _create(service, passengers=(ADA, msgspec.structs.replace(ADA, given_name="Byron")))

    assert [e.field for e in caught.value.errors] == ["passengers"]


async def test_travelers_see_only_their_own_orders_and_support_sees_all(
    service: OrderService,
) -> None:
    order_id = _order_id(await _create(service))

    assert (await service.get(ALICE, order_id)).id == order_id
    assert (await service.get(SUPPORT, order_id)).id == order_id
    with pytest.raises(NotFound):
        await service.get(BOB, order_id)
    with pytest.raises(NotFound):
        await service.cancel(BOB, order_id)
    assert (await service.list_orders(BOB, limit=10, after=None)) == ([], None)


async def test_cancelling_releases_the_airline_hold_once_and_twice_is_not_an_error(
    service: OrderService, airline: ScriptedAirline, repository: PgOrderRepository
) -> None:
    order_id = _order_id(await _create(service))

    first = await service.cancel(ALICE, order_id)
    second = await service.cancel(ALICE, order_id)

    assert first.status == second.status == "cancelled"
    assert airline.holds[order_id].status == "cancelled"
    history = [h.to_status for h in await repository.history(order_id)]
    assert history == ["pending", "held", "cancelled"]


async def test_an_expired_order_cannot_be_cancelled(
    service: OrderService, repository: PgOrderRepository
) -> None:
    order_id = _order_id(await _create(service))
    await repository.transition(
        order_id, Change(from_status=("held",), to_status="expired", reason="unpaid"), actor="s"
    )

    with pytest.raises(Conflict, match="expired"):
        await service.cancel(ALICE, order_id)


async def test_a_paid_order_is_refunded_when_cancelled_and_refused_without_refunds(
    service: OrderService, repository: PgOrderRepository
) -> None:
    order_id = _order_id(await _create(service))
    await repository.transition(
        order_id,
        Change(from_status=("held",), to_status="confirmed", from_payment=("unpaid",),
               to_payment="paid", reason="paid and ticketed"),
        actor="payments",
    )  # fmt: skip

    with pytest.raises(Conflict, match="refunds are not enabled"):
        await service.cancel(ALICE, order_id)
    refunds = RecordingRefunds(repository)
    service.use_payments(None, refunds)
    cancelled = await service.cancel(ALICE, order_id)

    assert (cancelled.status, cancelled.payment_status) == ("cancelled", "refunded")
    assert refunds.owed == refunds.refunded == [order_id]


def _far_future() -> dt.datetime:
    return dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


class RecordingPriceChecks:
    """The fare cache's port, recording what order creation told it."""

    def __init__(self) -> None:
        self.told: list[tuple[str, str]] = []

    async def checked(self, offer_id: str, outcome: str) -> None:
        self.told.append((outcome, offer_id))

    async def sold(self, offer_id: str) -> None:
        self.told.append(("sold", offer_id))


@pytest.mark.parametrize(
    ("price_error", "hold_error", "new_price", "told"),
    [
        (None, None, None, ["held", "sold"]),
        (None, None, Decimal("700.00"), ["changed"]),
        (errors.SoldOut("no seats"), None, None, ["gone"]),
        (errors.OfferExpired("late"), None, None, ["gone"]),
        (errors.OfferNotFound("who?"), None, None, []),
        (None, errors.SoldOut("gone meanwhile"), None, ["held", "gone"]),
        (
            None,
            errors.PriceChanged("moved", new_amount=Decimal("650.00"), currency="USD"),
            None,
            ["held", "changed"],
        ),
    ],
)
async def test_order_creation_tells_the_fare_cache_what_the_airline_said(
    service: OrderService,
    airline: ScriptedAirline,
    price_error: BaseException | None,
    hold_error: BaseException | None,
    new_price: Decimal | None,
    told: list[str],
) -> None:
    checks = RecordingPriceChecks()
    service.use_price_checks(checks)
    airline.price_errors = [price_error] if price_error else []
    airline.hold_errors = [hold_error] if hold_error else []
    airline.new_price = new_price

    with contextlib.suppress(Conflict, Gone, NotFound):
        await _create(service)

    assert checks.told == [(outcome, OFFER.id) for outcome in told]


async def test_a_hold_makes_three_round_trips_to_postgresql(
    service: OrderService, statements: list[str]
) -> None:
    # Look the key up (a read); claim it and insert the order (+ history, event) in one
    # statement; `held` with its history, event and stored answer (booking/known_transition.py).
    # Issue 18 counts these.
    response = await _create(service)

    assert response.status == 201
    assert len(statements) == 3, statements
