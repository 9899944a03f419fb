"""`skyfare warm` as a real process against the whole app listening on a real port."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.e2e.conftest import closed_port

Client = TestClient[web.Request, web.Application]


@pytest.fixture
def client(sim_client: Client) -> Client:
    return sim_client


async def _skyfare_warm(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Runs without blocking the loop: the app under test answers from this very loop."""
    env = {
        **os.environ,
        "SKYFARE_DATA_DIR": str(tmp_path),
        "SKYFARE_LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    env.pop("SKYFARE_PARTNER_KEY", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "skyfare.cli", "warm", *args,
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_warming_two_routes_for_two_days_fills_the_search_cache(
    client: Client, api_key: str, tmp_path: Path
) -> None:
    routes = tmp_path / "routes.txt"
    routes.write_text("# the transatlantic pair\nLHR JFK\n\njfk, lhr\n")
    url = str(client.make_url("/"))

    code, out, err = await _skyfare_warm(
        tmp_path, "--routes", str(routes), "--url", url, "--key", api_key, "--days", "2"
    )

    assert code == 0, err
    [summary] = out.splitlines()
    print(summary)
    assert "= 4 queries" in summary
    assert "ok 4  not_cached 0  invalid 0  errors 0" in summary
    assert "100 %" in err  # not a tty: step lines on stderr, the last at 100 %
    day = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()
    search = await client.get(
        "/v1/search", params={"origin": "JFK", "destination": "LHR", "departure_date": day}
    )
    assert search.status == 200
    assert search.headers["X-Cache"] == "HIT"


async def test_without_url_it_warms_the_api_on_skyfare_port(
    client: Client, api_key: str, tmp_path: Path
) -> None:
    # A second Skyfare moved with SKYFARE_PORT (README): warm follows it, as `up` and `serve`
    # do, instead of asking whatever answers on 8080.
    routes = tmp_path / "routes.txt"
    routes.write_text("LHR JFK\n")
    assert client.port is not None

    code, out, err = await _skyfare_warm(
        tmp_path, "--routes", str(routes), "--key", api_key, "--days", "1",
        env={"SKYFARE_PORT": str(client.port)},
    )  # fmt: skip

    assert code == 0, err
    assert "ok 1  not_cached 0  invalid 0  errors 0" in out


async def test_an_unknown_airport_is_reported_with_its_routes_file_line(
    client: Client, api_key: str, tmp_path: Path
) -> None:
    routes = tmp_path / "routes.txt"
    routes.write_text("LHR JFK\nLHR XXX\n")
    url = str(client.make_url("/"))

    code, out, err = await _skyfare_warm(
        tmp_path, "--routes", str(routes), "--url", url, "--key", api_key, "--days", "1"
    )

    assert code == 0, err
    assert "ok 1  not_cached 0  invalid 1  errors 0" in out
    assert f"{routes}, line 2: refused by the API: destination: unknown airport" in err


async def test_a_bad_routes_file_exits_2_naming_the_line(tmp_path: Path) -> None:
    routes = tmp_path / "routes.txt"
    routes.write_text("LHR JFK\n# fine so far\nLHR JFK economy extra\n")

    code, out, err = await _skyfare_warm(tmp_path, "--routes", str(routes), "--key", "sk_test")

    assert code == 2
    assert out == ""
    assert err == (
        f"skyfare: bad routes file {routes}, line 3: "
        "expected `ORIGIN DESTINATION [CABIN]`, got 4 field(s)\n"
    )


async def test_an_api_that_does_not_answer_exits_1_with_a_clear_message(tmp_path: Path) -> None:
    routes = tmp_path / "routes.txt"
    routes.write_text("LHR JFK\n")
    url = f"http://127.0.0.1:{closed_port()}"

    code, out, err = await _skyfare_warm(
        tmp_path, "--routes", str(routes), "--url", url, "--key", "sk_test", "--days", "1"
    )

    assert code == 1
    assert out == ""
    assert err.startswith(f"skyfare: cannot reach Skyfare at {url}: ")
