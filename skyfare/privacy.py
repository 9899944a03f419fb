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
from collections.abc import Callable
from typing import Protocol

import asyncpg
import msgspec
from aiohttp import web

from booking.events import Contact
from booking.personal_data import PgPersonalData
from kernel.auth import principal as caller
from kernel.errors import ServiceUnavailable
from kernel.http import refuse_body
from kernel.openapi import Operation
from payment.exported_charges import PgExportedCharges
from payment.repository import PgPaymentRepository
from skyfare.auth.cutoffs import CutoffUnavailable
from skyfare.privacy_documents import (
    Charges,
    DataExport,
    Erased,
    ErasureReport,
    ExportedOrder,
    Kept,
)
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
