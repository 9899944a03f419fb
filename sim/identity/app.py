"""The sim identity provider, mounted at `/identity`: an OpenID Connect provider for Skyfare.

- Discovery and JWKS: `GET /identity/.well-known/openid-configuration`, `.../jwks.json`.
- Sign-in (flows.py): the authorization code flow with PKCE (S256 only) at
  `GET /identity/authorize`, a server-rendered page with a sign-in and a sign-up form.
- Tokens (token_endpoint.py): `POST /identity/token`, code and refresh grants, and the dev-only
  direct grant when `IdentityConfig.direct_grant` is on; `POST /identity/revoke` (RFC 7009).
- CORS: the token endpoint, discovery and JWKS answer browser pages whose origin is that of a
  registered redirect URI (a public client such as the web app calls them from its own origin).

Its issuer is `<the URL the client used>/identity`, so a sim on a random test port issues tokens
for exactly the URL the app under test was given. Control API (tests, `skyfare up`):
`GET /_sim/identity` (keys, JWKS requests, clients, accounts), `POST /_sim/identity/rotate`
(a new current signing key), `PUT /_sim/identity/behaviour` `{"jwks": "ok" | "error" | "hang",
"token": ...}` (an identity provider outage, of the key set or the token endpoint),
`POST /_sim/identity/clients` `{"client_id": "skyfare-web", "redirect_uris": [...]}` (register
redirect URIs at run time).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, TypeVar

import msgspec
from aiohttp import web
from aiohttp.typedefs import Handler

from sim.control import error_response, json_response
from sim.identity.authorize import PROMPTS, SCOPES_SUPPORTED
from sim.identity.clients import redirect_uri_problem
from sim.identity.config import MOUNT_PATH, IdentityConfig
from sim.identity.flows import get_authorize, issuer_of, post_sign_in, post_sign_up
from sim.identity.keys import ALGORITHM
from sim.identity.provider import HANG_S, IDENTITY, IdentityProvider, OutageMode
from sim.identity.token_endpoint import post_revoke, post_token
from sim.identity.tokens import AUDIENCE

__all__ = ["AUDIENCE", "IDENTITY", "MOUNT_PATH", "IdentityConfig", "install_identity"]

T = TypeVar("T")
_CORS_PATHS = ("/token", "/revoke", "/.well-known/openid-configuration", "/.well-known/jwks.json")
_CLAIMS = (
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "email",
    "email_verified",
    "given_name",
    "family_name",
    "roles",
    "scope",
)


class RotateRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    retire_old: bool = False


class BehaviourRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Each endpoint named changes; one left out stays as it is."""

    jwks: OutageMode | None = None
    token: OutageMode | None = None


ClientId = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
RedirectUri = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class ClientRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    client_id: ClientId
    redirect_uris: Annotated[tuple[RedirectUri, ...], msgspec.Meta(min_length=1, max_length=20)]


_rotate_request = msgspec.json.Decoder(RotateRequest)
_behaviour_request = msgspec.json.Decoder(BehaviourRequest)
_client_request = msgspec.json.Decoder(ClientRequest)


def install_identity(
    app: web.Application, *, seed: int, config: IdentityConfig | None = None
) -> None:
    """Mount the identity provider on the sim app and add its control routes."""
    app[IDENTITY] = IdentityProvider(seed, config or IdentityConfig())
    app.router.add_get("/_sim/identity", get_state, name="sim_identity")
    app.router.add_post("/_sim/identity/rotate", post_rotate, name="sim_identity_rotate")
    app.router.add_put("/_sim/identity/behaviour", put_behaviour, name="sim_identity_behaviour")
    app.router.add_post("/_sim/identity/clients", post_clients, name="sim_identity_clients")
    app.add_subapp(MOUNT_PATH, _identity_app())


