"""Traveler tokens for tests, from the sim's identity provider (`sim/identity`).

- `await sign_in(sim.url, "ada@example.com", "lovelace-1815")` signs in through the real flow
  (authorization code + PKCE over HTTP, the sign-in page's form posted): `Tokens`, whose
  `access_token` has the account's `usr_...` id as `sub` and its email and names as claims.
  `SEEDED` lists the sim's seeded users; `register_redirect_uris` adds a client's redirect URIs.
- `await mint_token(sim.url, "alice", roles=["support"])` asks the running sim's dev-only
  direct grant (optional `email`, `given_name`, `family_name` claims too, and `auth_time` for
  a sign-in made earlier than now: a stale token for step-up tests).
- `mint_token_sync(...)` does the same without an event loop (for subprocess/CLI tests).
- `sign_as_sim(claims)` signs arbitrary claims with the sim's own key (its keys derive from the
  seed), for tokens the endpoint refuses to mint: expired, wrong audience, not yet valid.
- `IdentityClock` is a sim identity provider's clock a test sets back, for an old sign-in.
- `sim_issuer(sim.url)` is the `iss` the sim puts in its tokens (what `jwt_issuer` must trust).
- `rotate_keys`, `identity_state`, `set_jwks_behaviour`, `set_token_behaviour` drive the sim's
  `/_sim/identity` controls.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Sequence
from typing import Any

import aiohttp
import jwt

from kernel.auth import CLOCK_LEEWAY_S
from sim.identity.app import AUDIENCE, MOUNT_PATH
from sim.identity.clients import WEB_CLIENT_ID
from sim.identity.keys import ALGORITHM, SigningKey
from sim.identity.users import SEED_USERS
from skyfare.devlogin import SignInFailed, Tokens
from skyfare.devlogin import sign_in as _sign_in
from tests.support.waits import WAIT_S

__all__ = ["SEEDED", "SignInFailed", "Tokens"]

# email → password of the sim's seeded users (sim/identity/users.py).
SEEDED = {user.email: user.password for user in SEED_USERS}
# A redirect URI the sim registers for the web client at start (the API's default port).
WEB_REDIRECT_URI = "http://127.0.0.1:8080/auth/callback"

# A bound on a helper's call to the sim (in this process), not something a test is about: as
# long as a loaded machine may need (tests/support/waits.py); pytest-timeout still ends a hang.
_TIMEOUT_S = WAIT_S


class IdentityClock:
    """A sim identity provider's wall clock (`IdentityConfig(clock=...)`): the real time, or
    `behind_s` seconds ago. A sign-in made while it is behind has an old `auth_time`, with no
    waiting (RFC 9470 step-up tests); its access token is valid for what is left of its 15
    minutes, so a test that uses it unrefreshed goes back less than that."""

    def __init__(self) -> None:
        self.behind_s = 0.0

    def __call__(self) -> float:
        return time.time() - self.behind_s


def sim_issuer(sim_url: str) -> str:
    return sim_url.rstrip("/") + MOUNT_PATH


def bearer(token: str) -> dict[str, str]:
    """The request header that carries `token`."""
    return {"Authorization": f"Bearer {token}"}


async def sign_in(
    sim_url: str,
    email: str,
    password: str,
    *,
    client_id: str = WEB_CLIENT_ID,
    redirect_uri: str = WEB_REDIRECT_URI,
    scope: str = "openid profile email",
) -> Tokens:
    """Sign in through the sim's real flow, as a browser does: GET /identity/authorize, post
    the sign-in form found on the page, take the code from the redirect's Location (state
    checked), exchange it with the PKCE verifier, check the ID token (signature, nonce).
    Raises SignInFailed saying at which step it stopped (a wrong password, say)."""
    timeout = aiohttp.ClientTimeout(total=_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        return await _sign_in(
            session,
            sim_issuer(sim_url),
            email,
            password,
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=scope,
        )


async def register_redirect_uris(
    sim_url: str, redirect_uris: Sequence[str], *, client_id: str = WEB_CLIENT_ID
) -> list[str]:
    """Let `client_id` be sent back to `redirect_uris` too; all its redirect URIs now."""
    body = {"client_id": client_id, "redirect_uris": list(redirect_uris)}
    payload = await _call("POST", f"{sim_url}/_sim/identity/clients", body)
    uris: list[str] = payload["redirect_uris"]
    return uris


async def mint_token(
    sim_url: str,
    sub: str,
    *,
    roles: Sequence[str] = (),
    ttl_s: int = 3600,
    email: str | None = None,
    given_name: str | None = None,
    family_name: str | None = None,
    auth_time: int | None = None,
) -> str:
    """A token for `sub` signed by the sim's current key, as the sim's dev-only direct grant
    issues it; `email`, `given_name`, `family_name` become claims when given. Its `auth_time`
    is now (a sign-in just made) unless `auth_time` (unix seconds) says when it was."""
    body: dict[str, Any] = {"sub": sub, "roles": list(roles), "ttl_s": ttl_s}
    claims = {
        "email": email,
        "given_name": given_name,
        "family_name": family_name,
        "auth_time": auth_time,
    }
    body.update({name: value for name, value in claims.items() if value is not None})
    payload = await _call("POST", f"{sim_issuer(sim_url)}/token", body)
    token: str = payload["access_token"]
    return token


async def rotate_keys(sim_url: str, *, retire_old: bool = False) -> str:
    """A new current signing key for the sim's issuer; its `kid`."""
    payload = await _call("POST", f"{sim_url}/_sim/identity/rotate", {"retire_old": retire_old})
    kid: str = payload["kid"]
    return kid


