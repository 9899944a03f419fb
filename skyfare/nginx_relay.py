"""nginx under `skyfare up --gateway`: stopped with its graceful quit, and what it says about
stopping written into the same log stream as the other processes' drain lines.

nginx takes SIGTERM (and SIGINT) as a *fast* shutdown: its workers exit at once and the
requests in flight through it are cut; only SIGQUIT is its graceful quit, which lets them
finish (the nginx images stop their containers with SIGQUIT for that reason, and deploy/ relies
on it). The supervisor stops every child with SIGTERM, and nginx was exec'd in its place, so
nginx got SIGTERM; and a Ctrl-C reached it directly (it was in the terminal's process group).

nginx says what it does on stopping (`gracefully shutting down`, `exiting`, `worker process N
exited with code 0`) at `notice`, a level its error log (a file, at `warn`) drops: the operator
saw `api-worker-0: drained: stopping` for every API process and nothing for nginx. So this
process stays between the supervisor and nginx: nginx runs in a session of its own (no Ctrl-C
reaches it) with its error log on a pipe (`nginx_command(stderr_notice=True)`); a stop signal
here is logged as every process logs it (skyfare/draining.py) and sent on as SIGQUIT; nginx's
lines about stopping and anything at `warn` or worse are logged here, its start-up chatter is
not. Should this process die, nginx gets SIGTERM (the parent-death signal).
"""

from __future__ import annotations

import logging
import re
import signal
import subprocess

from skyfare.draining import SIGNALS, Drain
from skyfare.workers import die_with_parent

logger = logging.getLogger(__name__)

# `2026/12/07 01:16:07 [notice] 29977#29977: gracefully shutting down`
_LINE = re.compile(
    r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(?P<level>\w+)\] (?P<pid>\d+)#\d+: (?P<text>.*)$"
)
_LEVELS = {
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "crit": logging.ERROR,
    "alert": logging.ERROR,
    "emerg": logging.ERROR,
}
# The notices about stopping: the master's (the signal, each worker's exit and code, its own
# exit) and each worker's start of its drain; not a worker's `exiting` and `exit`, which the
# master's `worker process N exited with code C` follows. Nor the start-up lines (event method,
# version, OS, rlimit, workers started) or SIGCHLD/SIGIO.
_MASTER_STOPPING = re.compile(
    r"^(signal \d+ \(SIG(QUIT|TERM|INT)\) received.*|worker process \d+ exited .*|exiting|exit)$"
)
_WORKER_STOPPING = "gracefully shutting down"


def relayed(line: str, master_pid: int) -> tuple[int, str] | None:
    """The level and message one line of nginx's error log is logged with here; None: dropped.
    A line not in the error log's format (`nginx: [emerg] …`, written before the log is open:
    a configuration nginx refuses) is a warning as it is."""
    found = _LINE.match(line)
    if found is None:
        return (logging.WARNING, f"nginx: {line}") if line.strip() else None
    level, text = found["level"], found["text"]
    master = int(found["pid"]) == master_pid
    who = "master" if master else f"worker {found['pid']}"
    if level in _LEVELS:
        return _LEVELS[level], f"nginx {who}: [{level}] {text}"
    if _MASTER_STOPPING.match(text) if master else text == _WORKER_STOPPING:
        return logging.INFO, f"nginx {who}: {text}"
    return None


def relay_nginx(command: list[str], drain: Drain) -> int:
    """Run nginx (`command`, in the foreground) until it exits; a stop signal quits it
    gracefully. Its exit code."""
    nginx = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=die_with_parent,  # this process: no thread runs in it yet
    )

    def quit_gracefully() -> None:
        if nginx.poll() is None:
            nginx.send_signal(signal.SIGQUIT)

    for sig in SIGNALS:
        signal.signal(
            sig, lambda signum, _: drain.stopping(signal.Signals(signum), quit_gracefully)
        )
    assert nginx.stderr is not None
    # Until every nginx process closed the pipe: the workers hold it too, and exit first.
    for raw in nginx.stderr:
        found = relayed(raw.decode(errors="replace").rstrip("\n"), nginx.pid)
        if found is not None:
            logger.log(*found)
    code = nginx.wait()
    if code != 0:
        logger.warning("nginx exited with code %s", code)
    drain.done()
    return 0 if code == 0 else 1
