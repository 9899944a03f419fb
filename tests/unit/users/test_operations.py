"""The user routes in the OpenAPI document: merge-patch bodies, bearer security, their errors."""

from __future__ import annotations

from typing import Any

import msgspec

from skyfare.app import create_app
from skyfare.guard import RECENT_BEARER
from skyfare.keys import OPENAPI_DOCUMENT, ROUTE_SECURITY
from skyfare.settings import load_settings


def document() -> dict[str, Any]:
    decoded: dict[str, Any] = msgspec.json.decode(create_app(load_settings({}))[OPENAPI_DOCUMENT])
    return decoded


def test_patches_declare_a_merge_patch_body_and_its_415() -> None:
    paths = document()["paths"]

    for path in ("/v1/me", "/v1/me/travelers/{traveler_id}"):
        patch = paths[path]["patch"]
        assert list(patch["requestBody"]["content"]) == ["application/merge-patch+json"]
        assert "merge-patch" in patch["responses"]["415"]["description"]
        assert {"412", "422"} <= set(patch["responses"])
        assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"])
    create = paths["/v1/me/travelers"]["post"]
    assert list(create["requestBody"]["content"]) == ["application/json"]


def test_every_user_route_is_bearer_secured_and_enforced_by_the_plumbing() -> None:
    app = create_app(load_settings({}))
    paths = msgspec.json.decode(app[OPENAPI_DOCUMENT])["paths"]
    user_routes = {
        (method.upper(), path)
        for path, item in paths.items()
        if path.startswith("/v1/me")
        for method in item
    }

    # users/'s seven, and skyfare/privacy.py's export and erasure (GET /v1/me/export, DELETE /v1/me)
    assert len(user_routes) == 9
    for method, path in user_routes:
        assert paths[path][method.lower()]["security"] == [{"bearer": []}]
        # Erasure also needs a recent sign-in (RFC 9470 step-up); the others the token only.
        expected = RECENT_BEARER if (method, path) == ("DELETE", "/v1/me") else "bearer"
        assert app[ROUTE_SECURITY][(method, path)] == expected


def test_a_deleted_traveler_answers_204_without_a_body_schema() -> None:
    delete = document()["paths"]["/v1/me/travelers/{traveler_id}"]["delete"]

    assert delete["responses"]["204"] == {"description": "Success"}
