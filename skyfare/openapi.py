"""The OpenAPI 3.1 document, built once at startup from every package's `OPERATIONS`.

Schemas come from `msgspec.json.schema_components` over the very Structs the handlers decode and
encode, so the document cannot drift from the code. Every error response points at one shared
`Problem` schema; operations with a request body also list 400/413/415, and every operation 500.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import msgspec

from kernel.openapi import Operation, Parameter
from kernel.query import NO_PARAMETERS, UNDECLARED_PARAMETER
from skyfare import problems

REF_TEMPLATE = "#/components/schemas/{name}"
_PATH_PARAM = re.compile(r"{([^}/]+)}")
_BODY_ERRORS = {
    400: "Malformed JSON or an unreadable request",
    413: "Request body over the size limit",
    415: "Request body is not application/json, is declared in a charset other than UTF-8 or "
    "with a Content-Type parameter given twice, or has a Content-Encoding other than gzip or "
    "deflate (then Accept-Encoding lists those)",
}
# Every 429 and 503 carries it (skyfare/problems.py); a client that honours it needs to know.
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}
# Partner keys are rate-limited (skyfare/partners.py): every answer past the key check says how
# much of the key's allowance is left (draft-ietf-httpapi-ratelimit-headers-03 names).
_RATE_LIMIT = {
    "RateLimit-Limit": {
        "description": "The key's burst: the most requests it may make at once",
        "schema": {"type": "integer", "minimum": 1},
    },
    "RateLimit-Remaining": {
        "description": "Requests the key may still make at once",
        "schema": {"type": "integer", "minimum": 0},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the key's allowance is whole again",
        "schema": {"type": "integer", "minimum": 0},
    },
}
_RATE_LIMITED_SCHEMES = frozenset({"api_key"})
_SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": (
            "An access token of the identity provider (`aud: skyfare`). A token signed in "
            "(`auth_time`, else `iat`) before its account was erased (DELETE /v1/me), or up to "
            "30 s after, is refused on every route with a 401 `account-erased`: that session "
            "is over; sign in again"
        ),
    },
    "api_key": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
}


def build_document(operations: Iterable[Operation], *, version: str) -> dict[str, Any]:
    """The whole document as plain JSON-ready data."""
    ops = tuple(operations)
    types = [problems.Problem]
    for op in ops:
        types.extend(t for t in (op.request, op.response) if t is not None)
    referenced = [t for op in ops for t in op.referenced]
    schemas, components = msgspec.json.schema_components(
        [*types, *referenced], ref_template=REF_TEMPLATE
    )
    schemas = schemas[: len(types)]
    schema_of = dict(zip(map(_type_key, types), schemas, strict=True))
    problem_ref = schema_of[_type_key(problems.Problem)]
    components["Problem"]["description"] = _problem_description()
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(op.path, {})[op.method] = _operation(op, schema_of, problem_ref)
    used = {scheme for op in ops for scheme in op.security}
    security = {name: spec for name, spec in _SECURITY_SCHEMES.items() if name in used}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Skyfare",
            "version": version,
            "description": "Async flight search and fare aggregation with a booking core. "
            "Errors are RFC 9457 problem documents (application/problem+json).",
        },
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": security},
    }


def encode_document(operations: Iterable[Operation], *, version: str) -> bytes:
    return msgspec.json.encode(build_document(operations, version=version))


def _operation(
    op: Operation, schema_of: dict[object, dict[str, Any]], problem_ref: dict[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag]}
    parameters = [_parameter(p) for p in _with_path_parameters(op)]
    if parameters:
        out["parameters"] = parameters
    if op.request is not None:
        out["requestBody"] = {
            "required": True,
            "content": {op.request_media: {"schema": schema_of[_type_key(op.request)]}},
        }
    success: dict[str, Any] = {}
    for media in op.response_media:
        if media == "application/json" and op.response is not None:
            success[media] = {"schema": schema_of[_type_key(op.response)]}
        else:
            success[media] = {}
    responses: dict[str, Any] = {str(op.response_status): {"description": "Success"}}
    if success:
        responses[str(op.response_status)]["content"] = success
    if op.links:
        responses[str(op.response_status)]["links"] = op.links
    for status, why in op.also_success.items():
        responses[str(status)] = {"description": why, **({"content": success} if success else {})}
    errors = _errors(op)
    problem_content = {problems.MEDIA_TYPE: {"schema": problem_ref}}
    for status in sorted(errors):
        responses[str(status)] = {"description": errors[status], "content": problem_content}
    _add_headers(op, responses)
    out["responses"] = responses
    if op.security:
        out["security"] = [{name: []} for name in op.security]
    return out


def _errors(op: Operation) -> dict[int, str]:
    """Each problem status the operation may answer, with why."""
    errors = dict(_BODY_ERRORS) if op.request is not None else {}
    if op.request is not None and op.request_media != "application/json":
        errors[415] = f"Request body is not {op.request_media}"
    errors.update(op.errors)
    if op.query_checked_by_plumbing:  # skyfare/parameters.py
        errors.setdefault(422, UNDECLARED_PARAMETER if op.query_names else NO_PARAMETERS)
    errors.setdefault(500, "A server bug (the body carries no internals)")
    return errors


def documented_statuses(op: Operation) -> frozenset[int]:
    """Every status the document lists for the operation: its successes and its problems."""
    return frozenset({op.response_status, *op.also_success, *_errors(op)})


def route_statuses(operations: Iterable[Operation]) -> dict[tuple[str, str], frozenset[int]]:
    """(METHOD, path template) → the statuses its operation documents: the plumbing counts
    each from 0 when the app starts (skyfare/metrics.py)."""
    return {(op.method.upper(), op.path): documented_statuses(op) for op in operations}


def _add_headers(op: Operation, responses: dict[str, Any]) -> None:
    """The headers a client acts on: `Retry-After` on 429 and 503; a rate-limited key's
    `RateLimit-*` on every answer but the 401, which comes before its limit is looked at."""
    limited = not _RATE_LIMITED_SCHEMES.isdisjoint(op.security)
    for status, response in responses.items():
        headers: dict[str, Any] = {}
        if limited and status != "401":
            headers.update(_RATE_LIMIT)
        if status in ("429", "503"):
            headers.update(_RETRY_AFTER)
        if headers:
            response["headers"] = headers


def _with_path_parameters(op: Operation) -> list[Parameter]:
    """The declared parameters plus any `{name}` of the path the operation forgot to declare."""
    declared = list(op.parameters)
    known = {p.name for p in declared if p.location == "path"}
    for name in _PATH_PARAM.findall(op.path):
        if name not in known:
            declared.append(Parameter(name=name, location="path", required=True))
    return declared


def _parameter(p: Parameter) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "in": p.location, "schema": p.schema}
    if p.description:
        out["description"] = p.description
    if p.required or p.location == "path":
        out["required"] = True
    return out


def _problem_description() -> str:
    kinds = ", ".join(f"`{k.slug}` ({k.status})" for k in problems.ALL_KINDS)
    return (
        f"An RFC 9457 problem document. `type` is `{problems.PROBLEM_BASE}<slug>`, one of: "
        f"{kinds}; `about:blank` for other statuses. `errors` names every bad field of a "
        "validation failure. Other members are problem-specific extensions."
    )


def _type_key(t: object) -> object:
    # Struct classes hash; generic aliases such as list[X] hash too; fall back to identity.
    try:
        hash(t)
    except TypeError:
        return id(t)
    return t
