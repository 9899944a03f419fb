"""The user routes' OpenAPI operations (exported as `users.routes.OPERATIONS`)."""

from __future__ import annotations

from kernel.auth import CLOCK_LEEWAY_S
from kernel.openapi import Operation, Parameter
from users.merge_patch import MEDIA_TYPE as MERGE_PATCH
from users.model import (
    TRAVELER_ID_SCHEMA,
    NewTraveler,
    ProfilePatch,
    ProfileView,
    TravelerList,
    TravelerPatch,
    TravelerView,
)

_AUTH_ERRORS = {
    401: "Missing, malformed, expired or wrongly signed Bearer token",
    429: "Past this traveler's rate limit; see Retry-After",
    503: "The users database cannot be reached now; retry after Retry-After s",
}
# The operations that make the profile from the token when there is none.
_CREATING_AUTH_ERRORS = {
    **_AUTH_ERRORS,
    401: _AUTH_ERRORS[401] + "; or `account-erased`: there is no profile because the account "
    "was erased (DELETE /v1/me) after the token's sign-in (`auth_time`, else `iat`; within "
    f"{CLOCK_LEEWAY_S:.0f} s after counts as before), so nothing is made from it (challenge "
    '`Bearer realm="skyfare", error="invalid_token", error_description="..."`): that session '
    "is over; sign in again to start a new, empty profile",
}
_QUERY_ERROR = "An unknown or repeated query parameter"
_TRAVELER_ID = Parameter(
    "traveler_id",
    "path",
    "A saved traveler id (`trv_...`)",
    required=True,
    schema=TRAVELER_ID_SCHEMA,
)
_REVEAL = Parameter(
    "reveal",
    "query",
    "`document`: show document numbers in clear (else masked, e.g. `•••••1234`)",
    schema={"type": "string", "enum": ["document"]},
)
_IF_MATCH = Parameter(
    "If-Match",
    "header",
    "Optional: the ETag of the version this change was made from; 412 if it is no longer "
    "current (without it, the change applies to the current version)",
)
_PRECONDITION = "If-Match does not name the current version (someone changed it since)"
_ERASED = "The profile was erased (DELETE /v1/me) while this change was applied; retry"
_NOT_FOUND = "No such saved traveler, or another user's"
_NEW_TRAVELER_ID = "$response.body#/id"

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="get",
        path="/v1/me",
        operation_id="get_me",
        summary="The caller's profile (created on the first call from the token's email and "
        "names); ETag names its version",
        tag="users",
        response=ProfileView,
        errors={**_CREATING_AUTH_ERRORS, 422: _QUERY_ERROR},
        security=("bearer",),
    ),
    Operation(
        method="patch",
        path="/v1/me",
        operation_id="patch_me",
        summary="Change the caller's profile with a JSON Merge Patch (RFC 7396): members "
        "replace, null removes; If-Match guards against lost updates",
        tag="users",
        request=ProfilePatch,
        request_media=MERGE_PATCH,
        response=ProfileView,
        parameters=(_IF_MATCH,),
        errors={
            **_CREATING_AUTH_ERRORS,
            409: _ERASED,
            412: _PRECONDITION,
            422: "A field is invalid (`errors` names each)",
        },
        security=("bearer",),
    ),
    Operation(
        method="get",
        path="/v1/me/travelers",
        operation_id="list_travelers",
        validates_query=True,  # its view names undeclared parameters too
        summary="The caller's saved travelers, oldest first; document numbers masked unless "
        "?reveal=document",
        tag="users",
        response=TravelerList,
        parameters=(_REVEAL,),
        errors={**_AUTH_ERRORS, 422: _QUERY_ERROR + ", or reveal other than document"},
        security=("bearer",),
    ),
    Operation(
        method="post",
        path="/v1/me/travelers",
        operation_id="create_traveler",
        summary="Save a traveler (as their passport names them) for booking later; the "
        "document number is stored encrypted and answered masked",
        tag="users",
        response_status=201,
        request=NewTraveler,
        response=TravelerView,
        errors={
            **_CREATING_AUTH_ERRORS,
            409: "(type limit-reached) the caller has as many saved travelers as one account "
            "may keep: `maximum` and `current` say how many",
            422: "A field is invalid (`errors` names each)",
        },
        security=("bearer",),
        links={
            "GetTraveler": {
                "operationId": "get_traveler",
                "parameters": {"traveler_id": _NEW_TRAVELER_ID},
            },
            "PatchTraveler": {
                "operationId": "patch_traveler",
                "parameters": {"traveler_id": _NEW_TRAVELER_ID},
            },
            "DeleteTraveler": {
                "operationId": "delete_traveler",
                "parameters": {"traveler_id": _NEW_TRAVELER_ID},
            },
        },
    ),
    Operation(
        method="get",
        path="/v1/me/travelers/{traveler_id}",
        operation_id="get_traveler",
        validates_query=True,  # its view names undeclared parameters too
        summary="One of the caller's saved travelers; ?reveal=document shows the document "
        "number in clear",
        tag="users",
        response=TravelerView,
        parameters=(_TRAVELER_ID, _REVEAL),
        errors={**_AUTH_ERRORS, 404: _NOT_FOUND, 422: _QUERY_ERROR},
        security=("bearer",),
    ),
    Operation(
        method="patch",
        path="/v1/me/travelers/{traveler_id}",
        operation_id="patch_traveler",
        summary="Change a saved traveler with a JSON Merge Patch (RFC 7396); `document: null` "
        "removes the document, a member of `document` alone changes just that member",
        tag="users",
        request=TravelerPatch,
        request_media=MERGE_PATCH,
        response=TravelerView,
        parameters=(_TRAVELER_ID, _IF_MATCH),
        errors={
            **_AUTH_ERRORS,
            404: _NOT_FOUND,
            412: _PRECONDITION,
            422: "A field is invalid (`errors` names each)",
        },
        security=("bearer",),
    ),
    Operation(
        method="delete",
        path="/v1/me/travelers/{traveler_id}",
        operation_id="delete_traveler",
        summary="Delete a saved traveler (orders booked with it keep their copy)",
        tag="users",
        response_status=204,
        response_media=(),
        parameters=(_TRAVELER_ID, _IF_MATCH),
        errors={
            **_AUTH_ERRORS,
            404: _NOT_FOUND,
            412: _PRECONDITION,
            422: _QUERY_ERROR,
        },
        security=("bearer",),
    ),
)
