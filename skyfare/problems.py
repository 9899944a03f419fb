"""RFC 9457 problem documents: the ONE table from error class to (status, type, title).

Problem `type` URIs are `https://skyfare.dev/problems/<slug>` (`PROBLEM_BASE` + slug): stable
identifiers clients switch on, absolute as RFC 9457 recommends; clients need not dereference them.
The OpenAPI document's Problem schema lists the slugs. A status without its own entry (say a 408
from aiohttp) gets `about:blank` with the HTTP reason phrase as title (RFC 9457 §4.2.1).

Domain packages raise `kernel.errors`; aiohttp raises its `HTTPException` family for the router
(404, 405), the body limit (413) and unparseable bodies (400). Both meet here; anything else is a
bug and becomes a 500 whose body says nothing about the internals.
"""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Annotated, Any, NamedTuple

import msgspec
from aiohttp import web

from kernel import errors

PROBLEM_BASE = "https://skyfare.dev/problems/"
MEDIA_TYPE = "application/problem+json"
_RESERVED = frozenset({"type", "title", "status", "detail", "instance", "errors"})


class ProblemKind(NamedTuple):
    status: int
    slug: str
    title: str

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug


# The extension members every client may meet, documented on the Problem schema (the others
# are named by the operations that answer them).
_DECLINE_CODE = msgspec.Meta(
    description="A card payment the gateway declined or refused (a 409 of a flight change's "
    "confirmation, a 422 naming the card of a payment or a paid seat change): the gateway's "
    "code, e.g. `insufficient_funds`, `generic_decline`; absent otherwise. For support and for "
    "choosing words: `detail` says the same for people."
)

_FAILURE_CODE = msgspec.Meta(
    description="A flight change's confirmation refused (409): why, in a stable word to choose "
    "words by: `card_declined` (`decline_code` says how), `refund_not_possible`, `order_moved` "
    "(the trip was cancelled, refunded or changed meanwhile), `airline_refused` (sold out, the "
    "fare moved), `airline_kept_new_flights` (the change could not be undone at the airline: "
    "support settles it), or another of the change offer's `failure_code` values; absent when "
    "the change offer itself did not fail (`departed_at`, `in_progress` or none: the trip changed "
    "since the offer). `detail` says the same for people."
)