async def identity_state(sim_url: str) -> dict[str, Any]:
    """`kids`, `current_kid`, `jwks_requests` (JWKS documents requested so far), `revocations`
    (RFC 7009 requests answered 200), the `jwks` and `token` endpoints' modes."""
    state: dict[str, Any] = await _call("GET", f"{sim_url}/_sim/identity")
    return state


async def set_jwks_behaviour(sim_url: str, mode: str) -> None:
    """`ok`, `error` (503) or `hang` (never answers): the sim's JWKS endpoint from now on."""
    await _call("PUT", f"{sim_url}/_sim/identity/behaviour", {"jwks": mode})


async def set_token_behaviour(sim_url: str, mode: str) -> None:
    """`ok`, `error` (503) or `hang` (never answers): the sim's token endpoint from now on."""
    await _call("PUT", f"{sim_url}/_sim/identity/behaviour", {"token": mode})


async def _call(method: str, url: str, body: Any = None) -> Any:
    timeout = aiohttp.ClientTimeout(total=_TIMEOUT_S)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.request(method, url, json=body) as response,
    ):
        response.raise_for_status()
        return await response.json()


def mint_token_sync(sim_url: str, sub: str, *, roles: Sequence[str] = (), ttl_s: int = 3600) -> str:
    """`mint_token` without an event loop."""
    body = json.dumps({"sub": sub, "roles": list(roles), "ttl_s": ttl_s}).encode()
    request = urllib.request.Request(
        f"{sim_issuer(sim_url)}/token",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
        token: str = json.load(response)["access_token"]
    return token


def sim_claims(sim_url: str, sub: str, **overrides: Any) -> dict[str, Any]:
    """The claims the sim would issue for `sub` now (1 h, signed in now), with `overrides`
    applied; an override of `None` drops that claim."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": sim_issuer(sim_url),
        "sub": sub,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "roles": [],
        "auth_time": now,
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def sign_as_sim(
    claims: dict[str, Any], *, seed: int = 42, generation: int = 1, kid: str | None = None
) -> str:
    """`claims` signed with the sim's `generation`-th key (the sim of that `seed` trusts it);
    `kid` names another key in the header (a forgery)."""
    key = SigningKey(seed, generation)
    headers = {"kid": kid or key.kid}
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers=headers)


def signed_in_again(sim_url: str, headers: dict[str, str]) -> dict[str, str]:
    """The traveler of `headers` signed in again after their account's erasure: a new token for
    the same `sub` and roles (signed as the sim of seed 42), signed in past the authenticator's
    clock-skew leeway after now. A real sign-in so soon counts as before the erasure
    (skyfare/auth/authenticator.py), and the sim's direct grant takes no sign-in time ahead."""
    old = jwt.decode(
        headers["Authorization"].removeprefix("Bearer "), options={"verify_signature": False}
    )
    after = int(time.time() + CLOCK_LEEWAY_S) + 1
    claims = sim_claims(sim_url, old["sub"], roles=old.get("roles", []), auth_time=after)
    return bearer(sign_as_sim(claims))
