"""Creating an order (`POST /v1/orders`), idempotently: `OrderCreation`, the base of `OrderService`.

Create: look the Idempotency-Key up (read-only) → re-price with the airline → ONE statement that
takes the owner's lock, checks the limits, claims the key with its recovery point set and inserts
the order `pending` → hold at the airline with `reference=order.id` (the airline dedups on it, so
a retried hold never books twice) → `held` + the stored answer in one transaction → 201.
The look-up answers before the airline is asked: a replay gets the stored answer, a request
still in progress with the key gets 409, another request under the key 422, and an attempt that
created its order and never answered (its lease lapsed) is taken over and resumed. Until the
insert nothing is written: a refused re-price, invalid passengers or a limited order leave no
key behind, and the same request may be sent again.
The one race the look-up cannot see: a duplicate sent while the first request is being
re-priced finds no key, so it re-prices too; the insert lets one of them claim the key and the
other writes nothing and answers from the key as if it had come later (409 in progress, or the
stored answer). Either way one order per key, and never a second hold.
An airline that refuses fails the order and the refusal is the stored answer; an airline that
does not answer leaves the order `pending` (the reconciler resolves it) and the key's lease is
cleared, so the client's retry with the same key resumes this very order.
Passengers given as `traveler_id` are resolved through `SavedTravelers` after the look-up (so a
replay answers from the key, whatever became of the saved traveler since) and copied into the
order: the order keeps the traveler as booked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Coroutine, Mapping
from typing import Any

import msgspec

from booking import metrics
from booking.airline import Airline
from booking.history_details import noted
from booking.idempotency import (
    Claimed,
    Completion,
    Fingerprint,
    KeyTaken,
    PgIdempotencyStore,
    Replay,
    StoredResponse,
    claimed_concurrently,
    stored_error,
)
from booking.limits import OrderLimits, held_change, hold_deadline
from booking.model import (
    CreateOrderRequest,
    FareTerms,
    NewOrder,
    Order,
    OrderSeat,
    Passenger,
    PassengerInput,
    PaymentMethod,
    TravelerPassenger,
)
from booking.money import nothing_charged
from booking.order_view import OrderView
from booking.ports import PaymentStarter, PriceChecks, Refunds, SavedTravelers
from booking.references import new_order_id
from booking.repository import OrderRepository
from booking.seat_booking import SeatsAtBooking, seats_total
from booking.state import Change
from booking.validation import check_against_offer, check_distinct
from connectors.base import Connector
from kernel.auth import Principal
from kernel.errors import (
    Conflict,
    DomainError,
    FieldError,
    LimitReached,
    ServiceUnavailable,
    ValidationFailed,
)

_encoder = msgspec.json.Encoder()
NO_INSTANT = "instant orders need a payment method: not enabled on this deployment"
NO_SAVED_TRAVELERS = "saved travelers are not available on this deployment"
UNKNOWN_TRAVELER = "no such saved traveler of yours"


def created_response(order: Order) -> StoredResponse:
    """The answer to a successful `POST /v1/orders`: 201 and the order's public view, which
    nothing was charged for yet (an instant order's payment is captured later, by webhook)."""
    return StoredResponse(201, _encoder.encode(OrderView.of(order, nothing_charged(order))))


class OrderCreation:
    """Orders for travelers, as far as creating them goes (`OrderService` adds reading and
    cancelling); raises `kernel.errors` for the views.

    `connectors` by name (the name an offer id carries). Airline calls get `price_timeout_s` /
    `hold_timeout_s`; both must be well inside the idempotency lease. `limits` caps each
    traveler's open holds (support tokens are exempt: agents book for many travelers, and every
    change they make is in the order's history); `hold_window_s` shortens the airline's payment
    deadline (booking/limits.py). None: neither applies.
    """

    def __init__(
        self,
        repository: OrderRepository,
        keys: PgIdempotencyStore,
        connectors: Mapping[str, Connector],
        *,
        price_timeout_s: float,
        hold_timeout_s: float,
        limits: OrderLimits | None = None,
        hold_window_s: float | None = None,
    ) -> None:
        self.repository = repository
        self._limits = limits
        self._hold_window_s = hold_window_s
        self.keys = keys
        self.airline = Airline(
            connectors, price_timeout_s=price_timeout_s, hold_timeout_s=hold_timeout_s
        )
        self.seats = SeatsAtBooking(timeout_s=hold_timeout_s)
        self._payments: PaymentStarter | None = None
        self._refunds: Refunds | None = None
        self._travelers: SavedTravelers | None = None
        metrics.start_orders()  # this process takes orders: its series from now on

    def use_payments(self, starter: PaymentStarter | None, refunds: Refunds | None) -> None:
        """Enable `instant` orders (`starter`) and cancelling paid orders (`refunds`)."""
        self._payments = starter
        self._refunds = refunds

    def use_price_checks(self, checks: PriceChecks | None) -> None:
        """Tell `checks` (the fare cache) what re-pricing each offer with its airline found."""
        self.airline.checks = checks

    @property
    def refunds(self) -> Refunds | None:
        """What gives a cancelled order's money back (None: paid orders cannot be cancelled)."""
        return self._refunds

    def use_saved_travelers(self, travelers: SavedTravelers | None) -> None:
        """Accept passengers given as `traveler_id`, looked up in `travelers`."""
        self._travelers = travelers

    # -- create -------------------------------------------------------------------------------

    def check_enabled(self, request: CreateOrderRequest) -> None:
        """`ValidationFailed` for what this deployment does not offer (instant orders without
        payments, saved travelers without a user service), before the key is looked up."""
        errors = []
        if request.type == "instant" and self._payments is None:
            errors.append(FieldError("type", NO_INSTANT))
        if self._travelers is None:
            errors.extend(
                FieldError(f"passengers[{i}].traveler_id", NO_SAVED_TRAVELERS)
                for i, p in enumerate(request.passengers)
                if isinstance(p, TravelerPassenger)
            )
        if errors:
            raise ValidationFailed(errors)

    async def resolve_passengers(
        self, owner: str, passengers: tuple[PassengerInput, ...]
    ) -> tuple[Passenger, ...]:
        """The passengers with each saved traveler copied in; `ValidationFailed` naming every
        `traveler_id` that is not one of `owner`'s, then each passenger who is an earlier one
        again (`check_distinct`)."""
        found: list[Passenger] = []
        errors: list[FieldError] = []
        for i, p in enumerate(passengers):
            resolved = p if isinstance(p, Passenger) else await self._saved(owner, p)
            if resolved is None:
                errors.append(FieldError(f"passengers[{i}].traveler_id", UNKNOWN_TRAVELER))
            else:
                found.append(resolved)
        if errors:
            raise ValidationFailed(errors)
        check_distinct(tuple(found), passengers)
        return tuple(found)

    async def _saved(self, owner: str, p: TravelerPassenger) -> Passenger | None:
        saved = (
            None
            if self._travelers is None
            else await self._travelers.traveler(owner, p.traveler_id)
        )
        if saved is None:
            return None
        names = (saved.given_name, saved.family_name)
        return Passenger(
            p.type, *names, saved.born_on, saved.gender, p.email, p.phone_number,
            p.infant_passenger_id,
        )  # fmt: skip

    async def create(
        self, principal: Principal, key: str, request: CreateOrderRequest, fp: Fingerprint
    ) -> StoredResponse:
        """The answer to `POST /v1/orders` (a 2xx), or raises the error answer."""
        self.check_enabled(request)
        owner = principal.subject
        limits = None if principal.is_support else self._limits
        # A key taken by another request between our look-up and our insert is looked up again;
        # a key that vanished meanwhile (expired) is claimed again: at most a few turns.
        for _ in range(3):
            found = await self._look_up(owner, key, fp)
            if isinstance(found, Replay):
                metrics.order_outcome("replayed")
                return found.answer()
            if isinstance(found, Claimed):  # an earlier attempt's order, never answered
                resumed = self._resume_claimed(found, key, request.payment)
                return await self._attempt(owner, key, resumed)
            try:
                order = await self._new_order(owner, key, request, fp, limits)
            except BaseException as exc:  # nothing was written: the key stays free
                metrics.order_outcome(_outcome_of(exc))
                raise
            if order is not None:
                return await self._attempt(owner, key, self._hold(order, key, request.payment))
        raise claimed_concurrently()

    async def _look_up(self, owner: str, key: str, fp: Fingerprint) -> Claimed | Replay | None:
        try:
            return await self.keys.look_up(owner, key, fp)
        except Conflict:
            metrics.order_outcome("in_progress")
            raise

    async def _attempt(
        self, owner: str, key: str, answer: Coroutine[Any, Any, StoredResponse]
    ) -> StoredResponse:
        """`answer`, made while this request holds the key (an order exists under it)."""
        try:
            response = await answer
        except BaseException as exc:
            metrics.order_outcome(_outcome_of(exc))
            # An answer stored with the change stays; otherwise the key keeps naming the order
            # and its lease is cleared, so a retry resumes it at once.
            with contextlib.suppress(ServiceUnavailable):
                await self.keys.release(owner, key)
            raise
        metrics.order_outcome("held")
        return response

    async def _resume_claimed(
        self, claim: Claimed, key: str, payment: PaymentMethod | None
    ) -> StoredResponse:
        assert claim.resource_id is not None  # `look_up` hands over only a key naming an order
        order = await self.repository.get(claim.resource_id)
        if order is None:  # orders are never deleted: the key points at another database
            raise ServiceUnavailable("this Idempotency-Key's order cannot be found")
        return await self._resume(order, key, payment)

    async def _new_order(
        self,
        owner: str,
        key: str,
        request: CreateOrderRequest,
        fp: Fingerprint,
        limits: OrderLimits | None,
    ) -> Order | None:
        """Re-price and insert the order `pending`, claiming the key in the same statement; None
        if another request claimed the key first (nothing written: answer from the key)."""
        passengers = await self.resolve_passengers(owner, request.passengers)
        offer = await self.airline.price(request.offer_id)
        check_against_offer(passengers, offer.passengers, offer.departs_on, offer.last_departs_on)
        connector = self.airline.connector(offer.connector)
        seats: tuple[OrderSeat, ...] = ()
        if request.services and connector is not None:
            seats = await self.seats.quote(connector, offer, passengers, request.services)
        new = NewOrder(
            id=new_order_id(),
            owner=owner,
            type=request.type,
            offer_id=request.offer_id,
            connector=offer.connector,
            total_amount=offer.priced.total_amount + seats_total(seats),
            total_currency=offer.priced.total_currency,
            slices=offer.priced.slices,
            passengers=passengers,
            seats=seats,
            terms=FareTerms(
                offer.priced.tax_amount,
                offer.priced.conditions.refundable,
                offer.priced.conditions.changeable,
            ),
        )
        claim = self.keys.new_key(owner, key, fp)
        try:
            return await self.repository.create(new, actor=owner, limits=limits, claim=claim)
        except KeyTaken:
            return None
        except LimitReached:
            # Over a cap, maybe because of this very key's order (a duplicate of a request that
            # just made it): the key answers for it, as it would have had it been claimed first.
            if await self.keys.in_use(owner, key):
                return None
            raise

    async def _hold(self, order: Order, key: str, payment: PaymentMethod | None) -> StoredResponse:
        outcome = await self.airline.hold(order)
        completion = Completion(order.owner, key, created_response)
        if isinstance(outcome, DomainError):
            return await self._refused(order, key, payment, outcome, "the hold")
        connector = self.airline.connector(order.connector)
        refusal = (
            None if connector is None else await self.seats.hold(connector, order, outcome.locator)
        )
        if refusal is not None:
            return await self._refused(order, key, payment, refusal, "a seat")
        change = held_change(order, outcome, self._hold_window_s, "held at the airline")
        instant = order.type == "instant"
        held = await self.repository.transition(
            order.id,
            change,
            actor="booking",
            completion=None if instant else completion,
            expected=order,
        )
        if held is None:  # the reconciler got there first
            return await self._answer_current(order.id, key, payment)
        if instant:
            return await self._start_payment(held, key, payment)
        return created_response(held)

    async def _refused(
        self, order: Order, key: str, payment: PaymentMethod | None, error: DomainError, what: str
    ) -> StoredResponse:
        """The airline refused `what` (the hold, a seat): the order fails (never shown) and
        `error` is the key's answer."""
        refused = Completion(order.owner, key, lambda _: stored_error(error))
        change = Change(
            from_status=("pending",),
            to_status="failed",
            reason=f"the airline refused {what}",
            details=noted(what),
            failure_reason=error.detail[:500],
        )
        refusal_stored = await self.repository.transition(
            order.id, change, actor="booking", completion=refused, expected=order
        )
        if refusal_stored:
            raise error
        return await self._answer_current(order.id, key, payment)

    def payment_deadline(self, order: Order, airline_deadline: dt.datetime) -> dt.datetime:
        """When `order`'s hold must be paid: the airline's limit, shortened by the hold window."""
        return hold_deadline(order, airline_deadline, self._hold_window_s)

    async def _resume(
        self, order: Order, key: str, payment: PaymentMethod | None
    ) -> StoredResponse:
        """A retry after an attempt that created `order` and never answered."""
        if order.status == "pending":
            return await self._hold(order, key, payment)
        return await self._answer_current(order.id, key, payment)

    async def _answer_current(
        self, order_id: str, key: str, payment: PaymentMethod | None
    ) -> StoredResponse:
        """Answer with the order as it is now (someone else moved it), and store the answer."""
        order = await self.repository.get(order_id)
        if order is None or order.status == "pending":
            raise ServiceUnavailable("the airline has not confirmed the hold yet; retry shortly")
        if order.status == "failed":
            error = Conflict(f"the airline refused the hold: {order.failure_reason}")
            await self.keys.complete(order.owner, key, stored_error(error))
            raise error
        if order.type == "instant" and order.status == "held" and order.payment_status == "unpaid":
            return await self._start_payment(order, key, payment)
        response = created_response(order)
        await self.keys.complete(order.owner, key, response)
        return response

    async def _start_payment(
        self, order: Order, key: str, payment: PaymentMethod | None
    ) -> StoredResponse:
        if self._payments is None or payment is None:
            raise ServiceUnavailable(NO_INSTANT)
        completion = Completion(order.owner, key, created_response)
        started = await self._payments.start(
            order, payment, actor=order.owner, completion=completion
        )
        return created_response(started)


def _outcome_of(exc: BaseException) -> metrics.CreateOutcome:
    if isinstance(exc, ValidationFailed):
        return "invalid"
    if isinstance(exc, LimitReached):
        return "limited"
    if isinstance(exc, DomainError) and not isinstance(exc, ServiceUnavailable):
        return "refused"
    return "unknown"
