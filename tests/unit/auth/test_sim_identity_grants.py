"""The sim identity provider's pure parts: the authorization request's checks, codes and
refresh token families on a clock the test moves, PKCE, and password storage."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from sim.identity.authorize import (
    AuthorizationRequest,
    BadClient,
    RedirectError,
    check,
    redirect_location,
)
from sim.identity.clients import Clients
from sim.identity.codes import Grant, GrantRefused, Grants, s256, verifier_matches
from sim.identity.users import Accounts, SignUpRejected

CALLBACK = "http://127.0.0.1:8080/auth/callback"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
GRANT = Grant("usr_1", "skyfare-web", "openid", auth_time=0)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_s256_is_the_rfc_7636_example() -> None:
    assert s256(VERIFIER) == CHALLENGE
    assert verifier_matches(VERIFIER, CHALLENGE)
    assert not verifier_matches("short", s256("short"))  # under 43 characters: never valid


def params(**changes: str) -> dict[str, str]:
    base = {
        "response_type": "code",
        "client_id": "skyfare-web",
        "redirect_uri": CALLBACK,
        "scope": "openid email",
        "state": "s1",
        "nonce": "n1",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }
    return {**base, **changes}


def test_a_good_request_is_kept_whole_for_the_forms() -> None:
    checked = check(params(), Clients([CALLBACK]))

    assert isinstance(checked, AuthorizationRequest)
    assert checked.carried() == params()


@pytest.mark.parametrize(
    "changes",
    [{"client_id": "nope"}, {"redirect_uri": CALLBACK + "?x=1"}, {"redirect_uri": ""}],
)
def test_an_unknown_client_or_redirect_uri_is_never_redirected_to(changes: dict[str, str]) -> None:
    assert isinstance(check(params(**changes), Clients([CALLBACK])), BadClient)


def test_other_errors_go_back_with_the_state() -> None:
    checked = check(params(code_challenge_method="plain"), Clients([CALLBACK]))

    assert checked == RedirectError(
        CALLBACK, "invalid_request", "PKCE is required: code_challenge_method=S256", "s1"
    )


def test_a_redirect_keeps_the_redirect_uris_own_query() -> None:
    location = redirect_location("http://a.test/cb?tenant=7", {"code": "c&1", "state": None})

    assert parse_qs(urlsplit(location).query) == {"tenant": ["7"], "code": ["c&1"]}


def test_a_code_is_good_once_within_60_seconds() -> None:
    clock = Clock()
    grants = Grants(clock, code_ttl_s=60, refresh_ttl_s=3600)
    code = grants.issue_code(GRANT, redirect_uri=CALLBACK, code_challenge=CHALLENGE, nonce="n")
    late = grants.issue_code(GRANT, redirect_uri=CALLBACK, code_challenge=CHALLENGE, nonce="n")
    clock.now += 59.9

    redeemed = grants.redeem_code(
        code, client_id="skyfare-web", redirect_uri=CALLBACK, code_verifier=VERIFIER
    )

    assert (redeemed.grant, redeemed.nonce) == (GRANT, "n")
    clock.now += 0.1
    with pytest.raises(GrantRefused, match="expired"):
        grants.redeem_code(
            late, client_id="skyfare-web", redirect_uri=CALLBACK, code_verifier=VERIFIER
        )
    with pytest.raises(GrantRefused, match="already used"):
        grants.redeem_code(
            code, client_id="skyfare-web", redirect_uri=CALLBACK, code_verifier=VERIFIER
        )
    with pytest.raises(GrantRefused, match="revoked"):
        grants.rotate(redeemed.refresh_token, client_id="skyfare-web")


def test_refresh_tokens_rotate_and_a_spent_one_revokes_the_family() -> None:
    grants = Grants(Clock(), code_ttl_s=60, refresh_ttl_s=3600)
    code = grants.issue_code(GRANT, redirect_uri=CALLBACK, code_challenge=CHALLENGE, nonce=None)
    first = grants.redeem_code(
        code, client_id="skyfare-web", redirect_uri=CALLBACK, code_verifier=VERIFIER
    ).refresh_token
    _, second = grants.rotate(first, client_id="skyfare-web")
    _, third = grants.rotate(second, client_id="skyfare-web")

    with pytest.raises(GrantRefused, match="already used"):
        grants.rotate(first, client_id="skyfare-web")
    with pytest.raises(GrantRefused, match="revoked"):
        grants.rotate(third, client_id="skyfare-web")
    assert len({first, second, third}) == 3


def _family(grants: Grants) -> str:
    code = grants.issue_code(GRANT, redirect_uri=CALLBACK, code_challenge=CHALLENGE, nonce=None)
    return grants.redeem_code(
        code, client_id="skyfare-web", redirect_uri=CALLBACK, code_verifier=VERIFIER
    ).refresh_token


def test_revoking_a_refresh_token_ends_its_family_and_no_other() -> None:
    grants = Grants(Clock(), code_ttl_s=60, refresh_ttl_s=3600)
    spent = _family(grants)
    _, current = grants.rotate(spent, client_id="skyfare-web")
    other_device = _family(grants)

    assert grants.revoke(spent, client_id="skyfare-web")  # a spent one revokes its family too

    with pytest.raises(GrantRefused, match="revoked"):
        grants.rotate(current, client_id="skyfare-web")
    grants.rotate(other_device, client_id="skyfare-web")
    assert grants.revoke(current, client_id="skyfare-web")  # again: still found, still revoked


def test_an_unknown_token_is_not_found_and_another_clients_is_refused_and_kept() -> None:
    grants = Grants(Clock(), code_ttl_s=60, refresh_ttl_s=3600)
    token = _family(grants)

    assert not grants.revoke("made-up", client_id="skyfare-web")
    with pytest.raises(GrantRefused, match="another client"):
        grants.revoke(token, client_id="skyfare-cli")
    grants.rotate(token, client_id="skyfare-web")


def test_passwords_are_stored_as_argon2id_hashes_and_never_shown() -> None:
    accounts = Accounts(seed=42)

    account = accounts.sign_up("Mae@Example.com", "endeavour-1992", "Mae", "Jemison")

    assert account.password_hash.startswith("$argon2id$")
    assert "endeavour-1992" not in account.password_hash
    assert "argon2" not in repr(account)
    assert accounts.authenticate("mae@example.com", "endeavour-1992") == account
    assert accounts.authenticate("mae@example.com", "endeavour-1993") is None
    with pytest.raises(SignUpRejected) as rejected:
        accounts.sign_up("mae@example.com", "endeavour-1992", "Mae", "Jemison")
    assert set(rejected.value.errors) == {"email"}
