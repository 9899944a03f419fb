"""`POST /identity/token`: the OAuth token endpoint (RFC 6749 §3.2) for public clients, and
`POST /identity/revoke`: token revocation (RFC 7009), which a client calls as it signs out.

A form body (`application/x-www-form-urlencoded`) is OAuth: `grant_type=authorization_code`
(with PKCE) or `refresh_token` (rotated), errors as RFC 6749 §5.2 JSON. Any other body is the
dev-only direct grant, when the provider has it on: a JSON `{"sub", "roles", "ttl_s", ...}`
minted as asked, for tests, benchmarks and `skyfare token`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Annotated, Any

import msgspec
from aiohttp import web

from sim.control import error_response, json_response
from sim.identity.codes import GrantRefused
from sim.identity.flows import issuer_of, read_form
from sim.identity.provider import HANG_S, IDENTITY, IdentityProvider
from sim.identity.tokens import AUDIENCE, sign

FORM = "application/x-www-form-urlencoded"
MAX_TTL_S = 7 * 86400
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1

Subject = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^\S+$")]
Role = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]


class DirectGrant(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    sub: Subject
    roles: Annotated[tuple[Role, ...], msgspec.Meta(max_length=16)] = ()
    ttl_s: Annotated[int, msgspec.Meta(ge=1, le=MAX_TTL_S)] = 3600
    email: Email | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    # When the traveler "signed in" (unix seconds, not after now): tests mint a stale sign-in
    # with it (RFC 9470 step-up). Absent: now, as a sign-in just made.
    auth_time: Annotated[int, msgspec.Meta(ge=0)] | None = None


_direct_grant = msgspec.json.Decoder(DirectGrant)


class OAuthError(Exception):
    """An RFC 6749 §5.2 error answer."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


async def post_token(request: web.Request) -> web.Response:
    identity = request.config_dict[IDENTITY]
    if identity.token_mode == "error":
        return error_response(503, "unavailable", "the identity provider is down (sim)")
    if identity.token_mode == "hang":
        await asyncio.sleep(HANG_S)
    if request.content_type != FORM:
        if identity.config.direct_grant:
            return await _direct(request, identity)
        off = "the dev-only direct grant is off here: sign in (authorization code flow)"
        return _oauth_error(OAuthError("invalid_request", f"{off}; the body must be {FORM}"))
    try:
        answer = await _grant(request, identity)
    except OAuthError as exc:
        return _oauth_error(exc)
    return _no_store(json_response(answer))


async def _grant(request: web.Request, identity: IdentityProvider) -> dict[str, Any]:
    form = await read_form(request)
    grant_type = _required(form, "grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
    client_id = _required(form, "client_id")
    if not identity.clients.known(client_id):
        raise OAuthError("invalid_client", f"unknown client_id {client_id!r}", status=401)
    issuer = issuer_of(request)
    try:
        if grant_type == "authorization_code":
            redeemed = identity.grants.redeem_code(
                _required(form, "code"),
                client_id=client_id,
                redirect_uri=_required(form, "redirect_uri"),
                code_verifier=_required(form, "code_verifier"),
            )
            grant, nonce, refresh = redeemed.grant, redeemed.nonce, redeemed.refresh_token
        else:
            grant, refresh = identity.grants.rotate(
                _required(form, "refresh_token"), client_id=client_id
            )
            nonce = None  # a refreshed ID token carries no nonce (OIDC Core §12.2)
    except GrantRefused as exc:
        raise OAuthError("invalid_grant", str(exc)) from None
    account = identity.accounts.by_id(grant.user_id)
    if account is None:  # not reachable today: accounts are never deleted
        raise OAuthError("invalid_grant", "the account no longer exists")
    return identity.token_response(issuer, account, grant, nonce=nonce, refresh_token=refresh)


async def post_revoke(request: web.Request) -> web.Response:
    """RFC 7009: `token` (a refresh token: its whole family is revoked) and the public client's
    `client_id`. 200 with no body, also for a token unknown or already revoked (§2.2: the client
    cannot act on the difference). Access tokens are signed JWTs the API verifies on its own, so
    one cannot be revoked here: `unsupported_token_type` (§2.2.1) when the hint names one."""
    try:
        if request.content_type != FORM:
            raise OAuthError("invalid_request", f"the body must be {FORM}")
        form = await read_form(request)
        revoked = _required(form, "token")
        client_id = _required(form, "client_id")
        identity = request.config_dict[IDENTITY]
        if not identity.clients.known(client_id):
            raise OAuthError("invalid_client", f"unknown client_id {client_id!r}", status=401)
        try:
            found = identity.grants.revoke(revoked, client_id=client_id)
        except GrantRefused as exc:
            raise OAuthError("invalid_request", str(exc)) from None
        if not found and form.get("token_type_hint") == "access_token":
            raise OAuthError("unsupported_token_type", "access tokens expire, they are not revoked")
    except OAuthError as exc:
        return _oauth_error(exc)
    identity.revocations += 1
    return _no_store(web.Response(status=200))


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name, "")
    if not value:
        raise OAuthError("invalid_request", f"{name} is required")
    return value


def _oauth_error(exc: OAuthError) -> web.Response:
    body = {"error": exc.error, "error_description": exc.description}
    return _no_store(json_response(body, exc.status))


def _no_store(response: web.Response) -> web.Response:
    response.headers.update(NO_STORE)
    return response


async def _direct(request: web.Request, identity: IdentityProvider) -> web.Response:
    """Dev only: a token for whoever asks."""
    body = await request.read()
    try:
        asked = _direct_grant.decode(body or b"{}")
    except msgspec.ValidationError as exc:
        return error_response(422, "invalid_request", str(exc))
    except msgspec.DecodeError as exc:
        return error_response(400, "bad_request", f"body is not JSON: {exc}")
    now = identity.now()
    if asked.auth_time is not None and asked.auth_time > now:
        future = "auth_time may not be in the future - at `$.auth_time`"
        return error_response(422, "invalid_request", future)
    token = sign(identity.keys, direct_claims(issuer_of(request), asked, now=now))
    answer = {"access_token": token, "token_type": "Bearer", "expires_in": asked.ttl_s}
    return _no_store(json_response(answer))


def direct_claims(issuer: str, asked: DirectGrant, *, now: int) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": asked.sub,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + asked.ttl_s,
        "jti": uuid.uuid4().hex,
        "roles": list(asked.roles),
        "auth_time": now if asked.auth_time is None else asked.auth_time,
    }
    for name in ("email", "given_name", "family_name"):
        if (value := getattr(asked, name)) is not None:
            claims[name] = value
    return claims
