"""The exchange recorder fails a test on an NDC message its schema refuses, naming the element."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.ndc_exchanges import Exchange, ExchangeRecorder, schema_folder

SAMPLES = Path(__file__).parent / "samples"
GOOD_RQ = (Path(__file__).parents[3] / "data" / "ndc" / "air_shopping_rq_by_hand.xml").read_bytes()
GOOD_RS = (SAMPLES / "air_shopping_empty_rs.xml").read_bytes()
# The pre-21.3 dialect: PayloadAttributes first and no DistributionChain.
OLD_RQ = (
    b'<IATA_AirShoppingRQ xmlns="http://www.iata.org/IATA/2015/EASD/00/'
    b'IATA_OffersAndOrdersMessage"><PayloadAttributes><VersionNumber>21.3</VersionNumber>'
    b"</PayloadAttributes><Request/></IATA_AirShoppingRQ>"
)


def recorded(*exchanges: Exchange) -> ExchangeRecorder:
    recorder = ExchangeRecorder()
    recorder.exchanges.extend(exchanges)
    return recorder


def test_valid_messages_both_ways_pass() -> None:
    recorder = recorded(Exchange("/ndc/x/AirShopping", GOOD_RQ, 200, GOOD_RS))

    assert recorder.problems(schema_folder()) == []
    recorder.check(schema_folder())


def test_an_invalid_request_is_named_with_its_direction_and_element() -> None:
    recorder = recorded(Exchange("/ndc/x/AirShopping", OLD_RQ, 200, GOOD_RS))

    [problem] = recorder.problems(schema_folder())

    assert "exchange 1 (/ndc/x/AirShopping), request" in problem
    assert "Element 'PayloadAttributes': This element is not expected" in problem
    assert "DistributionChain" in problem
    with pytest.raises(pytest.fail.Exception, match="PayloadAttributes"):
        recorder.check(schema_folder())


def test_an_invalid_or_broken_answer_fails_even_when_requests_are_bad_on_purpose() -> None:
    recorder = recorded(
        Exchange("/ndc/x/AirShopping", b"<oops", 400, OLD_RQ),
        Exchange("/ndc/x/OfferPrice", b"<oops", 400, b"<truncated"),
    )
    recorder.expect_invalid_requests()

    first, second = recorder.problems(schema_folder())

    assert first.startswith("exchange 1 (/ndc/x/AirShopping), answer: IATA_AirShoppingRQ line 1")
    assert second.startswith("exchange 2 (/ndc/x/OfferPrice), answer: not well-formed XML")
