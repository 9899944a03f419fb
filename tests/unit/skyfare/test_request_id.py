from __future__ import annotations

import pytest

from skyfare.request_id import MAX_LENGTH, new_request_id, request_id_from


@pytest.mark.parametrize(
    "client_id",
    ["abc", "4bf92f3577b34da6a3ce929d0e0e4736", "00-4bf9-00f0-01", "req_1.2:3", "a" * MAX_LENGTH],
)
def test_a_sane_client_id_is_echoed(client_id: str) -> None:
    assert request_id_from(client_id) == client_id


@pytest.mark.parametrize(
    "client_id",
    ["", "a" * (MAX_LENGTH + 1), "with space", "new\nline", 'quote"', "<script>", "é"],
)
def test_an_unsafe_or_oversized_client_id_is_replaced(client_id: str) -> None:
    replaced = request_id_from(client_id)
    assert replaced != client_id
    assert request_id_from(replaced) == replaced  # what we mint is itself sane


def test_a_missing_id_is_minted() -> None:
    assert request_id_from(None)


def test_minted_ids_are_unique() -> None:
    ids = {new_request_id() for _ in range(1000)}
    assert len(ids) == 1000
