"""The `Authorization: Bearer` header, parsed strictly, and the challenges of its 401s."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from multidict import CIMultiDict

from kernel.auth import challenge
from kernel.errors import Unauthorized
from skyfare.auth.bearer import bearer_token

TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"


def request_with(*values: str) -> web.Request:
    headers = CIMultiDict([("Authorization", value) for value in values])
    return make_mocked_request("GET", "/v1/orders", headers=headers)


def test_the_token_of_a_bearer_header_is_returned() -> None:
    assert bearer_token(request_with(f"Bearer {TOKEN}")) == TOKEN


def test_the_scheme_name_is_case_insensitive() -> None:
    assert bearer_token(request_with(f"bearer {TOKEN}")) == TOKEN


@pytest.mark.parametrize("spaces", ["  ", "   ", " " * 8])
def test_several_spaces_may_part_the_scheme_from_the_token(spaces: str) -> None:
    # RFC 9110 §11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ].
    assert bearer_token(request_with(f"Bearer{spaces}{TOKEN}")) == TOKEN


def test_a_request_without_the_header_gets_the_bare_challenge() -> None:
    with pytest.raises(Unauthorized) as caught:
        bearer_token(request_with())

    assert caught.value.challenge == 'Bearer realm="skyfare"'
    assert "Authorization: Bearer" in caught.value.detail


@pytest.mark.parametrize("value", [f"Bearer\t{TOKEN}", f"Bearer,{TOKEN}", f"Bearer={TOKEN}"])
def test_a_scheme_not_parted_from_its_token_by_a_space_is_another_scheme(value: str) -> None:
    with pytest.raises(Unauthorized, match="Bearer scheme"):
        bearer_token(request_with(value))


def test_another_scheme_gets_the_bare_challenge() -> None:
    with pytest.raises(Unauthorized) as caught:
        bearer_token(request_with("Basic YWxpY2U6c2VjcmV0"))

    assert caught.value.challenge == 'Bearer realm="skyfare"'
    assert "Bearer scheme" in caught.value.detail


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Bearer", "empty"),
        ("Bearer ", "empty"),
        ("Bearer   ", "empty"),
        (f"Bearer \t{TOKEN}", "not a compact JWT"),  # only spaces (1*SP) part them
        (f"Bearer {TOKEN}  ", "not a compact JWT"),
        (f"Bearer  {TOKEN} {TOKEN}", "not a compact JWT"),
        (f"Bearer {TOKEN} ", "not a compact JWT"),
        (f"Bearer {TOKEN} extra", "not a compact JWT"),
        ("Bearer abc.def", "not a compact JWT"),
        ("Bearer a.b.c.d", "not a compact JWT"),
        ("Bearer a+b.c/d.e=", "not a compact JWT"),
        ('Bearer a".b.c', "not a compact JWT"),
    ],
)
def test_a_malformed_bearer_header_is_an_invalid_token(value: str, reason: str) -> None:
    with pytest.raises(Unauthorized) as caught:
        bearer_token(request_with(value))

    assert reason in caught.value.detail
    assert caught.value.challenge.startswith('Bearer realm="skyfare", error="invalid_token"')


def test_two_authorization_headers_are_refused() -> None:
    with pytest.raises(Unauthorized, match="more than one"):
        bearer_token(request_with(f"Bearer {TOKEN}", f"Bearer {TOKEN}"))


def test_a_challenge_description_cannot_break_out_of_its_quotes() -> None:
    value = challenge('bad "quoted" \\ text')

    assert value == (
        'Bearer realm="skyfare", error="invalid_token", error_description="bad \'quoted\' / text"'
    )
