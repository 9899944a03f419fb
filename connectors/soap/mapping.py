"""Pure translation between OTA 2003/05 (as zeep objects) and Skyfare's domain (no I/O).

Requests are built as the keyword dictionaries zeep serializes against the WSDL's types; the small
answers arrive as zeep's objects (attribute access; a simpleContent value is `_value_1`). The
shopping answer is read with lxml in `shopping.py`; SOAP faults and OTA `<Errors>` of both paths
become domain errors here (`fault_error`, `ota_error`), so they mean the same whichever parsed them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import msgspec

from connectors import errors, offer_ids
from connectors.model import (
    CabinClass,
    Conditions,
    FlightQuery,
    Hold,
    HoldPassenger,
    Offer,
    Owner,
    Passengers,
    PricedOffer,
    Segment,
    Slice,
    iso_duration,
)

VERSION = Decimal("2.001")
OUR_CONTEXT = "SKYFARE"  # BookingReferenceID@ID_Context of our own order ids
CABIN_TO_OTA: dict[CabinClass, str] = {
    "economy": "Economy",
    "premium_economy": "PremiumEconomy",
    "business": "Business",
    "first": "First",
}
CABIN_FROM_OTA: dict[str, CabinClass] = {v: k for k, v in CABIN_TO_OTA.items()}
_PAX_TYPE = {"adult": "ADT", "child": "CHD", "infant": "INF"}
_GENDER = {"m": "Male", "f": "Female", "x": "Unknown"}
HOLD_STATUS: dict[str, Literal["held", "ticketed", "cancelled"]] = {
    "Held": "held",
    "Ticketed": "ticketed",
    "Cancelled": "cancelled",
}
PRICE_CHANGED = "PCH"
_REJECTIONS: dict[str, type[errors.SupplierRejected]] = {
    "FNF": errors.OfferNotFound,
    "FXP": errors.OfferExpired,
    "SOL": errors.SoldOut,
    "BNF": errors.HoldNotFound,
    "BCX": errors.InvalidRequest,
    "CUR": errors.InvalidRequest,
    "IPX": errors.InvalidRequest,
    "BRQ": errors.InvalidRequest,
    "SNA": errors.SeatUnavailable,
    "NCH": errors.NotChangeable,
    "CNF": errors.ChangeNotFound,
    "IFR": errors.InvalidRequest,
}
SEAT_RESTRICTED = "SRS"  # ShortText "<seat>: <rule>", as the REST airline words it


def search_body(query: FlightQuery) -> dict[str, Any]:
    pax = query.passengers
    counts = (("ADT", pax.adults), ("CHD", pax.children), ("INF", pax.infants))
    return {
        "Version": VERSION,
        "OriginDestinationInformation": [
            {
                "DepartureDateTime": s.departure_date,
                "OriginLocation": {"LocationCode": s.origin},
                "DestinationLocation": {"LocationCode": s.destination},
            }
            for s in query.slices
        ],
        "TravelPreferences": {
            "MaxStopsQuantity": query.max_connections,
            "CabinPref": {"Cabin": CABIN_TO_OTA[query.cabin_class]},
        },
        "TravelerInfoSummary": {
            "AirTravelerAvail": {
                "PassengerTypeQuantity": [{"Code": code, "Quantity": n} for code, n in counts if n]
            },
            "PriceRequestInformation": {"CurrencyCode": query.currency},
        },
    }


def price_body(fare_reference: str) -> dict[str, Any]:
    return {"Version": VERSION, "PriceRequestInformation": {"FareReference": fare_reference}}


def book_body(
    fare_reference: str, passengers: Sequence[HoldPassenger], *, reference: str
) -> dict[str, Any]:
    # OTA numbers the travellers from 1 (RPH); an infant carries the RPH of the adult whose lap
    # it is on (the sim's ota.xsd, as airlines' reservation systems attach an infant to an adult).
    # Only infants carry the element, so a hold without one is the body older schemas take.
    holders = {
        p.lap_infant: str(i + 1) for i, p in enumerate(passengers) if p.lap_infant is not None
    }
    travellers: list[dict[str, Any]] = []
    for i, p in enumerate(passengers):
        traveller = {
            "PersonName": {"GivenName": p.given_name, "Surname": p.family_name},
            "PassengerTypeCode": _PAX_TYPE[p.type],
            "BirthDate": p.born_on,
            "Gender": _GENDER[p.gender],
        }
        if i in holders:
            traveller["TravelerRefNumber"] = {"RPH": holders[i]}
        travellers.append(traveller)
    return {
        "Version": VERSION,
        "PriceInfo": {"FareReference": fare_reference},
        "TravelerInfo": {"AirTraveler": travellers},
        "BookingReferenceID": {"ID": reference, "ID_Context": OUR_CONTEXT},
    }


def read_body(reference: str) -> dict[str, Any]:
    return {"Version": VERSION, "UniqueID": {"ID": reference, "ID_Context": OUR_CONTEXT}}


def ticket_body(locator: str) -> dict[str, Any]:
    return {"Version": VERSION, "DemandTicketDetail": {"BookingReferenceID": {"ID": locator}}}


def cancel_body(locator: str) -> dict[str, Any]:
    return {"Version": VERSION, "CancelType": "Commit", "UniqueID": {"ID": locator}}


def to_network(rs: Any) -> tuple[Owner, frozenset[str]]:
    airline = rs.Airline
    return Owner(iata_code=airline.Code, name=airline._value_1 or airline.Code), frozenset(
        a.LocationCode for a in rs.Airports.Airport
    )


def to_priced_offer(rs: Any, *, source: str) -> PricedOffer:
    offer = to_offer(rs.PricedItineraries.PricedItinerary[0], source=source)
    changed = any(w.Code == PRICE_CHANGED for w in _warnings(rs))
    return PricedOffer(**msgspec.structs.asdict(offer), price_changed=changed)


def to_offer(priced: Any, *, source: str) -> Offer:
    pricing = priced.AirItineraryPricingInfo
    total = pricing.ItinTotalFare
    info = pricing.FareInfos.FareInfo
    rules = info.RuleInfo.ChargesRules
    return Offer(
        id=offer_ids.encode(source, info.FareReference),
        total_amount=total.TotalFare.Amount,
        total_currency=total.TotalFare.CurrencyCode,
        base_amount=total.BaseFare.Amount,
        tax_amount=total.Taxes.Amount,
        owner=Owner(iata_code=info.FilingAirline.Code, name=info.FilingAirline._value_1 or ""),
        source=source,
        expires_at=_utc(priced.TicketingInfo.TicketTimeLimit),
        seats_remaining=info.SeatsRemaining,
        conditions=Conditions(
            refundable=rules.VoluntaryRefunds.VolChangeInd,
            changeable=rules.VoluntaryChanges.VolChangeInd,
        ),
        slices=tuple(
            _to_slice(o)
            for o in priced.AirItinerary.OriginDestinationOptions.OriginDestinationOption
        ),
        passengers=_passengers(pricing.PTC_FareBreakdowns.PTC_FareBreakdown),
    )


def _to_slice(option: Any) -> Slice:
    segments = tuple(
        Segment(
            marketing_carrier=s.MarketingAirline.Code,
            flight_number=f"{s.MarketingAirline.Code}{s.FlightNumber}",
            origin=s.DepartureAirport.LocationCode,
            destination=s.ArrivalAirport.LocationCode,
            departing_at=s.DepartureDateTime,
            arriving_at=s.ArrivalDateTime,
            aircraft=s.Equipment.AirEquipType,
            cabin_class=CABIN_FROM_OTA[s.Cabin],
        )
        for s in option.FlightSegment
    )
    minutes = int(option.JourneyDuration.total_seconds()) // 60
    return Slice(
        origin=segments[0].origin,
        destination=segments[-1].destination,
        duration=iso_duration(minutes),
        segments=segments,
    )


def _passengers(breakdowns: Iterable[Any]) -> Passengers:
    counts = {b.PassengerTypeQuantity.Code: b.PassengerTypeQuantity.Quantity for b in breakdowns}
    return Passengers(
        adults=counts.get("ADT", 0), children=counts.get("CHD", 0), infants=counts.get("INF", 0)
    )


def to_hold(rs: Any) -> Hold:
    reservation = rs.AirReservation
    ids = {r.ID_Context: r.ID for r in reservation.BookingReferenceID}
    locator = next(r.ID for r in reservation.BookingReferenceID if r.ID_Context != OUR_CONTEXT)
    total = reservation.PriceInfo.ItinTotalFare.TotalFare
    ticketing = reservation.Ticketing
    return Hold(
        locator=locator,
        reference=ids[OUR_CONTEXT],
        status=HOLD_STATUS[ticketing.TicketingStatus],
        total_amount=total.Amount,
        total_currency=total.CurrencyCode,
        payment_required_by=_utc(ticketing.TicketTimeLimit),
        ticket_numbers=tuple(ticketing.TicketDocumentNbr or ()),
    )


class CredentialsRejected(errors.ConnectorError):
    """The airline refused our WS-Security credentials (a SOAP Fault): a configuration problem,
    so it is not in the resilience layer's retryable set and fails fast on every call."""


