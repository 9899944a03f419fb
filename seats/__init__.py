"""Seat maps for travelers (`GET /v1/seat_maps`): the connectors' maps shaped for drawing."""
