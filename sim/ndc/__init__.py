"""The NDC (IATA NDC 21.3 XML) front of the simulated airlines; see `sim.ndc.app`."""

from sim.ndc.app import ndc_airline_app

__all__ = ["ndc_airline_app"]
