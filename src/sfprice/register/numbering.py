"""Invoice numbers: the number format, its checks, and the number of a sequence position.

Pure: the sequences themselves (the next number per issuer and year) live in the
register's ``sequences`` table and are advanced by :mod:`sfprice.register.store` inside
the issuing transaction.
"""

from __future__ import annotations

import re
import string

from sfprice.register.records import RegisterError

__all__ = [
    "DEFAULT_FORMAT",
    "check_format",
    "document_number",
    "number_format_problem",
]

DEFAULT_FORMAT = "{issuer}-{year}-{seq:06d}"

_FIELD_SPECS = {
    "issuer": re.compile(r""),
    "year": re.compile(r"(0?4)?d?"),
    "seq": re.compile(r"(0[1-9]\d?)?d?"),
}


def number_format_problem(number_format: str) -> str | None:
    """Why an invoice-number format could give a number twice or not at all, or None.

    A format holds ``{issuer}``, ``{year}`` and ``{seq}`` once each, as plain decimal
    numbers (``{seq}``, ``{seq:06d}``, ``{year}``), with literal text that is not a digit
    between any two of them, so that every issuer, year and sequence number gets a number
    of its own and the number reads back. Anything else is refused: other fields
    (``{month}``, ``{}``), attributes or indexes (``{seq.real}``), conversions (``!r``),
    and formats that are not plain decimals (``{seq:x}``, ``{seq:e}``, which rounds large
    numbers, ``{seq:,}``, ``{seq:>6}``).

    >>> number_format_problem("{issuer}-{year}-{seq:06d}") is None
    True
    >>> number_format_problem("{issuer}-{year}-{seq:x}")
    "{seq:x}: the format 'x' is not a plain decimal (use {seq}, {seq:d} or {seq:06d})"
    """
    try:
        parts = list(string.Formatter().parse(number_format))
    except ValueError as exc:
        return f"not a format ({exc})"
    seen: list[str] = []
    for literal, field, spec, conversion in parts:
        if field is None:
            continue
        shown = "{" + field + (f"!{conversion}" if conversion else "")
        shown += (f":{spec}" if spec else "") + "}"
        if field not in _FIELD_SPECS:
            return f"{shown}: unknown field (use {{issuer}}, {{year}} and {{seq}})"
        if field in seen:
            return f"{shown}: {{{field}}} appears twice"
        if conversion:
            return f"{shown}: no conversion (!{conversion}) is allowed"
        if not _FIELD_SPECS[field].fullmatch(spec or ""):
            forms = {
                "issuer": "{issuer}",
                "year": "{year} or {year:04d}",
                "seq": "{seq}, {seq:d} or {seq:06d}",
            }[field]
            return f"{shown}: the format {spec!r} is not a plain decimal (use {forms})"
        if seen and not any(not c.isdigit() for c in literal):
            return (
                f"{shown}: put text that is not a digit between {{{seen[-1]}}} and "
                f"{{{field}}}, or two numbers could run together"
            )
        seen.append(field)
    missing = [f"{{{f}}}" for f in _FIELD_SPECS if f not in seen]
    if missing:
        return (
            f"{' and '.join(missing)} missing: numbers run per issuer and year, so the format "
            "needs {issuer}, {year} and {seq} to give each invoice its own number"
        )
    return None


def check_format(issuer: str, number_format: str) -> None:
    """Refuse an empty issuer or a number format that could give a number twice.

    Raises:
        RegisterError: With the problem and an example of a good format.
    """
    if not issuer.strip():
        raise RegisterError("the issuer must not be empty")
    problem = number_format_problem(number_format)
    if problem is not None:
        raise RegisterError(
            f"number format {number_format!r}: {problem}; e.g. {{issuer}}-{{year}}-{{seq:06d}}"
        )


def document_number(number_format: str, issuer: str, year: int, seq: int) -> str:
    """The number of position ``seq`` of the issuer's sequence for ``year``.

    >>> document_number(DEFAULT_FORMAT, "SF", 2014, 7)
    'SF-2014-000007'
    """
    return number_format.format(issuer=issuer, year=year, seq=seq)
