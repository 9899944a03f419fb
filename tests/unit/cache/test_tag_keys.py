"""`tag_keys` is `_ADD`'s key list built with one hash per tag, as bytes: it must name exactly
the keys `tag_key` and `tag_mark_key` name one tag at a time (evictions and `take_owed` use
those), byte for byte as redis-py would encode them."""

from __future__ import annotations

from cache.tags import MARK_PREFIX, PREFIX, tag_key, tag_keys, tag_mark_key


def test_tag_keys_are_each_tags_set_then_each_tags_mark_in_order() -> None:
    tags = ["off_" + "x" * 300, "off_b", "off_é", ""]
    expected = [*map(tag_key, tags), *map(tag_mark_key, tags)]
    assert tag_keys(tags) == [key.encode() for key in expected]


def test_tag_keys_keep_their_published_shape() -> None:
    [key, mark] = tag_keys(["off_a"])
    assert key.startswith(PREFIX.encode())
    assert mark.startswith((MARK_PREFIX + "tag:").encode())
    # As stored before this helper existed: sets and marks already in Redis stay found.
    assert key == b"skyfare:fares:{tags}:tag:v1:aefbe531262a96c6822d2636"
    assert mark == b"skyfare:fares:{tags}:evicted:v1:tag:aefbe531262a96c6822d2636"


def test_no_tags_no_keys() -> None:
    assert tag_keys([]) == []
