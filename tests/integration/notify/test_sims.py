"""The SMS provider sim and the SMTP sink over real sockets, as the worker and tests use them."""

from __future__ import annotations

import asyncio
import contextlib
from email.message import EmailMessage
from typing import Any

import aiohttp
import aiosmtplib
import pytest

from sim.server import serve_sim
from sim.sms import SIM_API_KEY
from tests.e2e.conftest import closed_port
from tests.support.notify import NotifySim, eventually

_KEY = {"Authorization": f"Bearer {SIM_API_KEY}"}


async def _send_sms(
    sim: NotifySim, body: Any, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any], str]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sim.sms_url}/v1/messages", json=body, headers=headers or _KEY) as response,
    ):
        return response.status, await response.json(content_type=None), response.content_type


async def test_the_sms_provider_queues_a_valid_message_and_lists_it(sim: NotifySim) -> None:
    status, answer, _ = await _send_sms(
        sim, {"to": "+442071838750", "body": "hello", "reference": "r1"}
    )

    assert status == 201
    assert answer["id"].startswith("sms_")
    assert answer["status"] == "queued"
    [listed] = await sim.sms()
    assert (listed["id"], listed["to"], listed["body"], listed["reference"]) == (
        answer["id"], "+442071838750", "hello", "r1",
    )  # fmt: skip


async def test_the_sms_provider_refuses_a_missing_or_wrong_api_key(sim: NotifySim) -> None:
    message = {"to": "+442071838750", "body": "hello"}
    wrong, problem, media = await _send_sms(sim, message, {"Authorization": "Bearer nope"})
    missing, _, _ = await _send_sms(sim, message, {"X-Other": "1"})

    assert (wrong, missing) == (401, 401)
    assert media == "application/problem+json"
    assert problem["status"] == 401
    assert await sim.sms() == []


async def test_the_sms_provider_names_each_bad_field(sim: NotifySim) -> None:
    status, problem, media = await _send_sms(sim, {"to": "07700 900123", "body": ""})

    assert status == 422
    assert media == "application/problem+json"
    assert [e["field"] for e in problem["errors"]] == ["to", "body"]


async def test_the_sms_provider_names_a_missing_or_mistyped_field(sim: NotifySim) -> None:
    missing, problem, _ = await _send_sms(sim, {"body": "hello"})
    mistyped, other, _ = await _send_sms(sim, {"to": 4420, "body": "hello"})

    assert (missing, mistyped) == (422, 422)
    assert problem["errors"][0]["field"] == other["errors"][0]["field"] == "to"


async def test_the_sms_provider_simulates_outages_and_failures_until_told_otherwise(
    sim: NotifySim,
) -> None:
    message = {"to": "+442071838750", "body": "hello"}
    await sim.sms_behaviour(outage=True)
    during, _, _ = await _send_sms(sim, message)
    await sim.sms_behaviour(failure_rate=1.0)
    failing, _, _ = await _send_sms(sim, message)
    await sim.sms_behaviour()  # back to normal: every field defaults
    await sim.sms_behaviour(failure_rate=0.0)
    after, _, _ = await _send_sms(sim, message)

    assert (during, failing, after) == (503, 503, 201)
    assert len(await sim.sms()) == 1


async def test_the_sms_listing_can_be_cleared(sim: NotifySim) -> None:
    await _send_sms(sim, {"to": "+442071838750", "body": "hello"})
    async with (
        aiohttp.ClientSession() as session,
        session.delete(f"{sim.url}/_sim/sms/messages") as response,
    ):
        assert response.status == 204

    assert await sim.sms() == []


def _mail(to: str = "ada@example.com") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "b@skyfare.example"
    message["To"] = to
    message["Subject"] = "Booking K7Q2MZ"
    message["Message-ID"] = "<e1.email@notify.skyfare.example>"
    message.set_content("Hello Ada,\n")
    return message


async def test_the_smtp_sink_keeps_and_lists_what_it_accepted(sim: NotifySim) -> None:
    await aiosmtplib.send(_mail(), hostname="127.0.0.1", port=sim.sink.port, timeout=5)

    [mail] = await sim.mails()
    assert mail["to"] == ["ada@example.com"]
    assert mail["mail_from"] == "b@skyfare.example"
    assert mail["subject"] == "Booking K7Q2MZ"
    assert mail["body"] == "Hello Ada,\n"
    assert mail["message_id"] == "<e1.email@notify.skyfare.example>"
    assert mail["headers"]["From"] == "b@skyfare.example"


async def test_the_smtp_sink_answers_451_when_told_to_fail(sim: NotifySim) -> None:
    await sim.smtp_behaviour(fail_rate=1.0)

    with pytest.raises(aiosmtplib.SMTPDataError) as refused:
        await aiosmtplib.send(_mail(), hostname="127.0.0.1", port=sim.sink.port, timeout=5)

    assert refused.value.code == 451
    assert await sim.mails() == []


async def test_the_smtp_sink_can_go_away_and_come_back_on_the_same_port(sim: NotifySim) -> None:
    port = sim.sink.port
    await sim.stop_smtp()
    with pytest.raises(aiosmtplib.SMTPConnectError):
        await aiosmtplib.send(_mail(), hostname="127.0.0.1", port=port, timeout=5)

    await sim.start_smtp()
    await aiosmtplib.send(_mail(), hostname="127.0.0.1", port=port, timeout=5)

    assert sim.sink.port == port
    assert len(await sim.mails()) == 1


async def test_serve_sim_runs_the_smtp_sink_beside_the_http_sim() -> None:
    http_port, smtp_port = closed_port(), closed_port()
    server = asyncio.create_task(serve_sim("127.0.0.1", http_port, seed=42, smtp_port=smtp_port))
    try:
        base = f"http://127.0.0.1:{http_port}"
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:

            async def serving() -> bool:
                with contextlib.suppress(aiohttp.ClientConnectionError):
                    async with session.get(f"{base}/_sim/smtp/messages") as response:
                        return response.status == 200
                return False

            await eventually(serving)
            await aiosmtplib.send(_mail(), hostname="127.0.0.1", port=smtp_port, timeout=5)
            async with session.get(f"{base}/_sim/smtp/messages") as response:
                listed = await response.json()
    finally:
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server

    assert listed["count"] == 1
    assert listed["messages"][0]["subject"] == "Booking K7Q2MZ"