def fault_error(code: str, message: str | None, *, airline: str) -> errors.ConnectorError:
    """The domain error for a SOAP 1.1 Fault (`code`: its faultcode, "" without one)."""
    if code.endswith("FailedAuthentication"):
        return CredentialsRejected(f"{airline}: credentials rejected: {message}")
    if code.endswith("Client"):
        return errors.InvalidRequest(f"{airline}: SOAP fault {code}: {message}")
    return errors.ConnectorUnavailable(f"{airline}: SOAP fault {code}: {message}")


def rejection(errors_node: Any, *, airline: str) -> errors.ConnectorError:
    """The domain error for a zeep-parsed answer's OTA `<Errors>` (its first error decides)."""
    error = errors_node.Error[0]
    return ota_error(error.Type, error.Code, error.ShortText, error._value_1, airline=airline)


def ota_error(
    type_: str | None,
    code: str | None,
    short_text: str | None,
    text: str | None,
    *,
    airline: str,
) -> errors.ConnectorError:
    """The domain error for one OTA `<Error Type Code ShortText>text</Error>`."""
    code = code or ""
    message = f"{airline}: OTA error {type_}/{code}" + (f" ({short_text})" if short_text else "")
    if code == PRICE_CHANGED:
        # The sim writes the new total as the error's text: "<amount> <currency>".
        amount, _, currency = (text or "").partition(" ")
        try:
            return errors.PriceChanged(message, new_amount=Decimal(amount), currency=currency)
        except InvalidOperation:
            return errors.InvalidRequest(message)
    if code == SEAT_RESTRICTED:
        return errors.SeatRestricted(message, rule=(short_text or "").rpartition(": ")[2])
    return _REJECTIONS.get(code, errors.InvalidRequest)(message)


def _warnings(rs: Any) -> list[Any]:
    return [] if rs.Warnings is None else list(rs.Warnings.Warning)


def _utc(value: dt.datetime) -> dt.datetime:
    """OTA time limits are UTC; one without an offset is read as UTC too."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
