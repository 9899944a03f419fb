from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from kernel.openapi import Operation, Parameter
from search import routes as search_routes
from skyfare import ops
from skyfare.openapi import build_document, encode_document

ALL_OPERATIONS = (*ops.OPERATIONS, *search_routes.OPERATIONS)


class Thing(msgspec.Struct, frozen=True):
    name: str


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document(ALL_OPERATIONS, version="1.2.3")


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_the_document_is_openapi_3_1_with_info(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    assert document["info"]["version"] == "1.2.3"


def test_every_operation_of_every_package_is_present(document: dict[str, Any]) -> None:
    for op in ALL_OPERATIONS:
        entry = document["paths"][op.path][op.method]
        assert entry["operationId"] == op.operation_id


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_every_ref_resolves_to_a_component(document: dict[str, Any]) -> None:
    refs = list(_refs(document))
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in document["components"]["schemas"]


def test_error_responses_are_problem_documents(document: dict[str, Any]) -> None:
    readyz = document["paths"]["/readyz"]["get"]["responses"]
    assert readyz["503"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert "500" in readyz


def test_operations_with_a_body_list_the_body_errors() -> None:
    op = Operation("post", "/things", "make_thing", "Make a thing", "things", request=Thing)
    responses = build_document([op], version="0")["paths"]["/things"]["post"]["responses"]
    assert {"400", "413", "415", "500"} <= set(responses)


def test_undeclared_path_parameters_are_added_as_required() -> None:
    op = Operation(
        "get", "/things/{thing_id}", "get_thing", "A thing", "things", response=Thing,
        parameters=(Parameter("expand", "query"),),
    )  # fmt: skip
    parameters = build_document([op], version="0")["paths"]["/things/{thing_id}"]["get"][
        "parameters"
    ]
    assert {"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}} in (
        parameters
    )


def test_the_encoded_document_is_json() -> None:
    assert msgspec.json.decode(encode_document(ALL_OPERATIONS, version="0"))["openapi"] == "3.1.0"
