"""bench/bulk_cpu.py runs the bulk path in-process, every query answered, without Redis."""

from bench.bulk_cpu import measure


async def test_it_measures_a_whole_batch_and_its_first_chunk() -> None:
    found = await measure(2)

    assert set(found) == {
        "first_cpu_ms_median", "first_cpu_ms_min", "last_cpu_ms_median", "last_cpu_ms_min",
    }  # fmt: skip
    assert found["first_cpu_ms_min"] <= found["last_cpu_ms_min"]  # the first chunk is in it
