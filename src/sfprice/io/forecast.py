"""Read forecast volumes: how many units of each service a year is expected to bring.

A CSV with at least the columns ``service`` and ``quantity`` (``tjänst``, ``antal``);
further columns (month, department, comments) are ignored and the rows of a service add
up. Delimiter ``,`` or ``;``, decimal mark ``.`` or ``,``, UTF-8 with or without BOM, as
for volume files.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from sfprice.errors import InputError, Issue
from sfprice.io.volumes import parse_quantity

__all__ = ["read_forecast"]

_ALIASES = {"service": "service", "tjänst": "service", "quantity": "quantity", "antal": "quantity"}


def read_forecast(path: str | Path, *, codes: frozenset[str] | None = None) -> dict[str, Decimal]:
    """Forecast quantity per service code.

    Args:
        path: The CSV file.
        codes: When given, every service must be one of these codes.

    Raises:
        InputError: One issue per bad value, with line and column.
    """
    name = str(path)
    issues: list[Issue] = []
    totals: dict[str, Decimal] = {}
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
            delimiter = ";" if header.count(";") > header.count(",") else ","
            names = [
                _ALIASES.get(f.strip().lower(), f.strip().lower())
                for f in next(csv.reader([header], delimiter=delimiter), [])
            ]
            if "service" not in names or "quantity" not in names:
                raise InputError(
                    [
                        Issue(
                            name,
                            f"the header {header.strip()!r} lacks the columns service and quantity",
                            line=1,
                        )
                    ]
                )
            s_index, q_index = names.index("service"), names.index("quantity")
            reader = csv.reader(handle, delimiter=delimiter)
            line = 2
            for fields in reader:
                if any(f.strip() for f in fields):
                    if len(fields) <= max(s_index, q_index):
                        issues.append(
                            Issue(
                                name,
                                f"the row has {len(fields)} field(s), "
                                f"expected at least {max(s_index, q_index) + 1}",
                                line=line,
                            )
                        )
                    else:
                        code = fields[s_index].strip()
                        quantity = parse_quantity(fields[q_index])
                        if codes is not None and code not in codes:
                            issues.append(
                                Issue(
                                    name, f"unknown service {code!r}", line=line, column="service"
                                )
                            )
                        elif isinstance(quantity, str):
                            issues.append(Issue(name, quantity, line=line, column="quantity"))
                        else:
                            totals[code] = totals.get(code, Decimal(0)) + quantity
                line = reader.line_num + 2
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError([Issue(name, f"cannot read the forecast: {exc}")]) from exc
    if issues:
        raise InputError(issues)
    if not totals:
        raise InputError([Issue(name, "the forecast has no volumes")])
    return totals
