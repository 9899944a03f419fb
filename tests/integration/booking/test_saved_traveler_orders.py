"""Orders booked from saved travelers: resolved through the `SavedTravelers` port (a fake here)
against real PostgreSQL; the order keeps a copy of the traveler as booked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import pytest

from booking.idempotency import PgIdempotencyStore, StoredResponse, fingerprint
from booking.model import CreateOrderRequest, Passenger, TravelerPassenger
from booking.repository import PgOrderRepository
from booking.service import OrderService
from kernel.auth import Principal
from kernel.errors import ServiceUnavailable, ValidationFailed
from tests.fakes import FakeConnector, FakeSavedTravelers, offer
from tests.support.orders import ADA

ALICE = Principal("alice")
OFFER = offer("612.40")
GRACE = TravelerPassenger("adult", "trv_grace", email="grace@example.com")


@pytest.fixture
def travelers() -> FakeSavedTravelers:
    fake = FakeSavedTravelers()
    fake.add("alice", "trv_grace")
    return fake


@pytest.fixture
def service(
    repository: PgOrderRepository, keys: PgIdempotencyStore, travelers: FakeSavedTravelers
) -> OrderService:
    service = OrderService(
        repository,
        keys,
        {"fake": FakeConnector(offers=[OFFER])},
        price_timeout_s=1.0,
        hold_timeout_s=1.0,
    )
    service.use_saved_travelers(travelers)
    return service


async def _create(
    service: OrderService, *passengers: Any, key: str = "k1", who: Principal = ALICE
) -> StoredResponse:
    request = CreateOrderRequest(offer_id=OFFER.id, passengers=passengers)
    fp = fingerprint("POST", "/v1/orders", msgspec.to_builtins(request))
    return await service.create(who, key, request, fp)


def _field_errors(caught: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.message for e in caught.value.errors}


async def test_an_order_from_a_saved_traveler_copies_its_identity_and_the_given_contact(
    service: OrderService, repository: PgOrderRepository
) -> None:
    response = await _create(service, GRACE)

    order = await repository.get(msgspec.json.decode(response.body)["id"])
    assert order is not None
    assert order.passengers == (
        Passenger("adult", "Grace", "Hopper", dt.date(1986, 12, 9), "f", "grace@example.com"),
    )


async def test_editing_the_saved_traveler_later_never_changes_the_order(
    service: OrderService, repository: PgOrderRepository, travelers: FakeSavedTravelers
) -> None:
    response = await _create(service, GRACE)
    travelers.add("alice", "trv_grace", family_name="Murray", born_on=dt.date(1980, 1, 1))

    order = await repository.get(msgspec.json.decode(response.body)["id"])
    assert order is not None
    assert (order.passengers[0].family_name, order.passengers[0].born_on) == (
        "Hopper",
        dt.date(1986, 12, 9),
    )


async def test_another_users_or_an_unknown_traveler_is_named_and_nothing_is_created(
    service: OrderService, repository: PgOrderRepository, travelers: FakeSavedTravelers
) -> None:
    travelers.add("bob", "trv_bobs")
    bobs = TravelerPassenger("adult", "trv_bobs")
    unknown = TravelerPassenger("adult", "trv_nobody")

    with pytest.raises(ValidationFailed) as caught:
        await _create(service, bobs, unknown)

    assert set(_field_errors(caught)) == {"passengers[0].traveler_id", "passengers[1].traveler_id"}
    assert await repository.list_orders(owner="alice", limit=10) == []
    # The key was released: the corrected request goes through under the same key.
    assert (await _create(service, GRACE)).status == 201


async def test_ages_are_checked_against_the_saved_travelers_birth_date(
    service: OrderService, travelers: FakeSavedTravelers
) -> None:
    travelers.add("alice", "trv_kid", born_on=dt.date.today() - dt.timedelta(days=5 * 365))

    with pytest.raises(ValidationFailed) as caught:
        await _create(service, TravelerPassenger("adult", "trv_kid"))

    assert set(_field_errors(caught)) == {"passengers[0].born_on"}


async def test_a_replay_answers_from_the_key_without_looking_the_traveler_up_again(
    service: OrderService, travelers: FakeSavedTravelers
) -> None:
    first = await _create(service, GRACE)
    travelers.saved.clear()

    assert await _create(service, GRACE) == first
    assert travelers.lookups == [("alice", "trv_grace")]


async def test_without_a_user_service_a_traveler_id_is_refused_before_anything_else(
    repository: PgOrderRepository, keys: PgIdempotencyStore
) -> None:
    service = OrderService(
        repository, keys, {"fake": FakeConnector(offers=[OFFER])},
        price_timeout_s=1.0, hold_timeout_s=1.0,
    )  # fmt: skip

    with pytest.raises(ValidationFailed) as caught:
        await _create(service, ADA, GRACE)

    assert _field_errors(caught) == {
        "passengers[1].traveler_id": "saved travelers are not available on this deployment"
    }


async def test_a_user_service_that_cannot_answer_is_a_503_and_creates_nothing(
    service: OrderService, repository: PgOrderRepository, travelers: FakeSavedTravelers
) -> None:
    travelers.fail_with = ServiceUnavailable("users database down")

    with pytest.raises(ServiceUnavailable):
        await _create(service, GRACE)

    assert await repository.list_orders(owner="alice", limit=10) == []
