"""The L1: bounded LRU whose entries expire at the end of their stale window."""

from cache.memory import InMemoryFareCache, entry_size
from cache.model import FareEntry


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def entry(fresh: float = 10, stale: float = 40, *, at: float = 1000.0) -> FareEntry:
    return FareEntry(b"[]", b"[]", False, 0, at, at + fresh, at + stale)


def test_the_least_recently_used_entry_is_evicted_first() -> None:
    l1 = InMemoryFareCache(2, clock=Clock())
    l1.put("a", entry())
    l1.put("b", entry())
    assert l1.peek("a") is not None  # a is now the most recently used
    l1.put("c", entry())
    assert (l1.peek("a"), l1.peek("b"), l1.peek("c")) == (entry(), None, entry())


def test_entries_expire_at_the_end_of_their_stale_window() -> None:
    clock = Clock()
    l1 = InMemoryFareCache(10, clock=clock)
    l1.put("a", entry(fresh=10, stale=40))
    clock.now += 39
    assert l1.peek("a") is not None
    clock.now += 1
    assert l1.peek("a") is None
    assert len(l1) == 0


def test_an_already_expired_entry_is_not_kept() -> None:
    l1 = InMemoryFareCache(10, clock=Clock())
    l1.put("a", entry(at=0))
    assert len(l1) == 0


def test_zero_entries_disables_the_l1() -> None:
    l1 = InMemoryFareCache(0, clock=Clock())
    l1.put("a", entry())
    assert l1.peek("a") is None


def test_freshness_of_an_entry() -> None:
    e = entry(fresh=10, stale=40)
    assert (e.freshness(1005), e.freshness(1010), e.freshness(1040)) == ("hit", "stale", None)


def test_peek_fresh_answers_only_fresh_entries_and_keeps_stale_ones_for_the_full_path() -> None:
    clock = Clock()
    l1 = InMemoryFareCache(10, clock=clock)
    l1.put("a", entry(fresh=10, stale=40))
    assert l1.peek_fresh("a") == entry()
    clock.now += 10
    assert l1.peek_fresh("a") is None  # stale: not fresh, but still there
    assert l1.peek("a") is not None
    clock.now += 30
    assert l1.peek_fresh("a") is None
    assert len(l1) == 0  # expired: dropped


def test_peek_fresh_counts_as_a_use_for_the_lru() -> None:
    l1 = InMemoryFareCache(2, clock=Clock())
    l1.put("a", entry())
    l1.put("b", entry())
    assert l1.peek_fresh("a") is not None
    l1.put("c", entry())
    assert (l1.peek("a"), l1.peek("b")) == (entry(), None)


def sized(offers: int, *, at: float = 1000.0) -> FareEntry:
    """An entry whose encoded offers take `offers` bytes."""
    return FareEntry(b"x" * offers, b"[]", False, 0, at, at + 10, at + 40)


def test_the_l1_is_bounded_in_bytes_as_well_as_in_entries() -> None:
    one = entry_size("a", sized(1000))
    l1 = InMemoryFareCache(100, max_bytes=2 * one, clock=Clock())
    l1.put("a", sized(1000))
    l1.put("b", sized(1000))
    assert l1.bytes == 2 * one
    l1.put("c", sized(1000))  # over the byte bound: the least recently used goes
    assert (l1.peek("a"), len(l1), l1.bytes) == (None, 2, 2 * one)


def test_one_big_answer_evicts_as_many_small_ones_as_it_needs() -> None:
    small = entry_size("a", sized(100))
    l1 = InMemoryFareCache(100, max_bytes=10 * small, clock=Clock())
    for key in "abcdefghij":
        l1.put(key, sized(100))
    l1.put("z", sized(100 + 3 * small))  # costs four small entries' bytes
    assert [k for k in "abcdefghij" if l1.peek(k) is not None] == list("efghij")
    assert l1.bytes <= l1.max_bytes


def test_an_answer_bigger_than_the_whole_l1_is_not_kept_and_drops_the_older_one() -> None:
    l1 = InMemoryFareCache(100, max_bytes=5000, clock=Clock())
    l1.put("a", sized(100))
    l1.put("a", sized(10_000))
    assert (l1.peek("a"), l1.bytes) == (None, 0)


def test_replacing_expiring_and_discarding_entries_keep_the_byte_count_exact() -> None:
    clock = Clock()
    l1 = InMemoryFareCache(100, max_bytes=10**6, clock=clock)
    l1.put("a", sized(500))
    l1.put("a", sized(700))
    l1.put("b", sized(300))
    assert l1.bytes == entry_size("a", sized(700)) + entry_size("b", sized(300))
    l1.discard("b")
    assert l1.bytes == entry_size("a", sized(700))
    clock.now += 41  # past the stale window: the next peek drops it
    assert (l1.peek("a"), l1.bytes) == (None, 0)
    l1.put("c", sized(10, at=clock.now))
    l1.clear()
    assert (len(l1), l1.bytes) == (0, 0)
