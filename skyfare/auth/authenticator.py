"""`JwksAuthenticator`: the `kernel.auth.Authenticate` of traveler routes.

`principal = await authenticator(request)`: the Bearer token's key from the issuer's JWKS, its
signature and claims checked, its `sub` and `roles` returned. A bad token is a 401 saying why;
an identity provider that cannot be reached for a key we have never seen is a 503, because the
token may well be valid and the client should retry, not log the traveler out.

A token that verified is remembered until shortly before its `exp`, while the key set is fresh
and unchanged (`token_cache.VerifiedTokens`): the next request with it skips the signature.

Remembered or not, a token of a subject whose sessions were ended since it signed in (the
account erased: `cutoffs.SessionCutoffs`) is a 401 `account-erased`, judged as the profile's
tombstone is (users/service.py: a sign-in within the leeway after counts as before). The cutoff
is read from memory, so a request pays no round trip for it unless its subject's was read over
`SKYFARE_SESSION_CUTOFF_CACHE_S` ago.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from kernel.auth import CLOCK_LEEWAY_S, Principal
from kernel.errors import ServiceUnavailable
from skyfare.auth.bearer import bearer_token, invalid_token
from skyfare.auth.cutoffs import SessionCutoffs
from skyfare.auth.jwks import JwksKeySet, KeysUnavailable, UnknownKey
from skyfare.auth.token_cache import VerifiedTokens
from skyfare.auth.verify import read_header, verify_until
from users.service import signed_in_before


class JwksAuthenticator:
    def __init__(
        self,
        keys: JwksKeySet,
        *,
        issuer: str,
        audience: str,
        leeway_s: float = CLOCK_LEEWAY_S,
        cutoffs: SessionCutoffs | None = None,
    ) -> None:
        self.keys = keys
        self.cutoffs = cutoffs
        self._issuer = issuer
        self._audience = audience
        self._leeway_s = leeway_s
        self.verified = VerifiedTokens()

    async def __call__(self, request: web.Request, /) -> Principal:
        return await self.authenticate(request)

    async def authenticate(self, request: web.Request) -> Principal:
        principal = await self._verified(request)
        if self.cutoffs is not None:
            ended_at = await self.cutoffs.cutoff(principal.subject)
            if ended_at is not None:
                check = signed_in_before(principal, clock_skew_s=self._leeway_s)
                check(dt.datetime.fromtimestamp(ended_at, dt.UTC))  # AccountErased if before
        return principal

    async def _verified(self, request: web.Request) -> Principal:
        token = bearer_token(request)
        keys = self.keys
        if keys.fresh:
            remembered = self.verified.get(token, keys.generation)
            if remembered is not None:
                return remembered
        header = read_header(token)
        try:
            key = await self.keys.key(header.kid)
        except UnknownKey:
            raise invalid_token(
                "the token's signing key (kid) is not one the issuer publishes"
            ) from None
        except KeysUnavailable:
            raise ServiceUnavailable(
                "the identity provider cannot be reached to check the token's signing key"
            ) from None
        principal, exp = verify_until(
            token,
            header,
            key,
            issuer=self._issuer,
            audience=self._audience,
            leeway_s=self._leeway_s,
        )
        self.verified.put(token, principal, exp, keys.generation)
        return principal

    async def close(self) -> None:
        await self.keys.close()
