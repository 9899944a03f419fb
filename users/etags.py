"""ETags of profiles and saved travelers, and `If-Match` (RFC 9110 §8.8.3, §13.1.1), pure.

An ETag is strong and opaque: a digest of what the resource is and its version, so it changes
with every write, and a profile erased and created again does not take the old one's tags.
`If-Match` is honoured when sent (412 when no tag in it is the current one; `*` matches any
current version) and not required: a client that sends none writes over what is there, as with
GitHub's and Stripe's APIs. Weak tags (`W/"…"`) never match: If-Match compares strongly.
"""

from __future__ import annotations

import hashlib

from kernel.errors import PreconditionFailed

HEADER = "If-Match"


def etag(kind: str, key: str | int, version: int | str) -> str:
    digest = hashlib.sha256(f"{kind}:{key}:{version}".encode()).hexdigest()[:20]
    return f'"{digest}"'


def hash_versions(versions: str) -> str:
    """One version for a list, from its members' ids and versions."""
    return hashlib.sha256(versions.encode()).hexdigest()


def if_match(values: list[str]) -> str | None:
    """A request's `If-Match` field lines as one value: several lines are one list, their values
    joined by commas (RFC 9110 5.3), as a proxy may split it; None when none was sent."""
    return ", ".join(values) if values else None


def matches(if_match: str | None, current: str) -> bool:
    if if_match is None:
        return True
    tags = [tag.strip() for tag in if_match.split(",")]
    return "*" in tags or current in tags


def check_if_match(if_match: str | None, current: str) -> None:
    """`PreconditionFailed` unless the request's `If-Match` (if any) names `current`."""
    if not matches(if_match, current):
        raise PreconditionFailed(
            "If-Match does not name the current version (its ETag): it changed since you read "
            "it; read it again, reapply your change and retry"
        )
