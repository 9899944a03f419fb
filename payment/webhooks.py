"""Webhook signature verification: pure functions, no I/O, no clock of their own.

The gateway signs each delivery with `Skyfare-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, each
`v1` the hex HMAC-SHA256 of `"<t>.<raw body>"` under one webhook secret (several `v1` while the
gateway rotates its secret). A delivery is genuine when some `v1` matches some secret we hold
(we may hold two while we rotate ours) and `t` is within the tolerance of our clock, in either
direction: an old timestamp is a replay, a future one a forgery or a broken clock.

Every refusal is a `WebhookRejected` whose `reason` is a short, fixed word (a metric label):
`missing`, `malformed`, `stale`, `future`, `mismatch`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Literal

HEADER = "Skyfare-Signature"
TOLERANCE_S = 300  # 5 minutes, both ways (docs/api.md)
MAX_HEADER_LENGTH = 4096  # a header larger than this is not ours: parse nothing of it

Reason = Literal["missing", "malformed", "stale", "future", "mismatch"]


class WebhookRejected(Exception):
    """The delivery is not proven to come from the gateway; nothing may change because of it."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason: Reason = reason
        self.detail = detail


def parse_header(header: str) -> tuple[int, tuple[str, ...]]:
    """`t=<unix>,v1=<hex>,...` → (t, every v1); other schemes (v0, future ones) are ignored.

    Raises `WebhookRejected("malformed")` unless there is exactly one integer `t` and at least one
    `v1`.
    """
    if len(header) > MAX_HEADER_LENGTH:
        raise WebhookRejected("malformed", "signature header too long")
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        name, sep, value = item.strip().partition("=")
        if not sep:
            raise WebhookRejected("malformed", "signature header items must be name=value")
        if name == "t":
            timestamps.append(value)
        elif name == "v1":
            signatures.append(value.lower())
    if len(timestamps) != 1 or not timestamps[0].isascii() or not timestamps[0].isdigit():
        raise WebhookRejected("malformed", "signature header needs one integer t=")
    if not signatures:
        raise WebhookRejected("malformed", "signature header has no v1= signature")
    return int(timestamps[0]), tuple(signatures)


def expected_signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def verify(
    body: bytes,
    header: str | None,
    secrets: Sequence[str],
    *,
    now: float,
    tolerance_s: float = TOLERANCE_S,
) -> int:
    """Check one delivery; returns its signed timestamp or raises `WebhookRejected`.

    `body` must be the raw bytes as received: re-encoding JSON changes them. Every candidate is
    compared with `hmac.compare_digest`, so timing reveals nothing about how close a guess was.
    """
    if not secrets:
        raise ValueError("no webhook secret configured")
    if header is None or not header.strip():
        raise WebhookRejected("missing", f"missing {HEADER} header")
    timestamp, signatures = parse_header(header)
    if timestamp < now - tolerance_s:
        raise WebhookRejected("stale", "signature timestamp is too old")
    if timestamp > now + tolerance_s:
        raise WebhookRejected("future", "signature timestamp is in the future")
    expected = [expected_signature(secret, timestamp, body).encode() for secret in secrets]
    matched = False
    for candidate in signatures:
        given = candidate.encode("ascii", "replace")
        for wanted in expected:
            # No early exit: every pair is compared, whatever matched.
            matched |= hmac.compare_digest(given, wanted)
    if not matched:
        raise WebhookRejected("mismatch", "no signature matches")
    return timestamp
