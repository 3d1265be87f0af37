"""pandas DataFrames of sfprice's tables (the ``notebook`` extra), made in one place.

pandas is imported only when a frame is asked for, so ``import sfprice`` stays light. The
columns are numeric: money is float64 kronor rounded to öre, other numbers (quantities,
prices with more decimals, ratios) float64 as they are, months a pandas ``Period[M]``.
For exact figures use the records a frame is made from (``to_records()``), which keep
Decimals.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["PandasMissing", "records_frame"]

_ORE = Decimal("0.01")


class PandasMissing(ModuleNotFoundError):
    """pandas is not installed."""


def _pandas() -> Any:
    try:
        import pandas  # type: ignore[import-untyped,unused-ignore]  # optional, lazy
    except ModuleNotFoundError as exc:
        msg = "DataFrames need pandas: pip install 'sfprice[notebook]' (or pip install pandas)"
        raise PandasMissing(msg) from exc
    return pandas


def _float(value: object, places: Decimal | None) -> float:
    if value is None or value == "":
        return float("nan")
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if places is not None:
        number = number.quantize(places, rounding=ROUND_HALF_UP)
    return float(number)


def records_frame(
    records: Sequence[Mapping[str, object]],
    *,
    money: Collection[str] = (),
    numbers: Collection[str] = (),
    months: Collection[str] = (),
    columns: Sequence[str] = (),
) -> Any:
    """A DataFrame of flat records, with numeric columns.

    ``money`` columns are float64 kr rounded to öre, ``numbers`` float64, ``months``
    (``YYYY-MM`` text, or objects whose ``str`` is that) ``Period[M]``; the others object.

    ``columns`` names the columns when there are no records (an empty frame keeps them).

    Raises:
        PandasMissing: When pandas is not installed (a ModuleNotFoundError).
    """
    pandas = _pandas()
    names = list(records[0]) if records else list(columns)
    data: dict[str, Any] = {}
    for name in names:
        values = [record.get(name) for record in records]
        if name in money or name in numbers:
            places = _ORE if name in money else None
            data[name] = pandas.Series([_float(v, places) for v in values], dtype="float64")
        elif name in months:
            data[name] = pandas.Series(
                [None if v is None else pandas.Period(str(v), freq="M") for v in values],
                dtype="period[M]",
            )
        else:
            data[name] = pandas.Series(values, dtype="object")
    return pandas.DataFrame(data, columns=names)
