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
