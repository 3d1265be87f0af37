"""Benchmark: read a large .xlsx volume file, against openpyxl's bare read of the same file.

Run from the repository root (see benchmarks/README.md)::

    python benchmarks/bench_xlsx.py                   # 600 000 rows: a payroll year
    python benchmarks/bench_xlsx.py --rows 60000      # quick run

What it does:

1. Writes (once; reused while the row count is the same) a workbook with one row per
   payslip: 600 000 rows [003:133-135], month as a date cell, 60 SYNTHETIC departments
   (``Förvaltning NN (syntetisk)``), ``payroll.self_service`` or ``payroll.manual`` (75.5 %
   and 24.5 %), quantity 1 as a number cell; seeded ``random``.
2. Times, best of ``--repeat``: (a) openpyxl's bare streaming pass
   (``read_only=True``, ``iter_rows(values_only=True)``, nothing done with the values)
   and (b) ``sfprice.read_volumes`` of the file with the 2014 catalog. The figure is the
   ratio (b)/(a): what sfprice's checks and sums add to reading the cells at all.
3. Measures the tracemalloc peak of (b): a streaming read stays far below the size of the
   rows.
"""

from __future__ import annotations

import argparse
import random
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl

import sfprice

DATA = Path(__file__).resolve().parent / "data"


def write_book(path: Path, rows: int, seed: int = 2014) -> None:
    """A workbook of ``rows`` payslip rows (write-only mode: streams to disk)."""
    chance = random.Random(seed)
    departments = [f"Förvaltning {n:02d} (syntetisk)" for n in range(1, 61)]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Lön")
    sheet.append(["month", "department", "service", "quantity"])
    for _ in range(rows):
        month = date(2014, chance.randint(1, 12), 1)
        service = "payroll.self_service" if chance.random() < 0.755 else "payroll.manual"
        sheet.append([month, chance.choice(departments), service, 1])
    book.save(path)


def bare_read(path: Path) -> int:
    """openpyxl's streaming pass over every row; the number of rows."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return count


def best(run: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Write the file if needed, time both reads and print the ratio and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    path = DATA / f"payroll-2014-{args.rows}.xlsx"
    if not path.exists():
        write_book(path, args.rows)
    catalog = sfprice.load_catalog()
    bare = best(lambda: bare_read(path), args.repeat)
    ours = best(lambda: sfprice.read_volumes(path, catalog=catalog, year=2014), args.repeat)
    tracemalloc.start()
    volumes = sfprice.read_volumes(path, catalog=catalog, year=2014)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = sum(source.rows for entry in volumes for source in entry.sources)
    print(f"file: {path} ({path.stat().st_size / 1e6:.1f} MB, {rows} rows)")
    print(f"openpyxl bare read: {bare:.2f} s")
    print(f"sfprice.read_volumes: {ours:.2f} s  (ratio {ours / bare:.2f})")
    print(f"read_volumes peak memory (tracemalloc): {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
