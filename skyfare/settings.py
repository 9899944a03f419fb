"""Settings: read once from the environment into a frozen Struct and passed down explicitly.

This is the only module that reads `os.environ`. Every setting is listed in the README's table;
the Structs themselves (fields, defaults, derived addresses) are in skyfare/settings_model.py,
and are imported from here.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from typing import Any

import msgspec

from kernel.client_address import parse_networks
from skyfare.settings_model import ConnectorSettings, Settings, default_connectors

__all__ = [
    "ConnectorSettings",
    "Settings",
    "SettingsError",
    "default_connectors",
    "load_settings",
]


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


_ENV_FIELDS: dict[str, str] = {
    "SKYFARE_HOST": "host",
    "SKYFARE_PORT": "port",
    "SKYFARE_WORKERS": "workers",
    "DATABASE_URL": "database_url",
    "REDIS_URL": "redis_url",
    "SKYFARE_DATA_DIR": "data_dir",
    "SKYFARE_LOG_LEVEL": "log_level",
    "SKYFARE_LOG_FORMAT": "log_format",
    "OTEL_EXPORTER_OTLP_ENDPOINT": "otel_endpoint",
    "SKYFARE_MAX_BODY_BYTES": "max_body_bytes",
    "SKYFARE_HEADER_READ_TIMEOUT_S": "header_read_timeout_s",
    "SKYFARE_BODY_READ_TIMEOUT_S": "body_read_timeout_s",
    "SKYFARE_KEEPALIVE_TIMEOUT_S": "keepalive_timeout_s",
    "SKYFARE_CACHED_LANE": "cached_lane",
    "SKYFARE_SHUTDOWN_TIMEOUT_S": "shutdown_timeout_s",
    "SKYFARE_GATEWAY_PORT": "gateway_port",
    "SKYFARE_SEARCH_DEADLINE_MS": "search_deadline_ms",
    "SKYFARE_SEAT_MAP_TTL_S": "seat_map_ttl_s",
    "SKYFARE_DB_POOL_MAX": "db_pool_max",
    "SKYFARE_REDIS_POOL_MAX": "redis_pool_max",
    "SKYFARE_GC_YOUNG_THRESHOLD": "gc_young_threshold",
    "SKYFARE_DB_TIMEOUT_S": "db_timeout_s",
    "SKYFARE_DB_POOLER": "db_pooler",
    "SKYFARE_DB_CHECK_DATABASE": "db_check_database",
    "SKYFARE_READY_TIMEOUT_MS": "ready_timeout_ms",
    "SKYFARE_REDIS_CLUSTER": "redis_cluster",
    "SKYFARE_REDIS_TLS_CA_FILE": "redis_tls_ca_file",
    "SKYFARE_REDIS_TLS_CERT_FILE": "redis_tls_cert_file",
    "SKYFARE_REDIS_TLS_KEY_FILE": "redis_tls_key_file",
    "SKYFARE_SIM_HOST": "sim_host",
    "SKYFARE_SIM_PORT": "sim_port",
    "SKYFARE_SIM_SEED": "sim_seed",
    "SKYFARE_SIM_PROFILE": "sim_profile",
    "SKYFARE_CACHE_L1_ENTRIES": "cache_l1_entries",
    "SKYFARE_CACHE_L1_BYTES": "cache_l1_bytes",
    "SKYFARE_CACHE_REDIS_TIMEOUT_MS": "cache_redis_timeout_ms",
    "SKYFARE_REDIS_TIMEOUT_MS": "redis_timeout_ms",
    "SKYFARE_CACHE_NEAR_DAYS": "cache_near_days",
    "SKYFARE_CACHE_NEAR_TTL_S": "cache_near_ttl_s",
    "SKYFARE_CACHE_MID_DAYS": "cache_mid_days",
    "SKYFARE_CACHE_MID_TTL_S": "cache_mid_ttl_s",
    "SKYFARE_CACHE_FAR_TTL_S": "cache_far_ttl_s",
    "SKYFARE_CACHE_STALE_FACTOR": "cache_stale_factor",
    "SKYFARE_CACHE_EMPTY_TTL_S": "cache_empty_ttl_s",
    "SKYFARE_FARE_INDEX_BREAKER_FAILURES": "fare_index_breaker_failures",
    "SKYFARE_FARE_INDEX_BREAKER_OPEN_S": "fare_index_breaker_open_s",
    "SKYFARE_PARTNER_KEY_CACHE_TTL_S": "partner_key_cache_ttl_s",
    "SKYFARE_RATE_LIMIT_TIMEOUT_MS": "rate_limit_timeout_ms",
    "SKYFARE_PARTNER_KEY": "partner_key",
    "SKYFARE_PAYMENT_GATEWAY_URL": "payment_gateway_url",
    "SKYFARE_PAYMENT_GATEWAY_KEY": "payment_gateway_key",
    "SKYFARE_WEBHOOK_SECRET": "webhook_secret",
    "SKYFARE_SIM_WEBHOOK_URL": "sim_webhook_url",
    "SKYFARE_HELPDESK_URL": "helpdesk_url",
    "SKYFARE_HELPDESK_API_KEY": "helpdesk_api_key",
    "SKYFARE_HELPDESK_WEBHOOK_SECRET": "helpdesk_webhook_secret",
    "SKYFARE_TRUSTED_PROXIES": "trusted_proxies",
    "SKYFARE_SUPPORT_ANONYMOUS_RATE_PER_S": "support_anonymous_rate_per_s",
    "SKYFARE_SUPPORT_ANONYMOUS_BURST": "support_anonymous_burst",
    "SKYFARE_SUPPORT_NAME_CHANGE_MAX": "support_name_change_max",
    "SKYFARE_USERS_DOCUMENT_KEY": "users_document_key",
    "SKYFARE_USERS_MAX_TRAVELERS": "users_max_travelers",
    "SKYFARE_IDEMPOTENCY_LEASE_S": "idempotency_lease_s",
    "SKYFARE_ORDER_MAX_OPEN_HOLDS": "order_max_open_holds",
    "SKYFARE_ORDER_MAX_HELD_SEATS": "order_max_held_seats",
    "SKYFARE_ORDER_MAX_HELD_SEATS_PER_FLIGHT": "order_max_held_seats_per_flight",
    "SKYFARE_HOLD_WINDOW_S": "hold_window_s",
    "SKYFARE_TRAVELER_RATE_PER_S": "traveler_rate_per_s",
    "SKYFARE_TRAVELER_BURST": "traveler_burst",
    "SKYFARE_RECONCILE_AFTER_S": "reconcile_after_s",
    "SKYFARE_RECONCILE_INTERVAL_S": "reconcile_interval_s",
    "SKYFARE_PAYMENT_AUDIT_MAX_AGE_S": "payment_audit_max_age_s",
    "SKYFARE_PAYMENT_AUDIT_EVERY_S": "payment_audit_every_s",
    "SKYFARE_SEAT_CHARGE_BANK_WAIT_S": "seat_charge_bank_wait_s",
    "SKYFARE_HOLD_SWEEP_INTERVAL_S": "hold_sweep_interval_s",
    "SKYFARE_CHANGE_SWEEP_INTERVAL_S": "change_sweep_interval_s",
    "SKYFARE_CHANGE_SWEEP_IDLE_S": "change_sweep_idle_s",
    "SKYFARE_CHANGE_BANK_WAIT_S": "change_bank_wait_s",
    "SKYFARE_JWT_ISSUER": "jwt_issuer",
    "SKYFARE_JWT_AUDIENCE": "jwt_audience",
    "SKYFARE_JWKS_URL": "jwks_url",
    "SKYFARE_JWKS_TIMEOUT_MS": "jwks_timeout_ms",
    "SKYFARE_ERASURE_MAX_AUTH_AGE_S": "erasure_max_auth_age_s",
    "SKYFARE_SESSION_CUTOFF_CACHE_S": "session_cutoff_cache_s",
    "SKYFARE_SIM_DEV_TOKENS": "sim_dev_tokens",
    "SKYFARE_SIM_REDIRECT_URIS": "sim_redirect_uris",
    "SKYFARE_EVENT_STREAM": "event_stream",
    "SKYFARE_EVENT_STREAM_MAXLEN": "event_stream_maxlen",
    "SKYFARE_EVENT_STREAM_REPLICAS": "event_stream_replicas",
    "SKYFARE_EVENT_RELAY_INTERVAL_S": "event_relay_interval_s",
    "SKYFARE_EVENT_RELAY_IDLE_INTERVAL_S": "event_relay_idle_interval_s",
    "SKYFARE_SIM_SMTP_PORT": "sim_smtp_port",
    "SKYFARE_SMTP_HOST": "smtp_host",
    "SKYFARE_SMTP_PORT": "smtp_port",
    "SKYFARE_SMS_URL": "sms_url",
    "SKYFARE_NOTIFY_BATCH_SIZE": "notify_batch_size",
    "SKYFARE_NOTIFY_CLAIM_MIN_IDLE_S": "notify_claim_min_idle_s",
    "SKYFARE_NOTIFY_MAX_ATTEMPTS": "notify_max_attempts",
    "SKYFARE_NOTIFY_BACKOFF_BASE_S": "notify_backoff_base_s",
    "SKYFARE_NOTIFY_BACKOFF_MAX_S": "notify_backoff_max_s",
    "SKYFARE_NOTIFY_LEASE_S": "notify_lease_s",
    "SKYFARE_NOTIFY_SEND_TIMEOUT_S": "notify_send_timeout_s",
    "SKYFARE_NOTIFY_SMTP_CONNECTIONS": "notify_smtp_connections",
    "SKYFARE_NOTIFY_SMS_API_KEY": "notify_sms_api_key",
    "SKYFARE_NOTIFY_MAIL_FROM": "notify_mail_from",
    "SKYFARE_NOTIFY_CONSUMER": "notify_consumer",
    "SKYFARE_NOTIFY_METRICS_PORT": "notify_metrics_port",
    "SKYFARE_STANDARDS_DIR": "standards_dir",
    "SKYFARE_NDC_VALIDATE_RESPONSES": "ndc_validate_responses",
    "SKYFARE_USAGE_EVENTS": "usage_events",
    "SKYFARE_USAGE_STREAM": "usage_stream",
    "SKYFARE_USAGE_STREAM_MAXLEN": "usage_stream_maxlen",
    "SKYFARE_USAGE_BUFFER_MAX": "usage_buffer_max",
    "SKYFARE_USAGE_HASH_SECRET": "usage_hash_secret",
    "SKYFARE_ANALYTICS_BATCH_SIZE": "analytics_batch_size",
    "SKYFARE_ANALYTICS_LINGER_MS": "analytics_linger_ms",
    "SKYFARE_ANALYTICS_DIR": "analytics_dir",
    "SKYFARE_ANALYTICS_PORT": "analytics_port",
    "SKYFARE_WEB_DIST": "web_dist",
    "SKYFARE_WEB_CLIENT_ID": "web_client_id",
    "SKYFARE_WEB_URL": "web_url",
    "SKYFARE_RELAY_METRICS_PORT": "relay_metrics_port",
}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build Settings from `environ` (default: the process environment), then apply `overrides`."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    for var, field in _ENV_FIELDS.items():
        value = env.get(var)
        if value not in (None, ""):
            raw[field] = value
    connectors_json = env.get("SKYFARE_CONNECTORS")
    raw.update(overrides)
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_name_variable(str(exc))) from exc
    if settings.log_level.upper() not in logging.getLevelNamesMapping():
        # Else a traceback of the logging module's at start, naming no variable.
        raise SettingsError(
            f"SKYFARE_LOG_LEVEL: {settings.log_level!r} is not a log level "
            "(DEBUG, INFO, WARNING, ERROR, CRITICAL)"
        )
    try:
        parse_networks(settings.trusted_proxies)
    except ValueError as exc:
        raise SettingsError(f"SKYFARE_TRUSTED_PROXIES: {exc}") from exc
    _check_url("DATABASE_URL", settings.database_url, _DATABASE_SCHEMES)
    _check_url("REDIS_URL", settings.redis_url, _REDIS_SCHEMES)
    if "connectors" in overrides:
        return settings
    if connectors_json:
        try:
            connectors = msgspec.json.decode(
                connectors_json, type=tuple[ConnectorSettings, ...], strict=False
            )
        except msgspec.DecodeError as exc:
            raise SettingsError(f"SKYFARE_CONNECTORS: {exc}") from exc
    else:
        connectors = default_connectors(settings.sim_url)
    return msgspec.structs.replace(settings, connectors=connectors)


def _name_variable(message: str) -> str:
    """Turn msgspec's `$.field` path into the environment variable a user has to fix."""
    for var, field in _ENV_FIELDS.items():
        if f"`$.{field}`" in message:  # whole: `$.a` is a prefix of `$.a_b`
            return message.replace(f"`$.{field}`", var)
    return message


