"""The simulated payment gateway (Stripe-like), mounted at `/payments` on the sim server.

See `sim/payments/api.py` for its API, `control.py` for its `/_sim/payments` control routes,
`webhooks.py` for how outcomes reach Skyfare, and `signing.py` for the signature header.
"""

from __future__ import annotations

from aiohttp import web

from sim.payments import control
from sim.payments.api import gateway_app
from sim.payments.gateway import DEV_API_KEY, PAYMENTS, PaymentsConfig, PaymentsSim, Timing
from sim.payments.webhooks import DEFAULT_WEBHOOK_URL, DEV_WEBHOOK_SECRET, WebhookConfig

MOUNT_PATH = "/payments"

__all__ = [
    "DEFAULT_WEBHOOK_URL",
    "DEV_API_KEY",
    "DEV_WEBHOOK_SECRET",
    "MOUNT_PATH",
    "PAYMENTS",
    "PaymentsConfig",
    "PaymentsSim",
    "Timing",
    "WebhookConfig",
    "install_payments",
]


def install_payments(
    app: web.Application, *, seed: int, config: PaymentsConfig | None = None
) -> PaymentsSim:
    """Mount the gateway on the sim app, add its control routes and its background tasks."""
    sim = app[PAYMENTS] = PaymentsSim(config or PaymentsConfig(), seed=seed)
    control.add_routes(app.router)
    app.cleanup_ctx.append(sim.lifecycle)
    app.add_subapp(MOUNT_PATH, gateway_app())
    return sim
