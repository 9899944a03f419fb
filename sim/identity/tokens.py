"""What the identity provider signs: access tokens for the API (`aud=skyfare`) and ID tokens
for the client (`aud=<client_id>`), ES256 with the key ring's current key."""

from __future__ import annotations

import uuid
from typing import Any

import jwt

from sim.identity.codes import Grant
from sim.identity.keys import ALGORITHM, KeyRing
from sim.identity.users import Account

AUDIENCE = "skyfare"


def sign(keys: KeyRing, claims: dict[str, Any]) -> str:
    key = keys.current
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


def user_claims(account: Account, scope: str) -> dict[str, Any]:
    """The standard claims `scope` grants (OIDC Core §5.4): `email` and `profile`."""
    scopes = scope.split()
    claims: dict[str, Any] = {}
    if "email" in scopes:
        claims.update(email=account.email, email_verified=account.email_verified)
    if "profile" in scopes:
        claims.update(given_name=account.given_name, family_name=account.family_name)
    return claims


def access_token_claims(
    issuer: str, account: Account, grant: Grant, *, now: int, ttl_s: int
) -> dict[str, Any]:
    return {
        "iss": issuer,
        "sub": account.id,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_s,
        "jti": uuid.uuid4().hex,
        "client_id": grant.client_id,
        "scope": grant.scope,
        "roles": list(account.roles),
        # When the traveler last entered a password (RFC 9068 §2.2.1): the sign-in's time, kept
        # by every refresh of its family, so a resource server can ask for a fresher one.
        "auth_time": grant.auth_time,
        **user_claims(account, grant.scope),
    }


def id_token_claims(
    issuer: str, account: Account, grant: Grant, *, nonce: str | None, now: int, ttl_s: int
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": account.id,
        "aud": grant.client_id,
        "azp": grant.client_id,
        "iat": now,
        "exp": now + ttl_s,
        "auth_time": grant.auth_time,
        **user_claims(account, grant.scope),
    }
    if nonce is not None:
        claims["nonce"] = nonce
    return claims
