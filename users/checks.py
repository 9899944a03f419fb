"""Field checks shared by profiles and saved travelers: each normalizes one JSON value or records
why it is bad, so one 422 names every bad field (pure).

The rules are the order passengers' (booking/validation.py, kernel/names.py, kernel/contacts.py):
names as passports print them, birth dates in the past, strict email and E.164 phone numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from kernel.contacts import EMAIL_RULE, PHONE_RULE, is_email, is_phone
from kernel.errors import FieldError, ValidationFailed
from kernel.names import person_name
from users.codes import ascii_upper, known_airports, language_tag

MISSING: Any = object()  # a field absent from the document (unlike an explicit value)
MAX_NAME = 50
OLDEST = dt.date(1900, 1, 1)


class Checks:
    """Collects the field errors of one document; each check returns the value or None."""

    __slots__ = ("errors", "today")

    def __init__(self, today: dt.date) -> None:
        self.errors: list[FieldError] = []
        self.today = today

    def fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def raise_if_failed(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)

    def fields(
        self, data: dict[str, Any], known: Iterable[str], read_only: Iterable[str], at: str = ""
    ) -> None:
        """Fails each member that is not a field, or one the service sets itself."""
        known, read_only = frozenset(known), frozenset(read_only)
        for name in data:
            if name in read_only:
                self.fail(f"{at}{name}", "read-only: set by the service")
            elif name not in known:
                self.fail(f"{at}{name}", "unknown field")

    def string(self, value: Any, field: str) -> str | None:
        if value is MISSING:
            self.fail(field, "required")
        elif type(value) is not str:
            self.fail(field, "must be a string")
        else:
            return value
        return None

    def name(self, value: Any, field: str) -> str | None:
        raw = self.string(value, field)
        if raw is None:
            return None
        name, problem = person_name(raw)
        if not name.strip():
            self.fail(field, "must not be empty")
        elif len(name) > MAX_NAME or len(raw) > MAX_NAME:  # as sent, too: what the schema says
            self.fail(field, f"at most {MAX_NAME} characters")
        elif problem is not None:
            self.fail(field, problem)
        else:
            return name
        return None

    def email(self, value: Any, field: str) -> str | None:
        if is_email(value):
            return str(value)
        self.fail(field, f"must be {EMAIL_RULE}")
        return None

    def phone(self, value: Any, field: str) -> str | None:
        if is_phone(value):
            return str(value)
        self.fail(field, f"must be {PHONE_RULE}")
        return None

    def choice(self, value: Any, field: str, allowed: tuple[str, ...]) -> Any:
        if type(value) is str and value in allowed:
            return value
        self.fail(field, f"must be one of: {', '.join(allowed)}")
        return None

    def code(self, value: Any, field: str, allowed: frozenset[str], what: str) -> str | None:
        """A code of `allowed` (ISO 4217, ISO 3166-1), case-insensitive, upper-cased."""
        raw = self.string(value, field)
        if raw is None:
            return None
        code = ascii_upper(raw)
        if code not in allowed:
            self.fail(field, f"must be {what}")
            return None
        return code

    def airport(self, value: Any, field: str) -> str | None:
        raw = self.string(value, field)
        if raw is None:
            return None
        code = ascii_upper(raw)
        if len(code) != 3 or not code.isalpha():
            self.fail(field, "must be a 3-letter IATA airport code")
        elif code not in known_airports():
            self.fail(field, f"unknown airport {code!r}")
        else:
            return code
        return None

    def language(self, value: Any, field: str) -> str | None:
        raw = self.string(value, field)
        if raw is None:
            return None
        tag = language_tag(raw)
        if tag is None:
            self.fail(field, "must be a BCP 47 language tag, e.g. en, en-GB, pt-BR")
        return tag

    def date(self, value: Any, field: str) -> dt.date | None:
        raw = self.string(value, field)
        if raw is None:
            return None
        try:
            # fromisoformat alone also takes 20261220 and week dates: YYYY-MM-DD only.
            if len(raw) != 10 or raw[4] != "-" or raw[7] != "-":
                raise ValueError(raw)
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.fail(field, "must be a date, YYYY-MM-DD")
            return None

    def birth_date(self, value: Any, field: str) -> dt.date | None:
        day = self.date(value, field)
        if day is not None and not OLDEST <= day < self.today:
            self.fail(field, f"must be in the past (and after {OLDEST})")
            return None
        return day
