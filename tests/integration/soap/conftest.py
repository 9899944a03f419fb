"""The whole sim server (SOAP airline included) on a free port, with the fast profiles, and a
started SOAP connector to its airline (`nordic`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from connectors.soap import SoapConnector
from sim.soap import SIM_PASSWORD, SIM_USERNAME
from tests.support.sim import SimHandle, fast_profiles, running_sim


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    async with running_sim(profiles=fast_profiles()) as handle:
        yield handle


@pytest.fixture
async def nordic(sim: SimHandle) -> AsyncIterator[SoapConnector]:
    soap = SoapConnector(
        "soap-nordic",
        sim.url + "/soap/nordic",
        username=SIM_USERNAME,
        password=SIM_PASSWORD,
        max_timeout_s=2.0,  # the tests' own TIMEOUT
    )
    await soap.start()
    yield soap
    await soap.close()
