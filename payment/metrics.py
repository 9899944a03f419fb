"""Payment metrics, in the default Prometheus registry (served by `GET /metrics`).

- `skyfare_payments_total{outcome}` — what happened to payments: `started`, `rejected` (the
  gateway refused the card at once), `succeeded`, `failed` (declined, or the capture failed),
  `confirmed` (ticketed), `ticketing_failed`, `refunded`, `late` (money arrived for an order
  that was already over: refunded), `canceled` (left waiting for the traveler's bank, 3-D
  Secure: canceled at the gateway for another card, or past the hold's deadline).
- `skyfare_seat_charges_total{outcome}` — seat changes paid on confirmed orders
  (payment/seat_charges.py): `started`, `rejected` (the card refused at once), `succeeded` (the
  seats given), `failed` (declined later, or the gateway never answered), `refunded` (the
  airline gave the seat away while the card was charged: the money went back), `late` (the
  card was charged after the charge had been given up as `failed`: refunded), `canceled` (left
  waiting for the traveler's bank, 3-D Secure, past SKYFARE_SEAT_CHARGE_BANK_WAIT_S: canceled
  at the gateway, `failed` with `canceled`).
- `skyfare_payment_discrepancies_total{kind}` — captured charges (an order's payment, a flight
  change's difference, seats bought later) whose money at the gateway differs from ours, found
  by the reconciler's audit (payment/audit.py) and recorded once each:
  `captured_differs`, `refunded_differs` (e.g. a partial refund made at the gateway's dashboard).
  Any increase is for finance and support: alert on it.
- `skyfare_webhook_verifications_failed_total{reason}` — webhook deliveries refused:
  `missing`, `malformed`, `stale`, `future`, `mismatch` (payment/webhooks.py), `undecodable`.
"""

from __future__ import annotations

from typing import Literal, get_args

from prometheus_client import Counter

from kernel.counters import start_series
from payment.webhooks import Reason

Outcome = Literal[
    "started",
    "rejected",
    "succeeded",
    "failed",
    "confirmed",
    "ticketing_failed",
    "refunded",
    "late",
    "canceled",
]

PAYMENTS = Counter("skyfare_payments", "Payments by what happened to them.", ["outcome"])
SeatChargeOutcome = Literal[
    "started", "rejected", "succeeded", "failed", "refunded", "late", "canceled"
]
SEAT_CHARGES = Counter(
    "skyfare_seat_charges", "Seat changes paid after booking, by outcome.", ["outcome"]
)
Discrepancy = Literal["captured_differs", "refunded_differs"]
DISCREPANCIES = Counter(
    "skyfare_payment_discrepancies",
    "Captured payments whose money at the gateway differs from what we recorded, by kind.",
    ["kind"],
)
# The verifier's reasons, and a body that verified but did not decode.
RejectionReason = Literal[Reason, "undecodable"]
WEBHOOK_REJECTIONS = Counter(
    "skyfare_webhook_verifications_failed",
    "Webhook deliveries refused before anything changed, by reason.",
    ["reason"],
)


def payment(outcome: Outcome) -> None:
    PAYMENTS.labels(outcome).inc()


def seat_charge(outcome: SeatChargeOutcome) -> None:
    SEAT_CHARGES.labels(outcome).inc()


def discrepancy(kind: Discrepancy) -> None:
    DISCREPANCIES.labels(kind).inc()


def webhook_rejected(reason: RejectionReason) -> None:
    WEBHOOK_REJECTIONS.labels(reason).inc()


# Each series at 0 from the start of the component that counts it (not at import: every process
# imports this module, and search, the relay, the worker and analytics neither take payments,
# charge seats nor audit payments), so a rate() over it sees the first increment.
def start_payments() -> None:
    """This process takes payments (`payment.service.PaymentService`)."""
    start_series(PAYMENTS, get_args(Outcome))


def start_webhooks() -> None:
    """This process verifies the gateway's webhooks (`payment.receiver.WebhookReceiver`)."""
    start_series(WEBHOOK_REJECTIONS, get_args(RejectionReason))


def start_seat_charges() -> None:
    """This process charges seat changes (`payment.seat_charges.SeatCharges`)."""
    start_series(SEAT_CHARGES, get_args(SeatChargeOutcome))


def start_discrepancies() -> None:
    """This process audits captured payments (`payment.audit.PaymentAudit`)."""
    start_series(DISCREPANCIES, get_args(Discrepancy))
