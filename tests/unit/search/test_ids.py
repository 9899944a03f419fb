"""Search ids: `srch_` + 16 url-safe characters, unpredictable, minted in batches."""

import re

from search.ids import new_search_id

_ID = re.compile(r"srch_[A-Za-z0-9_-]{16}")


def test_ids_have_the_documented_form_across_batches() -> None:
    ids = [new_search_id() for _ in range(1000)]  # several batches of 256
    assert all(_ID.fullmatch(i) for i in ids), ids[:3]
    assert len(set(ids)) == len(ids)
