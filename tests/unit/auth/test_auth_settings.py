"""Which issuer, audience and JWKS the app trusts, from the environment."""

from __future__ import annotations

from skyfare.settings import load_settings


def test_by_default_the_sims_identity_provider_is_trusted() -> None:
    settings = load_settings({"SKYFARE_SIM_PORT": "9555"})

    assert settings.trusted_issuer == "http://127.0.0.1:9555/identity"
    assert settings.trusted_jwks_url == "http://127.0.0.1:9555/identity/.well-known/jwks.json"
    assert settings.jwt_audience == "skyfare"


def test_a_configured_issuer_implies_its_well_known_jwks_url() -> None:
    settings = load_settings({"SKYFARE_JWT_ISSUER": "https://login.example.com/"})

    assert settings.trusted_issuer == "https://login.example.com/"
    assert settings.trusted_jwks_url == "https://login.example.com/.well-known/jwks.json"


def test_issuer_audience_and_jwks_url_are_read_from_the_environment() -> None:
    settings = load_settings(
        {
            "SKYFARE_JWT_ISSUER": "https://login.example.com",
            "SKYFARE_JWT_AUDIENCE": "api://skyfare",
            "SKYFARE_JWKS_URL": "https://keys.example.com/jwks",
        }
    )

    assert settings.trusted_issuer == "https://login.example.com"
    assert settings.jwt_audience == "api://skyfare"
    assert settings.trusted_jwks_url == "https://keys.example.com/jwks"


def test_the_sim_lets_the_web_client_return_to_the_api_the_gateway_and_configured_uris() -> None:
    settings = load_settings(
        {
            "SKYFARE_PORT": "8181",
            "SKYFARE_GATEWAY_PORT": "8444",
            "SKYFARE_SIM_REDIRECT_URIS": " https://app.example.test/auth/callback ,, ",
        }
    )

    assert settings.sim_web_redirect_uris == (
        "http://127.0.0.1:8181/auth/callback",
        "http://localhost:8181/auth/callback",
        "https://127.0.0.1:8444/auth/callback",
        "https://localhost:8444/auth/callback",
        "https://app.example.test/auth/callback",
    )


def test_the_sims_dev_token_grant_is_on_unless_switched_off() -> None:
    assert load_settings({}).sim_dev_tokens is True
    assert load_settings({"SKYFARE_SIM_DEV_TOKENS": "false"}).sim_dev_tokens is False
