"""What Skyfare can be set to: the frozen `Settings` (every field, its default, and the addresses
derived from them) and each airline connector's settings, with the sim's airlines as the default.

Nothing here reads the environment: `skyfare/settings.py` does, into these Structs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from connectors.model import ConnectorKind
from connectors.resilience import ResiliencePolicy
from users.crypto import DEV_KEY as DEV_DOCUMENT_KEY

# The sim's own secrets, published here so `make run` and the tests need no configuration;
# skyfare/dev_secrets.py refuses them beside a real endpoint.
DEV_WEBHOOK_SECRET = "whsec_skyfare_dev_only"
DEV_HELPDESK_WEBHOOK_SECRET = "whsec_helpdesk_dev_only"
DEV_USAGE_HASH_SECRET = "skyfare-dev-usage-hash-secret"


class ConnectorSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    kind: ConnectorKind
    base_url: str
    timeout_s: float = 5.0  # a ceiling per call; the search deadline usually binds first
    max_concurrency: int = 64
    username: str | None = None
    password: str | None = None
    owner_code: str | None = None  # NDC: the airline's IATA designator; else from its /network
    # Breaker, retry and hedging parameters; the bulkhead is `max_concurrency` above, which also
    # sizes the airline's connection pool, so the policy's own `max_concurrency` is replaced by it.
    resilience: ResiliencePolicy | None = None


class Settings(msgspec.Struct, frozen=True):
    host: str = "127.0.0.1"
    port: int = 8080
    workers: Annotated[int, msgspec.Meta(ge=0)] = 0  # 0: one per core
    database_url: str | None = None  # None: embedded PostgreSQL under data_dir
    redis_url: str | None = None  # None: embedded Redis under data_dir
    data_dir: str = ".skyfare"
    log_level: str = "INFO"
    # text: one `key=value` line per record, for people; json: one JSON object per line (with the
    # request id and trace id), for log aggregation.
    log_format: Literal["text", "json"] = "text"
    # OpenTelemetry (skyfare/tracing.py): spans exported over OTLP/HTTP to this base URL (the
    # standard variable; `/v1/traces` is added). None: tracing off, nothing installed.
    otel_endpoint: str | None = None
    max_body_bytes: int = 1 << 20
    # Slow clients (skyfare/protocol.py): a request's head must arrive within
    # `header_read_timeout_s` of its first byte (of the connection, for the first request), its
    # body within `body_read_timeout_s` of the head; an idle keep-alive connection is closed after
    # `keepalive_timeout_s` (above the gateway's own, so the gateway closes first).
    header_read_timeout_s: float = 10.0
    body_read_timeout_s: float = 30.0
    keepalive_timeout_s: float = 75.0
    # A fresh fare-cache hit of GET/POST /v1/search answered by the protocol itself
    # (skyfare/cached_lane.py); false: every request takes aiohttp's web layer.
    cached_lane: bool = True
    # SIGTERM: the process stops accepting, lets the requests in flight finish for at most this
    # long (then cancels them), closes its pools and exits 0.
    shutdown_timeout_s: Annotated[float, msgspec.Meta(ge=0)] = 20.0
    # `skyfare up --gateway`: nginx's HTTPS port (its plain HTTP one is `port`).
    gateway_port: int = 8443
    search_deadline_ms: int = 2500
    seat_map_ttl_s: Annotated[float, msgspec.Meta(ge=0)] = 5.0  # GET /v1/seat_maps cache
    db_pool_max: Annotated[int, msgspec.Meta(ge=1)] = 10
    # Redis connections per process; more wait for a free one.
    redis_pool_max: Annotated[int, msgspec.Meta(ge=1)] = 200
    # An API worker's garbage collector once it serves (skyfare/heap.py): start-up objects frozen,
    # a young collection every this many net allocations; 0 keeps CPython's defaults.
    gc_young_threshold: Annotated[int, msgspec.Meta(ge=0)] = 10_000
    db_timeout_s: Annotated[float, msgspec.Meta(gt=0)] = 2.0
    # What sits between Skyfare and PostgreSQL: "none", or "pgbouncer" in transaction pooling
    # mode (deploy/README.md), where a server connection is ours for one transaction only, so
    # asyncpg's named prepared statements are off (skyfare/postgres.py).
    db_pooler: Literal["none", "pgbouncer"] = "none"
    # The database /readyz's `SELECT 1` asks (DATABASE_URL's host, user and password), None:
    # DATABASE_URL's own. Behind PgBouncer, an alias with a pool of its own (deploy/README.md):
    # on the application's pool the check queued behind every process's traffic while PgBouncer's
    # server connections were all busy, and a healthy but busy process read "database down".
    db_check_database: str | None = None
    # How long /readyz waits for each store it checks (PostgreSQL's `SELECT 1`, Redis's PING,
    # a connect included): well under a probe's timeout (Kubernetes' default is 1 s), so a hung
    # store is answered 503 naming it before the probe gives up and reads a hung process. Not
    # the stores' own bounds (SKYFARE_REDIS_TIMEOUT_MS, SKYFARE_DB_TIMEOUT_S): those are sized
    # for traffic, and a check took all of a probe's second.
    ready_timeout_ms: Annotated[int, msgspec.Meta(gt=0, le=60_000)] = 500
    # Redis Cluster: the client is redis-py's RedisCluster, `redis_url` one of its nodes (the
    # others are discovered). Also on for a `redis+cluster://` URL.
    redis_cluster: bool = False
    # The CA certificate (a PEM file) that signed the Redis servers' certificates, trusted for a
    # TLS URL (`rediss://`, `rediss+cluster://`) on every node's connection. None: the system's
    # trusted CAs (a managed Redis with a public certificate).
    redis_tls_ca_file: str | None = None
    # A client certificate and its key (PEM files), both or neither, presented on every TLS
    # connection: for servers that ask clients for one (redis-server's `tls-auth-clients yes`).
    redis_tls_cert_file: str | None = None
    redis_tls_key_file: str | None = None
    sim_host: str = "127.0.0.1"
    sim_port: int = 9100
    sim_seed: int = 42
    sim_profile: str = ""  # JSON: per-airline latency / error / hang overrides for `skyfare sim`
    # Fare cache (cache/): L1 size per process in entries (0 disables L1) and in bytes of
    # encoded answers (0: entries only), the bound on each Redis call
    # (further capped at a tenth of the search's deadline), fresh TTLs by days to departure
    # (< near_days, < mid_days, beyond), the stale window as a multiple of the fresh TTL, and
    # the TTL of a complete answer with no flights.
    cache_l1_entries: int = 10_000
    cache_l1_bytes: Annotated[int, msgspec.Meta(ge=0)] = 64 * 1024 * 1024
    cache_redis_timeout_ms: int = 50
    # The shared Redis client's bound on a connect, a wait for a pooled connection and a reply,
    # and on each call that has no bound of its own (a session cutoff's write, the outbox
    # relay's, a batch of usage events): past it the caller sees Redis as down.
    redis_timeout_ms: Annotated[int, msgspec.Meta(gt=0, le=60_000)] = 1000
    cache_near_days: int = 3
    cache_near_ttl_s: float = 60.0
    cache_mid_days: int = 14
    cache_mid_ttl_s: float = 300.0
    cache_far_ttl_s: float = 900.0
    cache_stale_factor: float = 4.0
    cache_empty_ttl_s: float = 30.0
    # The fare index's read breaker (search/fare_index_breaker.py): timed-out reads in a row
    # that open it (a bulk batch's 5 sequential lookups each wait out 0.5 s on a hung Redis, so
    # up to 5: beyond, a batch never opens it and pays every one), and how long it stays open
    # before a probe (over a minute keeps partners' fares away long after a failover ended).
    fare_index_breaker_failures: Annotated[int, msgspec.Meta(ge=1, le=5)] = 2
    fare_index_breaker_open_s: Annotated[float, msgspec.Meta(gt=0, le=60)] = 2.0
    # Partner API: how long a process trusts a key it has checked (a revoked key keeps working
    # this long), and the bound on each rate-limit call to Redis (past it, the limiter fails open).
    partner_key_cache_ttl_s: float = 30.0
    rate_limit_timeout_ms: int = 50
    # A client-side secret: the partner key `skyfare warm` sends (never logged, never served).
    partner_key: str | None = None
    # Traveler tokens (Bearer JWTs): the issuer (`iss`) and audience (`aud`) trusted, and where the
    # issuer's JWKS lives. None: the sim's identity provider, `{sim_url}/identity`.
    jwt_issuer: str | None = None
    jwt_audience: str = "skyfare"
    jwks_url: str | None = None
    # The bound on one fetch of the JWKS (a token's first use, an unknown `kid`, every 5 min);
    # past it a token whose key is not cached is a 503.
    jwks_timeout_ms: Annotated[int, msgspec.Meta(gt=0, le=60_000)] = 2000
    # Erasing the account (`DELETE /v1/me`) needs a sign-in (the token's `auth_time`) at most
    # this many seconds old; an older one is a 401 that tells the client to sign in again with
    # OIDC `max_age` (RFC 9470 step-up). A refresh keeps the sign-in's time.
    erasure_max_auth_age_s: Annotated[int, msgspec.Meta(ge=0, le=86400)] = 300
    # How long a process trusts the session cutoff it read for a traveler (skyfare/auth/cutoffs.py):
    # the bound on how late a process refuses a token after the account's erasure when it missed
    # the cutoff's announcement; each process reads a traveler's at most once per this many
    # seconds, so a request pays no round trip for it.
    session_cutoff_cache_s: Annotated[float, msgspec.Meta(gt=0, le=300)] = 10.0
    # The sim identity provider (`skyfare up` / `skyfare sim`): its dev-only direct grant
    # (`skyfare token`, tests, benchmarks; off: sign-in is the only way to a token, as with a
    # production provider), and redirect URIs of the web client beyond the API's own
    # `http://{127.0.0.1,localhost}:<port>/auth/callback` (comma-separated).
    sim_dev_tokens: bool = True
    sim_redirect_uris: str = ""
    # Events: the Redis stream the outbox relay of every API process publishes to (capped at
    # about `event_stream_maxlen` entries) and how often a relay looks for new outbox rows.
    event_stream: str = "skyfare:events"
    event_stream_maxlen: int = 1_000_000
    # How many replicas of the stream's Redis must hold a relayed batch (WAIT) before its outbox
    # rows are marked published: 0 (one Redis, no replica), 1 on a Redis Cluster with replicas,
    # so a failover right after cannot lose an event the outbox already let go of.
    event_stream_replicas: Annotated[int, msgspec.Meta(ge=0)] = 0
    event_relay_interval_s: float = 0.1
    # The longest pause of an idle relay (booking/relay.py): it doubles up to this after each
    # look that finds nothing, and is back to `event_relay_interval_s` once one finds a row.
    event_relay_idle_interval_s: float = 0.5
    # Notifications (notify/, `skyfare worker`). None: the sim's SMTP sink (on sim_port + 25,
    # 9125 by default) and SMS provider (`{sim_url}/sms`); the worker's /metrics on port + 1.
    sim_smtp_port: int | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    sms_url: str | None = None
    notify_batch_size: int = 50
    notify_claim_min_idle_s: float = 60.0
    notify_max_attempts: int = 8
    notify_backoff_base_s: float = 1.0
    notify_backoff_max_s: float = 30.0
    notify_lease_s: float = 30.0
    notify_send_timeout_s: float = 10.0
    # SMTP connections the worker keeps open at once: a batch's mails go out concurrently, and
    # fewer connections than mails in flight queue them behind each other's round trips.
    notify_smtp_connections: Annotated[int, msgspec.Meta(ge=1)] = 32
    # A secret (never logged); the default is the sim SMS provider's key (sim/sms).
    notify_sms_api_key: str = "sim-sms-key"
    notify_mail_from: str = "Skyfare <bookings@skyfare.example>"
    notify_consumer: str = ""  # empty: <hostname>-<pid>
    notify_metrics_port: int | None = None
    # IATA's NDC 21.3 XML Schemas live in `<standards_dir>/iata-ndc-21.3/` (None: the
    # `../shared/standards` beside the project). The sim's NDC airlines check every request
    # against them; with `ndc_validate_responses` (certification runs, slow) the NDC connectors
    # check every answer too, and an answer that is not valid is that airline's error.
    standards_dir: str | None = None
    ndc_validate_responses: bool = False
    # `skyfare relay`'s /metrics (the outbox lag, events published). None: `port` + 2; 0: none.
    relay_metrics_port: int | None = None
    # Orders: how long an Idempotency-Key stays "in progress" (409 to a retry) when its request
    # never finishes; it must outlast the longest order request (airline calls included).
    idempotency_lease_s: float = 30.0
    # Nothing lost (booking/recovery.py): an order still `pending` after `reconcile_after_s`
    # (longer than any order request) is settled with its airline by the reconciler, which runs
    # every `reconcile_interval_s`; the hold sweeper expires unpaid holds past their deadline
    # every `hold_sweep_interval_s`.
    # Traveler limits (booking/limits.py; support tokens are exempt): open (unpaid) holds at
    # once, seats held in them in all and on one flight (0: no cap); how long a hold lasts at
    # most (the airline's own limit and departure cap it further); the per-traveler rate limit of
    # order and payment routes (GCRA in Redis keyed on the token's `sub`: requests per second,
    # and the burst allowed at once).
    order_max_open_holds: Annotated[int, msgspec.Meta(ge=0)] = 5
    order_max_held_seats: Annotated[int, msgspec.Meta(ge=0)] = 18
    order_max_held_seats_per_flight: Annotated[int, msgspec.Meta(ge=0)] = 9
    hold_window_s: Annotated[float, msgspec.Meta(gt=0)] = 3 * 3600.0
    traveler_rate_per_s: Annotated[float, msgspec.Meta(gt=0)] = 5.0
    traveler_burst: Annotated[int, msgspec.Meta(ge=1)] = 60
    reconcile_after_s: float = 30.0
    reconcile_interval_s: float = 10.0
    # The payment reconciler audits only charges made in the last `payment_audit_max_age_s`
    # (payment/audit.py): every API process reads a batch at the gateway every round; and each
    # charge at most once every `payment_audit_every_s`.
    payment_audit_max_age_s: Annotated[float, msgspec.Meta(gt=0)] = 90 * 86400.0
    payment_audit_every_s: Annotated[float, msgspec.Meta(gt=0)] = 6 * 3600.0
    # A seat charge still waiting for the traveler's bank (3-D Secure) this long after it was
    # asked is canceled at the gateway by the payment reconciler (payment/seat_charges.py).
    seat_charge_bank_wait_s: Annotated[float, msgspec.Meta(ge=0)] = 30 * 60.0
    hold_sweep_interval_s: float = 10.0
    # The change sweeper (booking/change_sweeper.py) runs every `change_sweep_interval_s` and
    # settles flight changes left `confirming` and unclaimed for `change_sweep_idle_s`.
    change_sweep_interval_s: Annotated[float, msgspec.Meta(gt=0)] = 10.0
    change_sweep_idle_s: Annotated[float, msgspec.Meta(ge=0)] = 120.0
    # A flight change whose charge still waits for the traveler's bank (3-D Secure) this long
    # after it first did is canceled at the gateway, then undone, by the change sweeper.
    change_bank_wait_s: Annotated[float, msgspec.Meta(ge=0)] = 30 * 60.0
    # Payments: the card gateway (None: the sim's, `{sim_url}/payments`) and its secret API key;
    # the webhook secret(s) the gateway signs with (comma-separated while rotating: the first
    # signs the sim's webhooks, all are accepted). Secrets: never logged. The defaults are the
    # sim gateway's own dev values (sim/payments), not secrets anywhere else.
    payment_gateway_url: str | None = None
    payment_gateway_key: str = "sk_test_skyfare_sim"
    webhook_secret: str = DEV_WEBHOOK_SECRET
    # Where the sim gateway delivers its webhooks. None: this API, http://127.0.0.1:<port>/...
    sim_webhook_url: str | None = None
    # Support (support/): the helpdesk's API (None: the sim's, `{sim_url}/helpdesk`) and key,
    # the secret its webhooks are signed with (secrets: never logged; the defaults are the sim's
    # dev values), anonymous case openings per client address, and how many characters an
    # agent's name-spelling correction may change.
    helpdesk_url: str | None = None
    helpdesk_api_key: str = "hd_test_skyfare_sim"
    helpdesk_webhook_secret: str = DEV_HELPDESK_WEBHOOK_SECRET
    # The reverse proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For
    # names the client (kernel/client_address.py): the gateway's, so per-address limits key on
    # the client, not on the gateway every request comes through. Empty: the peer is the client.
    trusted_proxies: str = ""
    support_anonymous_rate_per_s: Annotated[float, msgspec.Meta(gt=0)] = 0.1
    support_anonymous_burst: Annotated[int, msgspec.Meta(ge=1)] = 5
    support_name_change_max: Annotated[int, msgspec.Meta(ge=0)] = 3
    # Users (users/): the key(s) sealing saved travelers' document numbers (AES-256-GCM; 32
    # bytes in base64, comma-separated while rotating: the first seals, all open). A secret,
    # never logged; the default is a public development key for `make run` and the tests.
    # And how many travelers one user may save.
    users_document_key: str = DEV_DOCUMENT_KEY
    users_max_travelers: Annotated[int, msgspec.Meta(ge=1)] = 20
    # Usage events (kernel/usage.py, analytics/EVENTS.md): on or off, the Redis stream they go to
    # (capped at about `usage_stream_maxlen` entries), how many may wait in a process's buffer
    # before more are dropped, and the secret travelers are hashed with (never logged; the
    # default is a development value). The analytics consumer (`skyfare analytics`) reads them
    # and the order events in batches of `analytics_batch_size` into DuckDB and Parquet under
    # `analytics_dir` (default: `<data_dir>/analytics`).
    usage_events: bool = True
    usage_stream: str = "skyfare:usage"
    usage_stream_maxlen: int = 1_000_000
    usage_buffer_max: Annotated[int, msgspec.Meta(ge=1)] = 10_000
    usage_hash_secret: str = DEV_USAGE_HASH_SECRET
    analytics_batch_size: Annotated[int, msgspec.Meta(ge=1)] = 500
    # After a batch smaller than that, how long the consumer waits to gather more (0: reads again
    # at once, one small DuckDB transaction per trickle of entries).
    analytics_linger_ms: Annotated[int, msgspec.Meta(ge=0)] = 500
    analytics_dir: str | None = None
    # `skyfare analytics` serves the report routes (and /healthz, /readyz, /metrics) on this
    # port, beside the store it loads: the process that owns the DuckDB file answers the
    # reports of a deployment (deploy/README.md). None: `port` + 3; 0: none.
    analytics_port: int | None = None
    # The traveler web app (skyfare/webapp.py): the Vite build served at `/` (None: web/dist of
    # this checkout), and its OAuth client id at the identity provider (a public client, no secret).
    web_dist: str | None = None
    web_client_id: str = "skyfare-web"
    # Where travelers open the web app, as the notification worker's mails link to it (a
    # booking's page, `/trips/<order id>`). None: the API's own address, which serves it, while
    # the mails go to the sim's SMTP sink; through a real mail server (SKYFARE_SMTP_HOST), no
    # link rather than one to this machine.
    web_url: str | None = None
    connectors: tuple[ConnectorSettings, ...] = ()

    @property
    def analytics_path(self) -> str:
        return self.analytics_dir or os.path.join(self.data_dir, "analytics")

    @property
    def sim_url(self) -> str:
        return f"http://{self.sim_host}:{self.sim_port}"

    @property
    def payment_gateway_base_url(self) -> str:
        return (self.payment_gateway_url or f"{self.sim_url}/payments").rstrip("/")

    @property
    def helpdesk_base_url(self) -> str:
        return (self.helpdesk_url or f"{self.sim_url}/helpdesk").rstrip("/")

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.webhook_secret.split(",") if s.strip())

    @property
    def sim_webhook_target(self) -> str:
        return self.sim_webhook_url or f"http://127.0.0.1:{self.port}/v1/payments/webhook"

    @property
    def trusted_issuer(self) -> str:
        return self.jwt_issuer or f"{self.sim_url}/identity"

    @property
    def public_web_url(self) -> str:
        """The web app's address the mails link to; "" for none."""
        if self.web_url:
            return self.web_url.rstrip("/")
        return "" if self.smtp_host else f"http://127.0.0.1:{self.port}"

    @property
    def web_dist_dir(self) -> Path:
        return Path(self.web_dist) if self.web_dist else Path(__file__).parents[1] / "web" / "dist"

    @property
    def trusted_jwks_url(self) -> str:
        return self.jwks_url or f"{self.trusted_issuer.rstrip('/')}/.well-known/jwks.json"

    @property
    def sim_web_redirect_uris(self) -> tuple[str, ...]:
        """Where the sim lets the web client's sign-in come back to."""
        extra = (uri.strip() for uri in self.sim_redirect_uris.split(","))
        # The app is served by the API itself, and by the gateway (`skyfare up --gateway`).
        return (
            f"http://127.0.0.1:{self.port}/auth/callback",
            f"http://localhost:{self.port}/auth/callback",
            f"https://127.0.0.1:{self.gateway_port}/auth/callback",
            f"https://localhost:{self.gateway_port}/auth/callback",
            *(uri for uri in extra if uri),
        )

    @property
    def sim_smtp_listen_port(self) -> int:
        return self.sim_smtp_port if self.sim_smtp_port is not None else self.sim_port + 25

    @property
    def smtp_address(self) -> tuple[str, int]:
        """Where the worker sends mail: SKYFARE_SMTP_HOST/PORT, else the sim's SMTP sink."""
        return (self.smtp_host or self.sim_host, self.smtp_port or self.sim_smtp_listen_port)

    @property
    def sms_base_url(self) -> str:
        return (self.sms_url or f"{self.sim_url}/sms").rstrip("/")

    @property
    def relay_metrics_listen_port(self) -> int:
        """`skyfare relay`'s /metrics port; 0: none."""
        return self.relay_metrics_port if self.relay_metrics_port is not None else self.port + 2

    @property
    def analytics_listen_port(self) -> int:
        """`skyfare analytics`'s HTTP port (reports, health, metrics); 0: none."""
        return self.analytics_port if self.analytics_port is not None else self.port + 3

    @property
    def notify_metrics_listen_port(self) -> int:
        """The worker's /metrics port; 0: none."""
        return self.notify_metrics_port if self.notify_metrics_port is not None else self.port + 1


# The simulated airlines `skyfare sim` serves, each under its own path of one sim server. The
# SOAP airline's WS-Security credentials are the sim's own (sim/soap), not a secret.
DEFAULT_SIM_AIRLINES: tuple[ConnectorSettings, ...] = (
    ConnectorSettings(name="rest-britannia", kind="rest", base_url="/rest/britannia"),
    ConnectorSettings(name="rest-liberty", kind="rest", base_url="/rest/liberty"),
    ConnectorSettings(name="rest-hansa", kind="rest", base_url="/rest/hansa"),
    ConnectorSettings(name="rest-globetrotter", kind="rest", base_url="/rest/globetrotter"),
    ConnectorSettings(
        name="soap-nordic",
        kind="soap",
        base_url="/soap/nordic",
        username="skyfare",
        password="nordic-secret",
    ),
    ConnectorSettings(name="ndc-crimson", kind="ndc", base_url="/ndc/crimson"),
)


def default_connectors(sim_url: str) -> tuple[ConnectorSettings, ...]:
    """The sim airlines' connectors, their paths resolved against the sim server at `sim_url`."""
    return tuple(
        msgspec.structs.replace(airline, base_url=sim_url + airline.base_url)
        for airline in DEFAULT_SIM_AIRLINES
    )
