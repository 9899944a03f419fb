"""Out of the box (`make run`), Skyfare and the sim gateway agree on dev key, secret and URL."""

from __future__ import annotations

from sim.payments import DEFAULT_WEBHOOK_URL, DEV_API_KEY, DEV_WEBHOOK_SECRET, MOUNT_PATH
from skyfare.settings import Settings, load_settings


def test_the_default_settings_match_the_sim_gateway() -> None:
    settings = Settings()
    assert settings.payment_gateway_key == DEV_API_KEY
    assert settings.webhook_secrets == (DEV_WEBHOOK_SECRET,)
    assert settings.sim_webhook_target == DEFAULT_WEBHOOK_URL
    assert settings.payment_gateway_base_url == settings.sim_url + MOUNT_PATH


def test_several_webhook_secrets_are_read_comma_separated_for_rotation() -> None:
    settings = load_settings({"SKYFARE_WEBHOOK_SECRET": "whsec_new, whsec_old"})
    assert settings.webhook_secrets == ("whsec_new", "whsec_old")


def test_the_sim_webhook_target_follows_the_api_port_unless_set() -> None:
    assert load_settings({"SKYFARE_PORT": "9000"}).sim_webhook_target == (
        "http://127.0.0.1:9000/v1/payments/webhook"
    )
    custom = load_settings({"SKYFARE_SIM_WEBHOOK_URL": "http://api.internal/v1/payments/webhook"})
    assert custom.sim_webhook_target == "http://api.internal/v1/payments/webhook"
