"""The small text helpers every report and command shares (one home each, issue 10).

- :func:`text_table`: the aligned plain-text table of the people's reports;
- :func:`csv_cell`: a text cell of an exported CSV, made formula-safe;
- :data:`FORMULA_START`: what a spreadsheet reads as the start of a formula.

Numbers: machine text is :func:`sfprice.money.decimal_text`; people's amounts, prices,
quantities and percentages are the ``format_*`` functions of :mod:`sfprice.reports.formats`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sfprice.names import visible

__all__ = ["FORMULA_START", "csv_cell", "text_table"]

#: A text cell starting with one of these is run as a formula by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A text cell of an exported CSV: control characters escaped visibly, formula-safe.

    A cell a spreadsheet would run as a formula gets a leading ``'``; so does a cell that
    already starts with ``'``, so a reader strips exactly one to read the text back.

    >>> csv_cell("=SUM(A1)"), csv_cell("'x"), csv_cell("Kultur")
    ("'=SUM(A1)", "''x", 'Kultur')
    """
    value = visible(value)
    return "'" + value if value.startswith((*FORMULA_START, "'")) else value


def text_table(rows: Sequence[Sequence[str]], right: Collection[int] = ()) -> list[str]:
    """Rows as aligned text lines: columns two spaces apart, trailing space cut.

    Every column is as wide as its widest cell; the columns numbered in ``right`` are
    aligned right (numbers), the others left.

    >>> text_table([["Tjänst", "Belopp"], ["lön", "1 200,00"]], right={1})
    ['Tjänst    Belopp', 'lön     1 200,00']
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
