"""What /readyz logs (skyfare/ops.py): each check's failure as it starts, and its end."""

from __future__ import annotations

import logging
from typing import Literal

from kernel.logs import describe

# The readiness log's own name, which operators filter on, though the class lives here.
logger = logging.getLogger("skyfare.ops")

Check = Literal["ok", "down"]


class Outages:
    """The readiness checks that failed last time in this process: a failure is logged as it
    starts, with why, and its end once. Kubernetes and the compose healthchecks probe every few
    seconds, so a warning at every probe was a flood per process all through an outage. Without
    one (a check called on its own), every failure is logged."""

    def __init__(self) -> None:
        self._down: set[str] = set()

    def failed(self, name: str, exc: BaseException) -> Check:
        if name not in self._down:
            self._down.add(name)
            logger.warning("readiness: %s down: %s", name, describe(exc))
        return "down"

    def passed(self, name: str) -> Check:
        if name in self._down:
            self._down.discard(name)
            logger.info("readiness: %s answers again", name)
        return "ok"
