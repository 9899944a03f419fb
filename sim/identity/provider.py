"""One sim identity provider's state: keys, clients, accounts, codes and refresh families, plus
what tests observe and steer (JWKS requests served, outage modes)."""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web

from sim.identity.clients import Clients
from sim.identity.codes import Grant, Grants
from sim.identity.config import IdentityConfig
from sim.identity.keys import KeyRing
from sim.identity.tokens import access_token_claims, id_token_claims, sign
from sim.identity.users import Account, Accounts

# An endpoint that answers, fails with 503, or never answers (an identity provider outage).
OutageMode = Literal["ok", "error", "hang"]
HANG_S = 600.0  # "never": the client gives up first, which cancels the handler


class IdentityProvider:
    def __init__(self, seed: int, config: IdentityConfig) -> None:
        self.config = config
        self.keys = KeyRing(seed)
        self.clients = Clients(config.web_redirect_uris)
        self.accounts = Accounts(seed)
        self.grants = Grants(
            config.clock, code_ttl_s=config.code_ttl_s, refresh_ttl_s=config.refresh_ttl_s
        )
        self.jwks_requests = 0
        self.revocations = 0  # revocation requests answered 200 (tests wait on a sign-out's)
        self.jwks_mode: OutageMode = "ok"
        self.token_mode: OutageMode = "ok"

    def now(self) -> int:
        return int(self.config.clock())

    def token_response(
        self, issuer: str, account: Account, grant: Grant, *, nonce: str | None, refresh_token: str
    ) -> dict[str, Any]:
        """The token endpoint's answer (RFC 6749 §5.1, OIDC Core §3.1.3.3)."""
        now = self.now()
        access = access_token_claims(
            issuer, account, grant, now=now, ttl_s=self.config.access_ttl_s
        )
        identity = id_token_claims(
            issuer, account, grant, nonce=nonce, now=now, ttl_s=self.config.id_ttl_s
        )
        return {
            "access_token": sign(self.keys, access),
            "token_type": "Bearer",
            "expires_in": self.config.access_ttl_s,
            "refresh_token": refresh_token,
            "id_token": sign(self.keys, identity),
            "scope": grant.scope,
        }


IDENTITY: web.AppKey[IdentityProvider] = web.AppKey("sim_identity", IdentityProvider)
