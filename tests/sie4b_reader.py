"""A second SIE 4 reader, written from the SIE 4B specification alone, for the tests.

It imports nothing of sfprice, so that a fault in sfprice's own reader and writer cannot
hide itself: the export is read back by rules taken from the specification, not from the
code that wrote it.

The rules used (SIE 4B, "Filformat" and the label descriptions):

- The file is in the PC8 character set (IBM code page 437), ``#FORMAT PC8``; lines end
  with CR LF (a lone LF is read too).
- A line is a label (``#`` and capitals) followed by fields separated by spaces or tabs. A
  field with a space is enclosed in quotes; inside quotes a quote is written ``\\"``.
  Nothing else is an escape.
- An object list is enclosed in ``{`` and ``}``: pairs of dimension number and object
  code, each a field by the same rules.
- ``#VER series number date text regdate sign`` opens a voucher; its ``#TRANS`` rows
  follow between a line ``{`` and a line ``}``.
- ``#TRANS account {objects} amount [transdate text quantity sign]``: the amount has a
  point as its decimal sign and a minus sign when negative. A voucher's amounts add up to
  zero.

:func:`sie4j_object` applies the object pattern of Björn Lundén's Sie4j parser
(``[0-9a-zA-Z]+``), which keeps the first run of those characters of a code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["Sie4Reading", "Trans", "Voucher", "read", "sie4j_object"]

_SIE4J_OBJECT = re.compile(r"[0-9a-zA-Z]+")


def sie4j_object(code: str) -> str:
    """The object id Sie4j reads from ``code``: its first run of ``[0-9a-zA-Z]``."""
    found = _SIE4J_OBJECT.search(code)
    return found.group(0) if found else ""


@dataclass
class Trans:
    """One ``#TRANS`` row."""

    account: str
    objects: list[tuple[str, str]]
    amount: Decimal


@dataclass
class Voucher:
    """One ``#VER`` with its rows."""

    series: str
    number: str
    date: str
    text: str
    rows: list[Trans] = field(default_factory=list)


@dataclass
class Sie4Reading:
    """What the file holds: its labels, accounts, dimensions, objects and vouchers."""

    labels: dict[str, list[str]] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    dimensions: dict[str, str] = field(default_factory=dict)
    objects: dict[tuple[str, str], str] = field(default_factory=dict)
    vouchers: list[Voucher] = field(default_factory=list)


# A quoted field (\" inside it is a quote), a brace, or a run of other non-blank characters.
_TOKEN = re.compile(r'"((?:\\"|[^"])*)"|([{}])|([^\s{}"]+)')


def _fields(text: str) -> list[str | list[str]]:
    """The fields of a line after its label; an object list is one list of fields."""
    out: list[str | list[str]] = []
    group: list[str] | None = None
    position = 0
    for match in _TOKEN.finditer(text):
        if text[position : match.start()].strip():
            raise ValueError(f"unreadable text in {text!r} at {position}")
        position = match.end()
        quoted, brace, bare = match.groups()
        if brace == "{":
            if group is not None:
                raise ValueError(f"nested object list in {text!r}")
            group = []
        elif brace == "}":
            if group is None:
                raise ValueError(f"a '}}' without '{{' in {text!r}")
            out.append(group)
            group = None
        else:
            value = quoted.replace('\\"', '"') if quoted is not None else bare
            (group if group is not None else out).append(value)
    if text[position:].strip():
        raise ValueError(f"unclosed quote in {text!r}")
    if group is not None:
        raise ValueError(f"unclosed object list in {text!r}")
    return out


def _text(value: str | list[str]) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a field, got an object list {value!r}")
    return value


def read(data: bytes) -> Sie4Reading:
    """Read a SIE 4 file.

    Raises:
        ValueError: When the file breaks a rule above (a quote or list not closed, a
            ``#TRANS`` outside a voucher, an unbalanced voucher).
    """
    reading = Sie4Reading()
    current: Voucher | None = None
    inside = False
    for raw in data.decode("cp437").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line == "{":
            if current is None or inside:
                raise ValueError("a '{' that opens no voucher")
            inside = True
            continue
        if line == "}":
            if current is None or not inside:
                raise ValueError("a '}' that closes no voucher")
            if sum((t.amount for t in current.rows), Decimal(0)) != 0:
                raise ValueError(f"voucher {current.number} does not balance")
            reading.vouchers.append(current)
            current, inside = None, False
            continue
        label, _, rest = line.partition(" ")
        fields = _fields(rest)
        if label == "#TRANS":
            if current is None or not inside:
                raise ValueError("#TRANS outside a voucher")
            listed = fields[1]
            if isinstance(listed, str) or len(listed) % 2:
                raise ValueError(f"not an object list: {listed!r}")
            pairs = [(listed[i], listed[i + 1]) for i in range(0, len(listed), 2)]
            current.rows.append(Trans(_text(fields[0]), pairs, Decimal(_text(fields[2]))))
        elif label == "#VER":
            series, number, day, text = (_text(f) for f in fields[:4])
            current = Voucher(series, number, day, text)
        elif label == "#KONTO":
            reading.accounts[_text(fields[0])] = _text(fields[1])
        elif label == "#DIM":
            reading.dimensions[_text(fields[0])] = _text(fields[1])
        elif label == "#OBJEKT":
            reading.objects[(_text(fields[0]), _text(fields[1]))] = _text(fields[2])
        else:
            reading.labels[label.lstrip("#")] = [_text(f) for f in fields]
    if current is not None:
        raise ValueError("the last voucher is not closed")
    return reading
