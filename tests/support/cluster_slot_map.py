"""The slot map of a Redis Cluster as every one of its nodes sees it, and whether they agree.

Each node keeps its own map, updated by gossip, so two nodes can disagree for a moment. After a
failover, a node that has not heard of the promoted replica yet still gives the dead master's
slots to it; once that master is started again and says it is a replica, the node drops those
slots (Redis forgets the slots of a master that turned replica) and serves them to nobody until
the promoted replica's next message reaches it. On a busy machine that can take seconds. A test
asking one node only would then find the slot served by no one (or by the dead master): asking
every live node and waiting until they agree is the state a test can rely on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CLUSTER_SLOTS = 16384

# One node's view: each slot range with the port of its master and those of its live replicas.
SlotRange = tuple[int, int, int, tuple[int, ...]]


def slot_ranges(reply: Iterable[Any]) -> tuple[SlotRange, ...]:
    """A `CLUSTER SLOTS` reply as sorted slot ranges (a failed replica is left out by Redis)."""
    ranges = [
        (int(start), int(end), int(master[1]), tuple(sorted(int(r[1]) for r in replicas)))
        for start, end, master, *replicas in reply
    ]
    return tuple(sorted(ranges))


def covers_every_slot(ranges: tuple[SlotRange, ...]) -> bool:
    return sum(end - start + 1 for start, end, _, _ in ranges) == CLUSTER_SLOTS


def agreed(views: list[tuple[SlotRange, ...]]) -> tuple[SlotRange, ...] | None:
    """The slot map every view holds, when they all hold the same one and it serves every slot;
    None while a node still lags behind the others."""
    if not views or any(view != views[0] for view in views):
        return None
    return views[0] if covers_every_slot(views[0]) else None


def range_of(ranges: tuple[SlotRange, ...], slot: int) -> SlotRange:
    for entry in ranges:
        if entry[0] <= slot <= entry[1]:
            return entry
    raise LookupError(f"no node serves slot {slot}")
