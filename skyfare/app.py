"""The composition root: `create_app(settings)` wires every resource, route and the plumbing.

Each resource has its own cleanup context, so a failure while starting one closes those already
started, in reverse order. Neither PostgreSQL nor Redis being down stops the app from starting:
the pool is created with `min_size=0` (it connects on first use) and the Redis client connects
lazily, so searches are served and `/readyz` reports what is down until it comes back.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol

from aiohttp import web

from analytics import routes as analytics_routes
from booking import change_routes, trip_routes
from booking import routes as order_routes
from booking import seat_routes as order_seat_routes
from kernel.client_address import TRUSTED_PROXIES, parse_networks
from kernel.openapi import Operation
from payment import routes as payment_routes
from search import bulk_routes
from search import routes as search_routes
from seats import routes as seat_routes
from skyfare import booking_contexts, openapi, ops, privacy, search_contexts, webapp
from skyfare.auth.step_up import RecentSignIn
from skyfare.dev_secrets import check_dev_secrets
from skyfare.guard import route_security
from skyfare.keys import (
    NOT_FOUND_PAGE,
    OPENAPI_DOCUMENT,
    READY_CHECKS,
    READY_OUTAGES,
    RECENT_SIGN_IN,
    ROUTE_PARAMETERS,
    ROUTE_SECURITY,
    ROUTE_STATUSES,
    SERVICE,
    SETTINGS,
)
from skyfare.ops import ReadyCheck
from skyfare.outages import Outages
from skyfare.parameters import route_parameters
from skyfare.plumbing import install_plumbing
from skyfare.services import ALL, ANALYTICS, BOOKING, SEARCH, SERVICES
from skyfare.settings import Settings
from skyfare.support_wiring import running_support
from skyfare.usage import usage_events
from support import routes as support_routes
from users import routes as user_routes

logger = logging.getLogger(__name__)


def create_app(settings: Settings, service: str = ALL) -> web.Application:
    """The app of one deployable `service` (SERVICES: `search`, `booking`, or `all` of them;
    or ANALYTICS: the reports, in `skyfare analytics`'s process)."""
    if service not in (*SERVICES, ANALYTICS):
        raise ValueError(f"unknown service {service!r}: one of {', '.join(SERVICES)}")
    # Before anything opens: a bad key, or a published dev secret guarding a real endpoint,
    # is a deploy bug.
    booking_contexts.check_document_key(settings)
    check_dev_secrets(settings, seals_documents=_runs(service, frozenset({BOOKING})))
    app = web.Application(client_max_size=settings.max_body_bytes)
    install_plumbing(app)  # request ids, problem documents, metrics: per route, at start-up
    app[SETTINGS] = settings
    app[SERVICE] = service
    app[TRUSTED_PROXIES] = parse_networks(settings.trusted_proxies)  # checked by load_settings
    # In dependency order (each may use what those before it set); closed in reverse.
    app.cleanup_ctx.extend(ctx for ctx, services in _CONTEXTS if _runs(service, services))
    web_app = _WebApp(settings)
    groups = _route_groups(web_app)
    served = [group for group, services in groups if _runs(service, services)]
    for group in served:
        group.add_routes(app.router)
    if web_app.not_found_page is not None:  # served here: browsers lost on this origin land on it
        app[NOT_FOUND_PAGE] = web_app.not_found_page
    app[READY_CHECKS] = tuple(c for c, services in _READY_CHECKS if _runs(service, services))
    app[READY_OUTAGES] = Outages()
    # The document is the whole API, as the gateway serves it, whichever part this service is.
    everything = tuple(op for group, _ in groups for op in group.OPERATIONS)
    app[OPENAPI_DOCUMENT] = _openapi_document(everything)
    # What each operation declares is what the plumbing enforces, before the view (guard.py).
    app[ROUTE_SECURITY] = route_security(op for group in served for op in group.OPERATIONS)
    app[RECENT_SIGN_IN] = RecentSignIn(settings.erasure_max_auth_age_s)
    app[ROUTE_PARAMETERS] = route_parameters(op for group in served for op in group.OPERATIONS)
    app[ROUTE_STATUSES] = openapi.route_statuses(op for group in served for op in group.OPERATIONS)
    return app


def _runs(service: str, services: frozenset[str]) -> bool:
    return service == ALL or service in services


class RouteGroup(Protocol):
    """A package's routes: `add_routes(router)` and their `OPERATIONS` (for /openapi.json)."""

    OPERATIONS: tuple[Operation, ...]

    def add_routes(self, router: web.UrlDispatcher) -> None: ...


CleanupContext = Callable[[web.Application], AsyncIterator[None]]

# The deployable services (DESIGN.md "Deployable services"; `skyfare serve --service NAME`):
# `search` is the hot path, scaled on its own, and needs Redis but not PostgreSQL (partner keys
# are read from PostgreSQL and cached: skyfare/partners.py); `booking` takes orders, payments
# and their webhooks. `all` (what `skyfare up` runs) is every row of the tables below. The outbox
# relay runs in `all`, and in a deployment of separate services as `skyfare relay`. `analytics`
# (the reports, with their bearer tokens) is served by `skyfare analytics`, which owns their store.
_BOTH = frozenset({SEARCH, BOOKING})
_EVERY_SERVICE = frozenset({SEARCH, BOOKING, ANALYTICS})
_ONLY_ALL: frozenset[str] = frozenset()

# Cleanup contexts, in dependency order, and the services that run each.
_CONTEXTS: tuple[tuple[CleanupContext, frozenset[str]], ...] = (
    (booking_contexts.postgres, _BOTH),
    (search_contexts.redis, _EVERY_SERVICE),  # analytics: the traveler rate limits
    # Searches (search) and re-prices (booking) both publish usage events.
    (usage_events, _BOTH),
    (search_contexts.partner_gate, frozenset({SEARCH})),
    (search_contexts.authenticator, frozenset({BOOKING, ANALYTICS})),
    # Booking re-prices offers with the airlines and evicts the cached answers a price change
    # makes wrong, so it has the connectors and the fare cache too.
    (search_contexts.fare_cache, _BOTH),
    (search_contexts.connectors, _BOTH),
    # Offer seat maps on search; an order's (`?order_id=`, the gateway sends it to booking) too.
    (search_contexts.seat_maps, _BOTH),
    (booking_contexts.outbox_relay, _ONLY_ALL),
    (booking_contexts.users, frozenset({BOOKING})),
    (booking_contexts.orders, frozenset({BOOKING})),
    (booking_contexts.order_seats, frozenset({BOOKING})),
    (booking_contexts.recovery, frozenset({BOOKING})),
    (booking_contexts.payments, frozenset({BOOKING})),
    (booking_contexts.order_changes, frozenset({BOOKING})),
    (running_support, frozenset({BOOKING})),
    (booking_contexts.privacy, frozenset({BOOKING})),
    (booking_contexts.reports, frozenset({ANALYTICS})),
)


# Route groups and the services that serve them (the gateway routes by these paths:
# deploy/nginx/; the reports go to analytics; everything not a search path, the web app at `/`
# included, goes to booking).
def _route_groups(web_app: _WebApp) -> tuple[tuple[RouteGroup, frozenset[str]], ...]:
    return (
        (ops, _EVERY_SERVICE),
        (search_routes, frozenset({SEARCH})),
        (bulk_routes, frozenset({SEARCH})),
        (seat_routes, _BOTH),
        (order_routes, frozenset({BOOKING})),
        (trip_routes, frozenset({BOOKING})),
        (change_routes, frozenset({BOOKING})),
        (order_seat_routes, frozenset({BOOKING})),
        (payment_routes, frozenset({BOOKING})),
        (user_routes, frozenset({BOOKING})),
        (support_routes, frozenset({BOOKING})),
        (privacy, frozenset({BOOKING})),
        (analytics_routes, frozenset({ANALYTICS})),
        (web_app, frozenset({BOOKING})),
    )


class _WebApp:
    """The web app's routes (skyfare/webapp.py) as a route group: they are built from settings."""

    OPERATIONS = webapp.OPERATIONS

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.not_found_page: webapp.NotFoundPage | None = None  # set once its routes are added

    def add_routes(self, router: web.UrlDispatcher) -> None:
        self.not_found_page = webapp.add_routes(
            router,
            self._settings.web_dist_dir,
            issuer=self._settings.trusted_issuer,
            client_id=self._settings.web_client_id,
            payment_gateway=self._settings.payment_gateway_base_url,
        )


# What `/readyz` checks (skyfare/ops.py): only what the service cannot answer without. Booking
# works without Redis (its rate limits fail open, cache evictions are skipped).
_READY_CHECKS: tuple[tuple[ReadyCheck, frozenset[str]], ...] = (
    ("database", frozenset({BOOKING})),
    ("cache", frozenset({SEARCH})),
)


# The document is a pure function of the operations (module constants) and the version, and
# building it is most of create_app's time (~35 ms of msgspec schema generation): built once per
# process and set of operations, not once per app (the test suite builds a thousand apps). The
# operations are kept with their document, so no other tuple can take their ids.
_documents: dict[tuple[int, ...], tuple[tuple[Operation, ...], bytes]] = {}


def _openapi_document(operations: tuple[Operation, ...]) -> bytes:
    key = tuple(map(id, operations))
    if key not in _documents:
        _documents[key] = (operations, openapi.encode_document(operations, version=_version()))
    return _documents[key][1]


@functools.cache  # the installed distribution's metadata, read from disk: once per process
def _version() -> str:
    try:
        return version("skyfare")
    except PackageNotFoundError:
        return "0.0.0"
