"""The whole sim server (SOAP airline included) on a free port, with the fast profiles."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.sim import SimHandle, fast_profiles, running_sim


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    async with running_sim(profiles=fast_profiles()) as handle:
        yield handle
