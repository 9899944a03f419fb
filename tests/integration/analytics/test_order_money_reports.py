"""The order reports against what orders did, over a real Redis and a real DuckDB file: the
order events are published as the outbox relay writes them (booking/events.py), including the
ones that only carry an order's snapshot (an agent's reply, a corrected name), and the
reports count each order's money and steps once, in the window where they happened."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import redis.asyncio as redis

from analytics.consumer import AnalyticsConsumer
from analytics.reports import report
from analytics.store import AnalyticsStore
from booking.events import OrderSnapshot, encode_event, new_event
from tests.support.analytics import CONTACT

NOW = dt.datetime(2026, 12, 10, 12, 0, tzinfo=dt.UTC)
WINDOW = NOW - dt.timedelta(days=1)  # `since=1d`
AT = NOW - dt.timedelta(hours=1)  # within it
OWNER = "auth0|ada-1815"


def _snapshot(order_id: str, status: str, paid: str, **extra: Any) -> OrderSnapshot:
    return OrderSnapshot(order_id, "K7Q2MZ", status, paid, Decimal("612.40"), "USD",
                         route="LHR-JFK", **extra)  # fmt: skip


async def _publish(client: redis.Redis, stream: str, events: list[tuple[str, bytes]]) -> None:
    for kind, data in events:  # as the outbox relay writes them
        await client.xadd(stream, {"id": str(uuid.uuid4()), "type": kind, "event": data})


def _event(kind: str, snapshot: OrderSnapshot, at: dt.datetime) -> tuple[str, bytes]:
    found = new_event(kind, snapshot, CONTACT, owner=OWNER, now=at)  # type: ignore[arg-type]
    return kind, encode_event(found)


def _support_replied(snapshot: OrderSnapshot, at: dt.datetime) -> tuple[str, bytes]:
    """As support/webhook.py writes it: the order's snapshot beside the agent's reply."""
    event = {
        "id": str(uuid.uuid4()), "type": "support.replied", "occurred_at": at.isoformat(),
        "order": msgspec.to_builtins(snapshot), "contact": msgspec.to_builtins(CONTACT),
        "owner": OWNER, "reply": {"case_id": "cas_1", "subject": "Bag", "body": "Yes.",
                                  "agent": "Grace"},
    }  # fmt: skip
    return "support.replied", msgspec.json.encode(event)


async def _loaded(
    client: redis.Redis, streams: tuple[str, str], tmp_path: Path, events: list[tuple[str, bytes]]
) -> AnalyticsStore:
    await _publish(client, streams[1], events)
    store = AnalyticsStore(str(tmp_path))
    consumer = AnalyticsConsumer(
        client, store, usage_stream=streams[0], event_stream=streams[1], traveler_key=b"k"
    )
    await consumer.catch_up()
    return store


def _revenue(store: AnalyticsStore) -> tuple[Any, ...]:
    """The revenue report's row of the day of `AT` (the window's other day is quiet), without
    its date."""
    [row] = [r for r in report(store, "revenue", WINDOW, NOW).rows if r[0] == AT.date().isoformat()]
    return row[1:]


async def test_an_order_paid_before_the_window_is_not_paid_again_when_support_touches_it(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    before = NOW - dt.timedelta(days=3)
    order = "ord_000000000000000000000001"
    events = [
        _event("order.created", _snapshot(order, "pending", "unpaid"), before),
        _event("order.held", _snapshot(order, "held", "unpaid"), before),
        _event("order.confirmed", _snapshot(order, "confirmed", "paid"), before),
        # Within the window: an agent answers a question and corrects a name; nothing is paid.
        _support_replied(_snapshot(order, "confirmed", "paid"), NOW - dt.timedelta(hours=2)),
        _event("order.name_corrected", _snapshot(order, "confirmed", "paid"), NOW),
    ]
    store = await _loaded(redis_client, streams, tmp_path, events)

    funnel = dict(report(store, "funnel", WINDOW, NOW).rows)
    assert (funnel["hold"], funnel["paid"], funnel["ticketed"]) == (0, 0, 0)
    # Over the whole story it was held, paid and ticketed once.
    funnel = dict(report(store, "funnel", before - dt.timedelta(hours=1), NOW).rows)
    assert (funnel["hold"], funnel["paid"], funnel["ticketed"]) == (1, 1, 1)


async def test_revenue_counts_what_changes_and_seats_charged_as_refunds_give_it_back(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    dearer, cheaper = "ord_000000000000000000000002", "ord_000000000000000000000003"
    confirmed = _snapshot(dearer, "confirmed", "paid")
    events = [
        _event("order.confirmed", confirmed, AT),
        # A later flight: 139.60 more charged (the order now totals 752.00).
        _event("order.changed", msgspec.structs.replace(
            confirmed, total_amount=Decimal("752.00"), charged_amount=Decimal("139.60")), AT),
        # A window seat bought on the paid order, and one the airline refused once charged.
        _event("order.seats_changed", msgspec.structs.replace(
            confirmed, seat_charge_amount=Decimal("25.00")), AT),
        _event("order.seat_change_refunded", msgspec.structs.replace(
            confirmed, seat_charge_amount=Decimal("18.00")), AT),
        # Cancelled: all of it comes back, the change and the seat too.
        _event("payment.refunded", msgspec.structs.replace(
            confirmed, status="cancelled", payment_status="refunded",
            refund_amount=Decimal("777.00")), AT),
        # Another order changed to a cheaper flight: 50.00 given back at once.
        _event("order.confirmed", _snapshot(cheaper, "confirmed", "paid"), AT),
        _event("order.changed", msgspec.structs.replace(
            _snapshot(cheaper, "confirmed", "paid"), refund_amount=Decimal("50.00")), AT),
    ]  # fmt: skip
    store = await _loaded(redis_client, streams, tmp_path, events)

    # Charged: 612.40 twice, 139.60, 25.00 and 18.00; given back: 777.00, 18.00 and 50.00.
    assert _revenue(store) == ("USD", 2, "1407.40", 3, "845.00")


async def test_an_order_event_the_relay_published_twice_is_money_counted_once(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    confirmed = _event("order.confirmed", _snapshot("ord_000000000000000000000004",
                                                    "confirmed", "paid"), AT)  # fmt: skip
    # Delivery is at least once (booking/events.py): two entries, one event id.
    store = await _loaded(redis_client, streams, tmp_path, [confirmed, confirmed])

    assert _revenue(store) == ("USD", 1, "612.40", 0, "0.00")


async def test_a_payment_taken_and_given_back_when_ticketing_failed_is_in_revenue_and_refunded(
    redis_client: redis.Redis, streams: tuple[str, str], tmp_path: Path
) -> None:
    order = "ord_000000000000000000000005"
    refunded = _snapshot(order, "cancelled", "refunded", refund_amount=Decimal("612.40"))
    events = [
        _event("order.held", _snapshot(order, "held", "unpaid"), AT),
        # The card was charged, the airline refused to ticket: cancelled, then refunded whole
        # (payment/settlement.py); no order.confirmed.
        _event("order.cancelled", _snapshot(order, "cancelled", "paid"), AT),
        _event("payment.refunded", refunded, AT),
    ]
    store = await _loaded(redis_client, streams, tmp_path, events)

    # Nothing confirmed; the money came in and went out: net nothing, not 612.40 lost.
    assert _revenue(store) == ("USD", 0, "612.40", 1, "612.40")
    assert dict(report(store, "funnel", WINDOW, NOW).rows)["paid"] == 1
