"""The booking service's resources, as cleanup contexts: PostgreSQL, orders, payments, users,
support's neighbours and the outbox relay. `skyfare/app.py` decides which service runs each.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
from aiohttp import web

from analytics import routes as analytics_routes
from analytics.service import ReportService
from booking import change_routes, trip_routes
from booking import routes as order_routes
from booking import seat_routes as order_seat_routes
from booking.cancellation_store import PgCancellations
from booking.cancellations import CancellationService
from booking.change_airline import ChangeAirline
from booking.change_store import PgChanges
from booking.change_sweeper import ChangeSweeper
from booking.changes import ChangeService
from booking.claims import run_rounds
from booking.limits import OrderLimits
from booking.personal_data import PgPersonalData
from booking.pg import Database
from booking.recovery import running_recovery
from booking.seats import OrderSeatDesk
from booking.wiring import running_order_service
from kernel.tasks import stop_task
from payment import routes as payment_routes
from payment.cancellation_refunds import CancellationRefunds
from payment.change_payments import GatewayChangePayments
from payment.repository import PgPaymentRepository
from payment.wiring import GATEWAY_TIMEOUT_S, running_payments
from search import routes as search_routes
from seats import routes as seat_map_routes
from skyfare import privacy as privacy_rights
from skyfare.database_check import DatabaseCheck
from skyfare.keys import (
    CONNECTORS,
    DATABASE_CHECK,
    PAYMENT_GATEWAY,
    PAYMENT_RECONCILER,
    PG_POOL,
    REDIS,
    SERVICE,
    SESSION_CUTOFFS,
    SETTINGS,
    USAGE,
)
from skyfare.ops import ready_timeout_s
from skyfare.postgres import connect_options
from skyfare.relay_runner import outbox_relay_for
from skyfare.search_contexts import redis_timeout_s
from skyfare.services import ANALYTICS
from skyfare.settings import Settings
from skyfare.usage import UsagePriceChecks
from skyfare.user_ports import SavedTravelersOfUsers
from support.repository import PgSupportRepository
from users import routes as user_routes
from users.crypto import DocumentCipher
from users.errors import DocumentKeyError
from users.wiring import user_service


async def reports(app: web.Application) -> AsyncIterator[None]:
    """The analytics reports (`/v1/reports`), read from the consumer's DuckDB file: in the
    consumer's own process (the `analytics` app `skyfare analytics` serves), or beside it on the
    same disk (`skyfare up`)."""
    app[analytics_routes.REPORT_SERVICE] = ReportService(
        app[SETTINGS].analytics_path, in_writer_process=app[SERVICE] == ANALYTICS
    )
    yield


async def postgres(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if settings.database_url is None:
        raise RuntimeError("database_url is unset: start the embedded PostgreSQL first")
    # min_size=0: creating the pool opens no connection, so a database that is down at startup
    # does not keep the API (and its searches) from serving.
    pool = await asyncpg.create_pool(
        settings.database_url,
        min_size=0,
        max_size=settings.db_pool_max,
        command_timeout=settings.db_timeout_s,
        timeout=settings.db_timeout_s,  # connect timeout
        **connect_options(settings),
    )
    app[PG_POOL] = pool
    # /readyz asks on a connection of its own: behind a busy pool it timed out (database_check.py);
    # behind PgBouncer, in a database (a pool) of its own, SKYFARE_DB_CHECK_DATABASE.
    check = DatabaseCheck(
        settings.database_url,
        timeout_s=ready_timeout_s(settings),
        connect_options=connect_options(settings),
        database=settings.db_check_database,
    )
    app[DATABASE_CHECK] = check
    yield
    await check.close()
    await pool.close()


async def outbox_relay(app: web.Application) -> AsyncIterator[None]:
    """Every API process relays the outbox to the event stream (one at a time: booking/relay.py)."""
    settings = app[SETTINGS]
    relay = outbox_relay_for(
        settings, app[PG_POOL], app[REDIS], redis_timeout_s=redis_timeout_s(settings)
    )
    task = asyncio.create_task(relay.run(), name="outbox-relay")
    yield
    await stop_task(task)


async def orders(app: web.Application) -> AsyncIterator[None]:
    """Orders (booking/): repository, idempotency keys and service over the pool and connectors."""
    settings = app[SETTINGS]
    connectors = app[CONNECTORS]
    async with running_order_service(
        app[PG_POOL],
        connectors,
        db_timeout_s=settings.db_timeout_s,
        lease_s=settings.idempotency_lease_s,
        price_timeout_s=settings.search_deadline_ms / 1000,
        limits=order_limits(settings),
        hold_window_s=settings.hold_window_s,
    ) as service:
        app[order_routes.ORDER_SERVICE] = service
        db = Database(app[PG_POOL], timeout_s=settings.db_timeout_s)
        app[trip_routes.CANCELLATIONS] = CancellationService(service, PgCancellations(db))
        # A passenger may be one of the caller's saved travelers (users/): the order copies it.
        service.use_saved_travelers(SavedTravelersOfUsers(app[user_routes.USER_SERVICE]))
        # Order creation re-prices too: a changed price or no seats corrects the fare cache.
        stale = app[search_routes.SEARCH_SERVICE].stale_fares
        service.use_price_checks(UsagePriceChecks(stale, app[USAGE]))
        yield


def order_limits(settings: Settings) -> OrderLimits | None:
    """The traveler caps; None when every one is 0 (off): no per-owner lock on order creates."""
    limits = OrderLimits(
        max_open_holds=settings.order_max_open_holds,
        max_held_seats=settings.order_max_held_seats,
        max_held_seats_per_flight=settings.order_max_held_seats_per_flight,
    )
    return limits if limits.any else None


async def recovery(app: web.Application) -> AsyncIterator[None]:
    """Nothing lost: the reconciler settles stale `pending` orders with their airline, the hold
    sweeper expires unpaid holds past their deadline (booking/recovery.py)."""
    settings = app[SETTINGS]
    connectors = app[CONNECTORS]
    async with running_recovery(
        app[PG_POOL],
        connectors,
        db_timeout_s=settings.db_timeout_s,
        reconcile_after_s=settings.reconcile_after_s,
        reconcile_interval_s=settings.reconcile_interval_s,
        hold_sweep_interval_s=settings.hold_sweep_interval_s,
        hold_window_s=settings.hold_window_s,
    ):
        yield


async def payments(app: web.Application) -> AsyncIterator[None]:
    """Payments (payment/): the gateway client, webhooks, refunds; enabled in the order service."""
    settings = app[SETTINGS]
    if not settings.webhook_secrets:
        raise RuntimeError("SKYFARE_WEBHOOK_SECRET is empty: payment webhooks cannot be verified")
    connectors = app[CONNECTORS]
    async with running_payments(
        Database(app[PG_POOL], timeout_s=settings.db_timeout_s),
        app[order_routes.ORDER_SERVICE],
        connectors,
        gateway_url=settings.payment_gateway_base_url,
        gateway_key=settings.payment_gateway_key,
        webhook_secrets=settings.webhook_secrets,
        audit_max_age_s=settings.payment_audit_max_age_s,
        audit_every_s=settings.payment_audit_every_s,
        seat_desk=app[order_seat_routes.SEAT_DESK],
        web_url=settings.web_url,
        seat_bank_wait_s=settings.seat_charge_bank_wait_s,
    ) as payments:
        app[PAYMENT_GATEWAY] = payments.gateway
        app[PAYMENT_RECONCILER] = payments.reconciler
        app[payment_routes.PAYMENT_SERVICE] = payments.service
        app[payment_routes.WEBHOOK_RECEIVER] = payments.receiver
        yield


async def order_changes(app: web.Application) -> AsyncIterator[None]:
    """Flight changes (booking/changes.py): the airlines' reshop and change through the
    connectors, the difference through the card gateway the payments context opened; and the
    change sweeper settling the changes a dead process left half way."""
    settings = app[SETTINGS]
    db = Database(app[PG_POOL], timeout_s=settings.db_timeout_s)
    airline = ChangeAirline(
        {c.name: c for c in app[CONNECTORS]}, timeout_s=settings.search_deadline_ms / 1000
    )
    service = ChangeService(app[order_routes.ORDER_SERVICE], PgChanges(db), airline)
    gateway = app.get(PAYMENT_GATEWAY)
    if gateway is not None:
        payments = PgPaymentRepository(db)
        orders = app[order_routes.ORDER_SERVICE].repository
        refunds = CancellationRefunds(payments, orders, gateway, timeout_s=GATEWAY_TIMEOUT_S)
        service.payments = GatewayChangePayments(
            gateway, payments, refunds, timeout_s=GATEWAY_TIMEOUT_S, web_url=settings.web_url
        )
    service.bank_wait_s = settings.change_bank_wait_s
    app[change_routes.CHANGES] = service
    sweeper = ChangeSweeper(service, PgChanges(db), idle_s=settings.change_sweep_idle_s)
    receiver = app.get(payment_routes.WEBHOOK_RECEIVER)
    if receiver is not None:  # a change's charge settled at the gateway settles the change
        receiver.changes = sweeper
    task = asyncio.create_task(
        run_rounds(
            "change sweeper",
            sweeper.sweep_once,
            interval_s=settings.change_sweep_interval_s,
            batch_size=sweeper.batch_size,
        ),
        name="change-sweeper",
    )
    yield
    if receiver is not None:
        receiver.changes = None
    await stop_task(task)


def check_document_key(settings: Settings) -> None:
    """RuntimeError naming SKYFARE_USERS_DOCUMENT_KEY (never the key) when it is malformed."""
    try:
        DocumentCipher.from_setting(settings.users_document_key)
    except DocumentKeyError as exc:
        raise RuntimeError(str(exc)) from None


async def users(app: web.Application) -> AsyncIterator[None]:
    """Profiles and saved travelers (users/), their document numbers sealed under the key(s)
    of SKYFARE_USERS_DOCUMENT_KEY (checked by `create_app`)."""
    settings = app[SETTINGS]
    app[user_routes.USER_SERVICE] = user_service(
        app[PG_POOL],
        db_timeout_s=settings.db_timeout_s,
        document_key=settings.users_document_key,
        max_travelers=settings.users_max_travelers,
    )
    yield


async def privacy(app: web.Application) -> AsyncIterator[None]:
    """The caller's data export and erasure, across users, booking and payment (privacy.py)."""
    db = Database(app[PG_POOL], timeout_s=app[SETTINGS].db_timeout_s)
    app[privacy_rights.PRIVACY] = privacy_rights.Privacy(
        app[user_routes.USER_SERVICE],
        PgPersonalData(db),
        PgPaymentRepository(db),
        PgSupportRepository(db),
        sessions=app[SESSION_CUTOFFS],
    )
    yield


async def order_seats(app: web.Application) -> AsyncIterator[None]:
    """Seats on orders (booking/seats.py), and the orders behind `GET /v1/seat_maps?order_id=`."""
    settings = app[SETTINGS]
    desk = app[order_seat_routes.SEAT_DESK] = OrderSeatDesk(
        Database(app[PG_POOL], timeout_s=settings.db_timeout_s),
        app[order_routes.ORDER_SERVICE],
        {c.name: c for c in app[CONNECTORS]},
        timeout_s=settings.search_deadline_ms / 1000,
    )
    app[seat_map_routes.ORDER_LOOKUP] = desk
    yield
