"""Benchmark: bill a synthetic city year of transaction rows, against a bare csv.reader pass.

Run from the repository root (see benchmarks/README.md)::

    python benchmarks/bench_bill.py                      # full scale, about 3.2 M rows
    python benchmarks/bench_bill.py --rows-scale 0.1     # quick run, about 320 000 rows

What it does:

1. Writes (once; reused while the parameters are the same) a volume file with one row per
   event, quantity 1: the payslips of a year (600 000, 75.5 % via self-service [003:133-135])
   and the supplier and customer invoices (1 060 000 and 1 545 000 [001:90]) of about 60
   departments. Department names, the split of the ledger volumes over services and the
   spread over months and departments are SYNTHETIC (invented, seeded ``random``).
2. Times, best of ``--repeat``: (a) a bare ``csv.reader`` pass over the file, (b) sfprice
   ``load_catalog`` + ``read_volumes`` + ``bill``, and (c) the CLI end to end in a fresh
   interpreter. The goal is (b)/(a) <= 1.5.
3. Measures the peak memory of billing: the max RSS of a child process that imports sfprice
   and bills the file, and the tracemalloc peak of read + bill in this process. The goal
   is under 100 MB.

The 2014 price list has payroll services only, so for ``--year 2014`` (the default) the file
is billed under a benchmark-only list written to a temporary folder: ``pricelists/2014.toml``
plus the 2010 economy items (``ar.*``, ``ap.*``) at their 2010 prices. ``--year 2010``
bills under the bundled lists as they are (the 2010 list has both kinds of services).

Only the standard library and sfprice are used.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import json
import os
import platform
import pstats
import random
import re
import subprocess
import sys
import tempfile
import time
import tomllib
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from itertools import product, repeat
from pathlib import Path

import sfprice

#: Bump when the generated file changes for the same parameters (forces a rewrite).
GENERATOR_VERSION = 1
DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"
GOAL_RATIO = 1.5
GOAL_PEAK_BYTES = 100_000_000  # "under 100 MB": 10^6-byte megabytes, the stricter reading

# --- Volumes. Totals from the seeds; every split below them is an assumption. ----------
PAYSLIPS = 600_000  # "Antalet lönespecifikationer ... 600 000" [003:133]
SUPPLIER_INVOICES = 1_060_000  # "leverantörsfakturer ... ca 1 060 000" [001:90]
CUSTOMER_INVOICES = 1_545_000  # "kundfakturer till 1 545 000" [001:90]
#: (service, weight) per stream; a row is one payslip or one invoice, quantity 1.
STREAMS: dict[str, tuple[tuple[str, int], ...]] = {
    # 453 000 of 600 000 (75.5 %) "maskinellt via stadens försystem" [003:135]
    "payslips": (("payroll.self_service", 755), ("payroll.manual", 245)),
    # SYNTHETIC split: 80 % electronic/scanned, 20 % manual supplier invoices
    "supplier": (("ap.electronic", 80), ("ap.manual", 20)),
    # SYNTHETIC split: 85 % via feeder system, 10 % manual, 5 % manual with attachment
    "customer": (("ar.feeder", 85), ("ar.manual", 10), ("ar.manual_attachment", 5)),
}
STREAM_TOTALS = {
    "payslips": PAYSLIPS,
    "supplier": SUPPLIER_INVOICES,
    "customer": CUSTOMER_INVOICES,
}
#: SYNTHETIC seasonality, January..December (summer temps on the payroll, a quiet July
#: and a busy December in the ledgers).
MONTH_WEIGHTS = {
    "payslips": (100, 99, 100, 100, 101, 109, 112, 106, 100, 100, 100, 103),
    "supplier": (96, 97, 104, 100, 103, 104, 72, 90, 104, 106, 105, 119),
    "customer": (98, 96, 103, 101, 102, 103, 78, 92, 103, 105, 104, 115),
}
#: SYNTHETIC department names: invented place names, each marked "(syntetisk)".
_STEMS_A = ("Ek", "Björk", "Lind", "Rönn", "Asp", "Hassel", "Gran", "Lönn", "Al", "Sälg", "Ask")
_STEMS_B = ("backa", "dal", "vik", "ås", "holm", "berga", "hage", "torp", "näs", "lunda", "mo")
_SECTORS = (
    "Kultur",
    "Miljö",
    "Trafik",
    "Utbildnings",
    "Socialtjänst",
    "Idrotts",
    "Fastighets",
    "Exploaterings",
    "Arbetsmarknads",
    "Äldre",
    "Stadsbyggnads",
    "Överförmyndar",
    "Park",
    "Vatten",
    "Hamn",
    "Arkiv",
)
_DISTRICTS = 36
_COMPANIES = 8

#: The benchmark-only price list for 2014: a note on top, and the economy items appended.
_BENCH_NOTE = """\
# BENCHMARK-ONLY PRICE LIST, written by benchmarks/bench_bill.py into a temporary folder.
# It is NOT a real price list: it is pricelists/2014.toml (payroll only) with the 2010
# economy-administration items (ar.*, ap.*) appended at their 2010 prices, so that a
# synthetic 2014 year with ledger transactions can be billed.

