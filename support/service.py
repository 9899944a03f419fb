"""`SupportService`: travelers open cases about their orders and read them back.

A traveler names one of their orders; an anonymous caller names a booking reference and a family
name on it, and is rate-limited per client address. A wrong pair and an unknown reference get
the very same 404, so the route cannot be used to learn which references exist. The case is
opened in the helpdesk first (it dedups on our case id, so a retry finds the same case), then
stored with the traveler's first message. An `Idempotency-Key` (optional: the contract's route
never required one) makes a double submit or a retry after a lost answer one case, with Stripe's
semantics as orders and payments have them (booking/idempotency.py); a replayed answer does not
count against an anonymous address's limit.

The order's context for the agent is an allow-list: reference, status, money, flights and
passenger names. Orders hold no card data and no document numbers, and nothing else is copied.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, Protocol

import msgspec

from booking.idempotency import (
    Fingerprint,
    PgIdempotencyStore,
    Replay,
    StoredResponse,
)
from booking.model import VISIBLE_STATUSES, Order
from booking.service import OrderService
from kernel.auth import Principal
from kernel.cursors import Position, one_page
from kernel.errors import NotFound, ServiceUnavailable
from kernel.names import comparable_name
from support import metrics
from support.helpdesk import Helpdesk, HelpdeskUnavailable
from support.model import CaseView, OpenCaseRequest
from support.repository import ANONYMOUS_OWNER, PgSupportRepository, new_case_id

logger = logging.getLogger(__name__)

NO_BOOKING = "no booking with this reference and family name"

_encoder = msgspec.json.Encoder()


def _created(case: CaseView) -> StoredResponse:
    return StoredResponse(201, _encoder.encode(case))


class AddressLimit(Protocol):
    """The rate limit of anonymous case openings, per client address."""

    async def spend(self, address: str) -> None:
        """Take one opening from the address's allowance; `RateLimited` past it."""

    async def refund(self, address: str) -> None:
        """Give back what `spend` took, for a request that opened nothing (a replay)."""


def order_context(order: Order) -> dict[str, Any]:
    """What an agent sees of the order (an allow-list: never card data, never documents)."""
    return {
        "order_id": order.id,
        "booking_reference": order.booking_reference,
        "status": order.status,
        "payment_status": order.payment_status,
        "total_amount": str(order.total_amount),
        "total_currency": order.total_currency,
        "flights": [
            {
                "origin": segment.origin,
                "destination": segment.destination,
                "departing_at": segment.departing_at.isoformat(),
                "flight": segment.flight_number,  # carrier and number: "BA117"
            }
            for slice_ in order.slices
            for segment in slice_.segments
        ],
        "passengers": [
            {"given_name": p.given_name, "family_name": p.family_name, "type": p.type}
            for p in order.passengers
        ],
    }


class SupportService:
    def __init__(
        self,
        repository: PgSupportRepository,
        orders: OrderService,
        helpdesk: Helpdesk,
        *,
        keys: PgIdempotencyStore,
        address_limit: AddressLimit,
    ) -> None:
        self._repository = repository
        self._keys = keys
        self._orders = orders
        self._helpdesk = helpdesk
        self._address_limit = address_limit
        metrics.start_cases()  # this process opens cases: its series from now on

    async def open_case(
        self,
        principal: Principal | None,
        request: OpenCaseRequest,
        *,
        address: str,
        key: str | None = None,
        fingerprint: Fingerprint | None = None,
    ) -> StoredResponse:
        """Open a case: the 201 with the case; `NotFound` for an order that is not the caller's
        (or no such booking), `Forbidden` for support staff naming another traveler's order,
        `RateLimited` for an anonymous address past its limit, `ServiceUnavailable` when the
        helpdesk cannot be reached (nothing stored). With an Idempotency-Key (`key`, and the
        request's `fingerprint`): the first answer again to a retry, `Conflict` while the first
        is in progress, `ValidationFailed` for another request with the key."""
        if principal is None:
            # Spent before the booking is looked up, whatever the answer, so neither the answer
            # nor its time says which references exist past the limit; a replay gives it back.
            await self._address_limit.spend(address)
            order = await self._anonymous_order(request)
        else:
            assert request.order_id is not None  # checked by check_open
            # The caller's own order: support staff may read any order, but a case opened here
            # speaks as the order's traveler, and its replies are mailed to them (`Forbidden`).
            order = await self._orders.own(principal, request.order_id)
        if key is None:
            return _created(await self._open(principal, request, order, new_case_id()))
        assert fingerprint is not None
        # An anonymous caller's keys are scoped to the booking they named.
        owner = f"{ANONYMOUS_OWNER}{order.id}" if principal is None else principal.subject
        claim = await self._keys.claim(owner, key, fingerprint)
        if isinstance(claim, Replay):
            if principal is None:  # a retry of an answered request: it opened nothing
                await self._address_limit.refund(address)
            return claim.answer()
        try:
            # The case id is named on the key first: a retry after a lost answer resumes this
            # very case (the helpdesk dedups on it, the repository stores it once).
            case_id = claim.resource_id or await self._keys.name_resource(owner, key, new_case_id())
            answer = _created(await self._open(principal, request, order, case_id))
            await self._keys.complete(owner, key, answer)
            return answer
        except BaseException:
            with contextlib.suppress(ServiceUnavailable):
                await self._keys.release(owner, key)
            raise

    async def _open(
        self, principal: Principal | None, request: OpenCaseRequest, order: Order, case_id: str
    ) -> CaseView:
        contact = order.contact()
        requester = {
            "name": f"{contact.given_name} {contact.family_name}" if contact else "",
            "email": contact.email if contact else None,
            "authenticated": principal is not None,
        }
        try:
            helpdesk_id = await self._helpdesk.open_case(
                case_id, request.subject, request.message,
                requester=requester, context=order_context(order),
            )  # fmt: skip
        except HelpdeskUnavailable as exc:
            logger.warning("support: case for %s not opened: %s", order.id, exc)
            raise ServiceUnavailable("the support desk cannot be reached; retry shortly") from exc
        created = await self._repository.create(
            case_id,
            owner=None if principal is None else principal.subject,
            order_id=order.id,
            helpdesk_id=helpdesk_id,
            subject=request.subject,
            message=request.message,
        )
        if created:
            metrics.CASES_OPENED.labels("anonymous" if principal is None else "traveler").inc()
        case = await self._repository.get(case_id)
        assert case is not None
        return case

    async def _anonymous_order(self, request: OpenCaseRequest) -> Order:
        assert request.booking_reference is not None
        assert request.family_name is not None
        # One query whatever the pair: the order is loaded only once the name matched, so a
        # wrong name is answered as fast as an unknown reference (the same 404 either way).
        found = await self._repository.booking_by_reference(request.booking_reference)
        wanted = comparable_name(request.family_name)
        if (
            found is None
            or found.status not in VISIBLE_STATUSES
            or all(comparable_name(name) != wanted for name in found.family_names)
        ):
            raise NotFound(NO_BOOKING)  # the same answer for a wrong pair as for no booking
        order = await self._orders.repository.get(found.order_id)
        if order is None or not order.visible:  # gone or moved since: as if never found
            raise NotFound(NO_BOOKING)
        return order

    async def list_cases(
        self, principal: Principal, *, limit: int, after: Position | None
    ) -> tuple[list[CaseView], Position | None]:
        """A page of the cases the caller opened, newest first, and where the next page starts
        (None on the last page)."""
        cases = await self._repository.cases_of(principal.subject, limit=limit + 1, after=after)
        return one_page(cases, limit, lambda case: Position(case.created_at, case.id))
