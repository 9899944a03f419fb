"""Strict contact details: one email addr-spec, one E.164 phone number (pure).

Used where they come in (order passengers) and where they go out (the notification worker), so
what the API accepted is exactly what a mail server or SMS provider can be handed.

Email: a dot-atom local part (RFC 5322 `atext`, no quoted strings), `@`, a host name of at least
two LDH labels. ASCII only: no display name, no `<>`, no comma lists, no whitespace or control,
bidi or zero-width characters; an internationalized domain is given in its `xn--` form. Loose
"anything@anything" patterns let `"a,bob@example.com"` mail two people and `"<x>@example.com"`
mail `x`. Patterns are applied with `fullmatch`: `$` would accept a trailing newline.
"""

from __future__ import annotations

import re

MAX_EMAIL = 254  # RFC 5321: a forward path of 256 octets, less the angle brackets
MAX_LOCAL = 64
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*", re.ASCII)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# The top-level label is letters (or an IDN's xn--…): no IP literals, no numeric TLDs.
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})", re.ASCII)
# E.164: "+", a country code that does not start with 0, 8 to 15 digits in all; ASCII digits only
# (`\d` would take Arabic-Indic and other Unicode digits).
_PHONE = re.compile(r"\+[1-9][0-9]{7,14}", re.ASCII)

EMAIL_RULE = "an email address: one name@domain, ASCII, without display name or spaces"
PHONE_RULE = "an E.164 phone number: + then 8 to 15 digits, e.g. +442071838750"


def is_email(value: object) -> bool:
    """True for exactly one ASCII addr-spec `local@domain` (see the module docstring)."""
    if type(value) is not str or len(value) > MAX_EMAIL or not value.isascii():
        return False
    local, at, domain = value.rpartition("@")
    return (
        bool(at)
        and len(local) <= MAX_LOCAL
        and _LOCAL.fullmatch(local) is not None
        and _DOMAIN.fullmatch(domain) is not None
    )


def is_phone(value: object) -> bool:
    """True for an E.164 number: `+` and 8 to 15 ASCII digits, nothing else."""
    return type(value) is str and _PHONE.fullmatch(value) is not None
