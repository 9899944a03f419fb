"""`bench.ceiling_answer`: the `search` layer's cached answer, for the other layers to serve."""

from __future__ import annotations

import msgspec

from bench.ceiling import COPIED_HEADERS
from bench.ceiling_answer import answer


async def test_the_answer_is_a_cached_search_with_the_headers_the_bare_handler_copies() -> None:
    body, headers = await answer()

    # The layer's offers are stand-ins of the bench's size (not whole `Offer`s): read loosely.
    response = msgspec.json.decode(body)
    assert list(response) == ["search_id", "offers", "meta"]
    assert response["meta"]["cache"] == "hit"
    assert len(response["offers"]) == 120
    assert headers["X-Cache"] == "HIT"
    assert set(headers) == set(COPIED_HEADERS)