"""


@dataclass(frozen=True)
class Dataset:
    """The generated volume file and what billing it must give."""

    path: str
    year: int
    rows_scale: float
    seed: int
    rows: int
    rows_per_service: dict[str, int]
    departments: int
    volume_keys: int
    invoices: int
    bytes: int
    quoting: str = "minimal"
    generator_version: int = GENERATOR_VERSION

    def params(self) -> dict[str, object]:
        """The parameters that decide the file's content."""
        return {
            "year": self.year,
            "rows_scale": self.rows_scale,
            "seed": self.seed,
            "quoting": self.quoting,
            "generator_version": self.generator_version,
        }


@dataclass
class Results:
    """Everything measured, as written to ``--json``."""

    command: list[str]
    machine: dict[str, object]
    sfprice_revision: dict[str, object]
    dataset: dict[str, object]
    pricelists: str
    repeat: int
    bare_csv_s: list[float] = field(default_factory=list)
    bill_s: list[float] = field(default_factory=list)
    bill_phases_best_s: dict[str, float] = field(default_factory=dict)
    cli_s: list[float] = field(default_factory=list)
    ratio_bill_to_bare: float = 0.0
    goal_ratio: float = GOAL_RATIO
    child_max_rss_kib: int = 0
    baseline_child_max_rss_kib: int = 0
    tracemalloc_peak_bytes: int = 0
    goal_peak_bytes: int = GOAL_PEAK_BYTES
    check: dict[str, object] = field(default_factory=dict)


# --- The data file -----------------------------------------------------------------------


