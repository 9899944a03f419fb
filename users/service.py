"""`UserService`: the use cases of profiles and saved travelers.

Routes call the `Principal`-taking methods; the other packages (through ports the composition
root wires) call `saved_traveler`, `notification_channels`, `export` and `erase` with a subject.

Writes are merge patches (RFC 7396) applied to the stored document and validated whole, decided
under the row's lock (users/repository.py): with `If-Match` naming an older version the answer
is a 412; without, the patch applies to what is stored, so no field another writer changed and
this patch did not touch is lost. Each write bumps the version, which the ETag names.

A profile is made from the token only when none exists (`me`, and the writes that need one),
and never from a token signed in before its account's erasure (`AccountErased`, a 401): a
session still signed in elsewhere cannot bring an erased account back. The sign-in time is the
token's `auth_time`, else its `iat`; one within `clock_skew_s` after the erasure (the
authenticator's leeway) is refused too, since the issuer's clock may be that far ahead of ours,
and a token that says neither is refused as well.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from kernel.auth import CLOCK_LEEWAY_S, Principal, challenge
from kernel.errors import AccountErased, Conflict, NotFound, ValidationFailed, clipped
from users.etags import check_if_match, etag, hash_versions
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
from users.repository import ErasureCheck, Farewell, UserRepository
from users.validation import (
    parse_profile,
    parse_traveler,
    profile_document,
    traveler_document,
)

DEFAULT_MAX_TRAVELERS = 20
ERASED_DESCRIPTION = "the token's sign-in predates the deletion of its account; sign in again"
_SEED_CLAIMS = ("email", "given_name", "family_name")


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _new_traveler_id() -> str:
    return TRAVELER_ID_PREFIX + secrets.token_hex(12)


def profile_etag(profile: Profile) -> str:
    return etag("profile", profile.id, profile.version)


def traveler_etag(stored: StoredTraveler) -> str:
    return etag("traveler", stored.traveler.id, stored.version)


def travelers_etag(subject: str, travelers: list[StoredTraveler]) -> str:
    """The list's: changes when a traveler is added, changed or deleted."""
    versions = ",".join(f"{s.traveler.id}:{s.version}" for s in travelers)
    return etag("travelers", subject, hash_versions(versions))


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
    return NotFound(f"you have no saved traveler {clipped(traveler_id)!r}")


def signed_in_before(principal: Principal, *, clock_skew_s: float) -> ErasureCheck:
    """The check a profile's creation runs on its subject's erasure time: `AccountErased`
    unless the token signed in more than `clock_skew_s` after it."""
    signed_in_at = principal.signed_in_at

    def check(erased_at: dt.datetime) -> None:
        erased = erased_at.timestamp()
        if signed_in_at is not None and signed_in_at > erased + clock_skew_s:
            return
        if signed_in_at is not None and signed_in_at > erased:
            detail = (
                f"This account was deleted less than {clock_skew_s:.0f} s before this sign-in, "
                "too close to tell from a sign-in before it, and nothing was made from it. "
                "Sign in again in a moment to start a new, empty profile."
            )
        else:
            detail = (
                "This account was deleted after this session signed in, so the session is "
                "over and nothing was made from it. Sign in again to start a new, empty profile."
            )
        raise AccountErased(detail, challenge=challenge(ERASED_DESCRIPTION))

    return check


class UserService:
    def __init__(
        self,
        repository: UserRepository,
        *,
        max_travelers: int = DEFAULT_MAX_TRAVELERS,
        clock_skew_s: float = CLOCK_LEEWAY_S,
        today: Callable[[], dt.date] = _today,
        new_traveler_id: Callable[[], str] = _new_traveler_id,
    ) -> None:
        self._repository = repository
        self._max_travelers = max_travelers
        self._clock_skew_s = clock_skew_s
        self._today = today
        self._new_traveler_id = new_traveler_id

    # --- the caller's profile ---------------------------------------------------------------

    async def me(self, principal: Principal) -> Profile:
        """The caller's profile, created from the token's claims on the first call;
        `AccountErased` when there is none because the account was erased after the token's
        sign-in."""
        profile = await self._repository.profile(principal.subject)
        if profile is not None:
            return profile
        check = signed_in_before(principal, clock_skew_s=self._clock_skew_s)
        return await self._repository.create_profile(
            principal.subject, self._seed(principal), check
        )

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
        today = self._today()

        # A patch that cannot apply is a 422 whatever its If-Match: knowing the version it
        # should have been sent against would not help the client.
        def change(profile: Profile) -> ProfileFields | None:
            stored = profile_document(profile)
            document = merge_patch(stored, patch)
            kept = stored.get("currency")
            fields = parse_profile(document, today=today, patch=patch, stored_currency=kept)
            check_if_match(if_match, profile_etag(profile))
            return None if fields == profile.fields else fields  # None: no new version

        for _ in range(2):  # once more if the profile was erased in between
            await self.me(principal)
            changed = await self._repository.change_profile(principal.subject, change)
            if changed is not None:
                return changed
        raise Conflict("the profile was erased while this change was applied; retry")

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
        """The traveler with `patch` merged in; 412 when `if_match` is not its current ETag."""
        today = self._today()

        def change(stored: StoredTraveler) -> NewTraveler | None:
            before = traveler_document(stored.traveler)
            fields = parse_traveler(
                merge_patch(before, patch),
                today=today,
                stored_document=before.get("document"),
                patch=patch,
            )
            check_if_match(if_match, traveler_etag(stored))  # after the 422, as for profiles
            return None if fields == _as_new(stored.traveler) else fields

        changed = None
        if is_traveler_id(traveler_id):
            changed = await self._repository.change_traveler(principal.subject, traveler_id, change)
        if changed is None:
            raise _not_found(traveler_id)
        return changed

    async def delete_traveler(
        self, principal: Principal, traveler_id: str, if_match: str | None
    ) -> None:
        def check(stored: StoredTraveler) -> None:
            check_if_match(if_match, traveler_etag(stored))

        deleted = is_traveler_id(traveler_id) and await self._repository.delete_traveler(
            principal.subject, traveler_id, check
        )
        if not deleted:
            raise _not_found(traveler_id)

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

    async def erase(self, subject: str, *, farewell: Farewell | None = None) -> ErasedUser:
        """The subject's profile and saved travelers deleted; what was. Idempotent.
        `farewell`: see `UserRepository.erase`."""
        return await self._repository.erase(subject, farewell=farewell)
