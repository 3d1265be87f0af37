"""Stored text made safe to print in a document, visibly: one rule for every format.

A register stores whatever text the volume files held, and a department name or a service
name may contain characters that a document format cannot hold: control characters (XML
1.0 forbids most of them, so an Excel workbook with one is corrupt), lone surrogates and
the non-characters U+FFFE and U+FFFF. :func:`visible_text` replaces each such character by a
visible stand-in, never by nothing, so a reader sees that the stored text differs:

- a C0 control character or DEL becomes its Unicode *control picture* (U+0007 becomes
  ``␇`` U+2407, DEL becomes ``␡`` U+2421); tab, line feed and carriage return too, since
  a name is one line;
- a C1 control character (U+0080 to U+009F), a lone surrogate and a non-character
  (U+FFFE, U+FFFF, U+FDD0 to U+FDEF and the last two of every plane) become ``�`` U+FFFD.

Everything else is kept as stored.
"""

from __future__ import annotations

import re

__all__ = ["REPLACEMENT", "visible_text"]

REPLACEMENT = "\ufffd"

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(1, 17))
    + "]"
)


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return REPLACEMENT


def visible_text(text: str, *, pictures: bool = True) -> str:
    r"""The text with every character a document cannot hold replaced visibly.

    With ``pictures=False`` a control character becomes ``�`` too, for a font (DejaVu Sans,
    in the PDF) that has no control pictures.

    >>> visible_text("Skarpnäck\x07 –\tÖrby\x85")
    'Skarpnäck␇ –␉Örby�'
    >>> visible_text("Skarpnäck\x07", pictures=False)
    'Skarpnäck�'
    """
    return _UNSAFE.sub(_stand_in if pictures else REPLACEMENT, text)
