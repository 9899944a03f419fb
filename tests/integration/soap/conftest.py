"""A started SOAP connector to the sim's SOAP airline (`nordic`), on the `sim` of
tests/conftest.py (the whole sim server on a free port, with the fast profiles)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from connectors.soap import SoapConnector
from sim.soap import SIM_PASSWORD, SIM_USERNAME
from tests.support.sim import SimHandle


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
