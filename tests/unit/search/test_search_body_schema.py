"""The OpenAPI schema of `POST /v1/search`'s body says what the view takes: `null` for any
optional member, as if it were left out (search/validation.py), and never for a required one;
carrier codes in either case, as airports.
Checked with a JSON Schema validator over the document the API serves, beside what
`validate_search` itself accepts, so the schema and the server cannot part."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from kernel.errors import ValidationFailed
from search import routes as search_routes
from search.validation import validate_search
from skyfare.openapi import build_document

TODAY = dt.date(2030, 1, 10)
SLICE = {"origin": "LHR", "destination": "JFK", "departure_date": "2030-02-01"}
OPTIONAL = (
    "passengers", "cabin_class", "max_connections", "currency", "sort", "limit",
    "airlines", "max_price", "deadline_ms", "cache",
)  # fmt: skip
BODY = "urn:skyfare#/paths/~1v1~1search/post/requestBody/content/application~1json/schema"


@pytest.fixture(scope="module")
def body_schema() -> jsonschema.Draft202012Validator:
    document = build_document(search_routes.OPERATIONS, version="test")
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:skyfare", resource)
    return jsonschema.Draft202012Validator({"$ref": BODY}, registry=registry)


def _accepted(body: dict[str, Any]) -> bool:
    try:
        validate_search(body, today=TODAY)
    except ValidationFailed:
        return False
    return True


@pytest.mark.parametrize("member", OPTIONAL)
def test_null_for_an_optional_member_is_valid_in_the_schema_as_on_the_server(
    body_schema: jsonschema.Draft202012Validator, member: str
) -> None:
    body = {"slices": [SLICE], member: None}

    assert _accepted(body)
    assert list(body_schema.iter_errors(body)) == []


@pytest.mark.parametrize("count", ["adults", "children", "infants"])
def test_null_for_a_passenger_count_is_valid_in_the_schema_as_on_the_server(
    body_schema: jsonschema.Draft202012Validator, count: str
) -> None:
    body = {"slices": [SLICE], "passengers": {count: None}}

    assert _accepted(body)
    assert list(body_schema.iter_errors(body)) == []


@pytest.mark.parametrize(
    "body",
    [
        {"slices": None},
        {"slices": [{**SLICE, "origin": None}]},
        {"slices": [{**SLICE, "departure_date": None}]},
    ],
)
def test_null_for_a_required_member_is_refused_by_the_schema_as_by_the_server(
    body_schema: jsonschema.Draft202012Validator, body: dict[str, Any]
) -> None:
    assert not _accepted(body)
    assert list(body_schema.iter_errors(body)) != []


@pytest.mark.parametrize(
    ("airlines", "valid"),
    [
        (["ba", "Lh", "U2"], True),
        ([], False),
        (["BAW"], False),
        ([f"A{i % 10}" for i in range(101)], False),
    ],
)
def test_the_airlines_filter_is_described_as_the_server_reads_it(
    body_schema: jsonschema.Draft202012Validator, airlines: list[str], valid: bool
) -> None:
    # Carrier codes are case-insensitive on input (API.md), and the list holds 1 to 100 codes.
    body = {"slices": [SLICE], "airlines": airlines}

    assert _accepted(body) is valid
    assert (list(body_schema.iter_errors(body)) == []) is valid
