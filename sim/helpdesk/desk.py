"""The helpdesk's state: cases with their messages and the bookings agents see, and the webhook
events agents' actions raise (delivered by the payment sim's dispatcher: signed, retried).

A case is opened by the integration (Skyfare) with a subject, the traveler's first message and
the booking's context; agents then reply, or request a booking modification, through the control
API (`control.py`), which is what a person clicking in the helpdesk's screen would do.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

import msgspec
from aiohttp import web

from sim.payments.webhooks import Dispatcher, WebhookConfig

DEV_API_KEY = "hd_test_skyfare_sim"
DEV_WEBHOOK_SECRET = "whsec_helpdesk_dev_only"
DEFAULT_WEBHOOK_URL = "http://127.0.0.1:8080/v1/support/webhook"

CaseStatus = Literal["new", "open", "pending", "solved"]
ActionType = Literal["cancel", "correct_name", "resend_itinerary"]


class Message(msgspec.Struct):
    id: str
    author: Literal["customer", "agent"]
    body: str
    at: float
    agent_id: str | None = None


class Case(msgspec.Struct):
    id: str
    external_id: str  # the integration's own id for the case
    subject: str
    status: CaseStatus
    requester: dict[str, Any]  # name, email as the integration gave them
    context: dict[str, Any]  # the booking as the integration described it
    messages: list[Message]
    created_at: float
    booking_updates: list[dict[str, Any]] = msgspec.field(default_factory=list)


class Agent(msgspec.Struct, frozen=True):
    id: str
    name: str


class Action(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    type: ActionType
    passenger_index: int | None = None
    given_name: str | None = None
    family_name: str | None = None
    note: str | None = None


class WebhookEvent(msgspec.Struct, frozen=True):
    """What the helpdesk POSTs when an agent acts: `case.replied` or `case.action_requested`."""

    id: str
    type: str
    created: int
    case_id: str
    external_id: str
    agent: Agent
    message: Message | None = None
    action: Action | None = None


class HelpdeskConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    api_key: str = DEV_API_KEY
    webhook: WebhookConfig = WebhookConfig(url=DEFAULT_WEBHOOK_URL, secrets=(DEV_WEBHOOK_SECRET,))


class HelpdeskSim:
    def __init__(self, config: HelpdeskConfig, *, seed: int) -> None:
        self.start_config = config
        self.api_key = config.api_key
        self.webhooks = Dispatcher(config.webhook, seed=seed, name="helpdesk")
        self.cases: dict[str, Case] = {}
        self.events: dict[str, WebhookEvent] = {}
        self.seen_updates: set[str] = set()
        self._ids = itertools.count(1)

    def next_id(self, prefix: str) -> str:
        # Unique across restarts, as a real helpdesk's are: the integration's database
        # outlives a sim (a counter, for reading order, and random bits).
        return f"{prefix}_{next(self._ids):06d}{uuid.uuid4().hex[:10]}"

    async def lifecycle(self, _app: web.Application) -> AsyncIterator[None]:
        await self.webhooks.start()
        yield
        await self.webhooks.stop()

    def open_case(
        self, external_id: str, subject: str, body: str, requester: dict[str, Any],
        context: dict[str, Any],
    ) -> Case:  # fmt: skip
        for case in self.cases.values():  # the integration retried: the same case again
            if case.external_id == external_id:
                return case
        now = time.time()
        first = Message(self.next_id("msg"), "customer", body, now)
        case = Case(
            self.next_id("hdc"), external_id, subject, "new", requester, context, [first], now
        )
        self.cases[case.id] = case
        return case

    def act(self, case: Case, agent: Agent, *, reply: str | None, action: Action | None) -> str:
        """An agent replies or requests a modification: recorded, and the webhook raised."""
        message = None
        if reply is not None:
            message = Message(self.next_id("msg"), "agent", reply, time.time(), agent.id)
            case.messages.append(message)
            case.status = "pending"
        event = WebhookEvent(
            id=self.next_id("hde"),
            type="case.replied" if action is None else "case.action_requested",
            created=int(time.time()),
            case_id=case.id,
            external_id=case.external_id,
            agent=agent,
            message=message,
            action=action,
        )
        self.events[event.id] = event
        self.webhooks.emit(event)
        return event.id

    def booking_update(self, reference: str, update: dict[str, Any]) -> int:
        """An order event for `reference`, attached to its cases once per event id."""
        event_id = str(update.get("id", ""))
        if event_id in self.seen_updates:
            return 0
        self.seen_updates.add(event_id)
        touched = 0
        for case in self.cases.values():
            if case.context.get("booking_reference") == reference:
                case.booking_updates.append(update)
                case.context = {**case.context, "status": update.get("status")}
                touched += 1
        return touched

    def reset(self) -> None:
        self.webhooks.clear()
        self.webhooks.config = self.start_config.webhook
        self.api_key = self.start_config.api_key
        self.cases.clear()
        self.events.clear()
        self.seen_updates.clear()


HELPDESK: web.AppKey[HelpdeskSim] = web.AppKey("sim_helpdesk", HelpdeskSim)
