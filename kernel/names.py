"""Person names as passports print them: letters of one script, spaces, hyphens, apostrophes, dots.

`person_name(raw)` → `(name, problem)`: the name in NFC with its whitespace collapsed and a
typographic apostrophe made plain (what is stored and sent to the airline), and why it is
refused, or None. Pure.

- NFC first: a decomposed "José" (e + U+0301) is the same name as the composed one. Combining
  marks that remain (scripts without precomposed forms: Devanagari vowel signs, Thai tone
  marks) are accepted after a letter, a few at most (no "Zalgo" stacks).
- Refused: control, format (bidi overrides, zero-width characters), private-use and unassigned
  characters; invisible "letters" (Hangul fillers U+3164, U+115F, U+1160, U+FFA0, Braille blank
  U+2800) and invisible marks (variation selectors, U+034F); compatibility forms that NFKC would
  change (mathematical bold letters, fullwidth forms, ligatures): homoglyphs of plain letters.
- One script per name: Latin with Cyrillic ("Аda" with a Cyrillic А) is a homoglyph trick;
  Japanese (Han + Hiragana + Katakana) and Korean (Han + Hangul) mix by nature. The standard
  library has no Script property, so a letter's script is the first word of its Unicode name
  ("LATIN SMALL LETTER E WITH ACUTE" → LATIN, "CJK UNIFIED IDEOGRAPH-…" → CJK): exact for the
  scripts names are written in, and it needs no dependency.
"""

from __future__ import annotations

import unicodedata

SEPARATORS = frozenset(" '-.")
MAX_MARKS = 3  # combining marks on one letter
_INVISIBLE = (
    frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f")
    | frozenset(map(chr, range(0xFE00, 0xFE10)))
    | frozenset(map(chr, range(0xE0100, 0xE01F0)))
)
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_WIDTH_PREFIXES = frozenset({"HALFWIDTH", "FULLWIDTH"})
_MIXING = (frozenset({"CJK", "HIRAGANA", "KATAKANA"}), frozenset({"CJK", "HANGUL"}))

SHAPE = "letters, spaces, hyphens, apostrophes and dots only"
CONTROL = "control, bidi and zero-width characters are not allowed"
INVISIBLE = "invisible characters (such as the Hangul filler) are not allowed"
COMPATIBILITY = "styled or compatibility letters are not allowed: use plain letters"
MIXED = "letters of one script only (not, say, Latin mixed with Cyrillic)"


def person_name(raw: str) -> tuple[str, str | None]:
    """The name as stored (NFC, single spaces, trimmed) and why it is refused, or None."""
    # Phone keyboards type the typographic apostrophe (U+2019) for O'Brien: the same name.
    name = unicodedata.normalize("NFC", raw).replace("\u2019", "'")
    if any(unicodedata.category(c) in _REFUSED_CATEGORIES for c in name):
        return name, CONTROL
    name = " ".join(name.split())
    if any(c in _INVISIBLE for c in name):
        return name, INVISIBLE
    if not _well_shaped(name):
        return name, SHAPE
    if unicodedata.normalize("NFKC", name) != name:
        return name, COMPATIBILITY
    if not _one_script(name):
        return name, MIXED
    return name, None


def comparable_name(raw: str) -> str:
    """`raw` as two spellings of one name compare: as `person_name` stores it (NFC, single
    spaces, a plain apostrophe), case-folded. A traveler types "O’Brien" on a phone, or "José"
    decomposed, for the "O'Brien" and "José" their booking holds."""
    return person_name(raw)[0].casefold()


def _well_shaped(name: str) -> bool:
    """A letter first; then letters, separators, and a few combining marks after a letter."""
    marks = 0
    previous_is_letter = False
    for i, c in enumerate(name):
        category = unicodedata.category(c)
        if category[0] == "L":
            marks, previous_is_letter = 0, True
        elif category[0] == "M" and previous_is_letter and marks < MAX_MARKS:
            marks += 1
        elif c in SEPARATORS and i > 0:
            marks, previous_is_letter = 0, False
        else:
            return False
    return bool(name)


def _one_script(name: str) -> bool:
    scripts = {_script(c) for c in name if unicodedata.category(c) in ("Lu", "Ll", "Lt", "Lo")}
    return len(scripts) <= 1 or any(scripts <= allowed for allowed in _MIXING)


def _script(letter: str) -> str:
    words = unicodedata.name(letter, "?").split()
    if words[0] in _WIDTH_PREFIXES and len(words) > 1:
        return words[1]
    return words[0]
