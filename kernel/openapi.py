"""What each route contributes to the OpenAPI document, declared beside the route itself.

Every package's `routes.py` exports `OPERATIONS: tuple[Operation, ...]`; `skyfare.openapi` turns
them into one OpenAPI 3.1 document with `msgspec.json.schema_components`, from the same Structs
the handlers decode and encode, so the document cannot drift from the code.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

Method = Literal["get", "post", "put", "delete", "patch"]

# The API's paths: the plumbing refuses a query parameter their operations do not declare
# (skyfare/parameters.py); the probes, the documents and the web app's pages ignore query strings.
API_PREFIX = "/v1/"


class Parameter(msgspec.Struct, frozen=True):
    """A path, query or header parameter; `schema` is a JSON Schema fragment."""

    name: str
    location: Literal["path", "query", "header"]
    description: str = ""
    required: bool = False
    schema: dict[str, Any] = msgspec.field(default_factory=lambda: {"type": "string"})


class Operation(msgspec.Struct, frozen=True):
    """One method on one path.

    `request` / `response` are the types the handler decodes and encodes (a Struct, or None);
    `request_media` is the one media type the request body must be declared as (e.g.
    `application/merge-patch+json` for a JSON Merge Patch);
    `response_media` names the success media type (e.g. `application/x-ndjson` beside JSON);
    `errors` maps each problem status the route may answer to a one-line reason;
    `validates_query`: the view checks its query parameters itself, undeclared ones included
    (`kernel.query.query_params`), so the plumbing leaves them to it (skyfare/parameters.py);
    `recent_sign_in`: a bearer route that also needs the token's sign-in to be recent (RFC 9470
    step-up, skyfare/auth/step_up.py), checked by the plumbing right after the token.
    """

    method: Method
    path: str
    operation_id: str
    summary: str
    tag: str
    response_status: int = 200
    request: Any = None
    request_media: str = "application/json"
    response: Any = None
    response_media: tuple[str, ...] = ("application/json",)
    parameters: tuple[Parameter, ...] = ()
    errors: dict[int, str] = msgspec.field(default_factory=dict)
    security: tuple[str, ...] = ()  # names of security schemes, e.g. ("bearer",) or ("api_key",)
    # Structs the request or response schemas name only by reference (`extra_json_schema`).
    referenced: tuple[Any, ...] = ()
    # OpenAPI link objects of the success response, by name: how its answer feeds the next call
    # (clients read them; the fuzzer follows them from a search to an order to a payment).
    links: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)
    # Other success statuses answering the same body, with why (e.g. 202: accepted, not done)
    also_success: dict[int, str] = msgspec.field(default_factory=dict)
    validates_query: bool = False
    recent_sign_in: bool = False

    @property
    def query_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.parameters if p.location == "query")

    @property
    def query_checked_by_plumbing(self) -> bool:
        return self.path.startswith(API_PREFIX) and not self.validates_query
