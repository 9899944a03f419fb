import pytest

from connectors.errors import BulkheadFull
from connectors.resilience import Bulkhead


def test_refuses_at_once_when_every_slot_is_taken() -> None:
    bulkhead = Bulkhead("air", 2)
    bulkhead.acquire()
    assert bulkhead.try_acquire()
    assert not bulkhead.try_acquire()
    with pytest.raises(BulkheadFull) as refused:
        bulkhead.acquire()
    assert refused.value.status == "skipped"
    assert bulkhead.in_flight == 2


def test_a_released_slot_can_be_taken_again() -> None:
    bulkhead = Bulkhead("air", 1)
    bulkhead.acquire()
    bulkhead.release()
    bulkhead.acquire()
    assert bulkhead.in_flight == 1


def test_releasing_more_than_acquired_is_a_bug() -> None:
    bulkhead = Bulkhead("air", 1)
    with pytest.raises(RuntimeError):
        bulkhead.release()
