"""Undoing a flight change the airline made when our side of it cannot stand.

The airline swapped the slice (booking/changes.py step 2), then the money did not move (a card
declined, never charged) or the refund cannot be owed: the airline puts the old flights back
(undo, by the change offer's id), the offer becomes `failed` and the order says what happened
(`last_change` and a history row). An airline that refuses (the old flights sold out meanwhile)
fails the offer all the same, saying what the airline kept, for support to settle.
"""

from __future__ import annotations

import logging
from typing import NoReturn

from booking.change_quoting import CHANGES, ChangeQuoting
from booking.change_terms import (
    ChangeOffer,
)
from booking.model import ChangeFailure, Order
from kernel.auth import Principal
from kernel.errors import (
    Conflict,
    DomainError,
)

logger = logging.getLogger(__name__)


class FinalAnswer(Exception):
    """An answer to store under the Idempotency-Key (it will not change on a retry)."""

    def __init__(self, error: DomainError, *, undone: bool = True) -> None:
        self.error = error
        self.undone = undone  # False: the airline refused to put the original flights back


class AtTheBank(Exception):
    """The change's charge waits for the traveler to confirm it at their bank's page `url` (3-D
    Secure): nothing charged yet, the airline's change kept, the offer `confirming` until the bank
    answers (or the change sweeper gives up past its bound). Not a final answer: the same
    confirmation, resent, reads the charge again."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class ChangeCompensation(ChangeQuoting):
    """Undo at the airline, and the offer failed."""

    async def _compensate(
        self,
        principal: Principal,
        order: Order,
        offer: ChangeOffer,
        reason: str,
        code: ChangeFailure,
        *,
        decline_code: str | None = None,
    ) -> NoReturn:
        """The airline changed the flights but the money did not move: put the old flights
        back (a 503 here leaves the offer `confirming`, and the retry compensates again). An
        airline that refuses (the old flights sold out meanwhile) will not say yes on a retry:
        the offer fails all the same, saying what the airline kept, for support to settle.
        `code` says why (`ChangeFailure`), unless the airline kept the new flights: that is what
        the traveler must hear of first. `decline_code`: the card gateway's, when it declined
        the card. Both are members of the 409."""
        refused = await self._undo(order, offer)
        if refused is None:
            CHANGES.labels("compensated").inc()
            detail = f"{reason}; the airline put the original flights back"
            logger.info("order %s: change %s undone: %s", order.id, offer.id, reason)
        else:
            detail = f"{reason}; {refused}"
            code = "airline_kept_new_flights"
        await self._store.fail(
            offer, order.id, detail, code, actor=principal.subject, decline_code=decline_code
        )
        error = Conflict(
            f"the change was not made: {detail}",
            change_status="failed",
            decline_code=decline_code,
            failure_code=code,
        )
        raise FinalAnswer(error, undone=refused is None)

    async def _undo(self, order: Order, offer: ChangeOffer) -> str | None:
        """Put the old flights back: None when done, else what the airline's refusal leaves
        (a `ServiceUnavailable` propagates: asked again later)."""
        try:
            await self._airline.undo(order, offer.id)
        except Conflict as exc:
            CHANGES.labels("undo_refused").inc()
            logger.error("order %s: change %s cannot be undone: %s", order.id, offer.id, exc)
            return (
                f"{exc.detail}: the airline's booking keeps the new flights, unpaid, and "
                "support settles it with the traveler"
            )
        return None

    async def _fail(
        self,
        principal: Principal,
        order: Order,
        offer: ChangeOffer,
        reason: str,
        code: ChangeFailure,
    ) -> None:
        CHANGES.labels("failed").inc()
        await self._store.fail(offer, order.id, reason, code, actor=principal.subject)
