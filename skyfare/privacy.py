"""The traveler's own data, across packages: `GET /v1/me/export` and `DELETE /v1/me`.

Composition-level because it combines the user service (users/: the profile and saved
travelers) with booking (orders, their history and passengers) and payment (payments):
- export: everything held about the caller, as one JSON attachment — their profile and saved
  travelers (document numbers revealed: it is their own copy), and every order of theirs in every
  status, with its passengers, history, payments, seat charges (seats bought after booking) and
  change charges (a flight change's difference put to a card: payment/exported_charges.py).
  It also lists their support cases (support/): those they opened, and those opened anonymously
  about their orders, with every message.
- delete: booking first removes the contact details of the caller's orders' passengers
  (booking/personal_data.py; refused with 409, nothing erased, while an order is in flight), then
  the words of their support cases (subjects and messages) are erased, each case's row staying,
  anonymised, beside the order it was about; the user service erases the profile and saved
  travelers last, because the erasure's confirmation to the traveler is written in that
  transaction: it is sent only once everything else is erased. Orders and their charges
  (payments, seat charges, change charges) are kept, with the reason in the answer. Asking
  again erases nothing more and answers the same shape, so a client that lost the first answer
  may retry; a failure between the steps (503) is finished by the retry.
  Once all that is done, every session of the account signed in before is ended on every
  process (skyfare/auth/cutoffs.py): the erasing token included, so asking again takes a new
  sign-in. Ended last, so that a failure before leaves the token for the retry; when ending
  them fails the answer is a 503 and the retry, which erases nothing more, ends them.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import NamedTuple, Protocol

import asyncpg
import msgspec
from aiohttp import web

from booking.events import Contact
from booking.history import ExportedStep, exported_steps
from booking.model import (
    FareTerms,
    LastChange,
    Order,
    OrderSeat,
    OrderStatus,
    OrderType,
    Passenger,
)
from booking.model import PaymentStatus as OrderPaymentStatus
from booking.personal_data import PgPersonalData
from booking.rows import HistoryRow
from connectors.model import Slice
from kernel.auth import principal as caller
from kernel.errors import ServiceUnavailable
from kernel.http import refuse_body
from kernel.openapi import Operation
from payment.exported_charges import ChangeChargeRecord, PgExportedCharges, SeatChargeRecord
from payment.model import Payment, PaymentStatus
from payment.repository import PgPaymentRepository
from skyfare.auth.cutoffs import CutoffUnavailable
from support.model import CaseView
from support.repository import PgSupportRepository
from users.model import ErasedUser, ProfileFields, UserExport
from users.repository import Farewell

ORDERS_KEPT = (
    "Orders are kept for the retention period bookkeeping and tax law require, and as the "
    "record of the contract with the airline: the passengers' names, birth dates and genders "
    "stay as ticketed; their emails and phone numbers were removed."
)
PAYMENTS_KEPT = (
    "Payments are accounting records kept for the same period; they hold amounts and the "
    "payment gateway's references, never a card number."
)
SEAT_CHARGES_KEPT = (
    "Seat charges (seats bought after booking) are accounting records kept for the same "
    "period; they hold the seats, amounts and the payment gateway's references, never a card "
    "number."
)
CHANGE_CHARGES_KEPT = (
    "Change charges (a flight change's difference put to a card) are accounting records kept "
    "for the same period; they hold the new flight, amounts and the payment gateway's "
    "references, never a card number."
)
CASES_KEPT = (
    "Support cases are kept as the record that the service was given, beside the order they "
    "were about, with their subjects and messages erased."
)
SIGN_IN_NOTE = (
    "Your sign-in account is held by the identity provider, not by this service: close it "
    "there. Signing in again starts a new, empty profile."
)


class UserData(Protocol):
    """The user service's side of a traveler's data (users.service.UserService)."""

    async def export(self, subject: str) -> UserExport:
        """Everything the user service holds about `subject`."""

    async def erase(self, subject: str, *, farewell: Farewell | None = None) -> ErasedUser:
        """Erase `subject`'s profile and saved travelers; idempotent. `farewell` runs in the
        erasure's transaction with the profile it deletes (users/repository.py)."""


