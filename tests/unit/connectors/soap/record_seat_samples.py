"""Re-record the SOAP seat-selection samples of `samples/` (and the WSDL and XSD beside them)
from the simulated SOAP airline.

Run `.venv/bin/python -m tests.unit.connectors.soap.record_seat_samples` from the repository
root; the tests read the files as recorded.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

from lxml import etree

from sim import errors
from sim.soap import envelope, messages, seat_messages
from sim.world import World
from tests.support.sim_bookings import family_booking, free_seats

SAMPLES = Path(__file__).parent / "samples"
DAY = dt.date(2026, 12, 24)
BASE = "http://sim.invalid/soap/nordic"  # where tests/unit/connectors/soap/conftest.py puts it


def main() -> None:
    package = resources.files("sim.soap")
    wsdl = (package / "nordic.wsdl").read_text(encoding="utf-8").replace("SERVICE_URL", BASE)
    (SAMPLES / "nordic.wsdl").write_text(wsdl, encoding="utf-8")
    (SAMPLES / "ota.xsd").write_bytes((package / "ota.xsd").read_bytes())
    world = World(42, clock=lambda: dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC))
    nordic = world.airlines["nordic"]
    booking = family_booking(nordic, "CPH", "AMS", DAY, reference="ord_seats")
    rq = etree.Element(messages.q("Skyfare_SelectSeatsRQ"), Version=messages.VERSION)
    etree.SubElement(rq, messages.q("BookingReferenceID"), ID=booking.locator)
    requests = etree.SubElement(rq, messages.q("SeatRequests"))
    for traveller, seat in enumerate(free_seats(nordic, booking)[:2], start=1):
        etree.SubElement(
            requests,
            messages.q("SeatRequest"),
            SeatNumber=seat,
            FlightRefNumberRPHList="1",
            TravelerRefNumberRPHList=str(traveller),
        )
    _write("select_seats_family.xml", seat_messages.select_seats(nordic, rq))
    refusals = {
        "error_seat_unavailable.xml": errors.AirlineError(409, "seat_unavailable", "8C is taken"),
        "error_seat_restricted.xml": errors.AirlineError(
            422, "seat_restricted", "12C: exit_row_child"
        ),
    }
    for name, error in refusals.items():
        _write(name, messages.error_response("Skyfare_SelectSeatsRS", error))


def _write(name: str, body: etree._Element) -> None:
    (SAMPLES / name).write_bytes(envelope.envelope(body))


if __name__ == "__main__":
    main()
