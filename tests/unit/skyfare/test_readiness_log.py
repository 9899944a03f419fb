"""/readyz's log (skyfare/outages.py): an outage is logged as it starts, with why, and as it
ends; not at every probe of it (Kubernetes probes every few seconds, per process)."""

from __future__ import annotations

import logging

import pytest

from skyfare.outages import Outages


def _logged(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "skyfare.ops"]


def test_an_outage_is_logged_as_it_starts_and_as_it_ends(caplog: pytest.LogCaptureFixture) -> None:
    outages = Outages()
    refused = ConnectionRefusedError(111, "Connection refused")

    with caplog.at_level(logging.INFO, logger="skyfare.ops"):
        states = [outages.failed("cache", refused) for _ in range(5)]
        states += [outages.passed("database"), outages.passed("cache"), outages.passed("cache")]
        states.append(outages.failed("cache", TimeoutError()))

    assert states == ["down"] * 5 + ["ok"] * 3 + ["down"]
    assert _logged(caplog) == [
        ("WARNING", f"readiness: cache down: ConnectionRefusedError: {refused}"),
        ("INFO", "readiness: cache answers again"),
        ("WARNING", "readiness: cache down: TimeoutError"),
    ]


def test_each_check_has_its_own_outage(caplog: pytest.LogCaptureFixture) -> None:
    outages = Outages()

    with caplog.at_level(logging.INFO, logger="skyfare.ops"):
        outages.failed("cache", OSError("unreachable"))
        outages.failed("database", OSError("unreachable"))
        outages.failed("database", OSError("unreachable"))

    assert [message.split(":")[0] for _, message in _logged(caplog)] == [
        "readiness",
        "readiness",
    ]
    assert [message.split(": ")[1] for _, message in _logged(caplog)] == [
        "cache down",
        "database down",
    ]