_DATABASE_SCHEMES = ("postgresql", "postgres")
_REDIS_SCHEMES = ("redis", "rediss", "unix", "redis+cluster", "rediss+cluster")


def _check_url(var: str, url: str | None, schemes: tuple[str, ...]) -> None:
    """The URL's shape, checked here: asyncpg and redis-py parse it only at the first connect,
    where a typo was a traceback naming neither the variable nor the part (a `serve` worker died
    after its ready line, `migrate` and `relay` printed asyncpg's insides). The message never
    repeats the URL or a part of its address: a password may be there, or be taken for a port
    where the `@` is missing."""
    if url is None:
        return
    scheme, _, rest = url.partition("://")
    if not rest or scheme.lower() not in schemes:
        names = ", ".join(f"{name}://" for name in schemes)
        raise SettingsError(f"{var}: not a URL of one of the schemes {names}")
    if scheme.lower() == "unix":
        return
    # Split by hand: urllib refuses asyncpg's several hosts (`h1:5432,[::1]:5433`).
    netloc = re.split(r"[/?#]", rest, maxsplit=1)[0]
    path = re.split(r"[?#]", rest[len(netloc) :], maxsplit=1)[0]
    # The credentials end at the last `@`.
    for host in netloc.rpartition("@")[2].split(","):
        port = host.rpartition("]")[2].rpartition(":")[2] if ":" in host else ""
        if port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            raise SettingsError(f"{var}: a port is not a number from 1 to 65535")
    index = path.strip("/")
    if var == "REDIS_URL" and index and not (index.isascii() and index.isdigit()):
        raise SettingsError(f"{var}: the database (the path) is not a number")
