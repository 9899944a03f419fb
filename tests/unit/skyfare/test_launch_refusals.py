"""`skyfare up --gateway` refuses a layout it cannot make with one line, before it starts
anything (it was a traceback from the middle of the start, the sim already running)."""

import logging

import msgspec
import pytest

from skyfare import launch
from skyfare.settings import load_settings


def test_the_gateway_without_the_reports_port_is_refused_before_anything_starts(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = msgspec.structs.replace(load_settings({}), analytics_port=0)

    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing may start")

    monkeypatch.setattr(launch, "embedded_services", started)
    with caplog.at_level(logging.ERROR, logger="skyfare"):
        assert launch.run(settings, with_sim=True, gateway=True) == 1
    assert "startup failed: SKYFARE_ANALYTICS_PORT=0" in caplog.text
