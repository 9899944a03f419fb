"""The user service (users/) behind the ports booking and notify declare: booking resolves a
passenger's `traveler_id` (`booking.ports.SavedTravelers`), the notification worker honours the
owner's channels (`notify.handlers.ChannelPreferences`). Domain packages never import each
other; this is where they meet.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from booking.model import Gender
from booking.ports import TravelerDetails


class _SavedTraveler(Protocol):
    @property
    def given_name(self) -> str: ...
    @property
    def family_name(self) -> str: ...
    @property
    def born_on(self) -> dt.date: ...
    @property
    def gender(self) -> Gender: ...


class _Travelers(Protocol):
    async def saved_traveler(self, subject: str, traveler_id: str) -> _SavedTraveler | None: ...


class _Channels(Protocol):
    async def notification_channels(self, subject: str) -> frozenset[str] | None: ...


class SavedTravelersOfUsers:
    """`booking.ports.SavedTravelers` over `UserService.saved_traveler`: only what the order
    copies (the document and loyalty numbers stay with the user service)."""

    def __init__(self, users: _Travelers) -> None:
        self._users = users

    async def traveler(self, owner: str, traveler_id: str) -> TravelerDetails | None:
        saved = await self._users.saved_traveler(owner, traveler_id)
        if saved is None:
            return None
        return TravelerDetails(saved.given_name, saved.family_name, saved.born_on, saved.gender)


class ChannelsOfUsers:
    """`notify.handlers.ChannelPreferences` over `UserService.notification_channels`."""

    def __init__(self, users: _Channels) -> None:
        self._users = users

    async def channels(self, owner: str) -> frozenset[str] | None:
        return await self._users.notification_channels(owner)
