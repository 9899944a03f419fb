import pytest

from connectors.model import Passengers, iso_duration, parse_iso_duration


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "PT0M"),
        (45, "PT45M"),
        (60, "PT1H"),
        (490, "PT8H10M"),
        (1440, "P1D"),
        (1530, "P1DT1H30M"),
    ],
)
def test_iso_duration_formats_and_parses_back(minutes: int, text: str) -> None:
    assert iso_duration(minutes) == text
    assert parse_iso_duration(text) == minutes


def test_infants_do_not_take_a_seat() -> None:
    pax = Passengers(adults=2, children=1, infants=1)
    assert pax.seated == 3
    assert pax.total == 4
