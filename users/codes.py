"""The code lists profile and traveler fields are checked against (pure).

- Airports: the IATA table of `airportsdata` (as search checks them), loaded on first use.
- Airlines: a 2-character IATA designator, letters and digits (`BA`, `U2`, `9W`), not two digits.
- Currencies: ISO 4217 codes of money in circulation (no funds, metals or test codes); the list
  changes every few years (HRK left in 2023, ZWG and XCG arrived in 2024/2025).
- Countries: ISO 3166-1 alpha-2, plus `XK` (Kosovo: user-assigned, but what its passports and
  the EU print).
- Languages: BCP 47 tags, checked for form (RFC 5646's grammar, without the grandfathered
  tags), not against the subtag registry, and written in its conventional case (`en-GB`,
  `zh-Hant-TW`).
"""

from __future__ import annotations

import re

_CURRENCY_CODES = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
    GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF
    KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
    MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
    SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH
    UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""

_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW XK
"""
CURRENCIES: frozenset[str] = frozenset(_CURRENCY_CODES.split())
COUNTRIES: frozenset[str] = frozenset(_COUNTRY_CODES.split())

MAX_LANGUAGE_TAG = 64
_LANGUAGE_TAG = re.compile(
    r"(?:[a-z]{2,3}|[a-z]{5,8})"  # language
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variants
    r"(?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*"  # extensions
    r"(?:-x(?:-[a-z0-9]{1,8})+)?",  # private use
    re.ASCII | re.IGNORECASE,
)


def is_airline_code(code: str) -> bool:
    """A 2-character IATA airline designator, already upper-cased."""
    return len(code) == 2 and code.isascii() and code.isalnum() and not code.isdigit()


def language_tag(raw: str) -> str | None:
    """The tag in BCP 47's conventional case (`en-GB`, `zh-Hant-TW`), or None if malformed."""
    if len(raw) > MAX_LANGUAGE_TAG or _LANGUAGE_TAG.fullmatch(raw) is None:
        return None
    subtags = raw.lower().split("-")
    out = [subtags[0]]
    extension = False  # after a singleton (`u`, `x`, ...) subtags keep their lower case
    for subtag in subtags[1:]:
        extension = extension or len(subtag) == 1
        if not extension and len(subtag) == 4 and subtag.isalpha():
            subtag = subtag.title()
        elif not extension and len(subtag) == 2 and subtag.isalpha():
            subtag = subtag.upper()
        out.append(subtag)
    return "-".join(out)
