"""Data: the busiest airport of some of IATA's metropolitan areas, with where that is written.

airportsdata has no traffic figures, and its list of metropolitan areas (`iata_macs.csv`) lists
each area's airports by code, which says nothing about which one travelers mean. So "lon" offered
London City before Heathrow. This table names, for the areas where a published passenger count
says so, the airport with the most passengers; search/airports.py offers it first among its
area's airports. An area not here keeps the order of its airports' names (no guess is made).

Each row: the area's IATA code, its busiest airport, and the evidence (figures, year, source).
Keep a row only with such a source; a newer count that changes the busiest airport changes it.
"""

from __future__ import annotations

from typing import NamedTuple


class Primary(NamedTuple):
    metro: str  # IATA metropolitan area code (airportsdata iata_macs.csv)
    airport: str  # its busiest airport by passengers, per `source`
    source: str


# ACI: Airports Council International's World Airport Traffic Dataset, 2025 edition (2024 full
# year). DXB, DFW, HND, LHR, IST, ORD and PVG are among its 10 busiest airports by passengers,
# and no other airport of their areas is, as reported by
# https://en-test.56ok.com/topic/detail-819448-atlanta-airport-remains-worlds-busiest-amid-passenger-growth-challenges.html
# (DXB 2nd, DFW 3rd, HND ~86 M, LHR 5th, ORD 8th),
# https://www.wionews.com/photos/world-s-10-busiest-airports-of-2024-revealed-can-you-guess-which-indian-city-made-it-to-the-list-1751967274833
# (IST 7th, ORD 8th, PVG 10th) and
# https://www.ttrweekly.com/site/2025/07/aci-ranks-the-worlds-busiest-airports/ (PVG 10th).
_ACI_2024 = "ACI 2024 top 10 by passengers; no other airport of the area in it"
# ACI's 2015 full-year figures, in order
# (http://everything.explained.today/List_of_busiest_airports_by_passenger_traffic_(2010%e2%80%932015)/
# to rank 19, https://worldairportcodes.com beyond): the airport is listed at that rank, and its
# area's other airports are not listed above it.
_ACI_2015 = (
    "ACI 2015 full-year ranking: {rank}, {passengers} passengers; "
    "no other airport of the area above it"
)

PRIMARIES: tuple[Primary, ...] = (
    Primary("LON", "LHR", "UK CAA 2023: Heathrow 79,180,434 passengers, 1st in the UK; Gatwick 2nd "
            "(https://en.wikipedia.org/wiki/List_of_busiest_airports_in_the_United_Kingdom); "
            "2018: LHR 80.1 M, LGW 46.1 M, STN 28.0 M, LTN 16.6 M, LCY 4.8 M "
            "(https://en.wikipedia.org/wiki/Airports_of_London)"),
    Primary("TYO", "HND", _ACI_2024),
    Primary("DXB", "DXB", _ACI_2024),
    Primary("DFW", "DFW", _ACI_2024),
    Primary("IST", "IST", _ACI_2024),
    Primary("SHA", "PVG", _ACI_2024),
    Primary("CHI", "ORD", _ACI_2024),
    Primary("PAR", "CDG", _ACI_2015.format(rank="9th", passengers="65,766,986")),
    Primary("NYC", "JFK", _ACI_2015.format(rank="15th", passengers="56,827,154")),
    Primary("JKT", "CGK", _ACI_2015.format(rank="18th", passengers="54,053,905")),
    Primary("BKK", "BKK", _ACI_2015.format(rank="20th", passengers="52,808,013")),
    Primary("SEL", "ICN", _ACI_2015.format(rank="22nd", passengers="49,412,750")),
    Primary("SAO", "GRU", "Brazil ANAC 2019: Guarulhos 12.6 % of domestic movements, Congonhas "
            "10.7 %, Viracopos 6.2 % (https://centreforaviation.com/news/"
            "brazil-reports-record-1194m-passengers-in-2019-1020184)"),
    Primary("YTO", "YYZ", "Toronto Pearson 50.5 M passengers in 2019, Canada's busiest "
            "(https://myfunkytravel.com/busiest-airports-in-canada.html); Billy Bishop 2.8 M in "
            "2018 (https://www.soairportnetwork.com/members/2018/1/17/"
            "billy-bishop-toronto-city-airport-ytz)"),
)  # fmt: skip
