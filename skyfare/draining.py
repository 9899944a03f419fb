"""The two lines a process logs when SIGINT or SIGTERM stops it: as it begins draining, and when
it is done (what it held closed, about to exit).

`skyfare up` said nothing between a SIGTERM and its exit: an operator could not tell a process
draining its requests from one hung, nor which child the supervisor was still waiting for. Each
child names itself as the supervisor named it (`api-worker-0`, `sim`, `notify-worker`, ...); a
process run alone (`skyfare relay`, `skyfare worker`) by what it is.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
from collections.abc import Callable

logger = logging.getLogger(__name__)

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Drain:
    """Calls `stop` on SIGINT/SIGTERM, saying so once; `done` says the drain ended."""

    def __init__(self, process: str) -> None:
        name = multiprocessing.current_process().name
        self.process = process if name == "MainProcess" else name
        self.signal: str | None = None  # the first that arrived, once one has

    def handle(self, loop: asyncio.AbstractEventLoop, stop: Callable[[], object]) -> None:
        for sig in SIGNALS:
            loop.add_signal_handler(sig, self.stopping, sig, stop)

    def unhandle(self, loop: asyncio.AbstractEventLoop) -> None:
        for sig in SIGNALS:
            loop.remove_signal_handler(sig)

    def stopping(self, sig: signal.Signals, stop: Callable[[], object]) -> None:
        """`sig` arrived: said once, `stop` called each time (a process without an event loop,
        skyfare/nginx_relay.py, calls it from its own signal handlers)."""
        if self.signal is None:  # a Ctrl-C reaches the group, then the supervisor's SIGTERM
            self.signal = sig.name
            logger.info("%s: %s received: draining", self.process, sig.name)
        stop()

    def done(self) -> None:
        if self.signal is not None:
            logger.info("%s: drained: stopping", self.process)
