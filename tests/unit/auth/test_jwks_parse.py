"""Reading an issuer's JWKS: only signature keys we can use, each with the algorithms it fits."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from skyfare.auth.jwks import parse_jwks
from tests.unit.auth.keys import EC_KEY, RSA_KEY, jwk


def parse(*keys: dict[str, Any]) -> dict[str, Any]:
    return parse_jwks(msgspec.json.encode({"keys": list(keys)}))


def test_ec_and_rsa_signature_keys_are_read_by_kid() -> None:
    keys = parse(jwk(EC_KEY, "ec-1"), jwk(RSA_KEY, "rsa-1", alg="RS256", use="sig"))

    assert keys["ec-1"].algorithms == frozenset({"ES256"})
    assert keys["rsa-1"].algorithms == frozenset({"RS256"})


def test_an_rsa_key_without_alg_fits_every_rsa_algorithm() -> None:
    assert "PS512" in parse(jwk(RSA_KEY, "rsa-1"))["rsa-1"].algorithms


@pytest.mark.parametrize(
    "unusable",
    [
        {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},  # a shared secret has no place in a JWKS
        {**jwk(EC_KEY, "enc"), "use": "enc"},
        {k: v for k, v in jwk(EC_KEY, "x").items() if k != "kid"},
        {**jwk(EC_KEY, "wrong-alg"), "alg": "HS256"},
        {**jwk(EC_KEY, "rsa-alg"), "alg": "RS256"},
        {"kty": "EC", "kid": "broken", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "XYZ", "kid": "unknown-type"},
    ],
)
def test_keys_we_cannot_verify_with_are_skipped(unusable: dict[str, Any]) -> None:
    keys = parse(unusable, jwk(EC_KEY, "good"))

    assert list(keys) == ["good"]


@pytest.mark.parametrize("document", [b"", b"[]", b'{"keys": {}}', b"<html>", b'{"no": 1}'])
def test_a_document_that_is_not_a_jwks_is_an_error(document: bytes) -> None:
    with pytest.raises(ValueError, match="not a JWKS"):
        parse_jwks(document)
