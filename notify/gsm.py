"""SMS text in the GSM 03.38 alphabet (pure).

One character outside GSM-7 (an arrow in a change's flights, a typographic dash or quote, a
letter like `ł`) makes the provider send the whole message as UCS-2: 70 characters per segment
instead of 160, so a one-segment SMS costs two or three, and some handsets show boxes.
"""

from __future__ import annotations

import unicodedata

# The default alphabet and its extension table (each extension character costs two septets).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM7 = GSM7_BASIC | GSM7_EXTENSION

# Punctuation our texts write beyond GSM-7, and letters NFKD leaves whole, as one would type
# them without the mark.
_SPELLED = {
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "ı": "i",
    "œ": "oe",
    "Œ": "OE",
    "→": "-",
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
}


def is_gsm7(text: str) -> bool:
    return all(c in GSM7 for c in text)


def to_gsm7(text: str) -> str:
    """`text` with every character outside GSM-7 spelled in it: `_SPELLED`'s by their spelling,
    an accented letter GSM-7 lacks without its accent (`ú` → `u`), anything else as `?`."""
    if is_gsm7(text):
        return text
    return "".join(_one(c) for c in text)


def _one(char: str) -> str:
    if char in GSM7:
        return char
    if (spelled := _SPELLED.get(char)) is not None:
        return spelled
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return bare if bare and is_gsm7(bare) else "?"
