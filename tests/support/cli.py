"""`skyfare <args>` as a child process pointed at a running sim (no JWT settings of the caller's
environment): its exit code, stdout and stderr."""

from __future__ import annotations

import asyncio
import os
import sys

# A command starts a fresh interpreter: generous for a busy 2-core machine.
COMMAND_TIMEOUT_S = 60


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
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout=COMMAND_TIMEOUT_S)
    except TimeoutError:
        # Not left running, nor its pipes open for the garbage collector to find (a
        # ResourceWarning, an error in whichever later test it surfaces): killed, read to the end.
        process.kill()
        await process.communicate()
        raise
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
