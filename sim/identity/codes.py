"""Authorization codes and refresh token families, in memory, on an injectable clock.

A code is single-use, lives `code_ttl_s` (60 s) and is bound to the client, the redirect URI,
the PKCE challenge and the nonce of the request that got it. Redeeming it twice revokes what
the first redemption issued (RFC 6749 §4.1.2). A refresh token is single-use too: each use
answers a new one of the same family, and the reuse of a spent one revokes the whole family
(RFC 9700 §4.14.2), since either its thief or its owner is now holding a copy. Revoking any
token of a family (RFC 7009, a client signing out) revokes the family.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")  # RFC 7636 §4.1
CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")  # BASE64URL(SHA-256), no padding


def s256(verifier: str) -> str:
    """The S256 code challenge of `verifier` (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifier_matches(verifier: str, challenge: str) -> bool:
    if not _VERIFIER.match(verifier):
        return False
    return hmac.compare_digest(s256(verifier), challenge)


@dataclass(frozen=True)
class Grant:
    """What a code or a refresh token family stands for: who signed in, for which client."""

    user_id: str
    client_id: str
    scope: str
    auth_time: int


@dataclass
class _Code:
    grant: Grant
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    expires_at: float
    family: str | None = None  # the refresh family its redemption started


@dataclass(frozen=True)
class Redeemed:
    """A code redeemed: its grant and nonce, and the refresh token family it started."""

    grant: Grant
    nonce: str | None
    refresh_token: str


class GrantRefused(Exception):
    """An `invalid_grant`: the code or refresh token is unknown, spent, expired or not yours."""


@dataclass
class _Family:
    grant: Grant
    current: str
    expires_at: float
    revoked: bool = False


class Grants:
    """Codes and refresh token families of one identity provider."""

    def __init__(self, clock: Clock, *, code_ttl_s: float, refresh_ttl_s: float) -> None:
        self._clock = clock
        self._code_ttl_s = code_ttl_s
        self._refresh_ttl_s = refresh_ttl_s
        self._codes: dict[str, _Code] = {}
        self._families: dict[str, _Family] = {}
        self._family_of: dict[str, str] = {}  # refresh token (current or spent) → family

    def issue_code(
        self, grant: Grant, *, redirect_uri: str, code_challenge: str, nonce: str | None
    ) -> str:
        now = self._clock()
        self._forget_expired_codes(now)
        code = secrets.token_urlsafe(32)
        self._codes[code] = _Code(
            grant, redirect_uri, code_challenge, nonce, expires_at=now + self._code_ttl_s
        )
        return code

    def redeem_code(
        self, code: str, *, client_id: str, redirect_uri: str, code_verifier: str
    ) -> Redeemed:
        """The code's grant and a new refresh token family; GrantRefused when the code is
        unknown, expired, spent (its family is revoked then), or the request does not match."""
        entry = self._codes.get(code)
        if entry is None:
            raise GrantRefused("the code is unknown or expired")
        if entry.family is not None:
            self.revoke_family(entry.family)
            raise GrantRefused("the code was already used: the tokens it gave are revoked")
        if self._clock() >= entry.expires_at:
            del self._codes[code]
            raise GrantRefused("the code has expired")
        if entry.grant.client_id != client_id or entry.redirect_uri != redirect_uri:
            raise GrantRefused("the code was issued to another client or redirect_uri")
        if not verifier_matches(code_verifier, entry.code_challenge):
            del self._codes[code]  # one guess per code
            raise GrantRefused("code_verifier does not match the code_challenge")
        refresh_token, entry.family = self._start_family(entry.grant)
        return Redeemed(entry.grant, entry.nonce, refresh_token)

    def rotate(self, refresh_token: str, *, client_id: str) -> tuple[Grant, str]:
        """The grant and the family's next refresh token; GrantRefused for an unknown, revoked
        or expired token, and for a spent one, which revokes its family."""
        family_id = self._family_of.get(refresh_token)
        family = self._families.get(family_id) if family_id else None
        if family is None or family_id is None:
            raise GrantRefused("the refresh token is unknown")
        if family.grant.client_id != client_id:
            raise GrantRefused("the refresh token was issued to another client")
        if family.revoked:
            raise GrantRefused("the refresh token was revoked")
        if refresh_token != family.current:
            self.revoke_family(family_id)
            raise GrantRefused("the refresh token was already used: its family is revoked")
        if self._clock() >= family.expires_at:
            raise GrantRefused("the refresh token has expired")
        family.current = self._new_refresh_token(family_id)
        return family.grant, family.current

    def revoke(self, refresh_token: str, *, client_id: str) -> bool:
        """Revoke the family of `refresh_token` (current or spent); False when the token is
        unknown or expired, which RFC 7009 §2.2 answers as a success. GrantRefused when it was
        issued to another client (§2.1: only its own client may revoke it)."""
        family_id = self._family_of.get(refresh_token)
        family = self._families.get(family_id) if family_id else None
        if family is None or family_id is None:
            return False
        if family.grant.client_id != client_id:
            raise GrantRefused("the refresh token was issued to another client")
        self.revoke_family(family_id)
        return True

    def revoke_family(self, family_id: str) -> None:
        if family := self._families.get(family_id):
            family.revoked = True

    def _start_family(self, grant: Grant) -> tuple[str, str]:
        self._forget_expired_families(self._clock())
        family_id = secrets.token_hex(8)
        token = self._new_refresh_token(family_id)
        self._families[family_id] = _Family(
            grant, token, expires_at=self._clock() + self._refresh_ttl_s
        )
        return token, family_id

    def _new_refresh_token(self, family_id: str) -> str:
        token = secrets.token_urlsafe(32)
        self._family_of[token] = family_id
        return token

    def _forget_expired_families(self, now: float) -> None:
        # A long-running sim (`skyfare up`) keeps only the families that can still be used.
        expired = {f for f, family in self._families.items() if now >= family.expires_at}
        for family_id in expired:
            del self._families[family_id]
        if expired:
            self._family_of = {t: f for t, f in self._family_of.items() if f not in expired}

    def _forget_expired_codes(self, now: float) -> None:
        # Spent codes stay until they expire, so a replay within their lifetime is recognised.
        for code in [c for c, entry in self._codes.items() if now >= entry.expires_at]:
            del self._codes[code]
