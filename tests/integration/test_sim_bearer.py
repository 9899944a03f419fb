"""Every keyed sim (helpdesk, payments, SMS, NDC) reads `Authorization: Bearer <key>` as RFC 9110
and the API read it, through the one reader in sim/bearer.py: 1*SP, the scheme in any case, one
header only."""

from __future__ import annotations

import aiohttp
import pytest
from multidict import CIMultiDict

from sim.helpdesk.desk import DEV_API_KEY as HELPDESK_KEY
from sim.payments.gateway import DEV_API_KEY as PAYMENTS_KEY
from sim.sms.app import SIM_API_KEY as SMS_KEY
from tests.support.sim import SimHandle

# (method, path, key, body): each answers something other than 401 once the key is read.
SIMS = {
    "helpdesk": ("GET", "/helpdesk/v1/cases", HELPDESK_KEY, None),
    "payments": ("GET", "/payments/v1/payment_intents/pi_none", PAYMENTS_KEY, None),
    "sms": ("POST", "/sms/v1/messages", SMS_KEY, b"{}"),
}


@pytest.mark.parametrize("name", sorted(SIMS))
@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Bearer {key}", True),
        ("Bearer   {key}", True),  # 1*SP, as the API reads its own
        ("bearer {key}", True),  # the scheme in any case
        ("BEARER {key}", True),
        ("Bearer\t{key}", False),  # a tab is no SP
        ("Basic {key}", False),
        ("Bearer {key}x", False),
        ("Bearer", False),
        ("Bearer {key}|Bearer {key}", False),  # two headers: which one counts is a guess
    ],
)
async def test_a_keyed_sim_reads_the_bearer_header_as_rfc_9110_writes_it(
    sim: SimHandle, name: str, written: str, read: bool
) -> None:
    method, path, key, body = SIMS[name]
    headers = CIMultiDict(("Authorization", v.format(key=key)) for v in written.split("|"))
    headers["Content-Type"] = "application/json"

    async with (
        aiohttp.ClientSession() as session,
        session.request(method, sim.url + path, headers=headers, data=body) as answer,
    ):
        await answer.read()

    assert (answer.status != 401) is read, answer.status
