"""Numbers as exports write them: one reading or a refusal, never a guess.

Every number sfprice reads from a CSV cell goes through :func:`read_number`. The rules
(docs/file-formats.md, "Numbers"):

- digits are ASCII ``0``-``9`` only (Python's ``int()`` and ``Decimal()`` also take
  Arabic-Indic, Devanagari and full-width digits; sfprice does not);
- the decimal mark is ``,`` or ``.``; thousands may be grouped by a space, a no-break space
  (U+00A0), a narrow no-break space (U+202F) or a thin space (U+2009), or by whichever of
  ``.``/``,`` is not the decimal mark, always in groups of three digits;
- a sign is ``-``, ``+``, ``−`` (U+2212), a trailing ``-`` (SAP) or parentheses; the caller
  decides whether negative numbers are allowed;
- no exponent (``1e3``), no ``inf``/``nan``, no hexadecimal, no percent sign.

One value is **ambiguous**: a single ``.`` or ``,`` with exactly three digits after it and
one to three digits (not a lone ``0``) before it, such as ``1.000`` or ``2,500``: a thousands
separator (1000, 2500) or a decimal mark (1, 2.5). It is read with the decimal mark the
file has *established*: the mark that the file's other numbers use unambiguously
(:func:`decimal_mark_shown`). When the file shows no mark, or both, the value is refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "Ambiguous",
    "DecimalMarks",
    "decimal_mark_shown",
    "non_ascii_digit",
    "read_number",
    "resolve",
]

_EDGE_SPACES = " \t\u00a0\u202f\u2009"
_GROUP_SPACES = " \u00a0\u202f\u2009"
_PLAIN = re.compile(r"([0-9]+)(?:([.,])([0-9]+))?")
# A whole part grouped by threes with one kind of separator, then maybe a decimal part.
_GROUPED = re.compile(
    r"([1-9][0-9]{0,2})((?:[ \u00a0\u202f\u2009][0-9]{3})+|(?:\.[0-9]{3})+|(?:,[0-9]{3})+)"
    r"(?:([.,])([0-9]+))?"
)
_OTHER = {".": ",", ",": "."}
_EXAMPLE = "expected e.g. 12 or 2,5"


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A value such as ``1.000``: a thousands separator or a decimal mark.

    Attributes:
        text: The value as written.
        mark: The separator, ``.`` or ``,``.
        as_decimal: The value if ``mark`` is the decimal mark (``1.000`` -> 1.000).
        as_grouped: The value if ``mark`` groups thousands (``1.000`` -> 1000).
    """

    text: str
    mark: str
    as_decimal: Decimal
    as_grouped: Decimal


@dataclass(frozen=True, slots=True)
class DecimalMarks:
    """The decimal marks a file's numbers show unambiguously, with an example of each.

    Built from all the numbers of a file, so it does not depend on the order of its rows.
    """

    examples: tuple[tuple[str, str], ...] = ()  # (mark, smallest example text), sorted

    @classmethod
    def of(cls, texts: Iterable[str]) -> DecimalMarks:
        """The marks shown by ``texts`` (any order gives the same result)."""
        found: dict[str, str] = {}
        for text in texts:
            mark = decimal_mark_shown(text)
            if mark is not None and (mark not in found or text < found[mark]):
                found[mark] = text
        return cls(tuple(sorted(found.items())))

    def add(self, text: str) -> DecimalMarks:
        """These marks and those ``text`` shows."""
        mark = decimal_mark_shown(text)
        if mark is None:
            return self
        found = dict(self.examples)
        if mark in found and found[mark] <= text:
            return self
        found[mark] = text
        return DecimalMarks(tuple(sorted(found.items())))

    @property
    def mark(self) -> str | None:
        """The file's decimal mark, if its numbers show exactly one."""
        return self.examples[0][0] if len(self.examples) == 1 else None


def non_ascii_digit(text: str) -> str | None:
    """A message naming the first digit of ``text`` that is not ASCII ``0``-``9``, if any.

    >>> non_ascii_digit("١٢")
    "'١' (U+0661 ARABIC-INDIC DIGIT ONE) is not an ASCII digit; write digits 0-9"
    >>> non_ascii_digit("12") is None
    True
    """
    for char in text:
        if char.isdigit() and not "0" <= char <= "9":
            name = unicodedata.name(char, "a digit")
            return f"{char!r} (U+{ord(char):04X} {name}) is not an ASCII digit; write digits 0-9"
    return None


def _sign(body: str) -> tuple[bool, str]:
    """(negative, the number without its sign)."""
    if body.startswith("(") and body.endswith(")"):
        return True, body[1:-1].strip(_EDGE_SPACES)
    if body[:1] in "-\u2212":
        return True, body[1:].lstrip(_EDGE_SPACES)
    if body[:1] == "+":
        return False, body[1:].lstrip(_EDGE_SPACES)
    if body.endswith("-"):
        return True, body[:-1].rstrip(_EDGE_SPACES)
    return False, body


