"""The privacy use cases (skyfare/privacy.py) over real PostgreSQL, with the user service's
side faked: the export gathers orders and payments, the erasure says what went and what stayed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec
import pytest

from booking.idempotency import Claimed, PgIdempotencyStore, StoredResponse, fingerprint
from booking.personal_data import PgPersonalData
from booking.pg import Database
from booking.repository import PgOrderRepository
from booking.state import Change
from kernel.errors import Conflict, ServiceUnavailable
from payment.repository import PgPaymentRepository
from skyfare.auth.cutoffs import CutoffUnavailable
from skyfare.privacy import Privacy
from support.repository import ANONYMOUS_OWNER, ERASED, PgSupportRepository
from tests.support.orders import new_order

NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)


class UserPart(msgspec.Struct, frozen=True):
    subject: str
    travelers: int


class Erased(msgspec.Struct, frozen=True):
    profile: bool
    travelers: int


class FakeUsers:
    """The user service's `export` and `erase`: one profile with two travelers per subject."""

    def __init__(self) -> None:
        self.erased: set[str] = set()
        self.fail_with: BaseException | None = None

    async def export(self, subject: str) -> UserPart:
        return UserPart(subject, 0 if subject in self.erased else 2)

    async def erase(self, subject: str, *, farewell: object = None) -> Erased:
        if self.fail_with is not None:
            raise self.fail_with
        first = subject not in self.erased
        self.erased.add(subject)
        return Erased(profile=first, travelers=2 if first else 0)


class EndedSessions:
    """The session cutoffs' port: what `erase` asked to end, or `fail_with` raised."""

    def __init__(self) -> None:
        self.ended: dict[str, float] = {}
        self.fail_with: BaseException | None = None

    async def end_sessions(self, subject: str, *, at: float) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.ended[subject] = at


@pytest.fixture
def users() -> FakeUsers:
    return FakeUsers()


@pytest.fixture
def sessions() -> EndedSessions:
    return EndedSessions()


@pytest.fixture
def payments(db: Database) -> PgPaymentRepository:
    return PgPaymentRepository(db)


@pytest.fixture
def privacy(
    db: Database, users: FakeUsers, payments: PgPaymentRepository, sessions: EndedSessions
) -> Privacy:
    return Privacy(users, PgPersonalData(db), payments, PgSupportRepository(db), sessions=sessions)


async def _cancelled_order(repository: PgOrderRepository, owner: str) -> str:
    order = await repository.create(new_order(owner), actor=owner)
    for before, after in (("pending", "held"), ("held", "cancelled")):
        change = Change(from_status=(before,), to_status=after, reason=after)  # type: ignore[arg-type]
        assert await repository.transition(order.id, change, actor="test") is not None
    return order.id


async def _payment(payments: PgPaymentRepository, order_id: str, owner: str) -> None:
    async with payments.transaction() as conn:
        await payments.insert(
            conn, payment_id=f"pay_{order_id[4:]}", order_id=order_id, owner=owner,
            amount=Decimal("612.40"), currency="USD",
        )  # fmt: skip


async def test_the_export_holds_the_user_part_and_the_callers_orders_with_payments(
    privacy: Privacy, repository: PgOrderRepository, payments: PgPaymentRepository
) -> None:
    mine = await _cancelled_order(repository, "ada")
    await _payment(payments, mine, "ada")
    await _payment(payments, await _cancelled_order(repository, "bob"), "bob")

    export = msgspec.to_builtins(await privacy.export("ada", now=NOW))

    assert export["user"] == {"subject": "ada", "travelers": 2}
    (order,) = export["orders"]
    assert order["id"] == mine
    assert order["passengers"][0]["email"] == "ada@example.com"
    assert [h["to_status"] for h in order["history"]] == ["pending", "held", "cancelled"]
    assert [p["order_id"] for p in order["payments"]] == [mine]
    assert "owner" not in order
    assert "owner" not in order["payments"][0]


async def test_the_erasure_says_what_was_erased_and_what_was_kept_and_why(
    privacy: Privacy, repository: PgOrderRepository, payments: PgPaymentRepository
) -> None:
    order_id = await _cancelled_order(repository, "ada")
    await _payment(payments, order_id, "ada")

    report = await privacy.erase("ada")

    assert (report.erased.profile, report.erased.saved_travelers) == (True, 2)
    assert report.erased.passengers_contact_details == 1
    assert [(k.what, k.count) for k in report.kept] == [("orders", 1), ("payments", 1)]
    assert all(k.why for k in report.kept)
    order = await repository.get(order_id)
    assert order is not None
    assert order.passengers[0].email is None


async def test_erasing_again_erases_nothing_more_and_keeps_the_same(
    privacy: Privacy, repository: PgOrderRepository
) -> None:
    await _cancelled_order(repository, "ada")
    await privacy.erase("ada")

    again = await privacy.erase("ada")

    assert again.erased == msgspec.structs.replace(
        again.erased, profile=False, saved_travelers=0, passengers_contact_details=0
    )
    assert [(k.what, k.count) for k in again.kept] == [("orders", 1)]


async def test_an_order_in_flight_refuses_before_the_user_service_erases_anything(
    privacy: Privacy, repository: PgOrderRepository, users: FakeUsers
) -> None:
    await repository.create(new_order("ada"), actor="ada")  # pending: the airline not answered

    with pytest.raises(Conflict):
        await privacy.erase("ada")

    assert users.erased == set()


