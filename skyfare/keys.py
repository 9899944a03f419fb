"""Every `web.AppKey` of the composition root, in one place (search's is in search/routes.py).

Views and cleanup contexts read these through `request.config_dict[...]` / `app[...]`, so a typo is
a type error, not a KeyError at runtime.
"""

from __future__ import annotations

import asyncpg
import redis.asyncio as redis
from aiohttp import web

from cache.read_through import ReadThroughCache
from connectors.resilience import ResilientConnector
from kernel.usage import UsageSink
from payment.gateway import PaymentGateway
from payment.reconciler import PaymentReconciler
from skyfare.auth.cutoffs import SessionCutoffs
from skyfare.auth.step_up import RecentSignIn
from skyfare.database_check import DatabaseCheck
from skyfare.outages import Outages
from skyfare.partners import PartnerGate
from skyfare.settings import Settings
from skyfare.webapp import NotFoundPage

SETTINGS = web.AppKey("settings", Settings)
# Which deployable this app is (skyfare/services.py): `all`, `search`, `booking`, `analytics`.
SERVICE = web.AppKey("service", str)
# Created with min_size=0, so it exists (and the app starts) while PostgreSQL is down.
PG_POOL = web.AppKey("pg_pool", asyncpg.Pool)
REDIS = web.AppKey("redis", redis.Redis)
# /readyz's own PostgreSQL connection, outside PG_POOL (skyfare/database_check.py).
DATABASE_CHECK = web.AppKey("database_check", DatabaseCheck)
# The Redis client /readyz asks: one connection of its own, outside REDIS's pool (the same
# client on a cluster, whose pools make no command wait: skyfare/search_contexts.py).
CACHE_CHECK = web.AppKey("cache_check", redis.Redis)
CONNECTORS = web.AppKey("connectors", list[ResilientConnector])
# The OpenAPI document, encoded once at startup and served as bytes.
OPENAPI_DOCUMENT = web.AppKey("openapi_document", bytes)
# The fare cache (L1 + Redis) searches read through; its background refreshes stop with it.
FARE_CACHE = web.AppKey("fare_cache", ReadThroughCache)
# Partner (bulk fare) routes call it first: `await request.config_dict[PARTNER_GATE](request)`.
PARTNER_GATE = web.AppKey("partner_gate", PartnerGate)
# (METHOD, path template) → the security scheme its operation declares; the plumbing checks it
# before the route's view (skyfare/guard.py).
ROUTE_SECURITY = web.AppKey("route_security", dict[tuple[str, str], str])
# How recent a sign-in the routes declaring `recent_sign_in` need (RFC 9470; skyfare/guard.py).
RECENT_SIGN_IN = web.AppKey("recent_sign_in", RecentSignIn)
# Each traveler's session cutoff (skyfare/auth/cutoffs.py): the authenticator reads it, the
# erasure (skyfare/privacy.py) sets it.
SESSION_CUTOFFS = web.AppKey("session_cutoffs", SessionCutoffs)
# (METHOD, path template) → the query parameters its operation declares, for each `/v1` route
# the plumbing holds to them (skyfare/parameters.py).
ROUTE_PARAMETERS = web.AppKey("route_parameters", dict[tuple[str, str], frozenset[str]])
# (METHOD, path template) → the statuses its operation documents, each counted from 0 in
# `skyfare_http_requests_total` from the app's start (skyfare/metrics.py).
ROUTE_STATUSES = web.AppKey("route_statuses", dict[tuple[str, str], frozenset[int]])
# Where usage events go (skyfare/usage.py): a buffer published in the background, or nothing.
USAGE = web.AppKey("usage", UsageSink)
# What this service's /readyz checks ("database", "cache"): only what it cannot answer without.
READY_CHECKS = web.AppKey("ready_checks", tuple[str, ...])
# Which of them failed at the last probe, so an outage is logged as it starts and ends.
READY_OUTAGES = web.AppKey("ready_outages", Outages)
# The card gateway client the payments context opened (flight changes charge through it too).
PAYMENT_GATEWAY = web.AppKey("payment_gateway", PaymentGateway)
# The payments context's reconciler (it also runs on its own every few seconds): operators and
# the browser tests run a round now, e.g. to finish a refund the gateway refused once.
PAYMENT_RECONCILER = web.AppKey("payment_reconciler", PaymentReconciler)
# Where the web app is served: what answers a browser sent to an address no route has (the
# app's "Page not found", skyfare/webapp.py); None for it means the API's 404 problem.
NOT_FOUND_PAGE: web.AppKey[NotFoundPage] = web.AppKey("not_found_page")
