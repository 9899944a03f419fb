"""The names of the deployable services (DESIGN.md "Deployable services").

`skyfare serve --service NAME`; what each one runs is the tables at the end of skyfare/app.py.
Kept apart from app.py so the CLI names them without importing the whole application.
"""

from __future__ import annotations

SEARCH = "search"  # search, offers, bulk fares, calendar, connectors: the hot path
BOOKING = "booking"  # orders, payments, the payment gateway's webhooks
ALL = "all"  # every part in one process: what `skyfare up` runs
SERVICES = (SEARCH, BOOKING, ALL)  # `skyfare serve --service`
# The reports, served by `skyfare analytics` in the process that loads their store (a DuckDB
# file on that process's own volume), never by `skyfare serve`: skyfare/analytics_runner.py.
ANALYTICS = "analytics"
