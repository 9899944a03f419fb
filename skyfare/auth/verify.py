"""Checking a JWT against one known public key: algorithm, signature and claims (PyJWT).

Pure: the key comes from the caller (`jwks.JwksKeySet`). Only asymmetric algorithms are accepted,
and only the ones that fit the key's type, so neither `alg: none` nor an HS256 token "signed"
with the public key as an HMAC secret can pass.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import jwt
import msgspec
from jwt.exceptions import InvalidSubjectError

from kernel.auth import Principal
from skyfare.auth.bearer import invalid_token

# Per JWK key type, the JWS algorithms a key of that type may verify.
ALGORITHMS_BY_KEY_TYPE: dict[str, frozenset[str]] = {
    "EC": frozenset({"ES256", "ES384", "ES512"}),
    "RSA": frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}),
    "OKP": frozenset({"EdDSA"}),
}
ALLOWED_ALGORITHMS: frozenset[str] = frozenset().union(*ALGORITHMS_BY_KEY_TYPE.values())
REQUIRED_CLAIMS = ("exp", "iss", "aud", "sub")
DATE_CLAIMS = ("exp", "nbf", "iat", "auth_time")


class VerificationKey(msgspec.Struct, frozen=True):
    """A public key from the issuer's JWKS and the algorithms it may verify."""

    kid: str
    algorithms: frozenset[str]
    key: Any  # a `cryptography` public key object


class TokenHeader(msgspec.Struct, frozen=True):
    alg: str
    kid: str


def read_header(token: str) -> TokenHeader:
    """The unverified JOSE header: just enough to pick the key; nothing in it is trusted yet."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError:
        raise invalid_token("the token header is not valid base64url JSON") from None
    except jwt.InvalidTokenError:
        # PyJWT refuses a `kid` that is not a string and a `crit` naming an extension it does
        # not implement (RFC 7515 4.1.11: such a token MUST be rejected) as it reads the header.
        raise invalid_token(_refused_header(token)) from None
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        allowed = ", ".join(sorted(ALLOWED_ALGORITHMS))
        raise invalid_token(f"the token's signing algorithm is not accepted (allowed: {allowed})")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise invalid_token("the token header names no signing key (kid)")
    return TokenHeader(alg=alg, kid=kid)


def _refused_header(token: str) -> str:
    """Why PyJWT refused the (well-formed) header of `token`, in the words a client is told."""
    segment = token.partition(".")[0]
    try:
        header = msgspec.json.decode(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, msgspec.DecodeError):
        header = None
    if isinstance(header, dict) and "kid" in header and not isinstance(header["kid"], str):
        return "the token header's signing key (kid) is not a string"
    return "the token header names a critical extension (crit) this service does not support"


# PyJWT's errors, most specific first, as what a client is told.
_REASONS: tuple[tuple[type[jwt.InvalidTokenError], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet (nbf or iat in the future)"),
    (jwt.InvalidIssuerError, "the token's issuer (iss) is not trusted"),
    (jwt.InvalidAudienceError, "the token is not meant for this service (aud)"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
    (jwt.InvalidAlgorithmError, "the token's algorithm does not fit its key"),
    (InvalidSubjectError, "the token's subject (sub) is not a string"),
    (jwt.InvalidIssuedAtError, "the token's iat claim is not a number"),
    (jwt.DecodeError, "the token is not well-formed"),
)


def verify(
    token: str,
    header: TokenHeader,
    key: VerificationKey,
    *,
    issuer: str,
    audience: str,
    leeway_s: float,
) -> Principal:
    """The principal the token names, or `Unauthorized` saying what is wrong with it."""
    return verify_until(token, header, key, issuer=issuer, audience=audience, leeway_s=leeway_s)[0]


def verify_until(
    token: str,
    header: TokenHeader,
    key: VerificationKey,
    *,
    issuer: str,
    audience: str,
    leeway_s: float,
) -> tuple[Principal, float]:
    """`verify`, and the token's `exp` (unix seconds)."""
    if header.alg not in key.algorithms:
        raise invalid_token("the token's algorithm does not fit its signing key")
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[header.alg],
            audience=audience,
            issuer=issuer,
            leeway=leeway_s,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise invalid_token(f"the token lacks the {exc.claim} claim") from None
    except jwt.InvalidTokenError as exc:
        raise invalid_token(_reason(exc)) from None
    _check_dates(claims)
    return _principal(claims), float(claims["exp"])


def _reason(exc: jwt.InvalidTokenError) -> str:
    for cls, reason in _REASONS:
        if isinstance(exc, cls):
            return reason
    return "the token is invalid"


def _check_dates(claims: dict[str, Any]) -> None:
    # RFC 7519 §2: a NumericDate is a JSON number. PyJWT reads these claims with int(), which
    # takes the string "9999999999" (and "٩٩٩") too: an issuer that writes strings is broken,
    # and a token that carries them is refused rather than read leniently.
    for claim in DATE_CLAIMS:
        if claim not in claims:
            continue  # exp is required (checked above); the others are optional
        value = claims[claim]
        if type(value) not in (int, float) or not math.isfinite(value):
            raise invalid_token(f"the token's {claim} claim is not a number")


def _principal(claims: dict[str, Any]) -> Principal:
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise invalid_token("the token's subject (sub) is empty")
    if "\x00" in subject:  # PostgreSQL text cannot hold it: each look-up would be a 500
        raise invalid_token("the token's subject (sub) holds a NUL character")
    roles = claims.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise invalid_token("the token's roles claim is not a list of strings")
    return Principal(
        subject=subject,
        roles=frozenset(roles),
        email=_profile_claim(claims, "email"),
        given_name=_profile_claim(claims, "given_name"),
        family_name=_profile_claim(claims, "family_name"),
        # A number once _check_dates passed; whole seconds are all a sign-in's age needs.
        auth_time=int(claims["auth_time"]) if "auth_time" in claims else None,
        issued_at=int(claims["iat"]) if "iat" in claims else None,
    )


# Far above any real name or address (users/ checks them properly before a profile takes them).
MAX_PROFILE_CLAIM = 320


def _profile_claim(claims: dict[str, Any], name: str) -> str | None:
    """An OpenID Connect profile claim when it is a usable string, else None: these only seed a
    new profile, so a token with an odd one is not refused for it."""
    value = claims.get(name)
    if type(value) is not str or not value.strip() or len(value) > MAX_PROFILE_CLAIM:
        return None
    return value
