"""Write volumes back to a file that :func:`sfprice.read_volumes` reads.

The file has the header ``month,department,service,quantity``, one row per volume, UTF-8
without a byte-order mark, ``,`` as delimiter and ``.`` as decimal mark; with
``swedish=True`` it is the Swedish CSV of Excel (``;``, decimal comma, UTF-8 with a
byte-order mark, CRLF), which the volume reader reads the same. It is written to a
temporary file beside the target and moved into place (``os.replace``), so a reader never
sees half a file and a failed write leaves the old file as it was.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from sfprice.io.volumes import COLUMNS
from sfprice.model import VolumeEntry, VolumeSet

__all__ = ["format_quantity", "write_volumes_csv"]


def format_quantity(quantity: Decimal) -> str:
    """A quantity as a plain decimal string: no exponent, no trailing zeros.

    >>> format_quantity(Decimal("1E+3")), format_quantity(Decimal("2.50"))
    ('1000', '2.5')

    Raises:
        ValueError: When the quantity is negative or not finite (no volume file has it).
    """
    if not quantity.is_finite() or quantity < 0:
        msg = f"quantity {quantity} cannot be written: expected a finite number, 0 or more"
        raise ValueError(msg)
    text = format(quantity.normalize(), "f")
    return "0" if text in ("0", "-0") else text


def write_volumes_csv(
    volumes: VolumeSet | Iterable[VolumeEntry], path: str | Path, *, swedish: bool = False
) -> Path:
    """Write volumes as ``month,department,service,quantity`` rows, atomically.

    The rows follow the order of the set (month, department, service). Reading the file
    with :func:`sfprice.read_volumes` gives the same keys and quantities back, each now
    sourced from this file with one row.

    Args:
        volumes: The volumes (a :class:`VolumeSet`, or any entries; keys are not merged).
        path: The file to write; its folder must exist. An existing file is replaced.
        swedish: Write Swedish CSV (``;``, decimal comma, BOM, CRLF) for Swedish Excel.

    Returns:
        The path written.

    Raises:
        ValueError: When a quantity is negative or not finite; nothing is written.
        OSError: When the file cannot be written; the old file, if any, is kept.
    """
    target = Path(path)
    mark = "," if swedish else "."
    rows = [
        (
            str(e.key.month),
            e.key.department,
            e.key.service,
            format_quantity(e.quantity).replace(".", mark),
        )
        for e in volumes
    ]
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, before the move)
        "w",
        encoding="utf-8-sig" if swedish else "utf-8",
        newline="",
        dir=target.parent,
        prefix=f".{target.name}.",
        suffix=".tmp",
        delete=False,
    )
    temporary = Path(handle.name)
    try:
        with handle:
            writer = csv.writer(
                handle,
                delimiter=";" if swedish else ",",
                lineterminator="\r\n" if swedish else "\n",
            )
            writer.writerow(COLUMNS)
            writer.writerows(rows)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
