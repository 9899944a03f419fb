"""Ids that cannot name a saved traveler are answered without asking the database."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest

from kernel.auth import Principal
from kernel.errors import NotFound
from users.service import UserService

ADA = Principal("ada")
MALFORMED = ["trv_123", "trv_" + "A" * 24, "ord_" + "0" * 24, "trv_" + "0" * 24 + "\x00", ""]


class NoDatabase:
    """A repository that fails the test if anything reaches it."""

    def __getattr__(self, name: str) -> NoReturn:
        raise AssertionError(f"the repository was asked: {name}")


@pytest.fixture
def service() -> UserService:
    repository: Any = NoDatabase()
    return UserService(repository)


@pytest.mark.parametrize("traveler_id", MALFORMED)
async def test_a_malformed_traveler_id_is_404_without_a_query(
    service: UserService, traveler_id: str
) -> None:
    with pytest.raises(NotFound):
        await service.traveler(ADA, traveler_id)
    with pytest.raises(NotFound):
        await service.patch_traveler(ADA, traveler_id, {"gender": "x"}, None)
    with pytest.raises(NotFound):
        await service.delete_traveler(ADA, traveler_id, None)
    assert await service.saved_traveler("ada", traveler_id) is None
