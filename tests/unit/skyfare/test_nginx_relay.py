"""Which of nginx's error log lines `skyfare up --gateway` logs (skyfare/nginx_relay.py): what it
says about stopping and anything at `warn` or worse, not its start-up chatter. The lines are
nginx 1.22's own, recorded from a graceful quit (SIGQUIT) of a master (29961) with two workers
(and one `[warn]` line written in the same form)."""

from __future__ import annotations

import logging

from skyfare.nginx_relay import relayed

MASTER = 29961
RECORDED = """\
2026/12/07 01:16:06 [notice] 29961#29961: using the "epoll" event method
2026/12/07 01:16:06 [notice] 29961#29961: nginx/1.22.1
2026/12/07 01:16:06 [notice] 29961#29961: OS: Linux 6.18.44-fc-v1272
2026/12/07 01:16:06 [notice] 29961#29961: getrlimit(RLIMIT_NOFILE): 20000:20000
2026/12/07 01:16:06 [notice] 29961#29961: start worker processes
2026/12/07 01:16:06 [notice] 29961#29961: start worker process 29976
2026/12/07 01:16:06 [notice] 29961#29961: start worker process 29977
2026/12/07 01:16:07 [warn] 29977#29977: *1 an upstream response is buffered to a temporary file
2026/12/07 01:16:07 [notice] 29961#29961: signal 3 (SIGQUIT) received from 29931, shutting down
2026/12/07 01:16:07 [notice] 29977#29977: gracefully shutting down
2026/12/07 01:16:07 [notice] 29977#29977: exiting
2026/12/07 01:16:07 [notice] 29977#29977: exit
2026/12/07 01:16:07 [notice] 29976#29976: gracefully shutting down
2026/12/07 01:16:07 [notice] 29976#29976: exiting
2026/12/07 01:16:07 [notice] 29976#29976: exit
2026/12/07 01:16:07 [notice] 29961#29961: signal 17 (SIGCHLD) received from 29977
2026/12/07 01:16:07 [notice] 29961#29961: worker process 29976 exited with code 0
2026/12/07 01:16:07 [notice] 29961#29961: worker process 29977 exited with code 0
2026/12/07 01:16:07 [notice] 29961#29961: exit
"""


def test_the_drain_and_warnings_are_relayed_and_the_start_up_chatter_is_not() -> None:
    found = [relayed(line, MASTER) for line in RECORDED.splitlines()]

    assert [f for f in found if f is not None] == [
        (logging.WARNING, "nginx worker 29977: [warn] *1 an upstream response is buffered "
                          "to a temporary file"),
        (logging.INFO, "nginx master: signal 3 (SIGQUIT) received from 29931, shutting down"),
        (logging.INFO, "nginx worker 29977: gracefully shutting down"),
        (logging.INFO, "nginx worker 29976: gracefully shutting down"),
        (logging.INFO, "nginx master: worker process 29976 exited with code 0"),
        (logging.INFO, "nginx master: worker process 29977 exited with code 0"),
        (logging.INFO, "nginx master: exit"),
    ]  # fmt: skip


def test_a_line_written_before_the_error_log_is_open_is_a_warning_as_it_is() -> None:
    line = 'nginx: [emerg] unknown directive "lisen" in /tmp/gateway/nginx.conf:40'

    assert relayed(line, MASTER) == (logging.WARNING, f"nginx: {line}")
    assert relayed("", MASTER) is None
