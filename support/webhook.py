"""`POST /v1/support/webhook`: the helpdesk tells us what an agent did.

Nothing is read or written before the signature checks out (the payment webhook's scheme,
payment/webhooks.py: HMAC-SHA256 over `<t>.<raw body>`, 5 minutes either way, our helpdesk
secret): a forged, altered or stale delivery is a 400 and changes nothing.

- `case.replied`: the reply is stored and a `support.replied` outbox event written, in one
  transaction that also claims the event's id, so a redelivery changes nothing.
- `case.action_requested`: the modification runs through the order services as the agent
  (a support principal `helpdesk:<agent id>`, which the order's history names): cancel (a paid
  order is refunded), correct a passenger's name spelling, re-send the itinerary. Cancelling and
  correcting are idempotent in themselves; the event's id is recorded once the action is done,
  so a redelivery of a done action is a no-op. A refused action (an expired order, a correction
  past the limit) is acknowledged and logged: delivering it again would not change the answer.
  The order service being unavailable is a 503: the helpdesk delivers again later.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Sequence

import msgspec

from booking.amendments import Amendments
from booking.service import OrderService
from kernel.auth import Principal
from kernel.errors import BadRequest, DomainError, ServiceUnavailable, clipped
from kernel.http import refuse_byte_order_mark, refuse_nul_characters, refuse_repeated_names
from payment.webhooks import TOLERANCE_S, WebhookRejected, verify
from support import metrics
from support.model import HelpdeskEvent, decode_helpdesk_event
from support.repository import CaseRef, PgSupportRepository

logger = logging.getLogger(__name__)


def written_at(unix_s: float | None, now: dt.datetime) -> dt.datetime | None:
    """The helpdesk's time of a message, never after `now` (a helpdesk clock ahead of ours
    would date a reply in the future, below every later one); None (then: when it reached us)
    when it has none we can read."""
    if unix_s is None:
        return None
    try:
        return min(dt.datetime.fromtimestamp(unix_s, dt.UTC), now)
    except (OverflowError, OSError, ValueError):
        return None


def agent_principal(event: HelpdeskEvent) -> Principal:
    return Principal(subject=f"helpdesk:{event.agent.id}", roles=frozenset({"support"}))


class SupportWebhook:
    def __init__(
        self,
        repository: PgSupportRepository,
        orders: OrderService,
        amendments: Amendments,
        secrets: Sequence[str],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not secrets:
            raise ValueError("a helpdesk webhook secret is required")
        self._repository = repository
        self._orders = orders
        self._amendments = amendments
        self._secrets = tuple(secrets)
        self._clock = clock
        metrics.start_webhooks()  # this process takes helpdesk webhooks: its series from now on

    async def receive(self, body: bytes, signature: str | None) -> str:
        """Apply one delivery; what became of it (`applied`, `duplicate`, `refused`, `ignored`).
        Raises `BadRequest` (not from the helpdesk), `ValidationFailed` (an event repeating a
        member name, or starting with a byte order mark) and `ServiceUnavailable` (retry later)."""
        outcome = await self._receive(body, signature)
        metrics.WEBHOOKS.labels(outcome).inc()
        return outcome

    async def _receive(self, body: bytes, signature: str | None) -> str:
        event = self._authentic(body, signature)
        case = await self._repository.find(event.case_id, event.external_id)
        if case is None:
            # The helpdesk's id, signed but unbounded: clipped, as any client-supplied value.
            logger.warning("helpdesk event %s names no case of ours", clipped(event.id))
            return "ignored"
        if event.type == "case.replied" and event.message is not None:
            added = await self._repository.add_reply(
                event.id, case, agent=event.agent.name.strip() or None,
                body=event.message.body, outbox=await self._reply_event(case, event),
                written_at=written_at(event.message.at, dt.datetime.now(dt.UTC)),
            )  # fmt: skip
            return "applied" if added else "duplicate"
        if event.type == "case.action_requested" and event.action is not None:
            if await self._repository.applied(event.id):
                return "duplicate"
            outcome = await self._act(case, event)
            await self._repository.record(event.id, event.type)
            return outcome
        return "ignored"

    def _authentic(self, body: bytes, signature: str | None) -> HelpdeskEvent:
        try:
            verify(body, signature, self._secrets, now=self._clock(), tolerance_s=TOLERANCE_S)
        except WebhookRejected as exc:
            metrics.WEBHOOKS.labels("rejected").inc()
            logger.warning("helpdesk webhook rejected (%s): %s", exc.reason, exc.detail)
            raise BadRequest(f"webhook rejected: {exc.detail}", reason=exc.reason) from exc
        # Read last-one-wins, `{"type": "resend_itinerary", "type": "cancel"}` would cancel a
        # trip the helpdesk logged a resend for: a repeated name is refused, naming it.
        refuse_byte_order_mark(body)
        refuse_repeated_names(body)
        refuse_nul_characters(body)  # every string of it may be looked up or stored
        try:
            return decode_helpdesk_event(body)
        except msgspec.DecodeError as exc:
            raise BadRequest(f"not a helpdesk event: {exc}") from exc

    async def _act(self, case: CaseRef, event: HelpdeskEvent) -> str:
        action = event.action
        assert action is not None
        agent = agent_principal(event)
        try:
            if action.type == "cancel":
                await self._orders.cancel(agent, case.order_id)
            elif action.type == "correct_name":
                index = -1 if action.passenger_index is None else action.passenger_index
                await self._amendments.correct_name(
                    case.order_id, index, action.given_name or "", action.family_name or "",
                    actor=agent.subject,
                )  # fmt: skip
            elif action.type == "resend_itinerary":
                await self._amendments.resend_itinerary(case.order_id, actor=agent.subject)
            else:
                return "ignored"
        except ServiceUnavailable:
            raise
        except DomainError as exc:
            logger.warning(
                "helpdesk action %s (%s) on %s refused: %s", clipped(event.id), action.type,
                case.order_id, exc,
            )  # fmt: skip
            return "refused"
        return "applied"

    async def _reply_event(self, case: CaseRef, event: HelpdeskEvent) -> dict[str, object]:
        """The `support.replied` event: the order's snapshot and contact, as order events carry
        them (the notification worker reads both), and the reply."""
        order = await self._orders.repository.get(case.order_id)
        assert order is not None
        assert event.message is not None
        return {
            "id": str(uuid.uuid4()),
            "type": "support.replied",
            "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
            "order": msgspec.to_builtins(order.snapshot()),
            "contact": msgspec.to_builtins(order.contact()),
            "owner": order.owner,
            "reply": {
                "case_id": case.id,
                "subject": case.subject,
                "body": event.message.body,
                "agent": event.agent.name.strip(),
            },
        }
