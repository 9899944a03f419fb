"""The hold path's answers (OTA_AirPriceRS, OTA_AirBookRS) read with lxml into the domain.

zeep's typed parse of these small answers cost ~2.1 ms (Price) and ~0.5 ms (Book) of the event
loop per order, against ~0.11 and ~0.06 ms here (bench/soap_booking_cost.py, results in
bench/results/2026-12-04-hold-path.md): with a re-price and a hold per order, zeep's parse was
the largest single cost of a SOAP airline's hold. The envelope checks, faults and OTA `<Errors>`
are shopping.py's (zeep's order and translation); the priced itinerary is the shopping answer's,
read by the same code. zeep still builds every request.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from connectors import errors
from connectors.model import Hold, PricedOffer
from connectors.soap.mapping import HOLD_STATUS, OUR_CONTEXT, PRICE_CHANGED
from connectors.soap.shopping import (
    Malformed,
    _attr,
    _child,
    _kid,
    _kids,
    _offer,
    _q,
    _rejection,
    _response,
    _utc,
)

# shopping.py's reading helpers, as seats.py uses them: one reader of OTA envelopes and elements
from kernel.logs import describe

_PRICE_RS, _BOOK_RS = _q("OTA_AirPriceRS"), _q("OTA_AirBookRS")
_READ_ERRORS = (ValueError, ArithmeticError, KeyError, IndexError, StopIteration)


def to_priced_offer(status: int, payload: bytes, *, source: str) -> PricedOffer:
    """The first priced itinerary of a Price answer, `price_changed` when it warns PCH."""
    kids = _answer(status, payload, rs=_PRICE_RS, airline=source)
    try:
        itinerary = _first(_kid(kids, "PricedItineraries"), "PricedItinerary")
        offer = _offer(itinerary, source)
        warnings = kids.get(_q("Warnings"))
        changed = warnings is not None and any(
            w.tag == _q("Warning") and w.get("Code") == PRICE_CHANGED for w in warnings
        )
    except _READ_ERRORS as exc:
        raise errors.ConnectorUnavailable(
            f"{source}: unexpected Price answer: {describe(exc)}"
        ) from exc
    fields = {f: getattr(offer, f) for f in offer.__struct_fields__}
    return PricedOffer(**fields, price_changed=changed)


def to_hold(status: int, payload: bytes, *, airline: str) -> Hold:
    """The reservation of a Book answer: its locator, our reference, price and time limit."""
    kids = _answer(status, payload, rs=_BOOK_RS, airline=airline)
    try:
        reservation = _kid(kids, "AirReservation")
        parts = _kids(reservation)
        references = [
            (_attr(r, "ID_Context"), _attr(r, "ID"))
            for r in reservation
            if r.tag == _q("BookingReferenceID")
        ]
        ours = dict(references)[OUR_CONTEXT]
        locator = next(ref for context, ref in references if context != OUR_CONTEXT)
        fare = _kids(_kid(_kids(_kid(parts, "PriceInfo")), "ItinTotalFare"))
        total = _kid(fare, "TotalFare")
        ticketing = _kid(parts, "Ticketing")
        return Hold(
            locator=locator,
            reference=ours,
            status=HOLD_STATUS[_attr(ticketing, "TicketingStatus")],
            total_amount=Decimal(_attr(total, "Amount")),
            total_currency=_attr(total, "CurrencyCode"),
            payment_required_by=_utc(_attr(ticketing, "TicketTimeLimit")),
            ticket_numbers=tuple(
                n.text or "" for n in ticketing if n.tag == _q("TicketDocumentNbr")
            ),
        )
    except _READ_ERRORS as exc:
        raise errors.ConnectorUnavailable(
            f"{airline}: unexpected Book answer: {describe(exc)}"
        ) from exc


def _answer(status: int, payload: bytes, *, rs: str, airline: str) -> dict[str, etree._Element]:
    """The answer's children by tag; its Fault or first OTA Error raised as the domain error."""
    kids = _kids(_response(status, payload, airline=airline, rs=rs))
    errors_node = kids.get(_q("Errors"))
    if errors_node is not None:
        raise _rejection(errors_node, airline=airline)
    return kids


def _first(parent: etree._Element, name: str) -> etree._Element:
    found = _child(parent, _q(name))
    if found is None:
        raise Malformed(f"{name} missing")
    return found
