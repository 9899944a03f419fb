"""The sim identity provider: OpenID discovery, a JWKS and a dev-only token endpoint.

Mounted at `/identity` on the sim server; its issuer is `<the URL the client used>/identity`, so a
sim on a random test port issues tokens for exactly the URL the app under test was given.
Control API: `POST /_sim/identity/rotate` adds a new current signing key; `GET /_sim/identity`
counts JWKS requests; `PUT /_sim/identity/behaviour` `{"jwks": "ok" | "error" | "hang"}` makes the
JWKS endpoint answer, fail with 503 or never answer (an identity provider outage).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Annotated, Any, Literal, TypeVar

import jwt
import msgspec
from aiohttp import web

from sim.control import error_response, json_response
from sim.identity.keys import ALGORITHM, KeyRing

MOUNT_PATH = "/identity"
AUDIENCE = "skyfare"
MAX_TTL_S = 7 * 86400

T = TypeVar("T")
JwksMode = Literal["ok", "error", "hang"]
_HANG_S = 600.0  # "never": the client gives up first, which cancels the handler


class IdentityProvider:
    """The key ring plus what tests observe and steer: JWKS requests served, outage mode."""

    def __init__(self, seed: int) -> None:
        self.keys = KeyRing(seed)
        self.jwks_requests = 0
        self.jwks_mode: JwksMode = "ok"


IDENTITY: web.AppKey[IdentityProvider] = web.AppKey("sim_identity", IdentityProvider)

Subject = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^\S+$")]
Role = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]


class TokenRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    sub: Subject
    roles: Annotated[tuple[Role, ...], msgspec.Meta(max_length=16)] = ()
    ttl_s: Annotated[int, msgspec.Meta(ge=1, le=MAX_TTL_S)] = 3600


class RotateRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    retire_old: bool = False


class BehaviourRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    jwks: JwksMode


_token_request = msgspec.json.Decoder(TokenRequest)
_rotate_request = msgspec.json.Decoder(RotateRequest)
_behaviour_request = msgspec.json.Decoder(BehaviourRequest)


def install_identity(app: web.Application, *, seed: int) -> None:
    """Mount the identity provider on the sim app and add its control route."""
    app[IDENTITY] = IdentityProvider(seed)
    app.router.add_get("/_sim/identity", get_state, name="sim_identity")
    app.router.add_post("/_sim/identity/rotate", post_rotate, name="sim_identity_rotate")
    app.router.add_put("/_sim/identity/behaviour", put_behaviour, name="sim_identity_behaviour")
    app.add_subapp(MOUNT_PATH, _identity_app())


def _identity_app() -> web.Application:
    identity = web.Application()
    identity.router.add_get("/.well-known/openid-configuration", get_configuration)
    identity.router.add_get("/.well-known/jwks.json", get_jwks)
    identity.router.add_post("/token", post_token)
    return identity


def issuer_of(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}{MOUNT_PATH}"


async def get_configuration(request: web.Request) -> web.Response:
    issuer = issuer_of(request)
    return json_response(
        {
            "issuer": issuer,
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "token_endpoint": f"{issuer}/token",
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "subject_types_supported": ["public"],
            "response_types_supported": ["token"],
        }
    )


async def get_jwks(request: web.Request) -> web.Response:
    identity = request.config_dict[IDENTITY]
    identity.jwks_requests += 1
    if identity.jwks_mode == "error":
        return error_response(503, "unavailable", "the identity provider is down (sim)")
    if identity.jwks_mode == "hang":
        await asyncio.sleep(_HANG_S)
    response = json_response(identity.keys.jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


async def post_token(request: web.Request) -> web.Response:
    """Dev only: a token for whoever asks, as `{"sub": ..., "roles": [...], "ttl_s": ...}`."""
    asked = await _decode(request, _token_request)
    if isinstance(asked, web.Response):
        return asked
    token = sign_token(request.config_dict[IDENTITY].keys, issuer_of(request), asked)
    response = json_response(
        {"access_token": token, "token_type": "Bearer", "expires_in": asked.ttl_s}
    )
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 §5.1
    return response


def sign_token(keys: KeyRing, issuer: str, asked: TokenRequest) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": asked.sub,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + asked.ttl_s,
        "jti": uuid.uuid4().hex,
        "roles": list(asked.roles),
    }
    key = keys.current
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


async def get_state(request: web.Request) -> web.Response:
    identity = request.app[IDENTITY]
    return json_response(
        {
            "kids": [key.kid for key in identity.keys.keys],
            "current_kid": identity.keys.current.kid,
            "jwks_requests": identity.jwks_requests,
            "jwks": identity.jwks_mode,
        }
    )


async def post_rotate(request: web.Request) -> web.Response:
    asked = await _decode(request, _rotate_request)
    if isinstance(asked, web.Response):
        return asked
    keys = request.app[IDENTITY].keys
    key = keys.rotate(retire_old=asked.retire_old)
    return json_response({"kid": key.kid, "kids": [k.kid for k in keys.keys]})


async def put_behaviour(request: web.Request) -> web.Response:
    asked = await _decode(request, _behaviour_request)
    if isinstance(asked, web.Response):
        return asked
    request.app[IDENTITY].jwks_mode = asked.jwks
    return json_response({"jwks": asked.jwks})


async def _decode(request: web.Request, decoder: msgspec.json.Decoder[T]) -> T | web.Response:
    """The decoded body (empty: `{}`), or the 400/422 answer that says what is wrong with it."""
    body = await request.read()
    try:
        return decoder.decode(body or b"{}")
    except msgspec.ValidationError as exc:
        return error_response(422, "invalid_request", str(exc))
    except msgspec.DecodeError as exc:
        return error_response(400, "bad_request", f"body is not JSON: {exc}")
