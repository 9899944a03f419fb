"""The sim server: every simulated airline under `/rest/<slug>` plus the `/_sim` control API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping

import msgspec
from aiohttp import web

from sim import control
from sim.control import BEHAVIOUR, Behaviour
from sim.helpdesk import HelpdeskConfig, install_helpdesk
from sim.identity import IdentityConfig, install_identity
from sim.ndc import ndc_airline_app
from sim.ndc.schemas import Schemas
from sim.payments import PaymentsConfig, install_payments
from sim.rest import airline_app
from sim.seats import install_seat_control
from sim.sms import install_sms
from sim.smtp import MAILBOX, SmtpSink, install_smtp_sink
from sim.soap import SIM_PASSWORD, SIM_USERNAME, soap_airline_app
from sim.world import World

logger = logging.getLogger(__name__)

WORLD: web.AppKey[World] = web.AppKey("sim_world", World)
SWEEP_INTERVAL_S = 1.0  # how often expired holds give their seats back unasked


def create_sim_app(
    *,
    seed: int = 42,
    profiles: Mapping[str, Mapping[str, float]] | None = None,
    payments: PaymentsConfig | None = None,
    identity: IdentityConfig | None = None,
    standards_dir: str | None = None,
    helpdesk: HelpdeskConfig | None = None,
) -> web.Application:
    """The whole simulated outside world as one aiohttp application (no socket opened here).

    `profiles` overrides `control.DEFAULT_PROFILES` per airline slug; they are also what
    `POST /_sim/reset` returns to. Raises ValueError for an unknown slug or profile field.
    `payments` configures the payment gateway (its key, webhook target and secret, timing);
    `helpdesk` the support helpdesk (its API key, webhook target and secret);
    `identity` the identity provider (its clients' redirect URIs, the dev-only direct grant).
    `standards_dir` holds IATA's NDC 21.3 schemas the NDC airlines check requests against
    (default: `../shared/standards` beside the project; without them they answer unchecked).
    """
    world = World(seed)  # loads airportsdata once, now, not on the first request
    behaviour = Behaviour(control.profiles_with(profiles), seed=seed)
    app = web.Application()
    app[WORLD] = world
    app[BEHAVIOUR] = behaviour
    control.add_routes(app.router)
    schemas = Schemas.find(standards_dir)
    if schemas is None:
        logger.warning("sim: no NDC 21.3 schemas found; NDC requests are not checked")
    for airline in world.airlines.values():
        if airline.spec.protocol == "rest":
            app.add_subapp(airline.spec.base_path, airline_app(airline, behaviour))
        elif airline.spec.protocol == "ndc":
            app.add_subapp(
                airline.spec.base_path, ndc_airline_app(airline, behaviour, schemas=schemas)
            )
        elif airline.spec.protocol == "soap":
            front = soap_airline_app(
                airline, behaviour, username=SIM_USERNAME, password=SIM_PASSWORD
            )
            app.add_subapp(airline.spec.base_path, front)
    install_identity(app, seed=seed, config=identity)  # the OIDC provider at /identity
    install_payments(app, seed=seed, config=payments)  # the card gateway at /payments
    install_helpdesk(app, seed=seed, config=helpdesk)  # the helpdesk at /helpdesk
    install_sms(app, seed=seed)  # the SMS provider at /sms, its messages at /_sim/sms
    install_smtp_sink(app, seed=seed)  # the SMTP sink's mailbox, listed at /_sim/smtp
    install_seat_control(app, world.schedule, world.inventory)  # /_sim/inventory, for tests
    app.cleanup_ctx.append(_sweep_expired_holds)
    app.on_shutdown.append(_release_hung_calls)
    return app


async def _sweep_expired_holds(app: web.Application) -> AsyncIterator[None]:
    async def sweep() -> None:
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_S)
            expired = app[WORLD].expire_holds()
            if expired:
                logger.info("sim: %d expired holds gave their seats back", expired)

    task = asyncio.create_task(sweep())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _release_hung_calls(app: web.Application) -> None:
    app[BEHAVIOUR].release_hung()


async def serve_sim(
    host: str,
    port: int,
    *,
    seed: int,
    profile_json: str = "",
    payments: PaymentsConfig | None = None,
    identity: IdentityConfig | None = None,
    smtp_port: int | None = None,
    standards_dir: str | None = None,
    helpdesk: HelpdeskConfig | None = None,
) -> None:
    """Serve the sim on host:port until cancelled; the options as in `create_sim_app`, and
    the SMTP sink (sim/smtp.py) on host:`smtp_port` when given."""
    profiles = (
        msgspec.json.decode(profile_json, type=dict[str, dict[str, float]])
        if profile_json
        else None
    )
    runner = web.AppRunner(
        create_sim_app(
            seed=seed,
            profiles=profiles,
            payments=payments,
            identity=identity,
            standards_dir=standards_dir,
            helpdesk=helpdesk,
        ),
        access_log=None,
        handler_cancellation=True,  # a hanging call ends as soon as its client gives up
        shutdown_timeout=1.0,
    )
    await runner.setup()
    sink = SmtpSink(runner.app[MAILBOX], host, smtp_port) if smtp_port is not None else None
    try:
        await web.TCPSite(runner, host, port).start()
        if sink is not None:
            await sink.start()  # the SMTP sink, in the same loop as the HTTP sim
        logger.info("sim: airlines at http://%s:%d/rest/<slug> (seed %d)", host, port, seed)
        await asyncio.Event().wait()
    finally:
        if sink is not None:
            await sink.stop()
        await runner.cleanup()
