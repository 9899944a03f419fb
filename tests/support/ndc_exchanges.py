"""Every NDC message a test exchanges with a sim airline, checked against IATA's NDC 21.3 schemas.

`ExchangeRecorder` is an aiohttp middleware for a sim app: it keeps each POST under `/ndc/` (the
connector's request and the airline's answer, bytes as they crossed the socket) and `check()`
validates every one of them in both directions (answers that are XML: a simulated outage's
503 stands for the network, not the airline), failing the test with the message, the
direction and the element the schema refuses. A test that sends a bad request on purpose says
so (`expect_invalid_requests`); the answer to it must still be valid.

The schemas are found as `../shared/standards/README.md` says: `SKYFARE_STANDARDS_DIR` or
`../shared/standards/` from the project's root. Without them a test needing them skips, or
fails under CI (`CI=true`), saying where it looked.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import pytest
from aiohttp import web
from aiohttp.typedefs import Handler
from lxml import etree

from connectors.ndc import schemas

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def standards_dir() -> Path:
    return Path(os.environ.get("SKYFARE_STANDARDS_DIR") or schemas.DEFAULT_STANDARDS_DIR)


def schema_folder_or_none() -> Path | None:
    folder = schemas.schema_dir(standards_dir())
    return folder if folder.is_dir() else None


def schema_folder() -> Path:
    """The NDC 21.3 schema folder; skips the test without it (fails it under CI)."""
    folder = schema_folder_or_none()
    if folder is None:
        reason = (
            f"IATA NDC 21.3 schemas not found: looked in {schemas.schema_dir(standards_dir())} "
            "(set SKYFARE_STANDARDS_DIR; see ../shared/standards/README.md)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return folder


class Exchange(NamedTuple):
    path: str
    request: bytes
    status: int
    response: bytes


class ExchangeRecorder:
    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.check_requests = True

    def expect_invalid_requests(self) -> None:
        """This test sends requests the schemas refuse on purpose; answers are still checked."""
        self.check_requests = False

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or "/ndc/" not in request.path:
            return await handler(request)
        body = await request.read()
        response = await handler(request)
        answer = response.body if isinstance(response, web.Response) else None
        # A simulated outage (the sim's 503, not XML) stands for the network, not the airline.
        if isinstance(answer, bytes) and "xml" in response.content_type:
            self.exchanges.append(Exchange(request.path, body, response.status, answer))
        return response

    def problems(self, folder: Path) -> list[str]:
        found = []
        for number, exchange in enumerate(self.exchanges, start=1):
            directions = [("answer", exchange.response)]
            if self.check_requests:
                directions.insert(0, ("request", exchange.request))
            for direction, payload in directions:
                where = f"exchange {number} ({exchange.path}), {direction}"
                try:
                    root = etree.fromstring(payload, _PARSER)
                except etree.XMLSyntaxError as exc:
                    found.append(f"{where}: not well-formed XML: {exc}")
                    continue
                try:
                    found += [f"{where}: {p}" for p in schemas.problems(root, folder)]
                except schemas.SchemasUnavailable as exc:
                    found.append(f"{where}: {exc}")
        return found

    def check(self, folder: Path) -> None:
        """Fail the test naming every message that is not valid NDC 21.3."""
        found = self.problems(folder)
        if found:
            pytest.fail("NDC messages not valid against IATA's 21.3 schemas:\n" + "\n".join(found))
