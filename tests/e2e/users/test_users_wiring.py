"""The composition root and the user service: the key setting checked at start, and a document
number that never reaches a log line."""

from __future__ import annotations

import logging

import msgspec
import pytest
from aiohttp.test_utils import TestClient, TestServer

from skyfare.app import create_app
from skyfare.keys import SETTINGS
from skyfare.settings import Settings
from tests.e2e.conftest import closed_port
from tests.e2e.users.conftest import Client, Headers, merge_patch_headers

NUMBER = "Q9876543210"


def test_a_malformed_document_key_stops_the_start_naming_the_variable_not_the_key(
    settings: Settings,
) -> None:
    bad = "c2hvcnQta2V5"  # base64 of 9 bytes

    with pytest.raises(RuntimeError, match="SKYFARE_USERS_DOCUMENT_KEY") as caught:
        create_app(msgspec.structs.replace(settings, users_document_key=bad))

    assert bad not in str(caught.value)


async def test_no_log_line_holds_a_document_number(
    client: Client, ada: Headers, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = {
        "given_name": "Charles",
        "family_name": "Babbage",
        "born_on": "1991-12-26",
        "gender": "m",
        "document": {
            "type": "passport",
            "number": NUMBER,
            "issuing_country": "GB",
            "expires_on": "2030-01-01",
        },
    }
    created = await (await client.post("/v1/me/travelers", json=body, headers=ada)).json()
    path = f"/v1/me/travelers/{created['id']}"
    revealed = await client.get(path + "?reveal=document", headers=ada)
    await client.get("/v1/me/travelers?reveal=document", headers=ada)
    refused = await client.patch(
        path,
        json={"document": {"number": NUMBER + "!"}},
        headers=merge_patch_headers(ada),
    )

    assert (await revealed.json())["document"]["number"] == NUMBER
    assert refused.status == 422
    assert "document revealed" in caplog.text  # the reveal is logged, as an event
    assert NUMBER not in caplog.text


async def test_profiles_answer_503_while_postgresql_is_unreachable(
    client: Client, ada: Headers
) -> None:
    unreachable = msgspec.structs.replace(
        client.app[SETTINGS],
        database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/nowhere",
        db_timeout_s=2.0,
    )
    async with TestClient(TestServer(create_app(unreachable))) as down:
        answers = [
            await down.get("/v1/me", headers=ada),
            await down.get("/v1/me/travelers", headers=ada),
            await down.get("/v1/me/travelers/trv_" + "0" * 24, headers=ada),
        ]

        for response in answers:
            assert response.status == 503
            assert response.headers["Retry-After"] == "1"
            assert (await response.json())[
                "type"
            ] == "https://skyfare.dev/problems/service-unavailable"
