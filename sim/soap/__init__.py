"""The sim's SOAP airline front: OpenTravel 2003/05 over SOAP 1.1, with its WSDL and XSD."""

from __future__ import annotations

from sim.soap.app import soap_airline_app

# The credentials the sim's SOAP airline accepts unless told otherwise (not a secret: a sim).
SIM_USERNAME = "skyfare"
SIM_PASSWORD = "nordic-secret"

__all__ = ["SIM_PASSWORD", "SIM_USERNAME", "soap_airline_app"]
