"""A real Redis Cluster for tests: three masters and three replicas of Debian's `redis-server`
on free local ports, joined by `redis-cli --cluster create … --cluster-replicas 1`.

`RedisClusterHandle.start(directory)` returns once every slot is served and every master has a
replica in sync; `url` is `redis+cluster://` one node (skyfare/redis_client.py); `kill_master_of`
SIGKILLs the master serving a key and `wait_for_promotion` waits until its replica took over;
`hung(port)` stops a node answering for a block. Every node asks for `PASSWORD`, as a managed
cluster does, and `url` carries it: a client that connects to a node by itself must bring the
cluster's credentials along.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from skyfare.redis_client import node_url
from tests.support.ports import free_ports_with_bus, wait_for_port

START_TIMEOUT_S = 60.0  # six servers and a cluster handshake on a busy two-core machine
NODE_TIMEOUT_MS = 2000  # how long a silent master takes to be failed over (about 2-4 s)
PASSWORD = "cluster-secret"


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


def client_of(url: str, **options: Any) -> aioredis.Redis:
    """A test's client of `url`: a RedisCluster for `redis+cluster://`, as Skyfare's own."""
    if url.startswith("redis+cluster://"):
        cluster = RedisCluster.from_url(
            node_url(url),
            require_full_coverage=False,
            **options,
        )
        return cluster  # type: ignore[return-value]  # the same commands as aioredis.Redis
    return aioredis.Redis.from_url(url, **options)


async def connected(client: aioredis.Redis) -> aioredis.Redis:
    """`client` with its connections open (to every node of a cluster, whose slot map it then
    holds): a test about a 50 ms budget must not spend it on a fresh client's first connect,
    which on a busy machine can take longer."""
    if isinstance(client, RedisCluster):
        await client.ping(target_nodes=RedisCluster.ALL_NODES)
    else:
        await client.ping()
    return client


def redis_or_cluster(request: pytest.FixtureRequest, redis_url: str) -> str:
    """For a fixture parametrized ["redis", "cluster"]: the test Redis, or the session's
    cluster (tests/conftest.py `redis_cluster`)."""
    if request.param == "cluster":
        handle: RedisClusterHandle = request.getfixturevalue("redis_cluster")
        return handle.url
    return redis_url


class RedisClusterHandle:
    """Six `redis-server` processes in cluster mode, three masters with a replica each."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.ports: list[int] = []
        self.processes: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        alive = [port for port, proc in self.processes.items() if proc.poll() is None]
        return f"redis+cluster://:{PASSWORD}@127.0.0.1:{alive[0]}"

    def start(self) -> RedisClusterHandle:
        binary = redis_server_binary()
        if binary is None or shutil.which("redis-cli") is None:
            raise RuntimeError("redis-server and redis-cli are needed (apt-get install redis)")
        self.directory.mkdir(parents=True, exist_ok=True)
        self.ports = free_ports_with_bus(6)
        for port in self.ports:
            self.processes[port] = self._server(binary, port)
        for port, process in self.processes.items():
            wait_for_port(port, timeout=START_TIMEOUT_S, alive=lambda p=process: p.poll() is None)
        nodes = [f"127.0.0.1:{port}" for port in self.ports]
        subprocess.run(
            [
                "redis-cli",
                *("-a", PASSWORD, "--no-auth-warning"),
                "--cluster",
                "create",
                *nodes,
                "--cluster-replicas",
                "1",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=START_TIMEOUT_S,
        )
        self._wait(self._healthy, "the cluster to serve every slot with a replica per master")
        return self

    def _server(self, binary: str, port: int) -> subprocess.Popen[bytes]:
        log = (self.directory / f"{port}.log").open("wb")
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
        command += ["--cluster-enabled", "yes", "--cluster-config-file", f"nodes-{port}.conf"]
        command += ["--cluster-node-timeout", str(NODE_TIMEOUT_MS)]
        # A master down must not stop the others' slots, and a replica must take over whatever
        # its link's age (a test kills masters the moment it likes).
        command += ["--cluster-require-full-coverage", "no"]
        command += ["--cluster-replica-validity-factor", "0"]
        command += ["--save", "", "--appendonly", "no", "--protected-mode", "no"]
        command += ["--requirepass", PASSWORD, "--masterauth", PASSWORD]
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        return process

    def _node(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, password=PASSWORD, socket_timeout=5, socket_connect_timeout=5)

    def _alive_ports(self) -> list[int]:
        return [port for port, proc in self.processes.items() if proc.poll() is None]

    def _healthy(self) -> bool:
        """Every live node says the cluster is ok, and every master has a live replica synced."""
        masters = 0
        for port in self._alive_ports():
            with self._node(port) as node:
                if node.cluster("INFO").get("cluster_state") != "ok":  # type: ignore[union-attr]
                    return False
                role: Any = node.execute_command("ROLE")
                if role[0] in (b"master", "master"):
                    masters += 1
                    if not role[2]:
                        return False
        return masters == 3

    def _wait(self, condition: Any, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if condition():
                    return
            except (redis.RedisError, OSError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {START_TIMEOUT_S} s for {what}")
            time.sleep(0.1)

    def master_of(self, key: str) -> int:
        """The port of the master that serves `key`'s slot now."""
        slot = key_slot(key.encode())
        with self._node(self._alive_ports()[0]) as node:
            for start, end, master, *_ in node.execute_command("CLUSTER SLOTS"):
                if start <= slot <= end:
                    return int(master[1])
        raise LookupError(f"no node serves slot {slot}")

    def replicas_of(self, key: str) -> list[int]:
        """The ports of the replicas of the master serving `key`'s slot."""
        slot = key_slot(key.encode())
        with self._node(self._alive_ports()[0]) as node:
            for start, end, _master, *replicas in node.execute_command("CLUSTER SLOTS"):
                if start <= slot <= end:
                    return [int(replica[1]) for replica in replicas]
        raise LookupError(f"no node serves slot {slot}")

    def replicated(self, key: str, length: int) -> bool:
        """Whether every replica of `key`'s master holds the stream `key` with `length` entries."""
        for port in self.replicas_of(key):
            with self._node(port) as node:
                node.execute_command("READONLY")
                if node.xlen(key) != length:
                    return False
        return True

    def wait(self, condition: Any, what: str) -> None:
        self._wait(condition, what)

    def restart(self, port: int) -> None:
        """Start a killed node again; it rejoins (from its nodes file) as a replica, and the
        cluster is whole again when this returns."""
        binary = redis_server_binary()
        assert binary is not None
        self.processes[port] = self._server(binary, port)
        wait_for_port(
            port, timeout=START_TIMEOUT_S, alive=lambda: self.processes[port].poll() is None
        )
        self._wait(self._healthy, "the restarted node to rejoin as a replica")

    def kill(self, port: int) -> None:
        """SIGKILL one node (no goodbye: its peers find out by its silence)."""
        process = self.processes[port]
        process.kill()
        process.wait()

    @contextlib.contextmanager
    def hung(self, port: int) -> Iterator[None]:
        """One node hung (SIGSTOP: its sockets stay open, nothing answers) for the block, then
        going again. Keep the block shorter than the cluster's node timeout (2 s), or its
        replica is promoted meanwhile."""
        process = self.processes[port]
        process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            process.send_signal(signal.SIGCONT)

    def wait_for_promotion(self, key: str, dead_port: int) -> int:
        """Wait until a live master serves `key` again (its replica was promoted); its port."""
        promoted: list[int] = []

        def served() -> bool:
            port = self.master_of(key)
            if port == dead_port:
                return False
            with self._node(port) as node:
                if node.cluster("INFO").get("cluster_state") != "ok":  # type: ignore[union-attr]
                    return False
            promoted.append(port)
            return True

        self._wait(served, f"a replica to take over {key!r}")
        return promoted[-1]

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
