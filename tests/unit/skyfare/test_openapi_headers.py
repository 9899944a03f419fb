"""The document tells a client generated from it the headers it must act on: `Retry-After` on
every 429 and 503, and a partner's `RateLimit-*` (docs/api.md, Rate limits)."""

from __future__ import annotations

from typing import Any

import pytest

from search import bulk_routes
from search import routes as search_routes
from skyfare import ops
from skyfare.openapi import build_document

RATE_LIMIT = {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    operations = (*ops.OPERATIONS, *search_routes.OPERATIONS, *bulk_routes.OPERATIONS)
    return build_document(operations, version="0")


def _responses(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    responses: dict[str, Any] = document["paths"][path][method]["responses"]
    return responses


def test_every_429_and_503_documents_retry_after(document: dict[str, Any]) -> None:
    answers = [
        response
        for item in document["paths"].values()
        for op in item.values()
        for status, response in op["responses"].items()
        if status in ("429", "503")
    ]
    assert answers
    for response in answers:
        assert response["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}


@pytest.mark.parametrize(
    ("path", "method"), [("/v1/fares/bulk", "post"), ("/v1/fares/calendar", "get")]
)
def test_partner_answers_document_their_rate_limit_headers(
    document: dict[str, Any], path: str, method: str
) -> None:
    responses = _responses(document, path, method)
    for status in ("200", "422", "429"):
        assert set(responses[status]["headers"]) >= RATE_LIMIT, status
    # No key, no partner, no limit: a 401 comes before the rate limit is looked at.
    assert not RATE_LIMIT & set(responses["401"].get("headers", {}))


def test_routes_without_a_partner_key_document_no_rate_limit_headers(
    document: dict[str, Any],
) -> None:
    for response in _responses(document, "/v1/calendar", "get").values():
        assert not RATE_LIMIT & set(response.get("headers", {}))


def test_bulk_lists_the_503_of_keys_that_cannot_be_checked(document: dict[str, Any]) -> None:
    # docs/api.md: "A 503 means partner keys cannot be checked right now", on both routes.
    for path, method in (("/v1/fares/bulk", "post"), ("/v1/fares/calendar", "get")):
        assert "Partner keys" in _responses(document, path, method)["503"]["description"]
