"""The change sweeper: settles flight changes abandoned half way.

A confirmation moves its change offer `quoted → confirming` and claims it while its request works
(booking/changes.py). A process that dies between the airline accepting the change and our
commit, or while the card is charged, leaves the offer `confirming` with nobody at it. Every
`interval_s` the sweeper claims such offers, unclaimed for `idle_s` (time for the traveler's own
retry first), and settles each as its request would have (`ChangeService.settle`):

- the airline's change is asked again by the same reference (it answers the change it made, or
  makes it now, or refuses: then nothing changed and the offer fails);
- a charge is read back from the gateway by its intent: succeeded → the order is changed;
  declined, or never made (no card to charge) → the airline puts the old flights back and the
  offer fails (it fails too when the airline refuses to put them back, saying so for support);
  still processing → left for the next round; waiting for the traveler at their bank's page (3-D
  Secure) → left waiting (they may still answer) for `ChangeService.bank_wait_s` since it first
  waited, then canceled at the gateway FIRST: one confirmed meanwhile stands and the order is
  changed, one canceled is undone as a declined card (`decline_code` `canceled`);
- a refund is asked again with the same idempotency key; a free change needs nothing;
- then the one transaction of a confirmation: the new slice, the history row and the
  `order.changed` event; or, compensated, `last_change` and the history say what happened.

Claims are `FOR UPDATE SKIP LOCKED` updates of `claimed_until`: of several processes, each
settles different offers, and a request resuming an offer the sweeper holds is told to retry.
"""

from __future__ import annotations

import logging
from typing import get_args

from prometheus_client import Counter

from booking.change_quoting import CLAIM_LEASE_S
from booking.change_store import PgChanges
from booking.changes import ChangeService, Settled
from kernel.counters import start_series

logger = logging.getLogger(__name__)

IDLE_S = 120.0  # unclaimed this long: its request is gone (a traveler retries sooner)
BATCH_SIZE = 10
SETTLED = Counter(
    "skyfare_order_changes_settled_total",
    "Change offers the change sweeper found abandoned in `confirming`, by outcome: completed "
    "(the order changed), compensated (undone at the airline, the order says why), failed "
    "(the airline refused: nothing changed), confirmed (another confirmation finished it), "
    "unsettled (the airline or the gateway could not tell yet: next round), at_the_bank (its "
    "charge waits for the traveler's answer at their bank, 3-D Secure: next round).",
    ["outcome"],
)


class ChangeSweeper:
    def __init__(
        self,
        changes: ChangeService,
        store: PgChanges,
        *,
        idle_s: float = IDLE_S,
        lease_s: float = CLAIM_LEASE_S,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._changes = changes
        self._store = store
        self._idle_s = idle_s
        self._lease_s = lease_s
        self.batch_size = batch_size
        # This process sweeps changes: its series at 0 from now on (a rate() sees the first).
        start_series(SETTLED, get_args(Settled))

    async def sweep_once(self) -> int:
        """One round: how many abandoned changes it settled (completed or compensated)."""
        offers = await self._store.stuck(
            idle_s=self._idle_s, lease_s=self._lease_s, limit=self.batch_size
        )
        outcomes: list[Settled] = []
        for offer in offers:  # one at a time: each is bounded, and batches are small
            outcome = await self._changes.settle(offer)
            logger.info("order %s: abandoned change %s %s", offer.order_id, offer.id, outcome)
            SETTLED.labels(outcome).inc()
            outcomes.append(outcome)
        return sum(o not in ("unsettled", "at_the_bank") for o in outcomes)
