"""Support metrics, in the default Prometheus registry (served by `GET /metrics`).

- `skyfare_support_cases_opened_total{caller}` — cases opened: `traveler` or `anonymous`.
- `skyfare_support_webhooks_total{outcome}` — helpdesk deliveries: `applied`, `duplicate`,
  `refused` (an agent's action the order services refused), `ignored`, `rejected` (bad signature).
- `skyfare_support_synced_total` — order events posted to the helpdesk.
"""

from __future__ import annotations

from prometheus_client import Counter

from kernel.counters import MeasuredCounter

CASES_OPENED = Counter("skyfare_support_cases_opened", "Support cases opened.", ["caller"])
WEBHOOKS = Counter("skyfare_support_webhooks", "Helpdesk webhook deliveries.", ["outcome"])
# From the helpdesk sync's start only (kernel/counters.py): every other process served it as 0.
SYNCED = MeasuredCounter("skyfare_support_synced", "Order events posted to the helpdesk.")
