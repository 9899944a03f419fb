"""`VerifiedTokens`: remembered until shortly before exp, forgotten on a key set change, bounded."""

from __future__ import annotations

from kernel.auth import Principal
from skyfare.auth.token_cache import VerifiedTokens

ALICE = Principal(subject="alice")
BOB = Principal(subject="bob", roles=frozenset({"analyst"}))


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_is_remembered_until_margin_before_its_exp() -> None:
    clock = Clock()
    tokens = VerifiedTokens(margin_s=5.0, clock=clock)
    tokens.put("tok-a", ALICE, exp=clock.now + 60, generation=1)

    clock.now += 54.9
    assert tokens.get("tok-a", 1) == ALICE
    clock.now += 0.1  # 5 s before exp: verification would still pass, the cache does not
    assert tokens.get("tok-a", 1) is None
    assert len(tokens) == 0


def test_a_token_expiring_within_the_margin_is_not_remembered() -> None:
    clock = Clock()
    tokens = VerifiedTokens(margin_s=5.0, clock=clock)

    tokens.put("tok-a", ALICE, exp=clock.now + 4, generation=1)

    assert tokens.get("tok-a", 1) is None


def test_only_the_exact_token_is_a_hit() -> None:
    clock = Clock()
    tokens = VerifiedTokens(clock=clock)
    tokens.put("tok-a", ALICE, exp=clock.now + 600, generation=1)

    assert tokens.get("tok-a ", 1) is None
    assert tokens.get("tok-A", 1) is None
    assert tokens.get("tok-a", 1) == ALICE


def test_a_new_key_set_generation_forgets_every_token() -> None:
    clock = Clock()
    tokens = VerifiedTokens(clock=clock)
    tokens.put("tok-a", ALICE, exp=clock.now + 600, generation=1)
    tokens.put("tok-b", BOB, exp=clock.now + 600, generation=1)

    assert tokens.get("tok-a", 2) is None
    assert len(tokens) == 0
    assert tokens.get("tok-b", 1) is None  # the old generation does not come back

    tokens.put("tok-b", BOB, exp=clock.now + 600, generation=3)
    assert tokens.get("tok-b", 3) == BOB


def test_the_cache_holds_at_most_max_entries_and_drops_the_oldest() -> None:
    clock = Clock()
    tokens = VerifiedTokens(max_entries=3, clock=clock)
    for i in range(5):
        tokens.put(f"tok-{i}", Principal(subject=f"user-{i}"), exp=clock.now + 600, generation=1)

    assert len(tokens) == 3
    assert [tokens.get(f"tok-{i}", 1) for i in range(2)] == [None, None]
    assert [p.subject for i in range(2, 5) if (p := tokens.get(f"tok-{i}", 1))] == [
        "user-2",
        "user-3",
        "user-4",
    ]


def test_a_token_longer_than_the_bound_is_not_remembered() -> None:
    clock = Clock()
    tokens = VerifiedTokens(max_token_chars=100, clock=clock)

    tokens.put("x" * 101, ALICE, exp=clock.now + 600, generation=1)
    tokens.put("y" * 100, BOB, exp=clock.now + 600, generation=1)

    assert tokens.get("x" * 101, 1) is None
    assert tokens.get("y" * 100, 1) == BOB
