"""A token's algorithm, signature and claims, checked against one known key (no network)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from kernel.auth import Principal
from kernel.errors import Unauthorized
from skyfare.auth.verify import read_header, verify
from tests.unit.auth.keys import (
    AUDIENCE,
    EC_KEY,
    ISSUER,
    OTHER_EC_KEY,
    RSA_KEY,
    claims,
    sign,
    verification_key,
)

KEY = verification_key(EC_KEY)


def check(token: str, key: Any = KEY, *, leeway_s: float = 30.0) -> Principal:
    return verify(
        token, read_header(token), key, issuer=ISSUER, audience=AUDIENCE, leeway_s=leeway_s
    )


def rejected(token: str, key: Any = KEY) -> Unauthorized:
    with pytest.raises(Unauthorized) as caught:
        check(token, key)
    assert token not in caught.value.detail
    assert token not in caught.value.challenge
    return caught.value


def unsigned(payload: dict[str, Any], header: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(payload)}."


def test_a_valid_token_names_its_subject_and_roles() -> None:
    principal = check(sign(claims(roles=["support"], iat=1_700_000_000)))

    assert principal == Principal(
        subject="alice", roles=frozenset({"support"}), issued_at=1_700_000_000
    )
    assert principal.signed_in_at == 1_700_000_000  # no auth_time: iat stands for it
    assert principal.is_support


def test_a_token_carries_its_openid_profile_claims_into_the_principal() -> None:
    token = sign(claims(email="ada@example.com", given_name="Ada", family_name="Lovelace"))

    principal = check(token)

    assert (principal.email, principal.given_name, principal.family_name) == (
        "ada@example.com",
        "Ada",
        "Lovelace",
    )


def test_odd_profile_claims_are_left_out_rather_than_refusing_the_token() -> None:
    principal = check(sign(claims(email=["a@example.com"], given_name="  ", family_name="x" * 999)))

    assert principal.subject == "alice"
    assert (principal.email, principal.given_name, principal.family_name) == (None, None, None)


def test_a_token_without_roles_is_a_plain_traveler() -> None:
    principal = check(sign(claims()))

    assert principal.roles == frozenset()
    assert not principal.is_support


def test_an_audience_list_that_contains_skyfare_is_accepted() -> None:
    assert check(sign(claims(aud=["billing", AUDIENCE]))).subject == "alice"


def test_an_rsa_key_without_alg_verifies_rs256_and_ps256_tokens() -> None:
    key = verification_key(RSA_KEY)

    assert check(sign(claims(), RSA_KEY, alg="RS256"), key).subject == "alice"
    assert check(sign(claims(), RSA_KEY, alg="PS256"), key).subject == "alice"


def test_an_expired_token_is_rejected_with_the_reason() -> None:
    error = rejected(sign(claims(exp=int(time.time()) - 120)))

    assert "expired" in error.detail
    assert 'error="invalid_token"' in error.challenge
    assert 'error_description="the token has expired"' in error.challenge


def test_a_token_expired_within_the_leeway_is_still_accepted() -> None:
    assert check(sign(claims(exp=int(time.time()) - 5))).subject == "alice"


def test_a_token_not_valid_before_a_future_time_is_rejected() -> None:
    error = rejected(sign(claims(nbf=int(time.time()) + 600)))

    assert "not valid yet" in error.detail


def test_a_token_issued_in_the_future_is_rejected() -> None:
    error = rejected(sign(claims(iat=int(time.time()) + 600, nbf=None)))

    assert "not valid yet" in error.detail


def test_a_token_from_another_issuer_is_rejected() -> None:
    assert "issuer" in rejected(sign(claims(iss="https://evil.example"))).detail


def test_a_token_for_another_audience_is_rejected() -> None:
    assert "aud" in rejected(sign(claims(aud="billing"))).detail


def test_a_token_signed_by_another_key_is_rejected() -> None:
    assert "signature" in rejected(sign(claims(), OTHER_EC_KEY)).detail


def test_a_token_whose_payload_was_altered_is_rejected() -> None:
    header, payload, signature = sign(claims()).split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["roles"] = ["support"]
    new_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()

    assert "signature" in rejected(f"{header}.{new_payload}.{signature}").detail


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_an_unsigned_token_with_alg_none_is_rejected(alg: str) -> None:
    token = unsigned(claims(roles=["support"]), {"alg": alg, "typ": "JWT", "kid": "k1"})

    error = rejected(token)

    assert "algorithm is not accepted" in error.detail


def test_hs256_signed_with_the_public_key_as_secret_is_rejected() -> None:
    # The classic algorithm-confusion attack: the verifier's public key is public.
    pem = EC_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": "k1"}
    token = _hs256(claims(roles=["support"]), pem, header)

    assert "algorithm is not accepted" in rejected(token).detail


def _hs256(payload: dict[str, Any], secret: bytes, header: dict[str, Any]) -> str:
    # By hand: PyJWT itself refuses to use a PEM public key as an HMAC secret.
    signing_input = unsigned(payload, header)[:-1]
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def test_an_algorithm_that_does_not_fit_the_key_is_rejected() -> None:
    # RS256 is allowed in general, but this kid is an EC key.
    token = sign(claims(), RSA_KEY, alg="RS256")

    assert "does not fit" in rejected(token).detail


def test_a_key_pinned_to_an_algorithm_refuses_another() -> None:
    key = verification_key(RSA_KEY, alg="RS256")

    assert "does not fit" in rejected(sign(claims(), RSA_KEY, alg="PS256"), key).detail


@pytest.mark.parametrize("claim", ["sub", "exp", "iss", "aud"])
def test_a_token_without_a_required_claim_is_rejected(claim: str) -> None:
    error = rejected(sign(claims(**{claim: None})))

    assert f"lacks the {claim} claim" in error.detail


def test_an_empty_subject_is_rejected() -> None:
    assert "sub" in rejected(sign(claims(sub=""))).detail


def test_a_subject_holding_a_nul_character_is_rejected() -> None:
    # PostgreSQL text cannot hold one: every route that looks the traveler up answered 500.
    assert "sub" in rejected(sign(claims(sub="ada\u0000lovelace"))).detail


def test_a_non_string_subject_is_rejected() -> None:
    assert "sub" in rejected(sign(claims(sub=42))).detail


@pytest.mark.parametrize("roles", ["support", [1, 2], {"support": True}])
def test_roles_that_are_not_a_list_of_strings_are_rejected(roles: object) -> None:
    assert "roles" in rejected(sign(claims(roles=roles))).detail


def test_a_token_without_a_kid_is_rejected_before_any_key_lookup() -> None:
    with pytest.raises(Unauthorized, match="kid"):
        read_header(sign(claims(), kid=None))


def test_a_header_that_is_not_json_is_rejected() -> None:
    with pytest.raises(Unauthorized, match="header"):
        read_header("bm90IGpzb24.e30.c2ln")


# PyJWT refuses these headers itself, with an InvalidTokenError that is not a DecodeError: each
# was a 500 (a client's token, however odd, is a 401 saying what is wrong with it).
ODD_HEADERS = {
    "unknown critical extension": ({"alg": "ES256", "kid": "k1", "crit": ["exp"]}, "crit"),
    "crit not a list": ({"alg": "ES256", "kid": "k1", "crit": "b64"}, "crit"),
    "kid not a string": ({"alg": "ES256", "kid": 7}, "kid"),
}


@pytest.mark.parametrize(("header", "named"), ODD_HEADERS.values(), ids=ODD_HEADERS.keys())
def test_a_header_pyjwt_refuses_is_a_401_naming_what(header: dict[str, Any], named: str) -> None:
    token = unsigned(claims(), header)

    with pytest.raises(Unauthorized, match=named) as caught:
        read_header(token)

    assert token not in caught.value.detail


_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
NOT_NUMBERS = {
    "string": str,
    "arabic-indic-string": lambda value: str(value).translate(_ARABIC_INDIC),
}


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("spelling", NOT_NUMBERS.values(), ids=NOT_NUMBERS.keys())
def test_a_date_claim_that_is_not_a_json_number_is_rejected(
    claim: str, spelling: Callable[[int], object]
) -> None:
    # PyJWT reads these with int(), which takes strings: an exp of "9999999999" passed.
    valid = claims()[claim]

    error = rejected(sign(claims(**{claim: spelling(valid)})))

    assert claim in error.detail


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_a_boolean_date_claim_is_not_a_number(claim: str) -> None:
    # int(True) is 1: PyJWT took it for a date in 1970.
    assert f"{claim} claim is not a number" in rejected(sign(claims(**{claim: True}))).detail


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_a_fractional_date_claim_is_a_number_and_accepted(claim: str) -> None:
    now = time.time()
    value = {"exp": now + 600.5, "nbf": now - 0.5, "iat": now - 0.5}[claim]

    assert check(sign(claims(**{claim: value}))).subject


def test_the_sign_in_time_is_carried_into_the_principal_and_none_when_absent() -> None:
    signed_in = int(time.time()) - 600

    assert check(sign(claims(auth_time=signed_in))).auth_time == signed_in
    assert check(sign(claims(auth_time=signed_in + 0.75))).auth_time == signed_in
    assert check(sign(claims())).auth_time is None


@pytest.mark.parametrize("value", [True, "1700000000", None, [1700000000]])
def test_an_auth_time_that_is_not_a_json_number_is_rejected(value: object) -> None:
    payload = {**claims(), "auth_time": value}  # claims() would drop a None

    assert "auth_time claim is not a number" in rejected(sign(payload)).detail