class Problem(msgspec.Struct, frozen=True, omit_defaults=True):
    """An RFC 9457 problem document (`application/problem+json`); extension members may follow."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: tuple[errors.FieldError, ...] | None = None
    decline_code: Annotated[str, _DECLINE_CODE] | None = None
    failure_code: Annotated[str, _FAILURE_CODE] | None = None


VALIDATION = ProblemKind(422, "validation-error", "Your request parameters didn't validate")
BAD_REQUEST = ProblemKind(400, "bad-request", "Bad request")
UNSUPPORTED_MEDIA = ProblemKind(415, "unsupported-media-type", "Unsupported media type")
NOT_ACCEPTABLE = ProblemKind(406, "not-acceptable", "Not acceptable")
UNAUTHORIZED = ProblemKind(401, "unauthorized", "Authentication required")
# RFC 9470: the token is good, its sign-in too old for the route: sign in again, then retry.
INSUFFICIENT_USER_AUTHENTICATION = ProblemKind(
    401, "insufficient-user-authentication", "A more recent sign-in is required"
)
# The token's sign-in predates its account's erasure: that session is over, sign in again.
ACCOUNT_ERASED = ProblemKind(401, "account-erased", "The account was deleted")
FORBIDDEN = ProblemKind(403, "forbidden", "Forbidden")
NOT_FOUND = ProblemKind(404, "not-found", "Not found")
METHOD_NOT_ALLOWED = ProblemKind(405, "method-not-allowed", "Method not allowed")
CONFLICT = ProblemKind(409, "conflict", "Conflict")
LIMIT_REACHED = ProblemKind(409, "limit-reached", "Limit reached")
GONE = ProblemKind(410, "gone", "Gone")
NOT_CHANGEABLE = ProblemKind(422, "fare-not-changeable", "The fare does not allow changes")
CHANGE_UNSUPPORTED = ProblemKind(422, "change-unsupported", "The airline cannot change flights")
PRECONDITION_FAILED = ProblemKind(412, "precondition-failed", "Precondition failed")
TOO_LARGE = ProblemKind(413, "payload-too-large", "Request body too large")
# The HTTP layer's own (skyfare/protocol.py, skyfare/methods.py): a body that did not arrive in
# time, an `Expect` other than 100-continue, a request head over the size limits.
REQUEST_TIMEOUT = ProblemKind(408, "request-timeout", "Request body not received in time")
EXPECTATION_FAILED = ProblemKind(417, "expectation-failed", "Expectation not supported")
HEADERS_TOO_LARGE = ProblemKind(431, "request-header-fields-too-large", "Request head too large")
RATE_LIMITED = ProblemKind(429, "rate-limited", "Too many requests")
INTERNAL = ProblemKind(500, "internal-error", "Internal server error")
UNAVAILABLE = ProblemKind(503, "service-unavailable", "Service unavailable")

# Domain errors by class; a subclass maps through its nearest listed ancestor.
DOMAIN_PROBLEMS: dict[type[errors.DomainError], ProblemKind] = {
    errors.ValidationFailed: VALIDATION,
    errors.BadRequest: BAD_REQUEST,
    errors.UnsupportedMediaType: UNSUPPORTED_MEDIA,
    errors.NotAcceptable: NOT_ACCEPTABLE,
    errors.Unauthorized: UNAUTHORIZED,
    errors.InsufficientUserAuthentication: INSUFFICIENT_USER_AUTHENTICATION,
    errors.AccountErased: ACCOUNT_ERASED,
    errors.Forbidden: FORBIDDEN,
    errors.NotFound: NOT_FOUND,
    errors.Conflict: CONFLICT,
    errors.LimitReached: LIMIT_REACHED,
    errors.Gone: GONE,
    errors.NotChangeable: NOT_CHANGEABLE,
    errors.ChangeUnsupported: CHANGE_UNSUPPORTED,
    errors.PreconditionFailed: PRECONDITION_FAILED,
    errors.RateLimited: RATE_LIMITED,
    errors.ServiceUnavailable: UNAVAILABLE,
}
# aiohttp's HTTPException family, by status (the router, the body limit, the request parser).
HTTP_PROBLEMS: dict[int, ProblemKind] = {
    kind.status: kind
    for kind in (
        BAD_REQUEST,
        UNAUTHORIZED,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        NOT_ACCEPTABLE,
        CONFLICT,
        GONE,
        PRECONDITION_FAILED,
        TOO_LARGE,
        UNSUPPORTED_MEDIA,
        REQUEST_TIMEOUT,
        EXPECTATION_FAILED,
        HEADERS_TOO_LARGE,
        RATE_LIMITED,
        INTERNAL,
        UNAVAILABLE,
    )
}
ALL_KINDS: tuple[ProblemKind, ...] = tuple(
    {k.slug: k for k in (*DOMAIN_PROBLEMS.values(), *HTTP_PROBLEMS.values())}.values()
)

_encoder = msgspec.json.Encoder()


def kind_of_domain_error(exc: errors.DomainError) -> ProblemKind | None:
    """The entry of the nearest listed class; None if unlisted (a bug: answered as a 500)."""
    for cls in type(exc).__mro__:
        kind = DOMAIN_PROBLEMS.get(cls)
        if kind is not None:
            return kind
    return None


def kind_of_http_error(exc: web.HTTPException) -> ProblemKind:
    kind = HTTP_PROBLEMS.get(exc.status)
    if kind is not None:
        return kind
    return ProblemKind(exc.status, "", _reason(exc.status))


def problem_body(kind: ProblemKind, detail: str, **members: Any) -> bytes:
    """The encoded document: the standard members, then extensions (never overriding them)."""
    doc: dict[str, Any] = {
        "type": kind.type if kind.slug else "about:blank",
        "title": kind.title,
        "status": kind.status,
        "detail": detail,
    }
    for name, value in members.items():
        if value is not None and (name not in doc):
            doc[name] = value
    return _encoder.encode(doc)


def problem_response(
    kind: ProblemKind, detail: str, *, headers: dict[str, str] | None = None, **members: Any
) -> web.Response:
    return web.Response(
        body=problem_body(kind, detail, **members),
        status=kind.status,
        content_type=MEDIA_TYPE,
        headers=headers,
    )


def domain_error_response(
    exc: errors.DomainError, kind: ProblemKind, instance: str
) -> web.Response:
    headers: dict[str, str] | None = None
    if isinstance(exc, errors.Unauthorized):
        headers = {"WWW-Authenticate": exc.challenge}
    elif isinstance(exc, errors.RateLimited | errors.ServiceUnavailable):
        headers = {"Retry-After": str(max(1, math.ceil(exc.retry_after_s)))}
    elif isinstance(exc, errors.UnsupportedContentEncoding):
        headers = {"Accept-Encoding": exc.accepted}
    extensions = {k: v for k, v in exc.extensions.items() if k not in _RESERVED}
    field_errors = exc.errors if isinstance(exc, errors.ValidationFailed) else None
    return problem_response(
        kind, exc.detail, headers=headers, instance=instance, errors=field_errors, **extensions
    )


def http_error_response(exc: web.HTTPException, instance: str) -> web.Response:
    kind = kind_of_http_error(exc)
    detail = _http_detail(exc, kind, instance)
    headers = {}
    # Keep what the status needs (Allow on 405, Retry-After, Location...), drop the body's type.
    for name, value in exc.headers.items():
        if name.lower() not in ("content-type", "content-length"):
            headers[name] = value
    return problem_response(kind, detail, headers=headers, instance=instance)


def internal_error_response(request_id: str) -> web.Response:
    return problem_response(
        INTERNAL,
        f"An unexpected error occurred; quote request id {request_id} when reporting it.",
    )


def _http_detail(exc: web.HTTPException, kind: ProblemKind, instance: str) -> str:
    if exc.text and not exc.text.startswith(f"{exc.status}: "):
        return exc.text  # the raiser's own words (aiohttp's default text is "<status>: <reason>")
    if isinstance(exc, web.HTTPMethodNotAllowed):
        allowed = ", ".join(sorted(exc.allowed_methods))
        return f"{exc.method} is not allowed on {instance}; allowed: {allowed}"
    if exc.status == 404:
        return f"no resource at {instance}"
    return kind.title


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