def _refusal(text: str, body: str) -> str:
    digit = non_ascii_digit(text)
    if digit is not None:
        return f"{text!r} is not a number: {digit}"
    lowered = body.lower()
    if not body:
        return f"the value {text!r} is empty ({_EXAMPLE})"
    if "%" in body:
        return f"{text!r} is a percentage, not a number ({_EXAMPLE}, without %)"
    if lowered in {"inf", "infinity", "nan"}:
        return f"{text!r} is not a number ({_EXAMPLE})"
    if lowered.startswith("0x"):
        return f"{text!r} is a hexadecimal number; write it in decimal digits ({_EXAMPLE})"
    if re.fullmatch(r"[0-9.,]+e[+-]?[0-9]+", lowered):
        return (
            f"{text!r} is in scientific notation; write the number out in digits "
            "(in Excel, format the column as Number before exporting)"
        )
    if re.fullmatch(r"[0-9]+([.,][0-9]{3})+[.,][0-9]+", body):
        return (
            f"{text!r} is not a number: it uses the same mark for thousands and decimals "
            f"({_EXAMPLE})"
        )
    return f"{text!r} is not a number ({_EXAMPLE})"


def read_number(text: str) -> Decimal | Ambiguous | str:
    """Read a number as an export writes it: its value, an :class:`Ambiguous`, or a message.

    >>> read_number("1 234,5")
    Decimal('1234.5')
    >>> read_number("1.000.000")
    Decimal('1000000')
    >>> read_number("(3)")
    Decimal('-3')
    >>> read_number("1.000")
    Ambiguous(text='1.000', mark='.', as_decimal=Decimal('1.000'), as_grouped=Decimal('1000'))
    >>> read_number("1e3").startswith("'1e3' is in scientific notation")
    True
    """
    negative, body = _sign(text.strip(_EDGE_SPACES))
    value: Decimal | Ambiguous
    plain = _PLAIN.fullmatch(body)
    if plain is not None:
        whole, mark, fraction = plain[1], plain[2], plain[3]
        value = Decimal(f"{whole}.{fraction}" if mark else whole)
        if mark and len(fraction) == 3 and len(whole) <= 3 and whole[0] != "0":
            value = Ambiguous(text, mark, value, Decimal(whole + fraction))
    else:
        grouped = _GROUPED.fullmatch(body)
        if grouped is None:
            return _refusal(text, body)
        groups, mark, fraction = grouped[2], grouped[3], grouped[4]
        separator = groups[0]
        if mark is not None and mark == separator:
            return _refusal(text, body)
        if separator in _GROUP_SPACES and len(set(groups[::4])) > 1:
            return f"{text!r} mixes different spaces between its digit groups ({_EXAMPLE})"
        whole = grouped[1] + groups.replace(separator, "")
        value = Decimal(f"{whole}.{fraction}" if mark else whole)
    if negative:
        if isinstance(value, Ambiguous):
            return Ambiguous(text, value.mark, -value.as_decimal, -value.as_grouped)
        return -value
    return value


def decimal_mark_shown(text: str) -> str | None:
    """The decimal mark ``text`` shows unambiguously: ``,``, ``.`` or None.

    A value shows its decimal mark when it has a ``.`` or ``,`` that cannot be a thousands
    separator (``2,5``, ``0,500``, ``1000.250``, ``1 000,500``, ``1.000,5``), or when it
    groups thousands with the other mark (``1.000.000`` shows ``,``).

    >>> decimal_mark_shown("2,5"), decimal_mark_shown("1.000"), decimal_mark_shown("1,000,000")
    (',', None, '.')
    """
    _, body = _sign(text.strip(_EDGE_SPACES))
    plain = _PLAIN.fullmatch(body)
    if plain is not None:
        mark = plain[2]
        return None if mark is None or isinstance(read_number(text), Ambiguous) else mark
    grouped = _GROUPED.fullmatch(body)
    if grouped is None or isinstance(read_number(text), str):
        return None
    if grouped[3] is not None:
        return grouped[3]
    separator = grouped[2][0]
    return _OTHER.get(separator)


def resolve(value: Ambiguous, marks: DecimalMarks) -> Decimal | str:
    """Read an ambiguous value with the file's decimal mark, or say why it cannot be."""
    if marks.mark == value.mark:
        return value.as_decimal
    if marks.mark == _OTHER[value.mark]:
        return value.as_grouped
    if marks.examples:
        shown = " and ".join(f"{mark!r} (e.g. {example!r})" for mark, example in marks.examples)
        why = f"the file uses both {shown} as decimal mark"
    else:
        why = "no other number in the file shows which decimal mark it uses"
    return (
        f"{value.text!r} is ambiguous: {value.mark!r} followed by three digits is a "
        f"thousands separator ({value.as_grouped}) or a decimal mark "
        f"({value.as_decimal.normalize():f}), and {why}; write it without a thousands "
        f"separator (e.g. {value.as_grouped}) or with fewer decimals "
        f"(e.g. {_shorter(value)})"
    )


def _shorter(value: Ambiguous) -> str:
    shown = f"{value.as_decimal.normalize():f}"
    return shown.replace(".", value.mark) if "." in shown else shown
