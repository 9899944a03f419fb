"""How the simulated gateway signs a webhook: `Skyfare-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`.

Each `v1` is the hex HMAC-SHA256 of `"<t>.<raw body>"` under one webhook secret. While a secret is
rotated the gateway signs with every configured secret, so the receiver accepts either (Stripe's
scheme). Deliberately independent of `payment/webhooks.py`: the sim is the outside world, and a
unit test checks that the two agree.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

HEADER = "Skyfare-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secrets: Sequence[str], timestamp: int, body: bytes) -> str:
    """The header value for `body` signed at `timestamp` with each of `secrets`."""
    if not secrets:
        raise ValueError("at least one webhook secret is needed to sign")
    parts = [f"t={timestamp}"]
    parts.extend(f"v1={signature(secret, timestamp, body)}" for secret in secrets)
    return ",".join(parts)