def _apportion(total: int, weights: Sequence[int | float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties by position)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _departments(rng: random.Random) -> list[str]:
    stems = [a + b for a, b in product(_STEMS_A, _STEMS_B)]
    picked = rng.sample(stems, _DISTRICTS + _COMPANIES)
    names = [f"{stem} stadsdelsförvaltning (syntetisk)" for stem in picked[:_DISTRICTS]]
    names += [f"{sector}förvaltningen (syntetisk)" for sector in _SECTORS]
    names += [f"{stem}bostäder AB (syntetisk)" for stem in picked[_DISTRICTS:]]
    return names


def _file_name(year: int, rows_scale: float, seed: int, quoting: str) -> str:
    quoted = "-quoted" if quoting == "all" else ""
    return f"city-{year}-x{rows_scale:g}-seed{seed}{quoted}.csv"


def ensure_dataset(
    data_dir: Path, year: int, rows_scale: float, seed: int, quoting: str = "minimal"
) -> tuple[Dataset, bool]:
    """The volume file for these parameters: reused if present and unchanged, else written.

    Returns the dataset and whether it was (re)generated.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / _file_name(year, rows_scale, seed, quoting)
    meta_path = path.with_suffix(".json")
    wanted = {
        "year": year,
        "rows_scale": rows_scale,
        "seed": seed,
        "quoting": quoting,
        "generator_version": GENERATOR_VERSION,
    }
    if path.is_file() and meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            dataset = Dataset(**meta)
        except (ValueError, TypeError):
            pass
        else:
            if dataset.params() == wanted and path.stat().st_size == dataset.bytes:
                return replace(dataset, path=str(path)), False
    dataset = _generate(path, year, rows_scale, seed, quoting)
    meta_path.write_text(json.dumps(asdict(dataset), indent=2) + "\n", encoding="utf-8")
    return dataset, True


def _generate(path: Path, year: int, rows_scale: float, seed: int, quoting: str) -> Dataset:
    rng = random.Random(seed)
    departments = _departments(rng)
    # Department sizes differ, and differently for payroll and the ledgers.
    weights = {stream: [rng.lognormvariate(0.0, 0.7) for _ in departments] for stream in STREAMS}
    # counts[stream][service index][month index], exact totals.
    counts: dict[str, list[list[int]]] = {}
    for stream, services in STREAMS.items():
        total = round(STREAM_TOTALS[stream] * rows_scale)
        per_service = _apportion(total, [w for _, w in services])
        counts[stream] = [_apportion(n, MONTH_WEIGHTS[stream]) for n in per_service]
    rows_per_service: Counter[str] = Counter()
    keys = 0
    invoices = 0
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(
            handle,
            lineterminator="\n",
            quoting=csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL,
        )
        writer.writerow(("month", "department", "service", "quantity"))
        for m in range(12):
            month = f"{year:04d}-{m + 1:02d}"
            rows: list[tuple[str, str]] = []
            billed: set[str] = set()
            for stream, services in STREAMS.items():
                cum = list(_accumulate(weights[stream]))
                for s, (service, _) in enumerate(services):
                    n = counts[stream][s][m]
                    chosen = rng.choices(departments, cum_weights=cum, k=n)
                    seen = set(chosen)
                    keys += len(seen)
                    billed |= seen
                    rows_per_service[service] += n
                    rows.extend(zip(chosen, repeat(service), strict=False))
            invoices += len(billed)
            rng.shuffle(rows)
            writer.writerows((month, department, service, "1") for department, service in rows)
            del rows
    tmp.replace(path)
    return Dataset(
        path=str(path),
        year=year,
        rows_scale=rows_scale,
        seed=seed,
        rows=sum(rows_per_service.values()),
        rows_per_service=dict(sorted(rows_per_service.items())),
        departments=len(departments),
        volume_keys=keys,
        invoices=invoices,
        bytes=path.stat().st_size,
        quoting=quoting,
    )


def _accumulate(values: Sequence[float]) -> list[float]:
    out: list[float] = []
    running = 0.0
    for value in values:
        running += value
        out.append(running)
    return out


# --- The price lists ----------------------------------------------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    msg = f"cannot write {value!r} as TOML here"
    raise TypeError(msg)


def write_benchmark_pricelists(folder: Path) -> Path:
    """Write the benchmark-only 2014 list (2014 payroll + 2010 ar.*/ap.* items) to ``folder``."""
    bundled = sfprice.bundled_pricelists()
    text_2014 = (bundled / "2014.toml").read_text(encoding="utf-8")
    data_2010 = tomllib.loads((bundled / "2010.toml").read_text(encoding="utf-8"))
    text_2014 = re.sub(
        r'^title = "(.*)"$',
        lambda m: f'title = "{m[1]} + ekonomi 2010 (BENCHMARK ONLY, not a real list)"',
        text_2014,
        count=1,
        flags=re.MULTILINE,
    )
    parts = [_BENCH_NOTE, text_2014.rstrip("\n"), "\n\n# --- Appended for the benchmark only:"]
    parts.append(" the 2010 economy items at their 2010 prices (pricelists/2010.toml)\n")
    for item in data_2010["items"]:
        code = item["code"]
        if not code.startswith(("ar.", "ap.")):
            continue
        parts.append("\n[[items]]\n")
        for key, value in item.items():
            if key == "source":
                value = f"pricelists/2010.toml: {value} (benchmark copy)"
            parts.append(f"{key} = {_toml_value(value)}\n")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "2014.toml"
    path.write_text("".join(parts), encoding="utf-8")
    return path


# --- The measurements ---------------------------------------------------------------------


def bare_pass(path: Path) -> float:
    """Seconds for ``for row in csv.reader(f): pass`` over the file."""
    start = time.perf_counter()
    with path.open(encoding="utf-8-sig", newline="") as f:
        for _row in csv.reader(f):
            pass
    return time.perf_counter() - start


def bill_file(
    path: Path, pricelists: Path | None, year: int
) -> tuple[sfprice.BillingRun, dict[str, float]]:
    """Load the catalog, read the volumes and bill them; the run and seconds per phase."""
    t0 = time.perf_counter()
    catalog = sfprice.load_catalog(pricelists)
    t1 = time.perf_counter()
    volumes = sfprice.read_volumes(path, catalog=catalog, year=year)
    t2 = time.perf_counter()
    run = sfprice.bill(catalog, volumes, year=year)
    t3 = time.perf_counter()
    phases = {"load_catalog": t1 - t0, "read_volumes": t2 - t1, "bill": t3 - t2, "total": t3 - t0}
    return run, phases


def cli_command(path: Path, pricelists: Path | None, year: int) -> list[str]:
    """The CLI invocation; JSON goes to stdout, which the caller sends to /dev/null."""
    command = [sys.executable, "-m", "sfprice", "bill", str(path), "--year", str(year)]
    command += ["--format", "json"]
    if pricelists is not None:
        command += ["--pricelists", str(pricelists)]
    return command


def time_cli(command: list[str]) -> float:
    """Wall-clock seconds of one CLI run (interpreter start-up included)."""
    start = time.perf_counter()
    done = subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        msg = f"CLI failed ({done.returncode}): {' '.join(command)}\n{done.stderr}"
        raise RuntimeError(msg)
    return elapsed


_CHILD_BILL = """\
import sys
import sfprice
path, year, pricelists = sys.argv[1], int(sys.argv[2]), sys.argv[3] or None
catalog = sfprice.load_catalog(pricelists)
volumes = sfprice.read_volumes(path, catalog=catalog, year=year)
run = sfprice.bill(catalog, volumes, year=year)
print(len(run.invoices), run.total)
"""

_CHILD_BASELINE = """\
import sys
import sfprice
sfprice.load_catalog(sys.argv[3] or None)
print(0, 0)
"""


_LAUNCHER = """\
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"returncode": done.returncode, "stdout": done.stdout,
                  "stderr": done.stderr, "max_rss_kib": usage.ru_maxrss}))
