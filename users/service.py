"""`UserService`: the use cases of profiles and saved travelers.

Routes call the `Principal`-taking methods; the other packages (through ports the composition
root wires) call `saved_traveler`, `notification_channels`, `export` and `erase` with a subject.

Writes are merge patches (RFC 7396) applied to the stored document, validated whole, and written
under a guard on the version they were computed from; the version is the ETag. With `If-Match`
a lost race is a 412; without, the patch is applied again to what won (last writer wins, but no
field another writer changed and this patch did not touch is lost).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from kernel.auth import Principal
from kernel.errors import Conflict, NotFound, ValidationFailed
from users.etags import check_if_match, etag
from users.merge_patch import merge_patch
from users.model import (
    TRAVELER_ID_PREFIX,
    ErasedUser,
    NewTraveler,
    Profile,
    ProfileFields,
    ProfileView,
    SavedTraveler,
    StoredTraveler,
    UserExport,
    is_traveler_id,
)
from users.repository import UserRepository
from users.validation import (
    parse_profile,
    parse_traveler,
    profile_document,
    traveler_document,
)

DEFAULT_MAX_TRAVELERS = 20
# Guarded writes retried when another writer won (only without If-Match): a human edits a
# profile, so more than a couple of lost races in a row means something is hammering it.
MAX_ATTEMPTS = 5
_SEED_CLAIMS = ("email", "given_name", "family_name")


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _new_traveler_id() -> str:
    return TRAVELER_ID_PREFIX + secrets.token_hex(12)


def profile_etag(profile: Profile) -> str:
    return etag("profile", profile.id, profile.version)


def traveler_etag(stored: StoredTraveler) -> str:
    return etag("traveler", stored.traveler.id, stored.version)


def _as_new(traveler: SavedTraveler) -> NewTraveler:
    return NewTraveler(
        given_name=traveler.given_name,
        family_name=traveler.family_name,
        born_on=traveler.born_on,
        gender=traveler.gender,
        loyalty_accounts=traveler.loyalty_accounts,
        document=traveler.document,
    )


def _not_found(traveler_id: str) -> NotFound:
    return NotFound(f"you have no saved traveler {traveler_id!r}")


class UserService:
    def __init__(
        self,
        repository: UserRepository,
        *,
        max_travelers: int = DEFAULT_MAX_TRAVELERS,
        today: Callable[[], dt.date] = _today,
        new_traveler_id: Callable[[], str] = _new_traveler_id,
    ) -> None:
        self._repository = repository
        self._max_travelers = max_travelers
        self._today = today
        self._new_traveler_id = new_traveler_id

    # --- the caller's profile ---------------------------------------------------------------

    async def me(self, principal: Principal) -> Profile:
        """The caller's profile, created from the token's claims on the first call."""
        profile = await self._repository.profile(principal.subject)
        if profile is not None:
            return profile
        return await self._repository.create_profile(principal.subject, self._seed(principal))

    def _seed(self, principal: Principal) -> ProfileFields:
        """The token's email and names, each kept only if a profile may hold it."""
        seed: dict[str, Any] = {}
        for claim in _SEED_CLAIMS:
            value = getattr(principal, claim)
            try:
                parse_profile({claim: value}, today=self._today())
            except ValidationFailed:
                continue
            seed[claim] = value
        return parse_profile(seed, today=self._today())

    async def patch_me(
        self, principal: Principal, patch: dict[str, Any], if_match: str | None
    ) -> Profile:
        """The profile with `patch` merged in; 412 when `if_match` is not its current ETag."""
        for _ in range(MAX_ATTEMPTS):
            profile = await self.me(principal)
            check_if_match(if_match, profile_etag(profile))
            document = merge_patch(profile_document(profile), patch)
            fields = parse_profile(document, today=self._today())
            if fields == profile.fields:
                return profile  # nothing changes: no new version
            updated = await self._repository.update_profile(profile, fields)
            if updated is not None:
                return updated
        raise Conflict("the profile kept changing while this change was applied; retry")

    # --- the caller's saved travelers -------------------------------------------------------

    async def travelers(self, principal: Principal) -> list[StoredTraveler]:
        return await self._repository.travelers(principal.subject)

    async def traveler(self, principal: Principal, traveler_id: str) -> StoredTraveler:
        stored = None
        if is_traveler_id(traveler_id):
            stored = await self._repository.traveler(principal.subject, traveler_id)
        if stored is None:
            raise _not_found(traveler_id)
        return stored

    async def add_traveler(self, principal: Principal, data: dict[str, Any]) -> StoredTraveler:
        fields = parse_traveler(data, today=self._today())
        profile = await self.me(principal)
        return await self._repository.add_traveler(
            profile, self._new_traveler_id(), fields, limit=self._max_travelers
        )

    async def patch_traveler(
        self, principal: Principal, traveler_id: str, patch: dict[str, Any], if_match: str | None
    ) -> StoredTraveler:
        for _ in range(MAX_ATTEMPTS):
            stored = await self.traveler(principal, traveler_id)
            check_if_match(if_match, traveler_etag(stored))
            before = traveler_document(stored.traveler)
            document = merge_patch(before, patch)
            fields = parse_traveler(
                document, today=self._today(), stored_document=before.get("document")
            )
            if fields == _as_new(stored.traveler):
                return stored  # nothing changes: no new version
            updated = await self._repository.update_traveler(
                principal.subject, traveler_id, stored.version, fields
            )
            if updated is not None:
                return updated
        raise Conflict("the saved traveler kept changing while this change was applied; retry")

    async def delete_traveler(
        self, principal: Principal, traveler_id: str, if_match: str | None
    ) -> None:
        for _ in range(MAX_ATTEMPTS):
            stored = await self.traveler(principal, traveler_id)
            check_if_match(if_match, traveler_etag(stored))
            version = None if if_match is None else stored.version
            if await self._repository.delete_traveler(principal.subject, traveler_id, version):
                return
        raise Conflict("the saved traveler kept changing while it was deleted; retry")

    # --- for the other packages (issue 14's contracts) --------------------------------------

    async def saved_traveler(self, subject: str, traveler_id: str) -> SavedTraveler | None:
        """The subject's own saved traveler, document number in clear; None when unknown or
        another user's."""
        if not is_traveler_id(traveler_id):
            return None
        stored = await self._repository.traveler(subject, traveler_id)
        return None if stored is None else stored.traveler

    async def notification_channels(self, subject: str) -> frozenset[str] | None:
        """The channels the subject wants notifications by (a subset of email, sms); None when
        the subject has no profile (then the defaults apply: both)."""
        profile = await self._repository.profile(subject)
        if profile is None:
            return None
        return frozenset(ProfileView.of(profile).notification_channels)

    async def export(self, subject: str) -> UserExport:
        """Everything held about the subject: the profile and saved travelers, in clear."""
        profile = await self._repository.profile(subject)
        travelers = await self._repository.travelers(subject)
        return UserExport(
            profile=None if profile is None else ProfileView.of(profile),
            travelers=tuple(s.traveler for s in travelers),
        )

    async def erase(self, subject: str) -> ErasedUser:
        """The subject's profile and saved travelers deleted; what was. Idempotent."""
        return await self._repository.erase(subject)
