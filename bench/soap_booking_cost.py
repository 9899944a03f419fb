"""Per-order CPU cost of reading the SOAP airline's Price and Book answers: zeep against lxml.

Reads the recorded answers (tests/unit/connectors/soap/samples: the sim's OTA_AirPriceRS and
OTA_AirBookRS, the WSDL and XSD they were recorded with) and times, offline with timeit (median
of --repeat runs, both readers in the same run), what each costs the event loop: zeep's typed
parse then the zeep mapping (what `SoapConnector.price` / `hold` did), and
`connectors.soap.booking_replies` (what they do now). Both must give the same value.

    .venv/bin/python -m bench.soap_booking_cost [--number 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors.soap import booking_replies, mapping
from connectors.soap.client import build_client, parse_reply

SAMPLES = Path(__file__).parent.parent / "tests" / "unit" / "connectors" / "soap" / "samples"
WSDL_URL = "http://sim.invalid/soap/nordic?wsdl"
AIRLINE = "soap-nordic"


def readers() -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    """Per answer: (zeep, lxml), each reading the recorded answer into the domain."""
    documents = {
        WSDL_URL: (SAMPLES / "nordic.wsdl").read_bytes(),
        "http://sim.invalid/soap/nordic/ota.xsd": (SAMPLES / "ota.xsd").read_bytes(),
    }
    client = build_client(WSDL_URL, documents, username="skyfare", password="bench")
    price = (SAMPLES / "price_unchanged.xml").read_bytes()
    book = (SAMPLES / "book_held.xml").read_bytes()
    return {
        "Price (OTA_AirPriceRS)": (
            lambda: mapping.to_priced_offer(
                parse_reply(client, "Price", 200, price, airline=AIRLINE), source=AIRLINE
            ),
            lambda: booking_replies.to_priced_offer(200, price, source=AIRLINE),
        ),
        "Book (OTA_AirBookRS)": (
            lambda: mapping.to_hold(parse_reply(client, "Book", 200, book, airline=AIRLINE)),
            lambda: booking_replies.to_hold(200, book, airline=AIRLINE),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--number", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, (zeep_read, lxml_read) in readers().items():
        if zeep_read() != lxml_read():
            raise SystemExit(f"{name}: zeep and lxml disagree")
        medians = []
        for read in (zeep_read, lxml_read):
            runs = timeit.Timer(read).repeat(args.repeat, args.number)
            medians.append(statistics.median(runs) / args.number * 1e6)
        zeep_us, lxml_us = medians
        print(
            f"{name}: zeep {zeep_us:.0f} µs, lxml {lxml_us:.0f} µs per answer"
            f" (lxml ÷ zeep {lxml_us / zeep_us:.3f})"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