def _identity_app() -> web.Application:
    identity = web.Application(middlewares=[_cors])
    identity.router.add_get("/.well-known/openid-configuration", get_configuration)
    identity.router.add_get("/.well-known/jwks.json", get_jwks)
    identity.router.add_get("/authorize", get_authorize)
    identity.router.add_post("/authorize", post_sign_in)
    identity.router.add_post("/signup", post_sign_up)
    identity.router.add_post("/token", post_token)
    identity.router.add_post("/revoke", post_revoke)
    for path in _CORS_PATHS:
        identity.router.add_route("OPTIONS", path, preflight)
    return identity


@web.middleware
async def _cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Let pages at a registered redirect URI's origin read the answers of `_CORS_PATHS`."""
    response = await handler(request)
    path = request.path.removeprefix(MOUNT_PATH)
    if path in _CORS_PATHS and request.method != "OPTIONS":
        response.headers["Vary"] = "Origin"
        origin = request.headers.get("Origin")
        if origin and request.config_dict[IDENTITY].clients.allows_origin(origin):
            response.headers["Access-Control-Allow-Origin"] = origin
    return response


async def preflight(request: web.Request) -> web.Response:
    origin = request.headers.get("Origin", "")
    if not request.config_dict[IDENTITY].clients.allows_origin(origin):
        return web.Response(status=403, headers={"Vary": "Origin"})
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "GET, POST",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "600",
            "Vary": "Origin",
        },
    )


async def get_configuration(request: web.Request) -> web.Response:
    issuer = issuer_of(request)
    return json_response(
        {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/.well-known/jwks.json",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "revocation_endpoint": f"{issuer}/revoke",
            "revocation_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": list(SCOPES_SUPPORTED),
            "claims_supported": list(_CLAIMS),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "authorization_response_iss_parameter_supported": True,
            # OpenID Connect Prompt Create §4.1; `max_age` needs no entry (OIDC Core §3.1.2.1).
            "prompt_values_supported": list(PROMPTS),
        }
    )


async def get_jwks(request: web.Request) -> web.Response:
    identity = request.config_dict[IDENTITY]
    identity.jwks_requests += 1
    if identity.jwks_mode == "error":
        return error_response(503, "unavailable", "the identity provider is down (sim)")
    if identity.jwks_mode == "hang":
        await asyncio.sleep(HANG_S)
    response = json_response(identity.keys.jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


async def get_state(request: web.Request) -> web.Response:
    identity = request.app[IDENTITY]
    return json_response(
        {
            "kids": [key.kid for key in identity.keys.keys],
            "current_kid": identity.keys.current.kid,
            "jwks_requests": identity.jwks_requests,
            "revocations": identity.revocations,
            "jwks": identity.jwks_mode,
            "token": identity.token_mode,
            "clients": identity.clients.listing(),
            "accounts": identity.accounts.count(),
            "direct_grant": identity.config.direct_grant,
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
    identity = request.app[IDENTITY]
    if asked.jwks is not None:
        identity.jwks_mode = asked.jwks
    if asked.token is not None:
        identity.token_mode = asked.token
    return json_response({"jwks": identity.jwks_mode, "token": identity.token_mode})


async def post_clients(request: web.Request) -> web.Response:
    """Register more redirect URIs for a client (a new public client when unknown)."""
    asked = await _decode(request, _client_request)
    if isinstance(asked, web.Response):
        return asked
    problems = [p for uri in asked.redirect_uris if (p := redirect_uri_problem(uri))]
    if problems:
        return error_response(422, "invalid_request", "; ".join(problems))
    uris = request.app[IDENTITY].clients.register(asked.client_id, asked.redirect_uris)
    return json_response({"client_id": asked.client_id, "redirect_uris": uris})


async def _decode(request: web.Request, decoder: msgspec.json.Decoder[T]) -> T | web.Response:
    """The decoded body (empty: `{}`), or the 400/422 answer that says what is wrong with it."""
    body = await request.read()
    try:
        return decoder.decode(body or b"{}")
    except msgspec.ValidationError as exc:
        return error_response(422, "invalid_request", str(exc))
    except msgspec.DecodeError as exc:
        return error_response(400, "bad_request", f"body is not JSON: {exc}")
