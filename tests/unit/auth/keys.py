"""Locally generated keys and tokens for the pure verification tests (no network)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import msgspec
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from skyfare.auth.jwks import parse_jwks
from skyfare.auth.verify import VerificationKey

ISSUER = "https://id.example.test"
AUDIENCE = "skyfare"

EC_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_EC_KEY = ec.generate_private_key(ec.SECP256R1())
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(private_key: Any, kid: str, **extra: Any) -> dict[str, Any]:
    public = private_key.public_key()
    if isinstance(public, ec.EllipticCurvePublicKey):
        document: dict[str, Any] = ECAlgorithm.to_jwk(public, as_dict=True)
    else:
        document = RSAAlgorithm.to_jwk(public, as_dict=True)
    return {**document, "kid": kid, **extra}


def verification_key(private_key: Any, kid: str = "k1", **extra: Any) -> VerificationKey:
    """The key as the authenticator would hold it after reading the issuer's JWKS."""
    keys = parse_jwks(msgspec.json.encode({"keys": [jwk(private_key, kid, **extra)]}))
    return keys[kid]


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid claims for `alice` (1 h); an override of None drops that claim."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(
    payload: dict[str, Any], key: Any = EC_KEY, *, alg: str = "ES256", kid: str | None = "k1"
) -> str:
    headers = {"kid": kid} if kid is not None else {}
    return jwt.encode(payload, key, algorithm=alg, headers=headers)
