"""Who is calling: the identity every protected route receives, whatever proved it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

import msgspec
from aiohttp import web

from kernel.errors import ServiceUnavailable, Unauthorized


class Principal(msgspec.Struct, frozen=True):
    """An authenticated traveler (or support agent): `subject` is the token's `sub`.

    `email`, `given_name` and `family_name` are the token's standard OpenID Connect claims when
    it carries them (strings, unchecked here): what a new profile starts from (users/).
    `auth_time` is when the traveler last signed in (unix seconds; RFC 9068 §2.2.1), None when
    the token does not say: what a route that wants a recent sign-in judges (RFC 9470).
    `issued_at` is the token's `iat` (unix seconds), None when absent: the sign-in time of a
    token without `auth_time` where one is needed at all (`signed_in_at`).
    """

    subject: str
    roles: frozenset[str] = frozenset()
    email: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    auth_time: int | None = None
    issued_at: int | None = None

    @property
    def signed_in_at(self) -> int | None:
        """When the traveler signed in, as well as the token says: `auth_time`, else `iat`
        (a token is issued at its sign-in or later, so `iat` errs towards a later sign-in)."""
        return self.auth_time if self.auth_time is not None else self.issued_at

    @property
    def is_support(self) -> bool:
        return "support" in self.roles


REALM = "skyfare"
# Clock skew tolerated between the identity provider and us: on a token's exp, nbf and iat, and
# wherever a sign-in time (`auth_time`) is judged against our clock.
CLOCK_LEEWAY_S = 30.0


def challenge(description: str | None = None, *, error: str = "invalid_token") -> str:
    """The `WWW-Authenticate: Bearer` value of a 401 (RFC 6750 §3): bare without a
    `description`, else with `error` and the description."""
    if description is None:
        return f'Bearer realm="{REALM}"'
    # RFC 6750 §3: error_description may not contain `"` or `\`.
    safe = description.replace('"', "'").replace("\\", "/")
    return f'Bearer realm="{REALM}", error="{error}", error_description="{safe}"'


# Routes receive this callable from the composition root; it raises `kernel.errors.Unauthorized`.
Authenticate = Callable[[web.Request], Awaitable[Principal]]


# The plumbing calls it before a partner route's view (skyfare/guard.py).
# It authenticates the `X-API-Key` and rate-limits (raising `Unauthorized` / `RateLimited`); the
# composition root sets it to its partner gate, so domain packages need not import `skyfare/`.
class PartnerCheck(Protocol):
    """`Callable[[web.Request], Awaitable[object]]`, as a Protocol so an AppKey can hold it."""

    def __call__(self, request: web.Request, /) -> Awaitable[object]: ...


PARTNER_CHECK: web.AppKey[PartnerCheck] = web.AppKey("partner_check")

# The name of the partner whose key a partner route's request carried, set by the check above
# (usage events name the partner; the key itself is never passed on).
PARTNER_NAME: web.RequestKey[str] = web.RequestKey("partner_name")


# The plumbing calls it before a traveler route's view (skyfare/guard.py), which then reads the
# caller with `principal(request)`. It verifies the `Authorization: Bearer <JWT>` header (raising
# `Unauthorized`, or `ServiceUnavailable` when the identity provider cannot be reached to check
# the token's key), then applies the traveler's rate limit (raising `RateLimited`); the
# composition root sets it (skyfare/travelers.py), so domain packages need not import `skyfare/`.
class Authenticator(Protocol):
    """`Authenticate` as a Protocol, so an AppKey can hold it."""

    def __call__(self, request: web.Request, /) -> Awaitable[Principal]: ...


AUTHENTICATE: web.AppKey[Authenticator] = web.AppKey("authenticate")

# The Bearer check alone (no rate limit), for public routes that only want to know whether a
# signed-in traveler calls: the searches, so usage events can say who (hashed). Set by the
# composition root beside AUTHENTICATE; absent where no traveler can sign in.
IDENTIFY: web.AppKey[Authenticator] = web.AppKey("identify")


async def signed_in_subject(request: web.Request) -> str | None:
    """The subject of the request's Bearer token when it verifies, else None: a public route
    answers the same with a bad, expired or unverifiable token as without one."""
    identify = request.config_dict.get(IDENTIFY)
    if identify is None or "Authorization" not in request.headers:
        return None
    try:
        return (await identify(request)).subject
    except (Unauthorized, ServiceUnavailable):
        return None


# The caller of a route that declares `security=("bearer",)`, set before its view runs.
PRINCIPAL: web.RequestKey[Principal] = web.RequestKey("principal")


def principal(request: web.Request) -> Principal:
    """The authenticated caller; a route that reads it must declare the bearer scheme."""
    try:
        return request[PRINCIPAL]
    except KeyError:
        raise RuntimeError(
            f"{request.method} {request.match_info.route.resource!r} reads the caller but its "
            "operation declares no bearer security"
        ) from None