async def test_a_user_service_failure_after_the_orders_is_finished_by_the_retry(
    privacy: Privacy, repository: PgOrderRepository, users: FakeUsers
) -> None:
    await _cancelled_order(repository, "ada")
    users.fail_with = ServiceUnavailable("users database down")
    with pytest.raises(ServiceUnavailable):
        await privacy.erase("ada")
    users.fail_with = None

    report = await privacy.erase("ada")

    assert (report.erased.profile, report.erased.passengers_contact_details) == (True, 0)


async def _case(db: Database, case_id: str, owner: str | None, order_id: str) -> None:
    await PgSupportRepository(db).create(
        case_id, owner=owner, order_id=order_id, helpdesk_id=f"hd_{case_id}",
        subject="Wrong birth date", message="I am Ada, born 1990-12-10, not 1990-12-01",
    )  # fmt: skip


async def test_the_export_lists_the_callers_support_cases_and_the_erasure_anonymises_them(
    privacy: Privacy, repository: PgOrderRepository, db: Database
) -> None:
    mine = await _cancelled_order(repository, "ada")
    theirs = await _cancelled_order(repository, "bob")
    await _case(db, "cas_ada_signed_in", "ada", mine)
    await _case(db, "cas_ada_anonymous", None, mine)  # booking reference + family name
    await _case(db, "cas_bob", "bob", theirs)

    export = msgspec.to_builtins(await privacy.export("ada", now=NOW))
    report = await privacy.erase("ada")

    assert sorted(c["id"] for c in export["support_cases"]) == [
        "cas_ada_anonymous",
        "cas_ada_signed_in",
    ]
    assert export["support_cases"][0]["messages"][0]["body"].startswith("I am Ada")
    assert report.erased.support_cases == 2
    assert ("support_cases", 2) in [(k.what, k.count) for k in report.kept]
    support = PgSupportRepository(db)
    erased = await support.get("cas_ada_signed_in")
    assert erased is not None
    assert erased.subject == ERASED
    assert [m.body for m in erased.messages] == [ERASED]
    assert erased.order_id == mine  # the record of the service given stays
    kept = await support.get("cas_bob")
    assert kept is not None
    assert kept.messages[0].body.startswith("I am Ada")  # another traveler's case: untouched
    again = await privacy.erase("ada")
    assert again.erased.support_cases == 0


async def test_the_erasure_deletes_the_stored_answers_of_anonymous_cases_about_the_orders(
    privacy: Privacy, repository: PgOrderRepository, db: Database
) -> None:
    """An anonymous case opened with an Idempotency-Key keeps its answer (the case, its words)
    under the order's scope for 24 hours: erased with the words of the case itself."""
    mine = await _cancelled_order(repository, "ada")
    theirs = await _cancelled_order(repository, "bob")
    keys = PgIdempotencyStore(db, lease_s=30.0)
    request = fingerprint("POST", "/v1/support/cases", {"message": "I am Ada"})
    for order_id in (mine, theirs):
        owner = f"{ANONYMOUS_OWNER}{order_id}"
        assert isinstance(await keys.claim(owner, "k1", request), Claimed)
        await keys.complete(owner, "k1", StoredResponse(201, b'{"message": "I am Ada"}'))

    await privacy.erase("ada")

    assert not await keys.in_use(f"{ANONYMOUS_OWNER}{mine}", "k1")
    assert await keys.in_use(f"{ANONYMOUS_OWNER}{theirs}", "k1")  # another traveler's


class FailingSupport(PgSupportRepository):
    """The support cases' erasure failing (their database unreachable for it)."""

    async def erase_about(self, subject: str) -> int:
        raise ServiceUnavailable("support cases cannot be erased now")


async def test_a_support_erasure_failure_leaves_the_profile_and_its_confirmation_to_the_retry(
    db: Database,
    repository: PgOrderRepository,
    users: FakeUsers,
    payments: PgPaymentRepository,
    sessions: EndedSessions,
) -> None:
    # The profile's deletion writes the "your account was erased" confirmation in its own
    # transaction: it must come after everything else is erased, or the traveler is told so
    # while their support cases still hold their words.
    order_id = await _cancelled_order(repository, "ada")
    await _case(db, "cas_ada", "ada", order_id)
    failing = Privacy(users, PgPersonalData(db), payments, FailingSupport(db), sessions=sessions)

    with pytest.raises(ServiceUnavailable):
        await failing.erase("ada")

    assert users.erased == set()  # no profile erased, so no confirmation written
    assert sessions.ended == {}  # the token stays good for the retry
    retry = Privacy(users, PgPersonalData(db), payments, PgSupportRepository(db), sessions=sessions)
    report = await retry.erase("ada")
    assert (report.erased.profile, report.erased.support_cases) == (True, 1)


async def test_the_erasure_ends_every_session_signed_in_before_it(
    db: Database, users: FakeUsers, payments: PgPaymentRepository, sessions: EndedSessions
) -> None:
    at = 1_800_000_000.0
    privacy = Privacy(
        users,
        PgPersonalData(db),
        payments,
        PgSupportRepository(db),
        sessions=sessions,
        clock=lambda: at,
    )

    await privacy.erase("ada")

    assert sessions.ended == {"ada": at}


async def test_sessions_not_ended_are_a_503_and_the_retry_ends_them_erasing_nothing_more(
    privacy: Privacy, users: FakeUsers, sessions: EndedSessions
) -> None:
    sessions.fail_with = CutoffUnavailable("Connection refused")

    with pytest.raises(ServiceUnavailable, match="Retry"):
        await privacy.erase("ada")

    assert users.erased == {"ada"}
    sessions.fail_with = None
    report = await privacy.erase("ada")
    assert report.erased.profile is False
    assert "ada" in sessions.ended
