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
settles different offers, and a request resuming an offer the sweeper holds waits for it
(booking/changes.py `confirm`).

The gateway's webhook for a change's own charge (succeeded, declined, canceled) has the change
settled at once (`charge_settled`, payment/receiver.py) rather than on a round `idle_s` later:
a traveler who confirmed at their bank and closed the page, never to come back, has the change
made (its mail and SMS sent) in moments. A change its request or a round holds, or that ended,
is theirs; one that cannot be settled now is answered 503, and the gateway delivers again.
"""

from __future__ import annotations

import logging
from typing import Literal, get_args

from prometheus_client import Counter

from booking.change_quoting import CLAIM_LEASE_S
from booking.change_store import PgChanges
from booking.changes import ChangeService, Settled
from kernel.counters import start_series
from kernel.errors import ServiceUnavailable

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
# What a webhook for a change's own charge found: settled by it (as `Settled`), or held by its
# request or a sweeper round (`in_progress`), or ended before it came (`ended`).
AnsweredBy = Literal[Settled, "in_progress", "ended"]
ANSWERED = Counter(
    "skyfare_order_change_webhooks_total",
    "Gateway webhooks for a flight change's own charge (succeeded, declined, canceled), by what "
    "they did: the change settled at once (completed, compensated, failed, confirmed, "
    "unsettled: answered 503 for a redelivery, at_the_bank), or left to its request or a sweeper "
    "round holding it (in_progress), or nothing (ended: settled before it came).",
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
        start_series(ANSWERED, get_args(AnsweredBy))

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

    async def charge_settled(self, change_id: str) -> bool:
        """The gateway's webhook: the charge of change `change_id` succeeded or failed. The change
        settled now, as a round would (payment/receiver.py `ChangeCharges`). False when no change
        has that id; `ServiceUnavailable` when it cannot be settled yet (the gateway delivers
        the event again)."""
        claimed = await self._store.claim(change_id, lease_s=self._lease_s)
        offer = await self._store.find(change_id)  # as it is once claimed, if it was
        if offer is None:
            return False
        outcome: AnsweredBy
        if claimed is not None:
            outcome = await self._changes.settle(offer)
            logger.info(
                "order %s: change %s %s by its charge's webhook", offer.order_id, change_id, outcome
            )
        else:  # only a `confirming` offer nobody holds is claimed
            outcome = "in_progress" if offer.status == "confirming" else "ended"
        ANSWERED.labels(outcome).inc()
        if outcome == "unsettled":
            raise ServiceUnavailable("the flight change cannot be settled yet; deliver again later")
        return True
