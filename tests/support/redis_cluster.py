"""A real Redis Cluster for tests: three masters and three replicas of Debian's `redis-server`
on free local ports, joined by `redis-cli --cluster create … --cluster-replicas 1`.

`RedisClusterHandle.start(directory)` returns once every slot is served and every master has a
replica in sync; `url` is `redis+cluster://` one node (skyfare/redis_client.py) and `skyfare_env`
the settings a Skyfare client of it needs besides; `master_killed` SIGKILLs the master serving a
key for a block, and after it waits until its replica took over and starts the node again;
`hung(port)` stops a node answering for a block. `socket_timeout(client, s)` lowers a
patient client's bound on each command, plain or cluster, for a block only. Every node asks
for `PASSWORD`, as a managed cluster does, and `url` carries it: a client that connects to a
node by itself must bring the cluster's credentials along.

`RedisClusterHandle(directory, tls=write_tls_files(…))` is the same cluster over TLS only
(tests/support/tls_files.py: a throwaway CA and a server certificate): every node listens with
`tls-port` and no plain port, speaks TLS on the cluster bus and to its replicas, and asks
clients for no certificate of their own (with `auth_clients=True` it asks each for one signed
by the same CA: `tls.client_cert`); `url` is then `rediss+cluster://`, and a client must
trust `tls.ca_cert`. It needs a `redis-server` built with TLS (tests/support/redis_binaries.py
finds one).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.connection import AbstractConnection
from redis.crc import key_slot

from skyfare.redis_client import is_cluster, node_url
from skyfare.settings import load_settings
from tests.support.cluster_slot_map import SlotRange, agreed, range_of, slot_ranges
from tests.support.ports import free_ports_with_bus, wait_for_port
from tests.support.redis_binaries import redis_server_binary, tls_redis_binaries
from tests.support.tls_files import TlsFiles

START_TIMEOUT_S = 60.0  # six servers and a cluster handshake on a busy two-core machine
NODE_TIMEOUT_MS = 2000  # how long a silent master takes to be failed over (about 2-4 s)
PASSWORD = "cluster-secret"


def client_of(url: str, **options: Any) -> aioredis.Redis:
    """A test's client of `url`: a RedisCluster for a cluster's URL, as Skyfare's own (with
    the environment's SKYFARE_REDIS_CLUSTER, as a Skyfare process reads it)."""
    if is_cluster(load_settings(), url):
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


@contextlib.contextmanager
def socket_timeout(client: aioredis.Redis, seconds: float) -> Iterator[None]:
    """`client`'s bound on each command's write and reply (redis-py's `socket_timeout`) is
    `seconds` for the block, on the connections it holds and on those it makes meanwhile, and
    what it was before again after. A test of a short bound makes its client patient and keeps
    the short one to the block it is about: its warm-up (`connected`, its keys) and its checks
    after, run under the short bound, time out on a busy machine for the wrong reason.

    redis-py reads `socket_timeout` off the connection on every command, so the bound changes
    on open connections too; `connected(client)` first, so that there are some."""
    connections, settings = _connections_and_settings(client)
    assert connections, "no connection to bound yet: `connected(client)` first"
    before = settings[0]["socket_timeout"]
    _set_socket_timeout(client, seconds)
    try:
        yield
    finally:
        _set_socket_timeout(client, before)


def _set_socket_timeout(client: aioredis.Redis, seconds: float | None) -> None:
    connections, settings = _connections_and_settings(client)
    for connection in connections:
        connection.socket_timeout = seconds
    for kwargs in settings:  # the connections (and a cluster's nodes) made from now on
        kwargs["socket_timeout"] = seconds


def _connections_and_settings(
    client: aioredis.Redis,
) -> tuple[list[AbstractConnection], list[dict[str, Any]]]:
    """The connections `client` holds now, and the settings it makes new ones from (first the
    client's own). redis-py lists them only in private members (8.2.0's)."""
    if isinstance(client, RedisCluster):
        manager = client.nodes_manager
        nodes = {id(node): node for node in [*manager.startup_nodes.values(), *client.get_nodes()]}
        connections = [c for node in nodes.values() for c in node._connections]
        return connections, [
            manager.connection_kwargs,
            *(n.connection_kwargs for n in nodes.values()),
        ]
    pool = client.connection_pool
    connections = [*pool._get_free_connections(), *pool._get_in_use_connections()]
    return connections, [pool.connection_kwargs]


