"""Small CSV tables (forecasts, staffing): a header with named columns, one record a row."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from sfprice.errors import InputError, Issue

__all__ = ["table_rows"]


def table_rows(
    path: str | Path,
    aliases: Mapping[str, str],
    required: Sequence[str],
    issues: list[Issue],
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line, {column: text}) for each non-blank row of a small CSV table.

    The header names the columns (``aliases`` maps accepted spellings, e.g. Swedish ones,
    to column names); ``,`` or ``;`` separates fields; UTF-8 with or without BOM. A row
    with too few fields becomes an issue in ``issues`` and is not yielded.

    Raises:
        InputError: When the file cannot be read or the header lacks a required column.
    """
    name = str(path)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
            delimiter = ";" if header.count(";") > header.count(",") else ","
            names = [
                aliases.get(f.strip().lower(), f.strip().lower())
                for f in next(csv.reader([header], delimiter=delimiter), [])
            ]
            missing = [c for c in required if c not in names]
            if missing:
                msg = f"the header {header.strip()!r} lacks the column(s) {', '.join(missing)}"
                raise InputError([Issue(name, msg, line=1)])
            wanted = {c: names.index(c) for c in dict.fromkeys(aliases.values()) if c in names}
            width = max(wanted.values()) + 1
            reader = csv.reader(handle, delimiter=delimiter)
            line = 2
            for fields in reader:
                if any(f.strip() for f in fields):
                    if len(fields) < width:
                        issues.append(
                            Issue(
                                name,
                                f"the row has {len(fields)} field(s), expected at least {width}",
                                line=line,
                            )
                        )
                    else:
                        yield line, {c: fields[i] for c, i in wanted.items()}
                line = reader.line_num + 2
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError([Issue(name, f"cannot read the file: {exc}")]) from exc
