"""The SOAP airline's journey changes (OTA_AirBookModifyRQ/RS, sim/soap/ota.xsd): request
bodies for zeep and the typed answers mapped onto `SliceChangeOffer`s (pure)."""

from __future__ import annotations

from typing import Any

from connectors import offer_ids
from connectors.change_model import SliceChangeOffer
from connectors.model import SliceQuery
from connectors.soap.mapping import OUR_CONTEXT, VERSION, to_offer


def reshop_body(
    locator: str, slice_index: int, query: SliceQuery, *, max_connections: int
) -> dict[str, Any]:
    return {
        "Version": VERSION,
        "ModificationType": "Reshop",
        "JourneyRPH": slice_index,
        "MaxStopsQuantity": max_connections,
        "BookingReferenceID": {"ID": locator},
        "OriginDestinationInformation": {
            "DepartureDateTime": query.departure_date,
            "OriginLocation": {"LocationCode": query.origin},
            "DestinationLocation": {"LocationCode": query.destination},
        },
    }


def change_body(locator: str, slice_index: int, fare_id: str, reference: str) -> dict[str, Any]:
    return {
        "Version": VERSION,
        "ModificationType": "Change",
        "JourneyRPH": slice_index,
        "BookingReferenceID": {"ID": locator},
        "FareReference": fare_id,
        "ChangeReference": {"ID": reference, "ID_Context": OUR_CONTEXT},
    }


def undo_body(locator: str, reference: str) -> dict[str, Any]:
    return {
        "Version": VERSION,
        "ModificationType": "Undo",
        "BookingReferenceID": {"ID": locator},
        "ChangeReference": {"ID": reference, "ID_Context": OUR_CONTEXT},
    }


def to_change_offers(rs: Any, *, source: str) -> list[SliceChangeOffer]:
    if rs.PricedItineraries is None:
        return []
    totals = {t.SequenceNumber: t for t in (rs.ReshopTotals.ReshopTotal if rs.ReshopTotals else ())}
    found = []
    for priced in rs.PricedItineraries.PricedItinerary:
        offer = to_offer(priced, source=source)
        total = totals[priced.SequenceNumber]
        found.append(
            SliceChangeOffer(
                supplier_fare_id=offer_ids.decode(offer.id)[1],
                slice=offer.slices[0],
                fare_amount=offer.total_amount,
                tax_difference=total.TaxDifference,
                old_total=total.OldAmount,
                new_total=total.NewAmount,
                currency=total.CurrencyCode,
                conditions=offer.conditions,
                seats_remaining=offer.seats_remaining,
                expires_at=offer.expires_at,
            )
        )
    return found
