"""Prometheus metrics of the booking core (default registry); labels are low-cardinality enums.

- `skyfare_orders_total{outcome}`: what each `POST /v1/orders` came to: `held` (a new order),
  `replayed` (an idempotent replay), `refused` (the airline or the offer said no: 404/409/410),
  `invalid` (422), `limited` (409: a traveler limit, booking/limits.py), `unknown` (the
  airline's answer is unknown: 503, the order stays pending), `in_progress` (409 to a
  concurrent retry).
- `skyfare_order_limits_total{limit}`: requests refused by a traveler limit: `open_holds`,
  `held_seats`, `held_seats_per_flight` (409), `rate` (429, the per-traveler rate limit).
- `skyfare_order_transitions_total{to_status}`: committed changes of status (history rows), so
  orders by status over time; payment changes are counted by `to_payment`.
"""

from __future__ import annotations

from typing import Literal, get_args

from prometheus_client import Counter

from booking.limits import LIMIT_NAMES
from booking.model import OrderStatus, PaymentStatus
from kernel.counters import start_series

CreateOutcome = Literal[
    "held", "replayed", "refused", "invalid", "limited", "unknown", "in_progress"
]
CancelOutcome = Literal["cancelled", "already_cancelled", "refused"]
UNCHANGED = "unchanged"

ORDERS = Counter("skyfare_orders_total", "Order creations by outcome.", ["outcome"])
TRANSITIONS = Counter(
    "skyfare_order_transitions_total",
    "Committed order changes, by the status (or payment status) they changed to.",
    ["to_status", "to_payment"],
)
LIMITS = Counter(
    "skyfare_order_limits_total",
    "Traveler requests refused by a limit: open_holds, held_seats, held_seats_per_flight, rate.",
    ["limit"],
)
CANCELS = Counter(
    "skyfare_order_cancels_total",
    "Cancel requests by outcome: cancelled, already_cancelled, refused.",
    ["outcome"],
)


def order_outcome(outcome: CreateOutcome) -> None:
    ORDERS.labels(outcome).inc()


def transition(to_status: str | None, to_payment: str | None) -> None:
    TRANSITIONS.labels(to_status or UNCHANGED, to_payment or UNCHANGED).inc()


def cancel_outcome(outcome: CancelOutcome) -> None:
    CANCELS.labels(outcome).inc()


def limit_reached(limit: str) -> None:
    LIMITS.labels(limit).inc()


# Each series at 0 from the start of the component that counts it (not at import: every process
# imports this module, and search, the relay, the worker and analytics take no orders), so a
# rate() over it sees the first increment.
def start_orders() -> None:
    """This process creates, changes and cancels orders (`booking.service.OrderService`)."""
    start_series(ORDERS, get_args(CreateOutcome))
    start_series(
        TRANSITIONS,
        (*get_args(OrderStatus), UNCHANGED),
        (*get_args(PaymentStatus), UNCHANGED),
    )
    start_series(CANCELS, get_args(CancelOutcome))
    start_series(LIMITS, LIMIT_NAMES)


def start_rate_limit() -> None:
    """This process refuses travelers past their rate (`skyfare.travelers.TravelerGate`)."""
    start_series(LIMITS, ["rate"])
