"""A development secret beside a real endpoint refuses the start (skyfare/dev_secrets.py)."""

from __future__ import annotations

import pytest

from skyfare.app import create_app
from skyfare.dev_secrets import DevSecretInProduction, dev_secrets_in_use, is_local
from skyfare.settings import load_settings

OWN = {
    "SKYFARE_WEBHOOK_SECRET": "whsec_a_real_one",
    "SKYFARE_HELPDESK_WEBHOOK_SECRET": "whsec_another_real_one",
    # 32 bytes, base64: not the published development key.
    "SKYFARE_USERS_DOCUMENT_KEY": "cmVhbC1kb2N1bWVudC1rZXktb2YtMzItYnl0ZXMhISE=",
    "SKYFARE_USAGE_HASH_SECRET": "a-real-usage-secret",
}
REAL = {
    "SKYFARE_PAYMENT_GATEWAY_URL": "https://api.gateway.example",
    "SKYFARE_HELPDESK_URL": "https://desk.example",
    "SKYFARE_JWT_ISSUER": "https://login.example",
}


def test_a_real_gateway_with_the_dev_webhook_secret_refuses_to_start() -> None:
    # Anyone could sign payment_intent.succeeded for their own held order: tickets unpaid.
    settings = load_settings({**OWN, **REAL, "SKYFARE_WEBHOOK_SECRET": "whsec_skyfare_dev_only"})
    with pytest.raises(DevSecretInProduction, match="SKYFARE_WEBHOOK_SECRET") as refused:
        create_app(settings)
    assert "whsec_" not in str(refused.value)  # names the variable, never a value


def test_the_dev_secret_among_rotated_ones_is_refused_too() -> None:
    settings = load_settings(
        {**OWN, **REAL, "SKYFARE_WEBHOOK_SECRET": "whsec_new, whsec_skyfare_dev_only"}
    )
    with pytest.raises(DevSecretInProduction, match="SKYFARE_WEBHOOK_SECRET"):
        create_app(settings)


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        ("SKYFARE_HELPDESK_WEBHOOK_SECRET", "SKYFARE_HELPDESK_WEBHOOK_SECRET"),
        ("SKYFARE_USERS_DOCUMENT_KEY", "SKYFARE_USERS_DOCUMENT_KEY"),
        ("SKYFARE_USAGE_HASH_SECRET", "SKYFARE_USAGE_HASH_SECRET"),
    ],
)
def test_each_dev_secret_left_at_its_default_beside_a_real_endpoint_is_named(
    unset: str, named: str
) -> None:
    env = {**OWN, **REAL}
    del env[unset]
    with pytest.raises(DevSecretInProduction, match=named):
        create_app(load_settings(env))


def test_every_dev_secret_is_named_at_once() -> None:
    assert len(dev_secrets_in_use(load_settings(REAL))) == 4


def test_the_sim_and_loopback_endpoints_keep_the_dev_secrets() -> None:
    assert dev_secrets_in_use(load_settings({})) == []  # make run, the tests
    # compose runs the sim in a container of its own: the endpoints stay unset, derived from it
    assert dev_secrets_in_use(load_settings({"SKYFARE_SIM_HOST": "sim"})) == []
    local = {
        "SKYFARE_PAYMENT_GATEWAY_URL": "http://127.0.0.1:9100/payments",
        "SKYFARE_HELPDESK_URL": "http://localhost:9100/helpdesk",
        "SKYFARE_JWT_ISSUER": "http://[::1]:9100/identity",
    }
    assert dev_secrets_in_use(load_settings(local)) == []


def test_real_endpoints_with_secrets_of_their_own_start() -> None:
    assert dev_secrets_in_use(load_settings({**OWN, **REAL})) == []


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:9100", True),
        ("http://127.8.0.1", True),
        ("http://localhost:1/x", True),
        ("http://[::1]:9100/identity", True),
        ("https://login.example", False),
        ("https://127.0.0.1.example", False),
        ("http://10.0.0.5:9100", False),
        ("not a url", False),
    ],
)
def test_only_loopback_hosts_count_as_local(url: str, local: bool) -> None:
    assert is_local(url) is local


def test_the_reports_check_real_tokens_without_the_document_key() -> None:
    # `skyfare analytics` verifies the real issuer's tokens but never seals a document: it is
    # not handed the key, and its default is no danger there. Booking with it still refuses.
    only_issuer = {k: v for k, v in OWN.items() if k != "SKYFARE_USERS_DOCUMENT_KEY"}
    settings = load_settings({**only_issuer, "SKYFARE_JWT_ISSUER": REAL["SKYFARE_JWT_ISSUER"]})
    create_app(settings, "analytics")
    with pytest.raises(DevSecretInProduction, match="SKYFARE_USERS_DOCUMENT_KEY"):
        create_app(settings, "booking")
