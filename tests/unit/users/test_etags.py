"""ETags and If-Match: strong comparison, `*`, lists; a changed version never matches."""

from __future__ import annotations

import pytest

from kernel.errors import PreconditionFailed
from users.etags import check_if_match, etag, matches

CURRENT = etag("profile", 7, 3)


def test_an_etag_is_a_quoted_opaque_strong_tag_that_changes_with_the_version() -> None:
    assert CURRENT.startswith('"')
    assert CURRENT.endswith('"')
    assert etag("profile", 7, 4) != CURRENT
    assert etag("profile", 8, 3) != CURRENT  # an erased profile's successor: other tags
    assert etag("traveler", 7, 3) != CURRENT


@pytest.mark.parametrize("if_match", [None, CURRENT, "*", f'"other", {CURRENT}', f"  {CURRENT}  "])
def test_if_match_is_met_by_the_current_tag_a_list_holding_it_or_a_star(
    if_match: str | None,
) -> None:
    assert matches(if_match, CURRENT)
    check_if_match(if_match, CURRENT)


@pytest.mark.parametrize(
    "if_match", [etag("profile", 7, 2), f"W/{CURRENT}", CURRENT.strip('"'), "", '"a", "b"']
)
def test_if_match_is_not_met_by_an_old_weak_unquoted_or_empty_tag(if_match: str) -> None:
    assert not matches(if_match, CURRENT)
    with pytest.raises(PreconditionFailed):
        check_if_match(if_match, CURRENT)
