"""Builds the payment module from what the composition root owns, and plugs it into booking."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from booking.pg import Database
from booking.seats import OrderSeatDesk
from booking.service import OrderService
from connectors.base import Connector
from kernel.tasks import stop_task
from payment.audit import EVERY_S as AUDIT_EVERY_S
from payment.audit import MAX_AGE_S as AUDIT_MAX_AGE_S
from payment.audit import PaymentAudit
from payment.bank_wait import BankWait
from payment.cancellation_refunds import CancellationRefunds
from payment.gateway import HttpPaymentGateway, PaymentGateway
from payment.order_money import PgMoneyLedger
from payment.receiver import WebhookReceiver
from payment.reconciler import PaymentReconciler
from payment.refunds import Refunder
from payment.repository import PgPaymentRepository
from payment.seat_charges import BANK_WAIT_S as SEAT_BANK_WAIT_S
from payment.seat_charges import SeatCharges
from payment.service import PaymentService
from payment.settlement import Settlement
from payment.ticketing import Ticketing

# One gateway call, retries included; well inside the idempotency lease (30 s by default).
GATEWAY_TIMEOUT_S = 10.0
# Issuing tickets is one airline call (capped lower by the connector's own timeout_s).
TICKET_TIMEOUT_S = 10.0
# A payment unchanged this long is the reconciler's: long after any webhook would have come.
RECONCILE_AFTER_S = 60.0
RECONCILE_INTERVAL_S = 15.0
# How many payments of each kind (and seat charges, and orders owing parts) a round takes.
RECONCILE_BATCH = 50


@dataclass(frozen=True, slots=True)
class Payments:
    service: PaymentService
    receiver: WebhookReceiver
    reconciler: PaymentReconciler
    gateway: PaymentGateway  # flight changes charge and refund through it too
    refunds: CancellationRefunds  # booking's `Refunds`: cancelled orders' money back
    seat_charges: SeatCharges | None = None


def build_payments(
    db: Database,
    orders: OrderService,
    gateway: PaymentGateway,
    connectors: Sequence[Connector],
    *,
    webhook_secrets: Sequence[str],
    gateway_timeout_s: float = GATEWAY_TIMEOUT_S,
    ticket_timeout_s: float = TICKET_TIMEOUT_S,
    reconcile_after_s: float = RECONCILE_AFTER_S,
    reconcile_batch: int = RECONCILE_BATCH,
    audit_max_age_s: float = AUDIT_MAX_AGE_S,
    audit_every_s: float = AUDIT_EVERY_S,
    seat_desk: OrderSeatDesk | None = None,
    web_url: str | None = None,
    seat_bank_wait_s: float = SEAT_BANK_WAIT_S,
) -> Payments:
    payments = PgPaymentRepository(db)
    refunder = Refunder(payments, gateway, timeout_s=gateway_timeout_s)
    ticketing = Ticketing({c.name: c for c in connectors}, timeout_s=ticket_timeout_s)
    settlement = Settlement(payments, orders.repository, refunder, ticketing)
    refunds = CancellationRefunds(payments, orders.repository, gateway, timeout_s=gateway_timeout_s)
    # One BankWait: the service gives up a payment at the bank for another card, the reconciler
    # one left there past its hold's deadline; both by the same steps.
    bank_wait = BankWait(payments, gateway, settlement, gateway_timeout_s=gateway_timeout_s)
    service = PaymentService(
        payments,
        orders.repository,
        orders.keys,
        gateway,
        refunder,
        settlement,
        bank_wait,
        gateway_timeout_s=gateway_timeout_s,
        web_url=web_url,
    )
    charges = (
        None
        if seat_desk is None
        else SeatCharges(
            db,
            gateway,
            seat_desk,
            timeout_s=gateway_timeout_s,
            web_url=web_url,
            bank_wait_s=seat_bank_wait_s,
        )
    )
    audit = PaymentAudit(
        db, gateway, timeout_s=gateway_timeout_s, max_age_s=audit_max_age_s, every_s=audit_every_s
    )
    return Payments(
        service=service,
        receiver=WebhookReceiver(
            payments, settlement, webhook_secrets, seat_charges=charges, audit=audit
        ),
        reconciler=PaymentReconciler(
            payments,
            gateway,
            settlement,
            refunder,
            bank_wait,
            after_s=reconcile_after_s,
            batch=reconcile_batch,
            gateway_timeout_s=gateway_timeout_s,
            seat_charges=charges,
            cancellations=refunds,
            audit=audit,
        ),
        gateway=gateway,
        refunds=refunds,
        seat_charges=charges,
    )


@contextlib.asynccontextmanager
async def running_payments(
    db: Database,
    orders: OrderService,
    connectors: Sequence[Connector],
    *,
    gateway_url: str,
    gateway_key: str,
    webhook_secrets: Sequence[str],
    reconcile_interval_s: float = RECONCILE_INTERVAL_S,
    audit_max_age_s: float = AUDIT_MAX_AGE_S,
    audit_every_s: float = AUDIT_EVERY_S,
    seat_desk: OrderSeatDesk | None = None,
    web_url: str | None = None,
    seat_bank_wait_s: float = SEAT_BANK_WAIT_S,
) -> AsyncIterator[Payments]:
    """The payment module over the gateway at `gateway_url`, enabled in `orders` (instant
    orders, refunds on cancel) and in `seat_desk` (seat changes on paid orders), with its
    reconciler running until exit. `web_url`: the web app's address, where a 3-D Secure
    challenge sends the traveler back (None: the origin of their payment request);
    `seat_bank_wait_s`: how long a seat charge may wait for the traveler's bank before the
    reconciler cancels it."""
    gateway = HttpPaymentGateway(gateway_url, gateway_key, timeout_s=GATEWAY_TIMEOUT_S)
    try:
        payments = build_payments(
            db,
            orders,
            gateway,
            connectors,
            webhook_secrets=webhook_secrets,
            audit_max_age_s=audit_max_age_s,
            audit_every_s=audit_every_s,
            seat_desk=seat_desk,
            web_url=web_url,
            seat_bank_wait_s=seat_bank_wait_s,
        )
        orders.use_payments(payments.service, payments.refunds)
        orders.use_ledger(PgMoneyLedger(db))
        if seat_desk is not None:
            seat_desk.payments = payments.seat_charges
        task = asyncio.create_task(
            payments.reconciler.run(reconcile_interval_s), name="payment-reconciler"
        )
        try:
            yield payments
        finally:
            orders.use_payments(None, None)
            orders.use_ledger(None)
            if seat_desk is not None:
                seat_desk.payments = None
            await stop_task(task)
    finally:
        await gateway.close()
