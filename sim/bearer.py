"""How every sim reads `Authorization: Bearer <key>`: as RFC 9110 and the API read it.

`credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]` (RFC 9110 §11.4), the scheme
case-insensitive (§11.1): a client that parts scheme and key with two spaces, or writes `bearer`,
is as right as one that writes `Bearer <key>`. A request with two `Authorization` headers names
no credential (which one would count is anybody's guess), nor does another scheme or a tab.
"""

from __future__ import annotations

import hmac

from multidict import MultiMapping


def bearer_credential(headers: MultiMapping[str]) -> str | None:
    """The credential of the one `Authorization: Bearer …` header of `headers`, else None."""
    values = headers.getall("Authorization", [])
    if len(values) != 1:
        return None
    scheme, _, credential = values[0].partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credential.lstrip(" ") or None  # `Bearer` alone names none


def holds_key(headers: MultiMapping[str], key: str) -> bool:
    """Whether `headers` carry `key` as their Bearer credential (compared in constant time)."""
    given = bearer_credential(headers)
    if given is None:
        return False
    # surrogateescape: aiohttp decodes a header's undecodable bytes to surrogates, which a
    # strict encode would raise on (a 500 rather than a 401).
    return hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), key.encode("utf-8", "surrogateescape")
    )
