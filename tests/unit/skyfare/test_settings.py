from __future__ import annotations

import pytest

from connectors.resilience import ResiliencePolicy
from skyfare.settings import Settings, SettingsError, default_connectors, load_settings


def test_defaults_need_no_environment_and_point_connectors_at_the_sim() -> None:
    settings = load_settings({})
    assert settings.port == 8080
    assert settings.database_url is None
    assert settings.connectors == default_connectors("http://127.0.0.1:9100")


def test_environment_values_are_converted_to_their_types() -> None:
    settings = load_settings(
        {"SKYFARE_PORT": "9000", "SKYFARE_WORKERS": "3", "DATABASE_URL": "postgresql://db/x"}
    )
    assert (settings.port, settings.workers, settings.database_url) == (
        9000,
        3,
        "postgresql://db/x",
    )


def test_empty_variables_count_as_unset() -> None:
    assert load_settings({"SKYFARE_PORT": "", "REDIS_URL": ""}) == load_settings({})


def test_a_malformed_value_is_reported_by_its_environment_variable_name() -> None:
    with pytest.raises(SettingsError, match="SKYFARE_PORT"):
        load_settings({"SKYFARE_PORT": "eighty"})


def test_malformed_connector_json_is_reported_by_its_variable_name() -> None:
    with pytest.raises(SettingsError, match="SKYFARE_CONNECTORS"):
        load_settings({"SKYFARE_CONNECTORS": "[{"})


def test_connectors_come_from_json_when_given() -> None:
    settings = load_settings(
        {"SKYFARE_CONNECTORS": '[{"name": "ba", "kind": "rest", "base_url": "http://x"}]'}
    )
    assert [c.name for c in settings.connectors] == ["ba"]


def test_overrides_win_over_the_environment() -> None:
    settings = load_settings({"SKYFARE_WORKERS": "3"}, workers=1)
    assert isinstance(settings, Settings)
    assert settings.workers == 1


def test_a_connectors_resilience_policy_is_validated_and_named() -> None:
    prefix = '[{"name": "a", "kind": "rest", "base_url": "http://x",'
    with pytest.raises(SettingsError, match=r"failure_rate_threshold.*\$\[0\]\.resilience"):
        load_settings(
            {"SKYFARE_CONNECTORS": prefix + ' "resilience": {"failure_rate_threshold": 2}}]'}
        )
    with pytest.raises(SettingsError, match=r"unknown field `opn_s`"):
        load_settings({"SKYFARE_CONNECTORS": prefix + ' "resilience": {"opn_s": 1}}]'})

    good = load_settings({"SKYFARE_CONNECTORS": prefix + ' "resilience": {"open_s": 1}}]'})

    assert good.connectors[0].resilience == ResiliencePolicy(open_s=1)


def test_traveler_limits_are_read_and_must_be_positive() -> None:
    settings = load_settings(
        {"SKYFARE_ORDER_MAX_OPEN_HOLDS": "2", "SKYFARE_HOLD_WINDOW_S": "900",
         "SKYFARE_TRAVELER_RATE_PER_S": "0.5", "SKYFARE_TRAVELER_BURST": "10"}
    )  # fmt: skip

    assert (settings.order_max_open_holds, settings.hold_window_s) == (2, 900.0)
    assert (settings.traveler_rate_per_s, settings.traveler_burst) == (0.5, 10)
    for variable in ("SKYFARE_ORDER_MAX_HELD_SEATS_PER_FLIGHT", "SKYFARE_TRAVELER_RATE_PER_S"):
        with pytest.raises(SettingsError, match=variable):
            load_settings({variable: "-1"})


def test_the_fare_index_breaker_is_read_and_bounded() -> None:
    settings = load_settings(
        {"SKYFARE_FARE_INDEX_BREAKER_FAILURES": "3", "SKYFARE_FARE_INDEX_BREAKER_OPEN_S": "7.5"}
    )
    assert (settings.fare_index_breaker_failures, settings.fare_index_breaker_open_s) == (3, 7.5)
    defaults = load_settings({})
    assert (defaults.fare_index_breaker_failures, defaults.fare_index_breaker_open_s) == (2, 2.0)

    bad = {
        "SKYFARE_FARE_INDEX_BREAKER_FAILURES": ["0", "6", "1.5"],
        "SKYFARE_FARE_INDEX_BREAKER_OPEN_S": ["0", "-1", "61"],
    }
    for variable, values in bad.items():
        for value in values:
            with pytest.raises(SettingsError, match=variable):
                load_settings({variable: value})


