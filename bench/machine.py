"""What machine a benchmark ran on, which cores each side got, and how much CPU each tool used.

Core plan: the server (API workers, sim, embedded PostgreSQL/Redis) gets the first cores, the
load generator (this process and every tool it starts: wrk, locust) the rest, pinned with
`taskset` / `sched_setaffinity`, so neither steals the other's CPU. On one core nothing is pinned
and the summary says so. CPU use comes from /proc (the server's process trees) and from
getrusage (this process, and the children it has waited for).
"""

from __future__ import annotations

import os
import platform
import resource
import socket
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from bench.report import Machine

PACKAGES = ("aiohttp", "uvloop", "msgspec", "asyncpg", "redis", "locust", "matplotlib")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def plan_cores(cpus: list[int], workers: int) -> tuple[list[int], list[int]]:
    """(server cores, load generator cores): the server gets `workers` cores, at most all but
    one; one core alone is shared by both."""
    if len(cpus) < 2:
        return cpus, cpus
    server = min(max(workers, 1), len(cpus) - 1)
    return cpus[:server], cpus[server:]


def machine_ticks() -> tuple[int, int]:
    """(busy, all) CPU ticks of the whole machine since boot (/proc/stat's "cpu" line): busy is
    all but idle, I/O wait and steal (time the hypervisor gave another machine), so interrupts
    and softirqs, where loopback TCP does much of its work for no process, count."""
    with open("/proc/stat") as f:
        ticks = list(map(int, f.readline().split()[1:]))
    steal = ticks[7] if len(ticks) > 7 else 0
    return sum(ticks) - ticks[3] - ticks[4] - steal, sum(ticks)


def available_cpus() -> list[int]:
    return sorted(os.sched_getaffinity(0))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def short_sha() -> str:
    return git("rev-parse", "--short", "HEAD") or "nogit"


def describe(server_cores: list[int], loadgen_cores: list[int], sim_cores: list[int]) -> Machine:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return Machine(
        hostname=socket.gethostname(),
        os=f"{platform.system()} {platform.release()}",
        cpu_model=cpu_model(),
        cpus=os.cpu_count() or 1,
        server_cores=server_cores,
        loadgen_cores=loadgen_cores,
        sim_cores=sim_cores,
        pinned=server_cores != loadgen_cores,
        load_average_before=[round(x, 2) for x in os.getloadavg()],
        # Which build: a PGO + LTO one (Debian's, the deploy image's) runs the service faster.
        python=f"{platform.python_version()} ({os.path.realpath(sys.executable)})",
        packages=versions,
        tools={"wrk": _wrk_version()},
        git_sha=git("rev-parse", "HEAD"),
        git_dirty=bool(git("status", "--porcelain", "--untracked-files=no")),
    )


def _wrk_version() -> str:
    try:
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "not installed"
    # "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer"
    first = (out.stdout or out.stderr).strip().split("[")[0].strip()
    return first or "unknown"


def pin(command: list[str], cores: list[int], *, enabled: bool) -> list[str]:
    """`command` under `taskset -c <cores>` when pinning is on."""
    if not enabled:
        return command
    return ["taskset", "-c", ",".join(map(str, cores)), *command]


def move_process(pid: int, cores: list[int]) -> None:
    """Pin every thread of `pid` to `cores` (as `taskset -a -p`)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            os.sched_setaffinity(int(task.name), cores)
        except ProcessLookupError:
            continue  # a thread that just ended


def process_tree(root: int) -> list[int]:
    """`root` and every living descendant (from /proc's parent links)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def listening_pids(port: int) -> set[int]:
    """Processes with a TCP socket listening on `port` (IPv4 or IPv6, any address)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                inodes.add(f"socket:[{fields[9]}]")
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                pids.add(int(entry.name))
        except OSError:
            continue
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (its own, not its children's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of `root`'s living process tree, including reaped children."""
    return sum(tree_cpu_times(root))


def tree_cpu_times(root: int) -> tuple[float, float]:
    """User and system (kernel) CPU seconds of `root`'s living process tree, including reaped
    children: the kernel's part is what the process's syscalls (sockets, epoll, fsync) cost."""
    user = system = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime: fields 14-17 of proc(5), 12-15 after "pid (comm)".
        user += int(fields[11]) + int(fields[13])
        system += int(fields[12]) + int(fields[14])
    return user / _CLOCK_TICKS, system / _CLOCK_TICKS


def children_cpu_seconds() -> float:
    """CPU seconds of this process's children that have exited and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
