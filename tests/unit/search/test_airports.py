"""The airports type-ahead's order (search/airports.py): a major city's airports before a
smaller namesake's, by IATA's metropolitan areas."""

from __future__ import annotations

from search.airports import match_airports

LONDON_METRO = {"LCY", "LGW", "LHR", "LTN", "STN"}  # IATA's LON


def codes(query: str, limit: int = 20) -> list[str]:
    return [airport.code for airport in match_airports(query, limit)]


def test_a_metropolitan_area_s_code_offers_its_airports_first() -> None:
    assert set(codes("lon")[:5]) == LONDON_METRO
    assert codes("nyc")[:2] == ["JFK", "LGA"]
    assert set(codes("PAR")[:2]) == {"CDG", "ORY"}


def test_a_city_prefix_offers_the_major_city_before_its_namesakes() -> None:
    london = codes("lond")
    assert set(london[:5]) == LONDON_METRO
    # London, Ontario and London, Kentucky come after every airport of London, England.
    assert london.index("YXU") > london.index("BQH")
    assert london.index("LOZ") > london.index("BQH")


def test_a_name_word_offers_a_metropolitan_area_s_airport_first() -> None:
    # Ashland's "John F. Kennedy Memorial" matches as well as New York's JFK.
    assert codes("kennedy")[0] == "JFK"
    assert "ASX" in codes("kennedy")


def test_an_exact_airport_code_still_comes_first() -> None:
    assert codes("lhr")[0] == "LHR"
    assert codes("ber")[0] == "BER"
    # an airport code that is also the start of cities' names: the airport first
    assert codes("man")[0] == "MAN"


def test_the_limit_cuts_after_ranking() -> None:
    assert codes("lon", limit=3) == codes("lon")[:3]
    assert len(codes("lon", limit=3)) == 3