"""


def child_max_rss(code: str, path: Path, year: int, pricelists: Path | None) -> tuple[int, str]:
    """Run ``code`` in a fresh interpreter; its max RSS in KiB (Linux) and its stdout.

    The figure is ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` read by a small launcher
    process whose only child runs ``code``. Not read here directly: on Linux a child's
    ``ru_maxrss`` starts from the RSS of the process that spawned it (exec keeps the high-water
    mark of the memory it replaces), so a child of this process, which may just have written
    a 200 MB file, would report this process's size rather than its own.
    """
    child = [sys.executable, "-c", code, str(path), str(year), str(pricelists or "")]
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *child],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(done.stdout)
    if data["returncode"] != 0:
        msg = f"child failed ({data['returncode']}):\n{data['stdout']}{data['stderr']}"
        raise RuntimeError(msg)
    return int(data["max_rss_kib"]), str(data["stdout"]).strip()


def tracemalloc_peak(path: Path, pricelists: Path | None, year: int) -> int:
    """Peak bytes traced by tracemalloc during read_volumes + bill (catalog loaded first)."""
    catalog = sfprice.load_catalog(pricelists)
    gc.collect()
    tracemalloc.start()
    try:
        volumes = sfprice.read_volumes(path, catalog=catalog, year=year)
        run = sfprice.bill(catalog, volumes, year=year)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del run, volumes
    return peak


def profile_read(path: Path, pricelists: Path | None, year: int, top: int = 25) -> None:
    """Print the cProfile of read_volumes + bill, sorted by cumulative time."""
    catalog = sfprice.load_catalog(pricelists)
    profiler = cProfile.Profile()
    profiler.enable()
    volumes = sfprice.read_volumes(path, catalog=catalog, year=year)
    sfprice.bill(catalog, volumes, year=year)
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(top)


def expected_total(dataset: Dataset, pricelists: Path | None) -> Decimal:
    """Sum of rows x unit price per service: what billing the file must come to."""
    catalog = sfprice.load_catalog(pricelists)
    price_list = catalog.in_force(sfprice.Month(dataset.year, 1))
    assert price_list is not None
    total = Decimal("0.00")
    for service, rows in dataset.rows_per_service.items():
        item = price_list.item(service)
        assert item is not None, service
        total += rows * item.price
    return total


def machine() -> dict[str, object]:
    """The machine and interpreter the figures come from."""
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "cpu_count": os.cpu_count(),
        "sfprice": sfprice.__version__,
    }


def sfprice_revision() -> dict[str, object]:
    """The git commit of the sfprice source measured, and whether its src/ has local changes."""
    package = Path(sfprice.__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(package), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "-C", str(package), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "src_modified": None, "package": str(package)}
    return {"commit": commit, "src_modified": bool(changes), "package": str(package)}


# --- Reporting ---------------------------------------------------------------------------


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.1f} MiB ({kib * 1024 / 1e6:,.1f} MB)"


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(results: Results, dataset: Dataset) -> str:
    """The figures as a short text table."""
    best_bare = min(results.bare_csv_s)
    best_bill = min(results.bill_s)
    phases = results.bill_phases_best_s
    rss_bytes = results.child_max_rss_kib * 1024
    lines = [
        f"sfprice billing benchmark, synthetic city year {dataset.year} "
        f"(rows-scale {dataset.rows_scale:g}, seed {dataset.seed})",
        f"  file       {dataset.path}",
        f"             {dataset.rows:,} rows, {dataset.bytes / 1e6:,.1f} MB, "
        f"{dataset.departments} departments, {dataset.volume_keys:,} volume keys, "
        f"{dataset.invoices:,} invoices",
        f"  quoting    {dataset.quoting}"
        + (" (every field quoted)" if dataset.quoting == "all" else ""),
        f"  price list {results.pricelists}",
        f"  sfprice    {sfprice.__version__} from {results.sfprice_revision['package']}, "
        f"commit {results.sfprice_revision['commit']}"
        + (" with local changes" if results.sfprice_revision["src_modified"] else ""),
        f"  machine    {results.machine['platform']}, {results.machine['python']}, "
        f"{results.machine['cpu_count']} CPU(s)",
        "",
        f"  {'measure':<42}{'best':>10}   all runs (s)",
        f"  {'(a) bare csv.reader pass':<42}{best_bare:>9.3f}s   "
        + " ".join(f"{t:.3f}" for t in results.bare_csv_s),
        f"  {'(b) load_catalog + read_volumes + bill':<42}{best_bill:>9.3f}s   "
        + " ".join(f"{t:.3f}" for t in results.bill_s),
        f"  {'    of which load_catalog':<42}{phases['load_catalog']:>9.3f}s",
        f"  {'    of which read_volumes':<42}{phases['read_volumes']:>9.3f}s",
        f"  {'    of which bill':<42}{phases['bill']:>9.3f}s",
        f"  {'(c) CLI end to end (python -m sfprice)':<42}{min(results.cli_s):>9.3f}s   "
        + " ".join(f"{t:.3f}" for t in results.cli_s),
        f"  {'ratio (b)/(a)':<42}{results.ratio_bill_to_bare:>9.2f}x   "
        f"goal <= {GOAL_RATIO}x: {_verdict(results.ratio_bill_to_bare <= GOAL_RATIO)}",
        f"  {'per row: (a) / (b)':<42}"
        f"{best_bare / dataset.rows * 1e6:>6.3f} / {best_bill / dataset.rows * 1e6:.3f} µs",
        "",
        f"  {'peak RSS, child that bills (ru_maxrss)':<42}{_mib(results.child_max_rss_kib)}  "
        f"goal < 100 MB: {_verdict(rss_bytes < GOAL_PEAK_BYTES)}",
        f"  {'peak RSS, child: import + catalog only':<42}"
        f"{_mib(results.baseline_child_max_rss_kib)}  (for reference, not subtracted)",
        f"  {'tracemalloc peak, read_volumes + bill':<42}"
        f"{results.tracemalloc_peak_bytes / 2**20:,.1f} MiB "
        f"({results.tracemalloc_peak_bytes / 1e6:,.1f} MB)  goal < 100 MB: "
        f"{_verdict(results.tracemalloc_peak_bytes < GOAL_PEAK_BYTES)}",
        "",
        f"  check      {results.check['summary']}",
    ]
    return "\n".join(lines)


# --- Main --------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time sfprice billing of a synthetic city year against a bare csv pass."
    )
    parser.add_argument(
        "--year",
        type=int,
        choices=(2010, 2014),
        default=2014,
        help="2014 (default; billed under a benchmark-only list with the 2010 economy items "
        "added) or 2010 (the bundled lists as they are)",
    )
    parser.add_argument(
        "--rows-scale",
        type=float,
        default=1.0,
        help="multiply every volume by this (default 1.0, about 3.2 M rows; 0.1 for a quick run)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; best is kept")
    parser.add_argument("--seed", type=int, default=2014, help="random seed (default 2014)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="where the volume file is written and reused (default benchmarks/data/)",
    )
    parser.add_argument(
        "--quoting",
        choices=("minimal", "all"),
        default="minimal",
        help="minimal (default: quotes only where needed, i.e. none) or all (every field "
        "quoted, as some exports do)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures here")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print a cProfile of read_volumes + bill (top 25 by cumulative time)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the exit code (0 also when a goal is missed)."""
    args = _parser().parse_args(argv)
    if args.rows_scale <= 0 or args.repeat < 1:
        print("error: --rows-scale must be > 0 and --repeat >= 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    dataset, generated = ensure_dataset(
        args.data_dir, args.year, args.rows_scale, args.seed, args.quoting
    )
    print(
        f"{'generated' if generated else 'reusing'} {dataset.path} "
        f"({dataset.rows:,} rows) in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    path = Path(dataset.path)
    with tempfile.TemporaryDirectory(prefix="sfprice-bench-") as tmp:
        pricelists: Path | None = None
        described = "bundled (pricelists/2010.toml, pricelists/2014.toml)"
        if args.year == 2014:
            pricelists = Path(tmp) / "pricelists"
            written = write_benchmark_pricelists(pricelists)
            described = f"benchmark-only {written} (2014 payroll + 2010 ar.*/ap.* items)"
        results = Results(
            command=[sys.executable, *sys.argv],
            machine=machine(),
            sfprice_revision=sfprice_revision(),
            dataset=asdict(dataset),
            pricelists=described,
            repeat=args.repeat,
        )
        expected = expected_total(dataset, pricelists)

        print("memory: billing in a child process ...", file=sys.stderr)
        results.child_max_rss_kib, child_out = child_max_rss(
            _CHILD_BILL, path, args.year, pricelists
        )
        results.baseline_child_max_rss_kib, _ = child_max_rss(
            _CHILD_BASELINE, path, args.year, pricelists
        )

        for i in range(args.repeat):
            print(f"timing: run {i + 1} of {args.repeat} ...", file=sys.stderr)
            gc.collect()
            results.bare_csv_s.append(bare_pass(path))
            gc.collect()
            run, phases = bill_file(path, pricelists, args.year)
            results.bill_s.append(phases["total"])
            if phases["total"] <= min(results.bill_s):
                results.bill_phases_best_s = phases
            if i < args.repeat - 1:
                del run
        results.ratio_bill_to_bare = min(results.bill_s) / min(results.bare_csv_s)

        command = cli_command(path, pricelists, args.year)
        for i in range(args.repeat):
            print(f"timing: CLI run {i + 1} of {args.repeat} ...", file=sys.stderr)
            results.cli_s.append(time_cli(command))

        print("memory: tracemalloc ...", file=sys.stderr)
        results.tracemalloc_peak_bytes = tracemalloc_peak(path, pricelists, args.year)

        rows_billed = sum(line.volume_rows for _, line in run.lines)
        ok = (
            run.total == expected
            and str(expected) == child_out.split()[-1]
            and len(run.invoices) == dataset.invoices
            and rows_billed == dataset.rows
            and run.excluded_rows == 0
        )
        results.check = {
            "ok": ok,
            "total": str(run.total),
            "expected_total": str(expected),
            "child_total": child_out.split()[-1],
            "invoices": len(run.invoices),
            "rows_billed": rows_billed,
            "summary": (
                f"{'ok' if ok else 'FAILED'}: total {run.total} SEK "
                f"(expected {expected}, child {child_out.split()[-1]}), "
                f"{len(run.invoices):,} invoices, {rows_billed:,} rows billed"
            ),
        }
        if args.profile:
            profile_read(path, pricelists, args.year)

    print(report(results, dataset))
    print(f"\n  command    {' '.join(results.command)}")
    if args.json is not None:
        args.json.write_text(json.dumps(asdict(results), indent=2) + "\n", encoding="utf-8")
        print(f"  json       {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