def redis_or_cluster(request: pytest.FixtureRequest, redis_url: str) -> str:
    """For a fixture parametrized ["redis", "cluster"]: the test Redis, or the session's
    cluster (tests/conftest.py `redis_cluster`)."""
    if request.param == "cluster":
        handle: RedisClusterHandle = request.getfixturevalue("redis_cluster")
        return handle.url
    return redis_url


class RedisClusterHandle:
    """Six `redis-server` processes in cluster mode, three masters with a replica each; over
    TLS only when `tls` is given; asking every client for a certificate signed by its CA
    (`tls-auth-clients yes`) when `auth_clients` is true too."""

    def __init__(
        self, directory: Path, *, tls: TlsFiles | None = None, auth_clients: bool = False
    ) -> None:
        self.directory = directory
        self.tls = tls
        self.auth_clients = auth_clients
        self.ports: list[int] = []
        self.processes: dict[int, subprocess.Popen[bytes]] = {}
        self._binaries: tuple[str, str] | None = None

    @property
    def url(self) -> str:
        alive = [port for port, proc in self.processes.items() if proc.poll() is None]
        scheme = "rediss+cluster" if self.tls else "redis+cluster"
        return f"{scheme}://:{PASSWORD}@127.0.0.1:{alive[0]}"

    def skyfare_env(self) -> dict[str, str]:
        """The settings a Skyfare client of the cluster needs besides `url`: the CA its
        certificates come from, and the client certificate when it asks for one."""
        if self.tls is None:
            return {}
        env = {"SKYFARE_REDIS_TLS_CA_FILE": str(self.tls.ca_cert)}
        if self.auth_clients:
            env["SKYFARE_REDIS_TLS_CERT_FILE"] = str(self.tls.client_cert)
            env["SKYFARE_REDIS_TLS_KEY_FILE"] = str(self.tls.client_key)
        return env

    def start(self) -> RedisClusterHandle:
        self._binaries = self._find_binaries()
        server, cli = self._binaries
        self.directory.mkdir(parents=True, exist_ok=True)
        self.ports = free_ports_with_bus(6)
        for port in self.ports:
            self.processes[port] = self._server(server, port)
        for port, process in self.processes.items():
            wait_for_port(port, timeout=START_TIMEOUT_S, alive=lambda p=process: p.poll() is None)
        nodes = [f"127.0.0.1:{port}" for port in self.ports]
        tls_options: list[str] = []
        if self.tls:
            # The client certificate too: a server with `tls-auth-clients yes` asks for it.
            tls_options = ["--tls", "--cacert", str(self.tls.ca_cert)]
            tls_options += ["--cert", str(self.tls.client_cert), "--key", str(self.tls.client_key)]
        subprocess.run(
            [
                cli,
                *tls_options,
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

    def _find_binaries(self) -> tuple[str, str]:
        if self.tls:
            binaries = tls_redis_binaries()
            if binaries is None:
                raise RuntimeError(
                    "a redis-server built with TLS is needed (apt-get install redis)"
                )
            return binaries
        server, cli = redis_server_binary(), shutil.which("redis-cli")
        if server is None or cli is None:
            raise RuntimeError("redis-server and redis-cli are needed (apt-get install redis)")
        return server, cli

    def _listen(self, port: int) -> list[str]:
        """The options that make a node listen on `port`: plainly, or over TLS only (its
        cluster bus, `port` + 10000, and its replication too)."""
        if self.tls is None:
            return ["--port", str(port)]
        return [
            *("--port", "0", "--tls-port", str(port)),
            *("--tls-cluster", "yes", "--tls-replication", "yes"),
            *("--tls-cert-file", str(self.tls.cert), "--tls-key-file", str(self.tls.key)),
            *("--tls-ca-cert-file", str(self.tls.ca_cert)),
            # By default clients bring no certificate, as with a managed cluster: they check the
            # server's. With `auth_clients`, as a self-hosted redis-server does by default.
            *("--tls-auth-clients", "yes" if self.auth_clients else "no"),
        ]

    def _server(self, binary: str, port: int) -> subprocess.Popen[bytes]:
        log = (self.directory / f"{port}.log").open("wb")
        command = [binary, *self._listen(port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
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
        tls: dict[str, Any] = {}
        if self.tls:
            tls = {"ssl": True, "ssl_ca_certs": str(self.tls.ca_cert)}
            tls |= {"ssl_certfile": str(self.tls.client_cert)}
            tls |= {"ssl_keyfile": str(self.tls.client_key)}
        return redis.Redis(
            port=port, password=PASSWORD, socket_timeout=5, socket_connect_timeout=5, **tls
        )

    def alive_ports(self) -> list[int]:
        """The ports of the nodes whose process runs (a hung one too)."""
        return [port for port, proc in self.processes.items() if proc.poll() is None]

    def _healthy(self) -> bool:
        """Every live node says the cluster is ok and sees the same slot map, every slot served
        by one of three live masters, each with a live replica synced."""
        slot_map = self._agreed_slot_map()
        if slot_map is None:
            return False
        masters = 0
        for port in self.alive_ports():
            with self._node(port) as node:
                if node.cluster("INFO").get("cluster_state") != "ok":  # type: ignore[union-attr]
                    return False
                role: Any = node.execute_command("ROLE")
                if role[0] in (b"master", "master"):
                    masters += 1
                    if not role[2]:
                        return False
        serving = {master for _, _, master, _ in slot_map}
        return masters == 3 and serving <= set(self.alive_ports())

    def _agreed_slot_map(self) -> tuple[SlotRange, ...] | None:
        """The slot map every live node holds; None while one lags behind the others
        (tests/support/cluster_slot_map.py says how long and why)."""
        views = []
        for port in self.alive_ports():
            with self._node(port) as node:
                views.append(slot_ranges(node.execute_command("CLUSTER SLOTS")))
        return agreed(views)

    def slot_map(self) -> tuple[SlotRange, ...]:
        """The slot map, once every live node holds the same one serving every slot (a node
        that has not heard of a failover yet is waited for, not believed)."""
        found: list[tuple[SlotRange, ...]] = []

        def agreed_now() -> bool:
            slot_map = self._agreed_slot_map()
            if slot_map is not None:
                found.append(slot_map)
            return slot_map is not None

        self._wait(agreed_now, "every live node to see the same slot map")
        return found[-1]

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
        return range_of(self.slot_map(), key_slot(key.encode()))[2]

    def masters(self) -> list[int]:
        """The ports of the masters serving slots now."""
        return sorted({master for _, _, master, _ in self.slot_map()})

    def key_on_each_master(self, prefix: str) -> dict[int, str]:
        """A fresh key under `prefix` for every master, each hashing to a slot that master
        serves."""
        keys: dict[int, str] = {}
        run = uuid.uuid4().hex
        slot_map = self.slot_map()  # one map for every key: asking six nodes each time is slow
        masters = sorted({master for _, _, master, _ in slot_map})
        for n in range(10_000):  # 3 masters share the slots evenly: a few keys cover all three
            key = f"{prefix}:{run}:{n}"
            keys.setdefault(range_of(slot_map, key_slot(key.encode()))[2], key)
            if len(keys) == len(masters):
                return keys
        raise AssertionError(f"no key found for every master of {masters}")

    def value_on(self, port: int, key: str) -> Any:
        """`key`'s value as the node at `port` itself holds it, asked of that node alone (no
        redirection: a node that does not serve `key`'s slot answers MOVED)."""
        with self._node(port) as node:
            return node.get(key)

    def replicas_of(self, key: str) -> list[int]:
        """The ports of the replicas of the master serving `key`'s slot."""
        return list(range_of(self.slot_map(), key_slot(key.encode()))[3])

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
        assert self._binaries is not None, "start() first"
        self.processes[port] = self._server(self._binaries[0], port)
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

    @contextlib.contextmanager
    def master_killed(self, key: str) -> Iterator[int]:
        """The master serving `key` SIGKILLed for the block (its port is yielded). However the
        block ends, once its replica took over the node is started again, so the cluster, shared
        by a session's tests, is whole for the tests after (with that replica as a master)."""
        dead = self.master_of(key)
        self.kill(dead)
        try:
            yield dead
        finally:
            self.wait_for_promotion(key, dead)
            self.restart(dead)

    def wait_for_promotion(self, key: str, dead_port: int) -> int:
        """Wait until a live master serves `key` again (its replica was promoted) in every live
        node's slot map; its port. One node's word is not enough: a node that has not heard of
        the promotion yet drops the slots once the dead master, started again, says it is a
        replica, and serves them to nobody for a while (tests/support/cluster_slot_map.py)."""
        promoted: list[int] = []
        slot = key_slot(key.encode())

        def served() -> bool:
            slot_map = self._agreed_slot_map()
            if slot_map is None:
                return False
            port = range_of(slot_map, slot)[2]
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
