"""Request messages from templates: a message built once with a marker where each value goes,
split at the markers, then filled by each call with a join.

Shared by the SOAP envelopes (connectors/soap/templates.py, built by zeep) and NDC's
AirShoppingRQ (connectors/ndc/shopping_template.py, built by lxml): both builders copy a marker
through untouched, as it is letters and digits only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_MARK = "SkyfareMark{}End"
_MARKS = re.compile(rb"SkyfareMark(\d+)End")

# The message's literal pieces, and which value (by position) goes between each two.
Template = tuple[list[bytes], list[int]]


def marker(position: int) -> str:
    """The marker standing for the value at `position` while the template is built."""
    return _MARK.format(position)


def split(message: bytes) -> Template:
    """`message`, built with markers, as its literal pieces and the values' positions."""
    parts = _MARKS.split(message)
    return parts[0::2], [int(n) for n in parts[1::2]]


def fill(template: Template, values: Sequence[bytes]) -> bytes:
    """The message of `template` with `values` (by position) where their markers were."""
    pieces, positions = template
    out = [pieces[0]]
    for position, piece in zip(positions, pieces[1:], strict=True):
        out.append(values[position])
        out.append(piece)
    return b"".join(out)
