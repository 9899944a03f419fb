"""Shopping answers from templates: the same quotes a second later differ only in their ids.

A shopping answer is a pure function of its quotes, and two searches of one route, day, cabin and
travellers against unchanged seats get the same quotes except for what depends on the second
they were made in: each fare id and the expiry it carries. So a front's builder (lxml for NDC and
SOAP, msgspec for REST) writes an answer once per shape; the answer is split where those values
stand, and the next answer of that shape is the template joined with its own values. Building
the ~100 elements of an NDC or OTA answer with lxml took ~200 µs a call, the join takes a few.

The bytes are the builder's own (tests/unit/sim/test_answer_templates.py). A new answer whose
values repeat where the first one's did not (or the reverse) is built afresh instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence

from sim.airline import Quote
from sim.catalog import AirlineSpec

TEMPLATES_KEPT = 512  # shapes kept per front (a shape: the quotes of one search; ≤ ~60 KB each)

Render = Callable[[Sequence[Quote], AirlineSpec], bytes]  # an answer, as the front writes it
Variables = Callable[[Quote], tuple[str, ...]]  # the values of a quote that change each second


class AnswerTemplates:
    """The shopping answers of one front (`render`), by shape, with `variables` left open."""

    def __init__(self, render: Render, variables: Variables) -> None:
        self._render = render
        self._variables = variables
        self._kept: dict[Hashable, _Template] = {}

    def answer(self, quotes: Sequence[Quote], seller: AirlineSpec) -> bytes:
        """What `render(quotes, seller)` writes."""
        values = [v for q in quotes for v in self._variables(q)]
        key = (seller.slug, seller.code, seller.name, tuple(_shape(q) for q in quotes))
        template = self._kept.get(key)
        if template is not None:
            filled = template.fill(values)
            if filled is not None:
                return filled
        body = self._render(quotes, seller)
        if len(self._kept) >= TEMPLATES_KEPT:
            self._kept.clear()  # a bound, not an eviction policy: rebuilt on demand
        self._kept[key] = _Template.of(body, values)
        return body


def _shape(quote: Quote) -> Hashable:
    """Everything of a quote an answer shows except its id and expiry."""
    key = quote.key
    travellers = (key.adults, key.children, key.infants)
    return (quote.journeys, quote.price, quote.seats_left, key.cabin, travellers, key.currency)


class _Template:
    """An answer split at its values: literal pieces, and which value goes between each two."""

    def __init__(self, pieces: list[bytes], slots: list[int], same: list[int]) -> None:
        self._pieces = pieces
        self._slots = slots
        self._same = same  # per value: the first value equal to it (where the answer repeats)

    @classmethod
    def of(cls, body: bytes, values: Sequence[str]) -> _Template:
        same = _repeats(values)
        wanted = sorted({v for v in values if v}, key=len, reverse=True)  # longest first
        if not wanted:
            return cls([body], [], same)
        pattern = re.compile(b"|".join(re.escape(v.encode()) for v in wanted))
        parts = pattern.split(body)
        found = pattern.findall(body)
        slot_of = {values[i].encode(): i for i in reversed(range(len(values)))}
        return cls(parts, [slot_of[f] for f in found], same)

    def fill(self, values: Sequence[str]) -> bytes | None:
        """The answer with `values`, or None when they repeat otherwise than the template's."""
        if _repeats(values) != self._same:
            return None
        out = [self._pieces[0]]
        for slot, piece in zip(self._slots, self._pieces[1:], strict=True):
            out.append(values[slot].encode())
            out.append(piece)
        return b"".join(out)


def _repeats(values: Sequence[str]) -> list[int]:
    """Per value, the position of the first value equal to it."""
    first: dict[str, int] = {}
    return [first.setdefault(v, i) for i, v in enumerate(values)]
