"""`skyfare <args>` as a child process pointed at a running sim (no JWT settings of the caller's
environment): its exit code, stdout and stderr."""

from __future__ import annotations

import asyncio
import os
import sys


async def skyfare_against_sim(*args: str, sim_port: int) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKYFARE_JWT")}
    env.update(SKYFARE_SIM_HOST="127.0.0.1", SKYFARE_SIM_PORT=str(sim_port))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "skyfare.cli",
        *args,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
