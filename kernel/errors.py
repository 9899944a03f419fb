"""The problem vocabulary every domain package speaks.

Domain packages (search, booking, payment, ...) must not import the composition root `skyfare/`,
yet their errors have to reach clients as RFC 9457 problem documents. They raise subclasses of
these; `skyfare.problems` maps each class to a status, type and title in one table.

- `DomainError` — base; `detail` is safe to show a client; `extensions` become extra members.
  - `ValidationFailed` (422) — names every bad field in `errors`.
  - `BadRequest` (400) — a request that cannot be understood (malformed JSON, missing header).
  - `UnsupportedMediaType` (415) — a body that is not JSON.
  - `NotAcceptable` (406) — an `Accept` that admits none of the media types a route answers in.
  - `Unauthorized` (401), `Forbidden` (403: authenticated, without the role needed),
    - `InsufficientUserAuthentication` (401, its own problem type): the token is good but its
      sign-in is too old for the route (RFC 9470 step-up).
    - `AccountErased` (401, its own problem type): the token's sign-in predates the erasure
      of its account (`DELETE /v1/me`); nothing is created from it.
    `NotFound` (404), `Conflict` (409), `Gone` (410),
    `RateLimited` (429), `ServiceUnavailable` (503).
    - `LimitReached` (409, its own problem type): a quota of the caller's is used up.
  - `PreconditionFailed` (412) — an `If-Match` naming another version than the current one.
  - `NotChangeable`, `ChangeUnsupported` (422, each its own problem type): a flight change the
    fare conditions, or the airline, does not allow.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec


class FieldError(msgspec.Struct, frozen=True):
    field: str  # a JSON path into the request: slices[0].origin, passengers.adults, query.origin
    message: str


def absent_or_invalid(absent: bool, expected: str) -> str:
    """The message for a field that is not what `expected` describes: `required: …` when the
    client left it out (absent, or JSON null), `must be …` when it sent something else — so a
    client is never told to add a field it did send."""
    return f"required: {expected}" if absent else f"must be {expected}"


SHOWN_CHARACTERS = 40


def clipped(sent: str) -> str:
    """What a client sent, cut to `SHOWN_CHARACTERS` for a problem's message: a value or name it
    made up goes back so it can find it, never as a 100 kB echo. Quoting is the caller's."""
    return sent if len(sent) <= SHOWN_CHARACTERS else sent[:SHOWN_CHARACTERS] + "..."


class DomainError(Exception):
    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class ValidationFailed(DomainError):
    def __init__(
        self, errors: Iterable[FieldError], detail: str | None = None, **extensions: Any
    ) -> None:
        self.errors = tuple(errors)
        count = len(self.errors)
        default = f"{count} field{'s' if count != 1 else ''} failed validation"
        super().__init__(detail or default, **extensions)


class BadRequest(DomainError):
    pass


class UnsupportedMediaType(DomainError):
    pass


class NotAcceptable(DomainError):
    """406: the request's `Accept` refuses every media type the route answers in (RFC 9110
    section 15.5.7); `available` names them, a member of the problem document."""

    def __init__(self, detail: str, *, available: tuple[str, ...]) -> None:
        super().__init__(detail, available=list(available))


class UnsupportedContentEncoding(UnsupportedMediaType):
    """415 for a body in a content coding this API does not decode; `accepted` lists those it
    does, for the `Accept-Encoding` response header (RFC 9110 section 15.5.16)."""

    def __init__(self, detail: str, *, accepted: str) -> None:
        super().__init__(detail)
        self.accepted = accepted


class Unauthorized(DomainError):
    """`challenge` is the `WWW-Authenticate` value that tells the client how to authenticate."""

    def __init__(self, detail: str, *, challenge: str = "Bearer", **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.challenge = challenge


class InsufficientUserAuthentication(Unauthorized):
    """A valid token whose sign-in is older than the route allows, or undated: the client signs
    in again (OIDC `max_age`) and retries (RFC 9470). `max_age` (seconds) is a member of the
    problem document and of the challenge."""

    def __init__(self, detail: str, *, challenge: str, max_age: int) -> None:
        super().__init__(detail, challenge=challenge, max_age=max_age)
        self.max_age = max_age


class AccountErased(Unauthorized):
    """A valid token signed in before its account was erased (`DELETE /v1/me`), asking for
    what would make the profile again: the session that holds it is over, and the traveler
    signs in again to start a new, empty profile. `challenge` is an `invalid_token` one."""


class Forbidden(DomainError):
    """The caller is authenticated but lacks the role the route needs."""


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    pass


class LimitReached(Conflict):
    """The request would take the caller past one of its quotas (say, open holds): retrying
    does not help until the caller frees some. `limit` names it, `maximum` is its value and
    `current` what the caller uses; all three are members of the problem document."""

    def __init__(self, detail: str, *, limit: str, maximum: int, current: int) -> None:
        super().__init__(detail, limit=limit, maximum=maximum, current=current)
        self.limit = limit


class Gone(DomainError):
    pass


class NotChangeable(DomainError):
    """422 `fare-not-changeable`: the order's fare conditions do not allow a change."""


class ChangeUnsupported(DomainError):
    """422 `change-unsupported`: the order's airline cannot change booked flights through us;
    `airline` (a member of the problem document) names it."""

    def __init__(self, detail: str, *, airline: str) -> None:
        super().__init__(detail, airline=airline)


class PreconditionFailed(DomainError):
    """412: the request's `If-Match` does not match the resource's current `ETag` (someone
    changed it since the client read it: a lost update prevented)."""


class RateLimited(DomainError):
    def __init__(self, detail: str, *, retry_after_s: float, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.retry_after_s = retry_after_s


class ServiceUnavailable(DomainError):
    """503; `retry_after_s` becomes `Retry-After`: a store that is down usually comes back in
    seconds (a restart, a failover), and clients back off by the header."""

    def __init__(self, detail: str, *, retry_after_s: float = 1.0, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.retry_after_s = retry_after_s
