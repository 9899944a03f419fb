"""Support metrics, in the default Prometheus registry (served by `GET /metrics`).

- `skyfare_support_cases_opened_total{caller}` — cases opened: `traveler` or `anonymous`.
- `skyfare_support_webhooks_total{outcome}` — helpdesk deliveries: `applied`, `duplicate`,
  `refused` (an agent's action the order services refused), `ignored`, `rejected` (bad signature).
- `skyfare_support_synced_total` — order events posted to the helpdesk.
"""

from __future__ import annotations

from typing import Literal, get_args

from prometheus_client import Counter

from kernel.counters import MeasuredCounter, start_series

Caller = Literal["traveler", "anonymous"]
WebhookOutcome = Literal["applied", "duplicate", "refused", "ignored", "rejected"]
CASES_OPENED = Counter("skyfare_support_cases_opened", "Support cases opened.", ["caller"])
WEBHOOKS = Counter("skyfare_support_webhooks", "Helpdesk webhook deliveries.", ["outcome"])
# From the helpdesk sync's start only (kernel/counters.py): every other process served it as 0.
SYNCED = MeasuredCounter("skyfare_support_synced", "Order events posted to the helpdesk.")


# Each series at 0 from the start of the component that counts it (not at import: every process
# imports this module, and search, the relay, the worker and analytics have no support desk), so
# a rate() over it sees the first increment.
def start_cases() -> None:
    """This process opens support cases (`support.service.SupportService`)."""
    start_series(CASES_OPENED, get_args(Caller))


def start_webhooks() -> None:
    """This process takes the helpdesk's webhooks (`support.webhook.SupportWebhook`)."""
    start_series(WEBHOOKS, get_args(WebhookOutcome))
