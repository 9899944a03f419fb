import pytest

from connectors import offer_ids
from kernel.errors import NotFound


def test_offer_id_round_trips_connector_and_supplier_id() -> None:
    offer_id = offer_ids.encode("rest-britannia", "abc.DEF-123_x")
    assert offer_id.startswith("off_")
    assert offer_ids.decode(offer_id) == ("rest-britannia", "abc.DEF-123_x")


def test_offer_id_is_url_safe() -> None:
    offer_id = offer_ids.encode("soap-airline", "a/b+c?d=e&f")
    assert all(ch.isalnum() or ch in "_-" for ch in offer_id)


@pytest.mark.parametrize(
    "garbage",
    ["", "off_", "nope", "off_!!!", "off_" + "A" * 3000, "off_c29tZXRoaW5n", "ord_abc"],
)
def test_decode_rejects_garbage(garbage: str) -> None:
    with pytest.raises(offer_ids.InvalidOfferId):
        offer_ids.decode(garbage)


@pytest.mark.parametrize(
    ("source", "supplier_id"),
    [("rest-britannia", "F1\x00"), ("rest-britannia", "F1\n"), ("rest-\x00", "F1"), ("x", "é")],
)
def test_decode_rejects_ids_that_carry_control_or_non_ascii_characters(
    source: str, supplier_id: str
) -> None:
    # Anyone can base64 them; they would reach the airline (and lxml refuses NUL in XML).
    with pytest.raises(offer_ids.InvalidOfferId):
        offer_ids.decode(offer_ids.encode(source, supplier_id))


def test_the_issuer_of_an_offer_is_its_configured_connector() -> None:
    connectors = {"rest-britannia": "the connector"}
    offer_id = offer_ids.encode("rest-britannia", "F1")

    assert offer_ids.issuer(offer_id, connectors) == ("rest-britannia", "the connector", "F1")


@pytest.mark.parametrize("offer_id", ["nope", offer_ids.encode("soap-elsewhere", "F1")])
def test_an_offer_we_did_not_issue_or_cannot_reach_is_not_found(offer_id: str) -> None:
    with pytest.raises(NotFound, match="unknown offer"):
        offer_ids.issuer(offer_id, {"rest-britannia": "the connector"})
