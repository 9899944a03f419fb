"""docs/api.md keeps up with the code: its route table lists every route the app registers."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec

from skyfare.app import create_app
from skyfare.keys import OPENAPI_DOCUMENT
from skyfare.settings import load_settings

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
_ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/\S*)` \|", re.MULTILINE)
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def documented() -> set[tuple[str, str]]:
    return {(m.group(1), m.group(2)) for m in _ROW.finditer(API_DOC.read_text())}


def test_the_route_table_lists_every_route_the_app_registers() -> None:
    # Building the app opens nothing: its resources start with the app, which this test never does.
    app = create_app(load_settings({}))
    registered = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.method in _METHODS and route.resource is not None
    }

    assert registered == documented()


def test_the_route_table_lists_every_operation_of_the_openapi_document() -> None:
    document = msgspec.json.decode(create_app(load_settings({}))[OPENAPI_DOCUMENT])
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }

    assert operations == documented()


_STATUS = re.compile(r"\b([1-5]\d\d)\b")


def documented_statuses() -> dict[tuple[str, str], tuple[set[str], set[str]]]:
    """Each route of the table: the statuses of its success column and of its problem column."""
    rows = {}
    for line in API_DOC.read_text().splitlines():
        match = _ROW.match(line)
        cells = line.strip().strip("|").split("|")
        if match and len(cells) == 4:
            rows[(match.group(1), match.group(2))] = (
                set(_STATUS.findall(cells[2])),
                set(_STATUS.findall(cells[3])),
            )
    return rows


def test_the_route_table_gives_each_operations_statuses_as_the_openapi_document_does() -> None:
    # The table's columns: success, then "problem statuses besides 500".
    document = msgspec.json.decode(create_app(load_settings({}))[OPENAPI_DOCUMENT])
    served = {
        (method.upper(), path): {code for code in operation["responses"] if code != "500"}
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }

    differ = {
        route: (sorted(success | problems), sorted(served[route]))
        for route, (success, problems) in documented_statuses().items()
        if success | problems != served[route]
    }
    assert not differ, differ
