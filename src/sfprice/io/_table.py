"""Small CSV tables (forecasts, staffing, customers): named columns, one record a row."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from sfprice.errors import InputError, Issue
from sfprice.io._csv import (
    check_encoding,
    read_issue,
    records,
    split_number,
    total_row,
    total_row_message,
)

__all__ = ["table_rows"]


def table_rows(
    path: str | Path,
    aliases: Mapping[str, str],
    required: Sequence[str],
    issues: list[Issue],
    *,
    keys: Sequence[str] = (),
    numbers: Sequence[str] = (),
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, {column: text}) for each non-blank row of a small CSV table.

    The header names the columns (``aliases`` maps accepted spellings, e.g. Swedish ones,
    to column names); ``,`` or ``;`` separates fields; UTF-8 with or without BOM. The CSV
    rules of :mod:`sfprice.io._csv` hold: a row with too few or too many fields, a quoting
    problem, or a total row (a total word in a ``keys`` column, or the ``keys`` columns
    empty and another filled) becomes an issue in ``issues`` and is not yielded, and so
    does a ``numbers`` column whose value may be a decimal comma split by a ',' delimiter
    (:func:`sfprice.io._csv.split_number`).

    Raises:
        InputError: When the file cannot be read or the header lacks a required column.
    """
    name = str(path)
    file = Path(path)
    try:
        check_encoding(file, name)
        with file.open(encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
            delimiter = ";" if header.count(";") > header.count(",") else ","
            fields = next(csv.reader([header], delimiter=delimiter), [])
            names = [aliases.get(f.strip().lower(), f.strip().lower()) for f in fields]
            missing = [c for c in required if c not in names]
            if missing:
                msg = f"the header {header.strip()!r} lacks the column(s) {', '.join(missing)}"
                raise InputError([Issue(name, msg, line=1)])
            wanted = {c: names.index(c) for c in dict.fromkeys(aliases.values()) if c in names}
            width = max(wanted.values()) + 1
            key_at = [wanted[c] for c in keys if c in wanted]
            value_at = [i for c, i in wanted.items() if c not in keys]
            rows = records(
                handle, delimiter, name, width=width, header_width=len(fields), issues=issues
            )
            for line, row in rows:
                if key_at and total_row(row, key_at, value_at):
                    issues.append(Issue(name, total_row_message(row, delimiter), line=line))
                elif len(row) < width:
                    issues.append(
                        Issue(
                            name,
                            f"the row has {len(row)} field(s), expected at least {width}",
                            line=line,
                        )
                    )
                else:
                    split = [
                        Issue(name, problem, line=line, column=c)
                        for c in numbers
                        if c in wanted
                        and (
                            problem := split_number(
                                row, wanted[c], delimiter, len(fields), c, wanted.values()
                            )
                        )
                        is not None
                    ]
                    if split:
                        issues.extend(split)
                        continue
                    yield line, {c: row[i] for c, i in wanted.items()}
    except csv.Error as exc:  # the rows' csv errors are located; this is the header's
        raise InputError([Issue(name, f"the header is not valid CSV: {exc}", line=1)]) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([read_issue(file, name, exc)]) from exc
