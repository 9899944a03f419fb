"""The zeep client of the recorded WSDL and XSD (samples/), shared by the SOAP unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import zeep

from connectors.soap.client import build_client

SAMPLES = Path(__file__).parent / "samples"
WSDL_URL = "http://sim.invalid/soap/nordic?wsdl"


@pytest.fixture(scope="module")
def client() -> zeep.Client:
    documents = {
        WSDL_URL: (SAMPLES / "nordic.wsdl").read_bytes(),
        "http://sim.invalid/soap/nordic/ota.xsd": (SAMPLES / "ota.xsd").read_bytes(),
    }
    return build_client(WSDL_URL, documents, username="skyfare", password="nordic-secret")
