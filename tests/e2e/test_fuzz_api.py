"""The whole API fuzzed from its own OpenAPI document (schemathesis), with a traveler's token, a
partner's key and the sim's airlines, gateway and identity provider behind it.

Goal: no server error and no answer that breaks the document (undocumented status, content type
or headers; a body that does not match its schema; invalid input accepted). `make test` draws a
few examples per operation, deterministically; `make fuzz` many more, at random
(`SKYFARE_FUZZ_EXAMPLES`, `SKYFARE_FUZZ_RANDOM=1`). A failure prints schemathesis' report with
a `curl` that reproduces each finding.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from skyfare.settings import Settings
from tests.support.payment_app import payment_app

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("SKYFARE_FUZZ_EXAMPLES", "8"))
RANDOM = os.environ.get("SKYFARE_FUZZ_RANDOM") == "1"
REPOSITORY = Path(__file__).resolve().parents[2]
# Checks left out, and why: the document cannot state every rule the server enforces (an
# airline flies the route, later slices depart after earlier ones, infants ≤ adults, the seats
# still exist), so some schema-valid requests are rightly refused with a 4xx problem document.
EXCLUDED_CHECKS = ("positive_data_acceptance",)


def schemathesis_command(base_url: str, token: str, api_key: str) -> list[str]:
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        f"{base_url}/openapi.json",
        f"--max-examples={EXAMPLES}",
        "--checks=all",
        f"--exclude-checks={','.join(EXCLUDED_CHECKS)}",
        f"--header=Authorization: Bearer {token}",
        f"--header=X-API-Key: {api_key}",
        "--workers=1",
        "--request-timeout=30",
        "--no-color",
        "--warnings=off",
    ]
    if not RANDOM:
        command.append("--generation-deterministic")
    return command


@pytest.mark.timeout(3600)  # a bound for `make fuzz`; `make test`'s run takes well under it
async def test_fuzzing_every_operation_finds_no_server_error_and_no_broken_contract(
    settings: Settings, api_key: str, tmp_path: Path
) -> None:
    async with payment_app(settings) as env:
        token = (await env.booking.token("fuzzer"))["Authorization"].removeprefix("Bearer ")
        base_url = str(env.client.make_url("")).rstrip("/")
        process = await asyncio.create_subprocess_exec(
            *schemathesis_command(base_url, token, api_key),
            cwd=tmp_path,
            env={
                **os.environ,
                "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
                "PYTHONPATH": str(REPOSITORY),
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        report, _ = await process.communicate()
    text = report.decode(errors="replace")
    print(text)  # the report, with -s: phases, links followed, what was generated
    assert process.returncode == 0, text[-30_000:]
