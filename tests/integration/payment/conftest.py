"""Payment tests against a real sim server (tests/conftest.py's `sim`: the gateway at /payments)
over sockets, and real PostgreSQL (each test its own migrated schema)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import asyncpg
import msgspec
import pytest

from booking.idempotency import PgIdempotencyStore
from booking.model import Order
from booking.pg import Database
from booking.repository import PgOrderRepository
from booking.seats import OrderSeatDesk
from booking.service import OrderService
from booking.state import Change
from connectors.model import Hold
from payment.gateway import HttpPaymentGateway
from payment.model import intent_key
from payment.seat_charges import BANK_WAIT_S as SEAT_BANK_WAIT_S
from payment.wiring import Payments, build_payments
from sim.payments import DEV_WEBHOOK_SECRET
from tests.fakes import FakeConnector
from tests.support.database import migrated_pool
from tests.support.orders import new_order
from tests.support.payment_sim import (
    PaymentsSimControl,
    Receiver,
    payments_control,
    running_receiver,
)
from tests.support.pgbouncer import PgBouncer
from tests.support.sim import SimHandle

# Short retries and settlement, so a test waits milliseconds, not seconds.
FAST_WEBHOOKS = {"retry_base_ms": 10, "retry_max_ms": 50, "timeout_ms": 2000}


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver() as receiver:
        yield receiver


@pytest.fixture
async def control(sim: SimHandle, receiver: Receiver) -> AsyncIterator[PaymentsSimControl]:
    async with payments_control(sim.url) as control:
        await control.configure_webhook(url=receiver.url, **FAST_WEBHOOKS)
        await control.set_timing(settle_ms=1, slow_ms=150)
        yield control


@pytest.fixture
async def gateway(control: PaymentsSimControl) -> AsyncIterator[HttpPaymentGateway]:
    gateway = HttpPaymentGateway(control.gateway_url, control.api_key, backoff_s=0.01)
    yield gateway
    await gateway.close()


@pytest.fixture
async def dead_gateway() -> AsyncIterator[HttpPaymentGateway]:
    """A gateway nobody answers for (connection refused)."""
    gateway = HttpPaymentGateway("http://127.0.0.1:9", "sk", attempts=1)
    yield gateway
    await gateway.close()


@pytest.fixture
async def payment_pool(
    database_url: str, db_pooler: PgBouncer | None
) -> AsyncIterator[asyncpg.Pool]:
    """A pool over a fresh schema holding every migration (orders and payments included)."""
    async with migrated_pool(database_url, pooler=db_pooler, prefix="payment", max_size=20) as pool:
        yield pool


class TicketingAirline(FakeConnector):
    """A fake airline whose tickets have numbers (the payment flow checks them)."""

    async def ticket(self, locator: str, *, timeout: float) -> Hold:
        hold = await super().ticket(locator, timeout=timeout)
        return msgspec.structs.replace(hold, ticket_numbers=("1251234567890",))


@pytest.fixture
def airline() -> TicketingAirline:
    return TicketingAirline("fake")


@pytest.fixture
def db(payment_pool: asyncpg.Pool) -> Database:
    return Database(payment_pool, timeout_s=5.0)


def order_service(db: Database, airline: TicketingAirline) -> OrderService:
    return OrderService(
        PgOrderRepository(db),
        PgIdempotencyStore(db, lease_s=30.0),
        {airline.name: airline},
        price_timeout_s=1.0,
        hold_timeout_s=1.0,
    )


def payments_over(
    db: Database,
    gateway: HttpPaymentGateway,
    airline: TicketingAirline,
    *,
    batch: int = 50,
    seats: bool = False,
    seat_bank_wait_s: float = SEAT_BANK_WAIT_S,
) -> Payments:
    """`batch`: how many payments of each kind a reconciler round takes; `seats`: with seat
    charges (seat changes paid after booking) at the airline's seat desk, given up after
    `seat_bank_wait_s` waiting for the traveler's bank."""
    orders = order_service(db, airline)
    desk = OrderSeatDesk(db, orders, {airline.name: airline}, timeout_s=1.0) if seats else None
    return build_payments(
        db,
        orders,
        gateway,
        [airline],
        webhook_secrets=[DEV_WEBHOOK_SECRET],
        gateway_timeout_s=1.0,
        reconcile_after_s=0.0,  # every payment is the reconciler's at once
        reconcile_batch=batch,
        seat_desk=desk,
        seat_bank_wait_s=seat_bank_wait_s,
    )


@pytest.fixture
def payments(db: Database, gateway: HttpPaymentGateway, airline: TicketingAirline) -> Payments:
    return payments_over(db, gateway, airline)


async def charged_after_all(
    payments: Payments,
    gateway: HttpPaymentGateway,
    receiver: Receiver,
    order: Order,
    payment_id: str,
) -> None:
    """The gateway charges the card for `payment_id` as the request whose answer we lost did
    (the same key), and its webhook is applied."""
    await gateway.create_intent(
        amount=order.total_amount,
        currency=order.total_currency,
        card_token="tok_visa",
        metadata={"order_id": order.id, "payment_id": payment_id},
        idempotency_key=intent_key(payment_id),
        timeout=2,
    )
    [delivery] = await receiver.wait_for(1)
    await payments.receiver.receive(delivery.body, delivery.headers["Skyfare-Signature"])


async def held_order(
    db: Database, airline: TicketingAirline, owner: str = "alice", **changes: object
) -> Order:
    """An order held at the fake airline (with its locator), as booking leaves it; `changes`
    to the new order's fields (tests/support/orders.py)."""
    repository = PgOrderRepository(db)
    new = new_order(owner, connector=airline.name, **changes)
    order = await repository.create(new, actor=owner)
    hold = Hold(
        locator=f"L{len(airline.holds):05d}",
        reference=order.id,
        status="held",
        total_amount=order.total_amount,
        total_currency=order.total_currency,
        payment_required_by=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1),
    )
    airline.holds[order.id] = hold
    change = Change(
        from_status=("pending",),
        to_status="held",
        reason="held at the airline",
        airline_locator=hold.locator,
    )
    held = await repository.transition(order.id, change, actor="booking")
    assert held is not None
    return held
