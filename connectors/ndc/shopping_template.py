"""AirShoppingRQ from templates: lxml builds the message once per shape (number of slices,
passengers' PTCs) with markers for the values; a search joins the bytes with its own.

Building the ~40 elements with lxml and serializing them took ~60 µs of the event loop per NDC
search on the bench host, a template join ~5 µs (bench/results/2026-12-04-cold-cpu.md). The
bytes are the same (tests/unit/connectors/ndc/test_shopping_template.py): the template is
lxml's own output, and a value that XML would escape, or that is not a string lxml accepts,
goes to `build_air_shopping` as before.
"""

from __future__ import annotations

import re
from functools import lru_cache

from connectors.marked_templates import Template, fill, marker, split
from connectors.model import FlightQuery
from connectors.ndc.messages import build_air_shopping, shopping_values

# Text that serializes as itself in a text node.
_PLAIN = re.compile(r"[0-9A-Za-z ._:+-]+")


@lru_cache(maxsize=64)
def template(slices: int, ptcs: tuple[str, ...]) -> Template:
    """The template of an AirShoppingRQ of `slices` slices for passengers `ptcs`."""
    marks = [marker(i) for i in range(3 + 4 * slices)]
    carrier, max_connections, currency, *per_slice = marks
    sliced = [tuple(per_slice[i : i + 4]) for i in range(0, len(per_slice), 4)]
    message = build_air_shopping(
        carrier,
        sliced,  # type: ignore[arg-type]  # four marks per slice
        ptcs,
        max_connections=max_connections,
        currency=currency,
    )
    return split(message)


def air_shopping_bytes(query: FlightQuery, *, carrier: str) -> bytes:
    """The AirShoppingRQ of `query` to `carrier`, as `build_air_shopping` writes it."""
    slices, ptcs = shopping_values(query)
    values = [carrier, str(query.max_connections), query.currency]
    for one in slices:
        values.extend(one)
    if not all(_PLAIN.fullmatch(v) for v in values):
        return build_air_shopping(
            carrier, slices, ptcs, max_connections=values[1], currency=query.currency
        )
    return fill(template(len(slices), ptcs), [v.encode() for v in values])
