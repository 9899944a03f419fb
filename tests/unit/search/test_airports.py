"""The airports type-ahead's order (search/airports.py): a major city's airports before a
smaller namesake's, by IATA's metropolitan areas."""

from __future__ import annotations

import airportsdata

from search.airports import match_airports
from search.metro_primary import PRIMARIES

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


def test_a_city_s_busiest_airport_comes_first_where_a_count_names_it() -> None:
    # search/metro_primary.py: Heathrow before London City, whatever the alphabet says.
    assert codes("lon")[0] == codes("london")[0] == "LHR"
    assert set(codes("lon")[1:5]) == LONDON_METRO - {"LHR"}
    assert codes("tokyo")[:2] == ["HND", "NRT"]
    assert codes("chicago")[:2] == ["ORD", "MDW"]
    assert codes("shanghai")[:2] == ["PVG", "SHA"]
    assert codes("seoul")[:2] == ["ICN", "GMP"]


def test_an_airport_code_typed_beats_its_area_s_busiest() -> None:
    # "sha" is Hongqiao's code (and Shanghai's area code): the airport typed comes first.
    assert codes("sha")[:2] == ["SHA", "PVG"]
    assert codes("lcy")[0] == "LCY"


def test_an_area_s_name_finds_its_airports_outside_the_city_itself() -> None:
    # Pearson's city is Mississauga, Istanbul Airport's "Arnavutköy, Istanbul".
    assert codes("toronto")[:2] == ["YYZ", "YTZ"]
    assert codes("istanbul")[0] == "IST"
    assert codes("sao paulo")[0] == "GRU"


def test_every_busiest_airport_belongs_to_its_area_and_says_where_it_is_written() -> None:
    macs = airportsdata.load_iata_macs()
    for primary in PRIMARIES:
        assert primary.airport in macs[primary.metro]["airports"], primary
        assert "http" in primary.source or primary.source.startswith("ACI"), primary
    assert len({p.metro for p in PRIMARIES}) == len(PRIMARIES)
