"""`skyfare worker` without a database cannot read the users' channels: it says so and uses every
channel, as before preferences existed."""

from __future__ import annotations

import logging

import pytest

from skyfare.notify_runner import channel_preferences
from skyfare.settings import load_settings


async def test_without_a_database_url_every_channel_is_used_and_a_warning_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = load_settings({}, database_url=None)

    with caplog.at_level(logging.WARNING, logger="skyfare.notify_runner"):
        async with channel_preferences(settings) as preferences:
            assert preferences is None

    assert "notification channels" in caplog.text
