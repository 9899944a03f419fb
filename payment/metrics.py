"""Payment metrics, in the default Prometheus registry (served by `GET /metrics`).

- `skyfare_payments_total{outcome}` — what happened to payments: `started`, `rejected` (the
  gateway refused the card at once), `succeeded`, `failed` (declined, or the capture failed),
  `confirmed` (ticketed), `ticketing_failed`, `refunded`, `late` (money arrived for an order
  that was already over: refunded).
- `skyfare_webhook_verifications_failed_total{reason}` — webhook deliveries refused:
  `missing`, `malformed`, `stale`, `future`, `mismatch` (payment/webhooks.py), `undecodable`.
"""

from __future__ import annotations

from typing import Literal

from prometheus_client import Counter

Outcome = Literal[
    "started",
    "rejected",
    "succeeded",
    "failed",
    "confirmed",
    "ticketing_failed",
    "refunded",
    "late",
]

PAYMENTS = Counter("skyfare_payments", "Payments by what happened to them.", ["outcome"])
WEBHOOK_REJECTIONS = Counter(
    "skyfare_webhook_verifications_failed",
    "Webhook deliveries refused before anything changed, by reason.",
    ["reason"],
)


def payment(outcome: Outcome) -> None:
    PAYMENTS.labels(outcome).inc()


def webhook_rejected(reason: str) -> None:
    WEBHOOK_REJECTIONS.labels(reason).inc()
