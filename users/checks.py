"""Field checks shared by profiles and saved travelers: each normalizes one JSON value or records
why it is bad, so one 422 names every bad field (pure).

The rules are the order passengers' (booking/validation.py, kernel/names.py, kernel/contacts.py):
names as passports print them, birth dates in the past, strict email and E.164 phone numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from kernel.checks import MISSING, FieldChecks, ascii_upper
from kernel.contacts import EMAIL_RULE, PHONE_RULE, is_email, is_phone
from kernel.currencies import PRICED_CURRENCIES, priced_currencies_text
from kernel.errors import absent_or_invalid
from kernel.names import person_name
from users.codes import CURRENCIES, language_tag

MAX_NAME = 50
OLDEST = dt.date(1900, 1, 1)


class Checks(FieldChecks):
    """The profile and traveler documents' checks; each returns the value or None."""

    __slots__ = ()

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
        absent = value is MISSING or value is None
        self.fail(field, absent_or_invalid(absent, f"one of: {', '.join(allowed)}"))
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

    def currency(self, value: Any, field: str, kept: str | None) -> str | None:
        """An ISO 4217 code that offers are priced in, or `kept`: the one the profile already
        holds, stored before the rule (refusing it would fail every patch that leaves it be)."""
        code = self.code(value, field, CURRENCIES, "an ISO 4217 currency code")
        if code is None or code in PRICED_CURRENCIES or code == kept:
            return code
        self.fail(field, f"prices are shown in {priced_currencies_text()} only")
        return None

    def language(self, value: Any, field: str) -> str | None:
        raw = self.string(value, field)
        if raw is None:
            return None
        tag = language_tag(raw)
        if tag is None:
            self.fail(field, "must be a BCP 47 language tag, e.g. en, en-GB, pt-BR")
        return tag

    def birth_date(self, value: Any, field: str) -> dt.date | None:
        day = self.date(value, field)
        if day is not None and not OLDEST <= day < self.today:
            self.fail(field, f"must be in the past (and after {OLDEST})")
            return None
        return day