class SessionEnder(Protocol):
    """Ends, on every process, the sessions of a subject signed in before `at` (unix s);
    `CutoffUnavailable` when it cannot (skyfare/auth/cutoffs.py: `SessionCutoffs`)."""

    async def end_sessions(self, subject: str, *, at: float) -> None: ...


class PaymentRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A payment as exported: every column but the owner (the caller)."""

    id: str
    order_id: str
    amount: Decimal
    currency: str
    status: PaymentStatus  # the payment's own: processing, succeeded, failed, refunding, refunded
    gateway_intent_id: str | None
    failure_reason: str | None
    refund_reason: str | None
    gateway_refund_id: str | None
    refunded_amount: Decimal | None
    created_at: dt.datetime
    updated_at: dt.datetime
    refunded_at: dt.datetime | None
    card_last4: str | None = None  # the card's last four digits, as the gateway named them
    # Of `refunded_amount`, what the gateway's dashboard gave back rather than Skyfare.
    by_gateway: Decimal = Decimal("0.00")
    # The bank's page the payment waited on (3-D Secure), as its order showed it
    # (`payment_next_action`); None for any other payment.
    action_url: str | None = None

    @classmethod
    def of(cls, payment: Payment) -> PaymentRecord:
        fields = msgspec.structs.asdict(payment)
        for internal in PAYMENT_FIELDS_NOT_EXPORTED:
            del fields[internal]
        return cls(**fields)


# What an export leaves out of the stored Structs: the owner is the caller, the rest internal
# (an order's `version` is its row version, for guarding changes; a payment's `refund_attempt`
# counts the gateway's refusals, for its idempotency keys; an order's `payment_action_url` is
# its payment's `action_url` read through it, exported with the payment; its
# `change_at_the_bank` a flight change's bank's page read through it, while the change waits).
# ExportedOrder and PaymentRecord are every other field of Order and Payment, declared again
# only so that the export's schema reads in the API's order; tests/unit/skyfare/
# test_privacy_export.py fails when a field is added to one side and not the other.
ORDER_FIELDS_NOT_EXPORTED = (
    "owner",
    "connector",
    "version",
    "payment_action_url",
    "change_at_the_bank",
)
PAYMENT_FIELDS_NOT_EXPORTED = ("owner", "order_paid", "order_failure_reason", "refund_attempt")
# Columns of `payments` no `Payment` holds, so none exported: when the reconciler last asked
# the gateway about it and when the audit last read it (their schedules, payment/sql/0208, 0213).
PAYMENT_COLUMNS_NOT_READ = ("asked_at", "audited_at")


class ExportedOrder(msgspec.Struct, frozen=True, kw_only=True):
    """An order as exported: as stored (internal statuses included), with its changes and
    every charge of it: payments, seat charges and change charges."""

    id: str
    booking_reference: str
    type: OrderType
    status: OrderStatus
    payment_status: OrderPaymentStatus
    payment_required_by: dt.datetime | None
    total_amount: Decimal
    total_currency: str
    slices: tuple[Slice, ...]
    passengers: tuple[Passenger, ...]
    airline_locator: str | None
    ticket_numbers: tuple[str, ...]
    failure_reason: str | None
    offer_id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    history: tuple[ExportedStep, ...]  # each with its details, as the history route's
    payments: tuple[PaymentRecord, ...]
    seat_charges: tuple[SeatChargeRecord, ...]  # seats bought after booking
    change_charges: tuple[ChangeChargeRecord, ...]  # flight changes' differences charged
    terms: FareTerms | None = None  # the taxes and fare conditions it was sold under
    last_change: LastChange | None = None  # how its last flight change ended
    seats: tuple[OrderSeat, ...] = ()  # each passenger's seat per segment
    payment_decline_code: str | None = None  # why its failed payment was declined

    @classmethod
    def of(cls, order: Order, history: Sequence[HistoryRow], charges: Charges) -> ExportedOrder:
        """`order` with its history and those of `charges` that are its own."""
        fields = msgspec.structs.asdict(order)
        for internal in ORDER_FIELDS_NOT_EXPORTED:
            del fields[internal]
        return cls(
            **fields,
            history=exported_steps(history, order.passengers),
            payments=tuple(PaymentRecord.of(p) for p in charges.payments if p.order_id == order.id),
            seat_charges=tuple(c for c in charges.seats if c.order_id == order.id),
            change_charges=tuple(c for c in charges.changes if c.order_id == order.id),
        )


class Charges(NamedTuple):
    """Every charge of a traveler's orders, each order's picked out by `ExportedOrder.of`."""

    payments: Sequence[Payment] = ()
    seats: Sequence[SeatChargeRecord] = ()
    changes: Sequence[ChangeChargeRecord] = ()


class DataExport(msgspec.Struct, frozen=True, kw_only=True):
    """`GET /v1/me/export`: everything this service holds about the caller."""

    subject: str
    exported_at: dt.datetime
    user: UserExport
    orders: tuple[ExportedOrder, ...]
    support_cases: tuple[CaseView, ...] = ()  # opened by them, or anonymously about their orders


class Erased(msgspec.Struct, frozen=True, kw_only=True):
    profile: bool
    saved_travelers: int
    passengers_contact_details: int  # passengers whose email and phone number were removed
    support_cases: int = 0  # cases whose subject and messages were erased


class Kept(msgspec.Struct, frozen=True, kw_only=True):
    what: str
    count: int
    why: str


class ErasureReport(msgspec.Struct, frozen=True, kw_only=True):
    """`DELETE /v1/me`: what was erased, what was kept and why."""

    erased: Erased
    kept: tuple[Kept, ...]
    detail: str


class Privacy:
    """The export and the erasure of one traveler's data, over the packages that hold it."""

    def __init__(
        self,
        users: UserData,
        orders: PgPersonalData,
        payments: PgPaymentRepository,
        support: PgSupportRepository,
        *,
        sessions: SessionEnder,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._users = users
        self._orders = orders
        self._payments = payments
        self._charges = PgExportedCharges(payments.db)
        self._support = support
        self._sessions = sessions
        self._clock = clock

    async def export(self, subject: str, *, now: dt.datetime) -> DataExport:
        user = await self._users.export(subject)
        orders = await self._orders.orders_of(subject)
        history = await self._orders.history_of(subject) if orders else {}
        charges = await self._charges_of([o.id for o in orders]) if orders else Charges()
        exported = [ExportedOrder.of(o, history.get(o.id, ()), charges) for o in orders]
        cases = await self._support.cases_about(subject)
        return DataExport(
            subject=subject,
            exported_at=now,
            user=user,
            orders=tuple(exported),
            support_cases=tuple(cases),
        )

    async def _charges_of(self, order_ids: list[str]) -> Charges:
        payments = await self._payments.of_orders(order_ids)
        seats, changes = await self._charges.of_orders(order_ids)
        return Charges(payments, seats, changes)

    async def erase(self, subject: str) -> ErasureReport:
        # Booking first: it may refuse (an order in flight), and then nothing is erased.
        pseudonymized = await self._orders.pseudonymize(subject)
        cases = await self._support.erase_about(subject)
        # Last: its transaction writes the confirmation ("your data were erased"), so a step
        # that fails before it leaves the profile, and the confirmation, to the retry.
        erased = await self._users.erase(subject, farewell=self._confirm_erasure)
        orders = await self._orders.orders_of(subject) if pseudonymized.orders else []
        charges = await self._charges_of([o.id for o in orders]) if orders else Charges()
        kept = []
        if orders:
            kept.append(Kept(what="orders", count=len(orders), why=ORDERS_KEPT))
        if charges.payments:
            kept.append(Kept(what="payments", count=len(charges.payments), why=PAYMENTS_KEPT))
        if charges.seats:
            kept.append(Kept(what="seat_charges", count=len(charges.seats), why=SEAT_CHARGES_KEPT))
        if charges.changes:
            changes = len(charges.changes)
            kept.append(Kept(what="change_charges", count=changes, why=CHANGE_CHARGES_KEPT))
        if cases:
            kept.append(Kept(what="support_cases", count=cases, why=CASES_KEPT))
        await self._end_sessions(subject)
        return ErasureReport(
            erased=Erased(
                profile=erased.profile,
                saved_travelers=erased.travelers,
                passengers_contact_details=pseudonymized.passengers,
                support_cases=cases,
            ),
            kept=tuple(kept),
            detail=SIGN_IN_NOTE,
        )

    async def _end_sessions(self, subject: str) -> None:
        try:
            await self._sessions.end_sessions(subject, at=self._clock())
        except CutoffUnavailable:
            raise ServiceUnavailable(
                "Your data were erased, but your other sessions could not be signed out yet. "
                "Retry: it erases nothing more and signs them out."
            ) from None

    async def _confirm_erasure(self, conn: asyncpg.Connection, profile: ProfileFields) -> None:
        """Queue the erasure's confirmation to the profile's address and phone number, on the
        channels the traveler wanted notifications on (none: no message), in the erasure's
        transaction: it is sent if and only if the erasure commits, and only once (a retry
        finds no profile). Booking's outbox keeps the address only until it is sent."""
        wanted = profile.preferences.notification_channels
        email = profile.email if wanted is None or "email" in wanted else None
        phone = profile.phone_number if wanted is None or "sms" in wanted else None
        if email is None and phone is None:
            return
        contact = Contact(profile.given_name or "", profile.family_name or "", email, phone)
        await self._orders.queue_erasure_notice(conn, contact)


PRIVACY = web.AppKey("privacy", Privacy)

_encoder = msgspec.json.Encoder()


async def export_me(request: web.Request) -> web.Response:
    principal = caller(request)
    now = dt.datetime.now(dt.UTC)
    export = await request.config_dict[PRIVACY].export(principal.subject, now=now)
    response = web.Response(body=_encoder.encode(export), content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="skyfare-data-{now:%Y-%m-%d}.json"'
    )
    return response


async def delete_me(request: web.Request) -> web.Response:
    principal = caller(request)
    await refuse_body(request)
    report = await request.config_dict[PRIVACY].erase(principal.subject)
    response = web.Response(body=_encoder.encode(report), content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/v1/me/export", export_me, name="me_export", allow_head=False)
    router.add_delete("/v1/me", delete_me, name="me_delete")


_ERRORS = {
    401: "Missing, malformed, expired or wrongly signed Bearer token",
    429: "Past this traveler's rate limit; see Retry-After",
    503: "A database cannot be reached now; retry after Retry-After s (a retry is safe)",
}

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="get",
        path="/v1/me/export",
        operation_id="export_me",
        summary=(
            "Everything held about the caller, as a JSON attachment: profile, saved travelers "
            "(document numbers revealed), every order with its passengers, history, "
            "payments, seat charges and change charges, and their support cases with every "
            "message"
        ),
        tag="users",
        response=DataExport,
        errors=_ERRORS,
        security=("bearer",),
    ),
    Operation(
        method="delete",
        path="/v1/me",
        operation_id="delete_me",
        summary=(
            "Erase the caller's profile and saved travelers, remove the contact details "
            "(emails, phone numbers) of their orders' passengers, and erase the subjects and "
            "messages of their support cases; orders, payments, seat charges, change charges "
            "and the anonymised cases are kept for the legal retention period. The answer says "
            "what was erased, what was kept and why. Asking again erases nothing more (with a "
            "new sign-in). Needs a recent sign-in (the token's `auth_time` at most "
            "`SKYFARE_ERASURE_MAX_AUTH_AGE_S`, 300 s by default, old). Every session of the "
            "account signed in before is over, this one included: on every route and every "
            "API process, a token of one is a 401 `account-erased` (within "
            "`SKYFARE_SESSION_CUTOFF_CACHE_S`, 10 s, at the most); a later sign-in starts a "
            "new, empty profile"
        ),
        tag="users",
        response=ErasureReport,
        errors={
            **_ERRORS,
            401: (
                "Missing, malformed, expired or wrongly signed Bearer token; or "
                "`insufficient-user-authentication` (RFC 9470 step-up): the token's sign-in "
                "(`auth_time`) is older than `max_age` seconds (a member of the problem and of "
                'the `WWW-Authenticate: Bearer error="insufficient_user_authentication", '
                "..., max_age=300` challenge), or the token does not say when: sign in again "
                "(OIDC `max_age=0` or `prompt=login`) and retry with the new token. Nothing "
                "was erased"
            ),
            409: (
                "An order is still in flight (held, being booked or being paid): "
                "`orders_in_flight` names them; cancel the holds or wait, then ask again. "
                "Nothing was erased"
            ),
        },
        security=("bearer",),
        recent_sign_in=True,
    ),
)
