"""The cluster helper (tests/support/redis_cluster.py) answers from the slot map every node
agrees on, not from the one node it happens to ask: after a failover a node can serve a slot to
nobody until gossip reaches it, and a test asking that node found `no node serves slot`."""

from __future__ import annotations

import uuid

import redis
from redis.crc import key_slot

from tests.support.cluster_slot_map import range_of, slot_ranges
from tests.support.redis_cluster import PASSWORD, RedisClusterHandle


def _view_of(port: int, slot: int) -> int:
    """The master of `slot` as the node at `port` alone sees it."""
    with redis.Redis(port=port, password=PASSWORD) as node:
        return range_of(slot_ranges(node.execute_command("CLUSTER SLOTS")), slot)[2]


def test_a_node_that_lost_a_slot_is_waited_for_not_believed(
    redis_cluster: RedisClusterHandle,
) -> None:
    # The node the helper asked first, and a key whose slot another master serves.
    lagging = redis_cluster.alive_ports()[0]
    key = next(
        k
        for k in (f"views:{uuid.uuid4().hex}" for _ in range(100))
        if redis_cluster.master_of(k) != lagging
    )
    owner, slot = redis_cluster.master_of(key), key_slot(key.encode())
    # The owner stopped, nothing tells the lagging node the slot again until it goes on: the
    # state a failover leaves behind on a node that has not heard of the promotion yet.
    with redis_cluster.hung(owner), redis.Redis(port=lagging, password=PASSWORD) as node:
        node.execute_command("CLUSTER DELSLOTS", slot)

    master = redis_cluster.master_of(key)

    assert master == owner
    # Every node says so by itself: the lagging one learned the slot again from the owner.
    for port in redis_cluster.alive_ports():
        assert _view_of(port, slot) == master
