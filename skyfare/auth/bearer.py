"""The `Authorization: Bearer <token>` header (RFC 6750), parsed strictly, and its 401 answers.

Pure: no network, no keys. A request without a Bearer token gets the bare challenge; a token that
is there but unusable gets `error="invalid_token"` with a description that never echoes the token.
"""

from __future__ import annotations

import re

from aiohttp import web

from kernel.auth import challenge
from kernel.errors import Unauthorized

# A compact JWS: three base64url parts; the signature may be empty (`alg: none`), which the
# algorithm check then refuses with a clear reason.
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def missing_token(detail: str) -> Unauthorized:
    return Unauthorized(detail, challenge=challenge())


def invalid_token(description: str) -> Unauthorized:
    return Unauthorized(f"invalid bearer token: {description}", challenge=challenge(description))


def bearer_token(request: web.Request) -> str:
    """The token of the request's one `Authorization: Bearer <token>` header."""
    values = request.headers.getall("Authorization", [])
    if not values:
        raise missing_token("an Authorization: Bearer <token> header is required")
    if len(values) > 1:
        raise invalid_token("more than one Authorization header")
    scheme, _, token = values[0].partition(" ")
    # RFC 9110 §11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ], so one or
    # more spaces (never a tab) part the scheme from the token. The scheme name is
    # case-insensitive (§11.1); the token is not lenient: a space after it is refused below.
    token = token.lstrip(" ")
    if scheme.lower() != "bearer":
        raise missing_token("the Authorization header must use the Bearer scheme")
    if not token:
        raise invalid_token("the Bearer token is empty")
    if not _COMPACT_JWS.fullmatch(token):
        raise invalid_token("the Bearer token is not a compact JWT (header.payload.signature)")
    return token
