"""The `search` layer's cached answer as `ABLATION_BODY_HEADERS`: its body and the headers the
harness copies to the bare handler (`bench.ceiling.COPIED_HEADERS`), so the `bare`, `router`,
`protocol` and `plumbing` layers serve the same bytes as Skyfare's own views.

    ABLATION_BODY_HEADERS="$(python -m bench.ceiling_answer)" python -m bench.ceiling_callgrind ...
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import uvloop

from bench.ceiling import COPIED_HEADERS
from bench.ceiling_inproc import SEARCH, FakeTransport, _departure, _runner, request_bytes


class _Recorder(FakeTransport):
    """`bench.ceiling_inproc`'s fake transport, keeping what is written."""

    def __init__(self) -> None:
        super().__init__()
        self.data = b""

    def write(self, data: Any) -> None:
        self.data += bytes(data)
        super().write(data)

    def writelines(self, chunks: Any) -> None:
        self.write(b"".join(chunks))


async def answer() -> tuple[str, dict[str, str]]:
    runner = await _runner("search", b"{}", {})
    assert runner.server is not None
    protocol = runner.server()
    transport = _Recorder()
    transport.answered = asyncio.get_running_loop().create_future()
    protocol.connection_made(transport)
    protocol.data_received(request_bytes("GET", SEARCH % _departure()))
    await transport.answered
    await asyncio.sleep(0.01)  # the body, if written apart
    head, _, body = transport.data.partition(b"\r\n\r\n")
    sent = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
    protocol.connection_lost(None)
    await runner.cleanup()
    return body.decode(), {name: sent[name] for name in COPIED_HEADERS if name in sent}


if __name__ == "__main__":
    print(json.dumps(uvloop.run(answer())))
