"""What a flight change needs from the payment module (payment/change_payments.py implements it).

The booking core calls it in the middle of a change, after the airline swapped the slice: its
outcome decides whether the change commits or is undone at the airline.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, Protocol

import asyncpg
import msgspec

from booking.model import Order


class ChargeOutcome(msgspec.Struct, frozen=True):
    """`processing`: not settled within the wait; ask again (the same charge) later.
    `requires_action`: the card's bank asks the traveler to confirm it (3-D Secure) at
    `action_url`; nothing is charged until they do, and it is asked again (the same charge)
    once they have."""

    intent_id: str
    status: Literal["succeeded", "failed", "processing", "requires_action"]
    reason: str | None = None  # why it failed, in the gateway's words (e.g. card_declined)
    card_last4: str | None = None  # the card's last four digits, when the gateway named them
    action_url: str | None = None  # `requires_action`: the bank's page


class ChangePayments(Protocol):
    """Moves a change's money: charges the difference to a card, or refunds it."""

    async def charge(
        self,
        order: Order,
        change_id: str,
        amount: Decimal,
        card_token: str,
        *,
        intent_id: str | None,
        origin: str | None = None,
    ) -> ChargeOutcome:
        """Charge `amount` for change `change_id` (one charge per change, ever: a retry asks
        for the same one, and `intent_id`, once known, is read instead of charging again), and
        wait a bounded time for its outcome. `origin`: the scheme and host the traveler's
        request came to, where their bank sends them back (3-D Secure) unless the web app's
        address is configured. Raises `kernel.errors.ServiceUnavailable` when the gateway cannot
        be reached."""

    async def cancel_charge(self, order: Order, change_id: str, intent_id: str) -> ChargeOutcome:
        """Cancel change `change_id`'s charge `intent_id`, left waiting for the traveler's bank
        (3-D Secure) too long, so it can never charge: `failed` once canceled; one the traveler
        confirmed meanwhile stands (`succeeded`, or `processing` while it settles). Raises
        `ServiceUnavailable` when the gateway cannot be reached (nothing changed: ask again)."""

    async def find_charge(self, order: Order, change_id: str) -> ChargeOutcome | None:
        """The charge made for change `change_id` whose id we never learned (its creation's
        answer was lost), as it is now; None when there is none. Raises `ServiceUnavailable`."""

    async def owe_refund(
        self,
        conn: asyncpg.Connection,
        order: Order,
        change_id: str,
        amount: Decimal,
        *,
        resumed: bool = False,
    ) -> None:
        """In the transaction that changes `order` (`conn`'s): `amount` is owed back, split
        across the order's fare charges latest first, seats bought later last (one refund per
        change, ever). `resumed`: a confirmation this request did not begin, which a process of
        an older release may have refunded before dying: owed so that its refund is replayed,
        never made twice. Raises `Conflict` when they hold less."""

    async def refund(self, order: Order, change_id: str, *, actor: str) -> None:
        """After that commit: ask the gateway for what change `change_id` owes back. A refusal
        or no answer leaves it owed (written on the order's history); the payment reconciler
        asks again. Raises `ServiceUnavailable` when the database cannot be reached."""

    async def refund_charge(
        self, order: Order, change_id: str, intent_id: str, amount: Decimal, *, actor: str
    ) -> None:
        """Give back the `amount` charged for change `change_id` by `intent_id` (the change did
        not stand); once ever: owed durably (written on the order's history), then asked of the
        gateway; a refusal or no answer stays owed for the payment reconciler. Raises
        `ServiceUnavailable` when the database cannot be reached (retry: owed once still)."""