def test_trusted_proxies_are_addresses_or_cidr_blocks_named_when_not() -> None:
    assert load_settings({"SKYFARE_TRUSTED_PROXIES": "10.0.0.0/8, ::1"}).trusted_proxies
    with pytest.raises(SettingsError, match="SKYFARE_TRUSTED_PROXIES: 'gateway'"):
        load_settings({"SKYFARE_TRUSTED_PROXIES": "10.0.0.0/8, gateway"})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "postgresql://u:hunter2@db:notaport/x"}, "DATABASE_URL: a port"),
        ({"DATABASE_URL": "postgresql://u:hunter2/x"}, "DATABASE_URL: a port"),  # no `@`
        ({"DATABASE_URL": "mysql://u:hunter2@db/x"}, "DATABASE_URL: not a URL"),
        ({"DATABASE_URL": "db.internal:5432"}, "DATABASE_URL: not a URL"),
        ({"REDIS_URL": "redis://:hunter2@cache:xx/0"}, "REDIS_URL: a port"),
        ({"REDIS_URL": "redis://:hunter2@cache:6379/zero"}, "REDIS_URL: the database"),
        ({"REDIS_URL": "http://:hunter2@cache:6379/0"}, "REDIS_URL: not a URL"),
    ],
)
def test_a_malformed_store_url_is_refused_by_name_without_repeating_it(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message) as raised:
        load_settings(env)
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_URL": "postgres://u:p%40ss@db:5432/x?sslmode=require"},
        {"DATABASE_URL": "postgresql://u@h1:5432,h2:5433,[::1]:5434/x"},
        {"DATABASE_URL": "postgresql:///x?host=/var/run/postgresql"},
        {"REDIS_URL": "rediss+cluster://:pw@10.0.0.1:6379"},
        {"REDIS_URL": "redis://[::1]:6379/3"},
        {"REDIS_URL": "unix:///tmp/redis.sock?db=2"},
    ],
)
def test_store_urls_of_every_accepted_shape_load(env: dict[str, str]) -> None:
    load_settings(env)


def test_a_negative_worker_count_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match="SKYFARE_WORKERS"):
        load_settings({"SKYFARE_WORKERS": "-2"})


def test_a_log_level_logging_does_not_know_is_refused_by_name() -> None:
    # It was a traceback of the logging module's at start, naming no variable.
    with pytest.raises(SettingsError, match=r"^SKYFARE_LOG_LEVEL: .*DEBUG, INFO, WARNING"):
        load_settings({"SKYFARE_LOG_LEVEL": "LOUD"})
    assert load_settings({"SKYFARE_LOG_LEVEL": "debug"}).log_level == "debug"


def test_pool_sizes_and_the_database_timeout_must_be_positive() -> None:
    # A pool of 0 or -1 connections started the process, then each worker died at its first
    # request with asyncpg's "max_size is expected to be greater than zero"; a timeout of 0
    # failed every query.
    for variable in ("SKYFARE_DB_POOL_MAX", "SKYFARE_REDIS_POOL_MAX", "SKYFARE_DB_TIMEOUT_S"):
        for value in ("0", "-1"):
            with pytest.raises(SettingsError, match=variable):
                load_settings({variable: value})


def test_the_mails_link_to_the_web_app_the_api_serves_unless_told_its_public_address() -> None:
    assert load_settings({"SKYFARE_PORT": "22080"}).public_web_url == "http://127.0.0.1:22080"
    told = load_settings({"SKYFARE_WEB_URL": "https://www.skyfare.example/"})
    assert told.public_web_url == "https://www.skyfare.example"
    # A real mail server and no address: no link, never one to the machine that sent it.
    assert load_settings({"SKYFARE_SMTP_HOST": "smtp.example"}).public_web_url == ""
