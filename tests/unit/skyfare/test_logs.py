"""SKYFARE_LOG_FORMAT=json: one JSON object per line with the request id and the trace id of the
request's W3C `traceparent`; the text format stays the default."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from skyfare.logs import FORMAT, JsonFormatter, RequestIdFilter, configure_logging
from skyfare.plumbing import plumbed
from skyfare.request_id import trace_id_from
from skyfare.settings import SettingsError, load_settings

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE}-00f067aa0ba902b7-01"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the root logger writes in the json format, while the test runs."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield out
    finally:
        root.removeHandler(handler)


@pytest.mark.parametrize(
    ("header", "trace"),
    [
        (TRACEPARENT, TRACE),
        (f"01-{TRACE}-00f067aa0ba902b7-00", TRACE),  # a later version: still read
        (None, "-"),
        ("", "-"),
        (TRACEPARENT.upper(), "-"),  # upper-case hex is invalid
        (f"ff-{TRACE}-00f067aa0ba902b7-01", "-"),  # version ff is forbidden
        (f"00-{'0' * 32}-00f067aa0ba902b7-01", "-"),  # the all-zero trace id
        (f"00-{TRACE}-{'0' * 16}-01", "-"),  # the all-zero parent id
        (f"00-{TRACE[:-1]}-00f067aa0ba902b7-01", "-"),
        ("garbage", "-"),
    ],
)
def test_the_trace_id_of_a_traceparent(header: str | None, trace: str) -> None:
    assert trace_id_from(header) == trace


async def test_a_request_logs_its_request_id_and_trace_id_as_json(
    json_lines: io.StringIO,
) -> None:
    async def failing(request: web.Request) -> web.StreamResponse:
        raise RuntimeError("boom")

    request = make_mocked_request(
        "GET", "/v1/anything", headers={"X-Request-Id": "req-42", "traceparent": TRACEPARENT}
    )
    response = await plumbed(failing, None)(request)

    assert response.status == 500
    lines = json_lines.getvalue().splitlines()
    assert len(lines) == 1  # the traceback is a field of the one line
    record = json.loads(lines[0])
    assert record["level"] == "ERROR"
    assert record["logger"] == "skyfare.plumbing"
    assert record["request_id"] == "req-42"
    assert record["trace_id"] == TRACE
    assert record["message"] == "unhandled error in GET /v1/anything"
    assert "RuntimeError: boom" in record["exception"]
    assert record["time"].endswith("+00:00")


def test_outside_a_request_the_ids_are_dashes(json_lines: io.StringIO) -> None:
    logging.getLogger("skyfare.test").warning("hello %s", "world")
    record = json.loads(json_lines.getvalue())
    assert (record["request_id"], record["trace_id"], record["message"]) == (
        "-",
        "-",
        "hello world",
    )


def test_the_format_setting() -> None:
    assert load_settings({}).log_format == "text"
    assert load_settings({"SKYFARE_LOG_FORMAT": "json"}).log_format == "json"
    with pytest.raises(SettingsError, match="SKYFARE_LOG_FORMAT"):
        load_settings({"SKYFARE_LOG_FORMAT": "xml"})


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_configure_logging_picks_the_formatter(log_format: str) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", "json" if log_format == "json" else "text")
        formatter = root.handlers[0].formatter
        if log_format == "json":
            assert isinstance(formatter, JsonFormatter)
        else:
            assert formatter is not None
            assert formatter._fmt == FORMAT
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
