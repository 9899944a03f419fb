"""A confirmation's claim on its change offer, kept alive while it works.

A request (or a change sweeper round) claims a `confirming` offer for a lease
(booking/change_store.py), so nobody else resumes it meanwhile. A fixed lease cannot fit every
confirmation: an airline that answers slowly, a card that settles late, a busy database can
outlast it, and then the sweeper or a retry resumes an offer whose first request is still at it
— two confirmations deciding at once (one undoing at the airline what the other charges for).
So the claim is extended every third of its lease for as long as its work runs; once the work
ends (or its process dies) the extensions stop and the lease runs out as before. A claim found
lost all the same (this process stalled past its lease and another took the offer) stops the
work, as a dead process would stop: the one holding the claim settles the offer.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from booking.change_store import PgChanges
from kernel.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")


class HeldClaim:
    """The claim `token` on offer `change_id`, extended by `run` while its work runs."""

    def __init__(
        self, store: PgChanges, change_id: str, token: dt.datetime, *, lease_s: float
    ) -> None:
        self._store = store
        self.change_id = change_id
        self.token = token  # the claim as last written: extending or freeing it needs it
        self._lease_s = lease_s

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """`work`'s result, the claim held until it ends. `ServiceUnavailable` (retry) when the
        claim was lost: the work is cancelled."""
        task = asyncio.ensure_future(work)
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=self._lease_s / 3)
                if done:
                    return task.result()
                token = await self._store.extend(self.change_id, self.token, lease_s=self._lease_s)
                if token is None:
                    logger.error("change %s: its claim lapsed and was taken", self.change_id)
                    raise ServiceUnavailable(
                        "this change was taken over by another confirmation; retry"
                    )
                self.token = token
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    async def release(self) -> None:
        """Free the offer for a retry now (only while the claim is still this one)."""
        with contextlib.suppress(ServiceUnavailable):
            await self._store.release(self.change_id, self.token)
