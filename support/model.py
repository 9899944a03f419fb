"""Support's wire types: the route bodies and answers, and the helpdesk's webhook events."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Literal

import msgspec

from booking.model import ORDER_ID_SCHEMA
from kernel.cursors import ListMeta, Position, parse_list_page
from kernel.errors import FieldError, ValidationFailed

CaseStatus = Literal["open", "answered", "closed"]
_REFERENCE = re.compile(r"[A-Z0-9]{6}")
_ORDER_ID = re.compile(ORDER_ID_SCHEMA["pattern"])
MAX_SUBJECT = 200
MAX_MESSAGE = 5000
# The list answered its newest 50 before it had pages: a client that never asks for more still
# gets what it did, and pages on with `meta.after`.
CASES_PER_PAGE = 50
MAX_CASES_PER_PAGE = 200
_CASE_ID = re.compile(r"cas_[0-9a-f]{24}")  # support/repository.py `new_case_id`


class OpenCaseRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A traveler's question: about `order_id` (with a token), or, without one, about the
    booking `booking_reference` whose passengers include `family_name`; a member of the other
    way is a 422 naming it."""

    # Required, but checked by `check_open` so every bad field is named at once: a subject is
    # one line (1 to 200 characters), a message keeps line breaks and tabs (1 to 5000); other
    # control characters are a 422 naming the field.
    subject: str = ""
    message: str = ""
    order_id: str | None = None
    booking_reference: str | None = None
    family_name: str | None = None


_LINE_BREAKS = "\n\r\t\u2028\u2029"
# Not control characters (Cc), yet refused as they are: a bidi embedding, override or isolate
# reorders what the agent reads (the "Trojan Source" trick); a line or paragraph separator
# (U+2028, U+2029) breaks a subject's one line as a newline does.
_REFUSED = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SUBJECT_REFUSED = _REFUSED | frozenset("\u2028\u2029")


def _words_errors(text: dict[str, str | None], not_text: set[str]) -> list[FieldError]:
    """What is wrong with the subject and the message (those that are strings)."""
    errors = []
    for name, limit, allowed, refused in (
        ("subject", MAX_SUBJECT, "", _SUBJECT_REFUSED),
        ("message", MAX_MESSAGE, _LINE_BREAKS, _REFUSED),
    ):
        value = (text[name] or "").strip()
        if name in not_text:
            continue
        if not value:
            errors.append(FieldError(name, f"required, 1 to {limit} characters"))
        elif len(value) > limit:
            errors.append(FieldError(name, f"at most {limit} characters"))
        elif any(
            c in refused or (unicodedata.category(c) == "Cc" and c not in allowed) for c in value
        ):
            # A BEL or an escape sequence reached the helpdesk, the agent's mail and the
            # traveler's export as it was; a subject is one line.
            lines = "one line, " if not allowed else "line breaks and tabs only, "
            errors.append(FieldError(name, f"{lines}no control or bidi control characters"))
    return errors


def _other_callers_fields(
    text: dict[str, str | None], not_text: set[str], *, anonymous: bool
) -> list[FieldError]:
    """Members of the other way of naming the booking, refused rather than dropped: without a
    token an `order_id` proves nothing (the booking is named by reference and family name), and
    with one the case is about `order_id`, whatever reference or name came beside it."""
    if anonymous:
        extra: tuple[str, ...] = ("order_id",)
        why = "not taken without a token: name the booking by booking_reference and family_name"
    else:
        extra = ("booking_reference", "family_name")
        why = "not taken with a token: the case is about order_id, one of your orders"
    return [
        FieldError(name, why) for name in extra if text[name] is not None and name not in not_text
    ]


def check_open(data: dict[str, Any], *, anonymous: bool) -> OpenCaseRequest:
    """The request, or `ValidationFailed` naming every bad field."""
    errors: list[FieldError] = []
    known = {"subject", "message", "order_id", "booking_reference", "family_name"}
    errors.extend(FieldError(name, "unknown field") for name in data if name not in known)
    text: dict[str, str | None] = {}
    not_text: set[str] = set()  # named once: "must be a string" says all there is
    for name in known:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            errors.append(FieldError(name, "must be a string"))
            not_text.add(name)
            value = None
        text[name] = value
    # As printed on a ticket or typed from one: letters in either case, spaces around.
    if text["booking_reference"] is not None:
        text["booking_reference"] = text["booking_reference"].strip().upper()
    errors.extend(_words_errors(text, not_text))
    errors.extend(_other_callers_fields(text, not_text, anonymous=anonymous))
    if anonymous:
        reference, family = text["booking_reference"], text["family_name"]
        if (reference is None or not _REFERENCE.fullmatch(reference)) and (
            "booking_reference" not in not_text
        ):
            errors.append(
                FieldError("booking_reference", "required without a token: 6 letters or digits")
            )
        if (family is None or not 1 <= len(family.strip()) <= 50) and "family_name" not in not_text:
            errors.append(FieldError("family_name", "required without a token: 1 to 50 characters"))
    elif (text["order_id"] is None or not _ORDER_ID.fullmatch(text["order_id"])) and (
        "order_id" not in not_text
    ):
        errors.append(FieldError("order_id", "required: one of your orders (ord_...)"))
    if errors:
        raise ValidationFailed(errors)
    return OpenCaseRequest(
        subject=(text["subject"] or "").strip(),
        message=(text["message"] or "").strip(),
        order_id=text["order_id"],
        booking_reference=text["booking_reference"],
        family_name=text["family_name"],
    )


class MessageView(msgspec.Struct, frozen=True):
    author: Literal["traveler", "agent"]
    body: str
    at: dt.datetime
    agent: str | None = None


class CaseView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    order_id: str
    booking_reference: str
    subject: str
    status: CaseStatus
    messages: tuple[MessageView, ...]
    created_at: dt.datetime
    updated_at: dt.datetime


class CaseList(msgspec.Struct, frozen=True):
    data: tuple[CaseView, ...]
    meta: ListMeta


def is_case_id(value: str) -> bool:
    return _CASE_ID.fullmatch(value) is not None


def parse_case_page(params: Iterable[tuple[str, str]]) -> tuple[int, Position | None]:
    """`?limit=&after=` of the cases list (kernel/cursors.py); `ValidationFailed` names each bad
    parameter, a cursor of another list's included."""
    return parse_list_page(
        params, is_id=is_case_id, default=CASES_PER_PAGE, maximum=MAX_CASES_PER_PAGE
    )


# -- the helpdesk's webhook, as we read it (only the fields we use) -----------------------------


class HelpdeskAgent(msgspec.Struct, frozen=True):
    id: str
    name: str = ""


class HelpdeskMessage(msgspec.Struct, frozen=True):
    body: str
    # When the agent wrote it (Unix seconds): deliveries are retried, so a later reply may
    # reach us first, and the thread is ordered by this, not by arrival.
    at: float | None = None


class HelpdeskAction(msgspec.Struct, frozen=True):
    type: str  # cancel | correct_name | resend_itinerary (others are acknowledged, not applied)
    passenger_index: int | None = None
    given_name: str | None = None
    family_name: str | None = None
    note: str | None = None


class HelpdeskEvent(msgspec.Struct, frozen=True):
    id: str
    type: str  # case.replied | case.action_requested
    case_id: str
    external_id: str
    agent: HelpdeskAgent
    message: HelpdeskMessage | None = None
    action: HelpdeskAction | None = None


decode_helpdesk_event = msgspec.json.Decoder(HelpdeskEvent).decode
