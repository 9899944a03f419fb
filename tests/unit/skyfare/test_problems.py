from __future__ import annotations

import msgspec
import pytest
from aiohttp import web

from kernel import errors
from skyfare import problems


def _doc(response: web.Response) -> dict[str, object]:
    assert isinstance(response.body, bytes)
    decoded: dict[str, object] = msgspec.json.decode(response.body)
    return decoded


@pytest.mark.parametrize(
    ("exc", "status", "slug"),
    [
        (errors.ValidationFailed([errors.FieldError("a", "bad")]), 422, "validation-error"),
        (errors.BadRequest("x"), 400, "bad-request"),
        (errors.UnsupportedMediaType("x"), 415, "unsupported-media-type"),
        (errors.NotAcceptable("x", available=("a/b",)), 406, "not-acceptable"),
        (errors.Unauthorized("x"), 401, "unauthorized"),
        (errors.NotFound("x"), 404, "not-found"),
        (errors.Conflict("x"), 409, "conflict"),
        (errors.Gone("x"), 410, "gone"),
        (errors.PreconditionFailed("x"), 412, "precondition-failed"),
        (errors.RateLimited("x", retry_after_s=1), 429, "rate-limited"),
        (errors.ServiceUnavailable("x"), 503, "service-unavailable"),
    ],
)
def test_every_domain_error_maps_to_its_status_and_type(
    exc: errors.DomainError, status: int, slug: str
) -> None:
    kind = problems.kind_of_domain_error(exc)
    assert kind is not None
    response = problems.domain_error_response(exc, kind, "/v1/x")
    doc = _doc(response)
    assert response.status == status
    assert response.content_type == "application/problem+json"
    assert doc["status"] == status
    assert doc["type"] == f"https://skyfare.dev/problems/{slug}"
    assert doc["detail"] == exc.detail
    assert doc["instance"] == "/v1/x"
    assert doc["title"]


def test_a_subclass_maps_through_its_listed_ancestor() -> None:
    class OfferSoldOut(errors.Gone):
        pass

    assert problems.kind_of_domain_error(OfferSoldOut("x")) == problems.GONE


def test_an_unlisted_domain_error_has_no_entry_so_it_becomes_a_500() -> None:
    class Unlisted(errors.DomainError):
        pass

    assert problems.kind_of_domain_error(Unlisted("x")) is None


def test_validation_failures_name_every_field() -> None:
    exc = errors.ValidationFailed(
        [
            errors.FieldError("slices[0].origin", "unknown airport 'XXX'"),
            errors.FieldError("a", "b"),
        ]
    )
    doc = _doc(problems.domain_error_response(exc, problems.VALIDATION, "/v1/search"))
    assert doc["errors"] == [
        {"field": "slices[0].origin", "message": "unknown airport 'XXX'"},
        {"field": "a", "message": "b"},
    ]
    assert doc["detail"] == "2 fields failed validation"


def test_unauthorized_carries_a_bearer_challenge() -> None:
    exc = errors.Unauthorized("token expired")
    response = problems.domain_error_response(exc, problems.UNAUTHORIZED, "/v1/orders")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_unauthorized_names_the_challenge_of_the_credential_it_wants() -> None:
    exc = errors.Unauthorized("unknown key", challenge='ApiKey header="X-API-Key"')
    response = problems.domain_error_response(exc, problems.UNAUTHORIZED, "/v1/fares/bulk")
    assert response.headers["WWW-Authenticate"] == 'ApiKey header="X-API-Key"'


def test_rate_limited_carries_retry_after_in_whole_seconds_rounded_up() -> None:
    exc = errors.RateLimited("slow down", retry_after_s=1.2)
    response = problems.domain_error_response(exc, problems.RATE_LIMITED, "/v1/fares/bulk")
    assert response.headers["Retry-After"] == "2"


def test_extensions_become_members_but_never_replace_standard_ones() -> None:
    exc = errors.Conflict("price changed", new_total_amount="99.00", status=200, type="x")
    doc = _doc(problems.domain_error_response(exc, problems.CONFLICT, "/v1/orders"))
    assert doc["new_total_amount"] == "99.00"
    assert doc["status"] == 409
    assert doc["type"] == "https://skyfare.dev/problems/conflict"


@pytest.mark.parametrize(
    ("exc", "status", "slug"),
    [
        (web.HTTPBadRequest(), 400, "bad-request"),
        (web.HTTPNotFound(), 404, "not-found"),
        (web.HTTPMethodNotAllowed("POST", ["GET"]), 405, "method-not-allowed"),
        (web.HTTPRequestEntityTooLarge(max_size=1, actual_size=2), 413, "payload-too-large"),
        (web.HTTPUnsupportedMediaType(), 415, "unsupported-media-type"),
    ],
)
def test_aiohttp_http_errors_become_problem_documents(
    exc: web.HTTPException, status: int, slug: str
) -> None:
    response = problems.http_error_response(exc, "/somewhere")
    doc = _doc(response)
    assert response.status == status
    assert response.content_type == "application/problem+json"
    assert doc["type"] == f"https://skyfare.dev/problems/{slug}"
    assert doc["status"] == status


def test_method_not_allowed_keeps_allow_and_names_the_allowed_methods() -> None:
    response = problems.http_error_response(web.HTTPMethodNotAllowed("PUT", ["GET"]), "/healthz")
    assert response.headers["Allow"] == "GET"
    assert "GET" in str(_doc(response)["detail"])


def test_a_status_without_an_entry_is_about_blank_with_the_reason_phrase() -> None:
    doc = _doc(problems.http_error_response(web.HTTPRequestRangeNotSatisfiable(), "/x"))
    assert doc["type"] == "about:blank"
    assert doc["title"] == "Requested Range Not Satisfiable"
    assert doc["status"] == 416


def test_the_internal_error_says_nothing_but_the_request_id() -> None:
    doc = _doc(problems.internal_error_response("req-1"))
    assert doc["status"] == 500
    assert "req-1" in str(doc["detail"])
    assert set(doc) == {"type", "title", "status", "detail"}
