"""Re-record the sample payloads of `samples/` from the simulated NDC airline.

Run `.venv/bin/python -m tests.unit.connectors.ndc.record_samples` from the repository root; the
tests read the files as recorded, so re-recording means updating the expected values too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lxml import etree

from sim import errors, seat_sales, wire
from sim.ndc import responses, seat_messages, seat_orders
from sim.world import World
from tests.support.sim_bookings import family_booking, free_seats

SAMPLES = Path(__file__).parent / "samples"
DAY = dt.date(2026, 12, 24)


def _write(name: str, root: etree._Element) -> None:
    payload = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    (SAMPLES / name).write_bytes(payload)


def main() -> None:
    world = World(42, clock=lambda: dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC))
    crimson = world.airlines["crimson"]
    spec = crimson.spec
    family = wire.ShoppingRequest(
        journeys=(
            wire.JourneyRequest("LHR", "JFK", DAY),
            wire.JourneyRequest("JFK", "LHR", DAY + dt.timedelta(days=7)),
        ),
        travellers=wire.Travellers(ADT=2, CHD=1, INF=1),
        currency="GBP",
    )
    quotes = crimson.shop(family)
    _write("air_shopping_round_trip_rs.xml", responses.shopping_response(quotes, spec))
    connection = wire.ShoppingRequest(
        journeys=(wire.JourneyRequest("JFK", "DEL", DAY),), cabin="C", currency="USD"
    )
    _write(
        "air_shopping_connections_rs.xml",
        responses.shopping_response(crimson.shop(connection), spec),
    )
    _write("air_shopping_empty_rs.xml", responses.shopping_response([], spec))
    quote, _ = crimson.price(quotes[0].fare_id)
    _write("offer_price_rs.xml", responses.offer_price_response(quote, spec, changed=False))
    _write("offer_price_changed_rs.xml", responses.offer_price_response(quote, spec, changed=True))
    passengers = tuple(
        wire.BookingPassenger(ptc, "Ada", "Lovelace", dt.date(1990, 1, 1), "F")
        for ptc in ("ADT", "ADT", "CHD", "INF")
    )
    booking, _ = crimson.book(wire.BookingRequest(quote.fare_id, "ord_sample", passengers))
    _write("order_view_held_rs.xml", responses.order_response(booking, spec))
    crimson.ticket(booking.locator)
    _write("order_view_ticketed_rs.xml", responses.order_response(booking, spec))
    _write("order_reshop_cancel_rs.xml", responses.cancel_quote_response(booking, spec))
    crimson.cancel(booking.locator)
    _write("order_cancel_rs.xml", responses.order_response(booking, spec))
    refusals = {
        "error_offer_expired_rs.xml": ("IATA_OfferPriceRS", errors.fare_expired()),
        "error_offer_not_found_rs.xml": ("IATA_OfferPriceRS", errors.fare_not_found()),
        "error_sold_out_rs.xml": ("IATA_OrderViewRS", errors.sold_out()),
        "error_order_not_found_rs.xml": ("IATA_OrderViewRS", errors.booking_not_found()),
        "error_price_changed_rs.xml": (
            "IATA_OrderViewRS",
            errors.AirlineError(409, "price_changed", "the fare's price moved", price=quote.price),
        ),
    }
    for name, (tag, error) in refusals.items():
        _write(name, responses.error_response(tag, error))
    _write("network_rs.xml", responses.network_response(spec, crimson.airports))
    record_seat_availability(world)


def record_seat_availability(world: World) -> None:
    """A family's business-class seat map of a one-stop journey (the 789's 1-2-1 cabin)."""
    crimson = world.airlines["crimson"]
    business = wire.ShoppingRequest(
        journeys=(wire.JourneyRequest("LHR", "JFK", DAY),),
        travellers=wire.Travellers(ADT=1, CHD=1, INF=1),
        cabin="C",
    )
    quote = crimson.shop(business)[0]
    maps = seat_sales.fare_seat_maps(crimson, quote.fare_id)
    _write("seat_availability_rs.xml", seat_messages.seat_availability_response(crimson, maps))
    record_seat_order(world)


def record_seat_order(world: World) -> None:
    """An adult's and a child's paid economy seats on a held LHR-JFK order, and the refusals."""
    crimson = world.airlines["crimson"]
    booking = family_booking(crimson, "LHR", "JFK", DAY, reference="ord_seats")
    maps = seat_sales.booking_seat_maps(crimson, booking.locator)
    _write(
        "seat_availability_order_rs.xml", seat_messages.seat_availability_response(crimson, maps)
    )
    paid = free_seats(crimson, booking, window=True)
    choices = [seat_sales.SeatChoice(0, 0, paid[0]), seat_sales.SeatChoice(0, 1, paid[1])]
    seat_sales.choose_seats(crimson, booking.locator, choices)
    _write("order_view_seats_rs.xml", seat_orders.order_view(crimson, booking))
    refusals = {
        "error_seat_unavailable_rs.xml": errors.AirlineError(
            409, "seat_unavailable", "30A is taken"
        ),
        "error_seat_restricted_rs.xml": errors.AirlineError(
            422, "seat_restricted", "12C: exit_row_child"
        ),
    }
    for name, error in refusals.items():
        _write(name, responses.error_response("IATA_OrderViewRS", error))


if __name__ == "__main__":
    main()
