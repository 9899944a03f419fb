"""The fare cache's price accuracy in the bench report: read from /metrics, shown in the summary."""

import msgspec
from prometheus_client import CollectorRegistry, Counter, generate_latest

from bench import mixed, summary
from bench.report import PriceChecks
from tests.unit.bench.samples import result


def exposition(held: int, changed: int, gone: int) -> str:
    """What the API's /metrics says, written by prometheus_client itself."""
    registry = CollectorRegistry()
    counter = Counter("skyfare_cache_price_checks_total", "help", ["outcome"], registry=registry)
    for outcome, count in (("held", held), ("changed", changed), ("gone", gone)):
        counter.labels(outcome).inc(count)
    return generate_latest(registry).decode()


def test_price_checks_are_read_by_outcome_from_the_metrics_text() -> None:
    assert mixed.parse_price_checks(exposition(90, 8, 2)) == PriceChecks(90, 8, 2)


def test_metrics_without_price_checks_read_as_none_checked() -> None:
    assert mixed.parse_price_checks("skyfare_http_requests_total 3.0\n").checked == 0


def test_a_run_counts_what_changed_between_two_scrapes() -> None:
    before, after = PriceChecks(10, 1, 0), PriceChecks(100, 5, 2)
    assert mixed.price_checks_between(before, after) == PriceChecks(90, 4, 2)


def test_the_summary_shows_the_share_of_cached_prices_that_held() -> None:
    sample = result()
    assert sample.mixed is not None
    with_checks = msgspec.structs.replace(
        sample, mixed=msgspec.structs.replace(sample.mixed, price_checks=PriceChecks(90, 8, 2))
    )

    text = summary.render(with_checks)

    assert "| fare cache price accuracy (mixed)" in text
    assert "90 held, 8 changed, 2 gone of 100 | — | 90.0% held |" in text


def test_a_run_without_checks_says_so_and_an_old_result_has_no_row() -> None:
    sample = result()
    assert sample.mixed is not None
    none = msgspec.structs.replace(
        sample, mixed=msgspec.structs.replace(sample.mixed, price_checks=PriceChecks())
    )
    assert "no checks |" in summary.render(none)
    assert "price accuracy" not in summary.render(sample)
