from __future__ import annotations

import pytest
from multidict import CIMultiDict

from sim.bearer import bearer_credential, holds_key


def headers(*values: str) -> CIMultiDict[str]:
    return CIMultiDict(("Authorization", v) for v in values)


@pytest.mark.parametrize(
    ("values", "credential"),
    [
        (("Bearer k1",), "k1"),
        (("Bearer    k1",), "k1"),
        (("bEaReR k1",), "k1"),
        (("Bearer",), None),
        (("Bearer\tk1",), None),
        (("Basic k1",), None),
        (("Bearer k1", "Bearer k1"), None),
        ((), None),
    ],
)
def test_the_credential_is_read_as_rfc_9110_writes_it(
    values: tuple[str, ...], credential: str | None
) -> None:
    assert bearer_credential(headers(*values)) == credential


def test_a_key_with_undecodable_bytes_is_refused_not_raised() -> None:
    undecodable = b"Bearer k\xff".decode("utf-8", "surrogateescape")  # as aiohttp hands it over

    assert not holds_key(headers(undecodable), "k1")
    assert holds_key(headers("Bearer  k1"), "k1")
