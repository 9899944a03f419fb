"""What /readyz logs (skyfare/ops.py): each check's failure as it starts, and its end."""

from __future__ import annotations

import logging
from typing import Literal

from kernel.logs import Outage

# The readiness log's own name, which operators filter on, though the class lives here.
logger = logging.getLogger("skyfare.ops")

Check = Literal["ok", "down"]


class Outages:
    """The readiness checks that failed last time in this process: a failure is logged as it
    starts, with why, and its end once. Kubernetes and the compose healthchecks probe every few
    seconds, so a warning at every probe was a flood per process all through an outage. Without
    one (a check called on its own), every failure is logged."""

    def __init__(self) -> None:
        self._checks: dict[str, Outage] = {}

    def failed(self, name: str, exc: BaseException) -> Check:
        self._of(name).failed(exc)
        return "down"

    def passed(self, name: str) -> Check:
        self._of(name).passed()
        return "ok"

    def _of(self, name: str) -> Outage:
        if name not in self._checks:
            self._checks[name] = Outage(
                logger, f"readiness: {name} down", f"readiness: {name} answers again"
            )
        return self._checks[name]
