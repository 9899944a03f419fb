"""JSON Merge Patch (RFC 7396), pure: what `PATCH /v1/me` and a traveler's PATCH apply.

An object in the patch merges into the target member by member; `null` removes a member; any
other value (a string, a number, an array) replaces it whole, so a list such as
`notification_channels` is always sent in full. A patch that is not an object replaces the whole
target (RFC 7396 §2); the routes only take objects.
"""

from __future__ import annotations

from typing import Any

MEDIA_TYPE = "application/merge-patch+json"


def merge_patch(target: Any, patch: Any) -> Any:
    """The target with the patch applied; neither argument is changed."""
    if type(patch) is not dict:
        return patch
    result: dict[str, Any] = dict(target) if type(target) is dict else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result
