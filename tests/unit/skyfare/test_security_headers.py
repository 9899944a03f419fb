"""The headers every response owes (skyfare/security_headers.py): their names are `istr`s for
speed, which must change nothing of what a response carries."""

from __future__ import annotations

from multidict import CIMultiDict, istr

from kernel.http import RESPONSE_HEADERS, add_response_headers
from skyfare.security_headers import owed_headers


class _Request(dict):  # type: ignore[type-arg]
    """What `add_response_headers` needs of a request: a mapping."""


def test_owed_headers_merge_as_plain_names_would() -> None:
    owed = owed_headers(istr("X-Request-Id"), "r-1")
    response = CIMultiDict({"content-type": "application/json", "cache-control": "max-age=60"})
    response.update(owed)
    assert response["X-Request-Id"] == "r-1"
    assert response.getall("Cache-Control") == ["no-store"]  # the policy wins, once
    assert response["Server"] == "skyfare"
    assert dict(owed) == {
        "X-Request-Id": "r-1",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        "Cache-Control": "no-store",
        "Server": "skyfare",
    }


def test_a_route_overrides_an_owed_header_by_its_plain_name() -> None:
    request = _Request()
    request[RESPONSE_HEADERS] = owed_headers(istr("X-Request-Id"), "r-2")
    add_response_headers(request, {"Cache-Control": "public, max-age=3600"})  # type: ignore[arg-type]
    owed = request[RESPONSE_HEADERS]
    assert len(owed) == 6  # replaced, not added beside
    response: CIMultiDict[str] = CIMultiDict()
    response.update(owed)
    assert response.getall("Cache-Control") == ["public, max-age=3600"]
