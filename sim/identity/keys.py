"""The sim identity provider's signing keys: P-256 (ES256) keys derived from the sim seed.

Deterministic on purpose: a restarted sim with the same seed signs with the same keys under the
same key ids, so tokens minted before a restart still verify, and tests can predict them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

ALGORITHM = "ES256"
# The order of P-256: a private value must lie in [1, n - 1].
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def derive_signing_key(seed: int, generation: int) -> ec.EllipticCurvePrivateKey:
    """The `generation`-th key (1, 2, ...) of the sim seeded with `seed`."""
    digest = hashlib.sha256(f"skyfare-sim:{seed}:identity:{generation}".encode()).digest()
    value = int.from_bytes(digest, "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(value, ec.SECP256R1())


def key_id(seed: int, generation: int) -> str:
    return f"sim-{seed}-{generation}"


class SigningKey:
    """One key pair of the key ring with its `kid`."""

    def __init__(self, seed: int, generation: int) -> None:
        self.kid = key_id(seed, generation)
        self.private_key = derive_signing_key(seed, generation)

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": ALGORITHM}


class KeyRing:
    """Every key the sim has published; the newest signs. `rotate` adds a newer one."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._generation = 1
        self.keys: list[SigningKey] = [SigningKey(seed, 1)]

    @property
    def current(self) -> SigningKey:
        return self.keys[-1]

    def rotate(self, *, retire_old: bool = False) -> SigningKey:
        """A new current key; the JWKS keeps serving the old ones unless `retire_old`."""
        self._generation += 1
        key = SigningKey(self.seed, self._generation)
        self.keys = [key] if retire_old else [*self.keys, key]
        return key

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.keys]}
