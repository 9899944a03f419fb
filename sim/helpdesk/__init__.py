"""The simulated customer-support helpdesk (a small Zendesk), mounted at `/helpdesk` on the sim.

`api.py` is its ticketing API (cases, messages, statuses, booking updates; an API key),
`control.py` its `/_sim/helpdesk` control routes (tests act as agents there), and agents'
actions reach Skyfare as signed webhooks, retried, by the payment sim's dispatcher (the same
`Skyfare-Signature` scheme: HMAC-SHA256 over `<t>.<raw body>`). See API.md.
"""

from __future__ import annotations

from aiohttp import web

from sim.helpdesk import control
from sim.helpdesk.api import helpdesk_app
from sim.helpdesk.desk import (
    DEFAULT_WEBHOOK_URL,
    DEV_API_KEY,
    DEV_WEBHOOK_SECRET,
    HELPDESK,
    HelpdeskConfig,
    HelpdeskSim,
)

MOUNT_PATH = "/helpdesk"

__all__ = [
    "DEFAULT_WEBHOOK_URL",
    "DEV_API_KEY",
    "DEV_WEBHOOK_SECRET",
    "HELPDESK",
    "MOUNT_PATH",
    "HelpdeskConfig",
    "HelpdeskSim",
    "install_helpdesk",
]


def install_helpdesk(
    app: web.Application, *, seed: int, config: HelpdeskConfig | None = None
) -> HelpdeskSim:
    """Mount the helpdesk on the sim app, add its control routes and its webhook dispatcher."""
    sim = app[HELPDESK] = HelpdeskSim(config or HelpdeskConfig(), seed=seed)
    control.add_routes(app.router)
    app.cleanup_ctx.append(sim.lifecycle)
    app.add_subapp(MOUNT_PATH, helpdesk_app())
    return sim
