"""Command line: ``python -m sfprice bill VOLUMES --year YEAR`` and friends.

A thin shell over the public API. Exit codes: 0 success; 2 bad input or usage (each
problem printed on stderr, nothing written); 1 an unexpected internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sfprice import __version__
from sfprice.document_commands import add_export
from sfprice.engine.allocation import allocate_pool, with_allocations, year_months
from sfprice.engine.billing import bill
from sfprice.errors import InputError, Issue, PriceNotFound, SfpriceError
from sfprice.io.allocations import load_allocations
from sfprice.io.customers import read_customers
from sfprice.io.pricelists import load_catalog
from sfprice.io.volumes import locate_missing_prices, read_volume_files
from sfprice.recovery_commands import add_commands
from sfprice.register_commands import add_register_commands
from sfprice.reports.formats import (
    catalog_to_json,
    catalog_to_table,
    format_locale,
    run_to_csv,
    run_to_json,
    run_to_table,
)
from sfprice.simulate_commands import add_simulate

__all__ = ["main"]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sfprice",
        description="Price and invoice a shared-service administration's services at self cost.",
    )
    parser.add_argument("--version", action="version", version=f"sfprice {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    billing = commands.add_parser(
        "bill",
        help="bill volume files: one invoice per department and month",
        description="Bill volume files (CSV: month,department,service,quantity) under the "
        "price list in force each month.",
    )
    billing.add_argument(
        "volumes",
        nargs="+",
        type=Path,
        metavar="VOLUMES",
        help="volume file(s); several files add up",
    )
    billing.add_argument(
        "--year", type=int, required=True, help="the year to bill; rows of other years are left out"
    )
    billing.add_argument(
        "--allocations",
        type=Path,
        metavar="FILE",
        help="allocation pools (TOML) to share among the departments by their keys, "
        "one line per pool on each month's invoice (see docs/allocation.md)",
    )
    billing.add_argument(
        "--customers",
        type=Path,
        metavar="FILE",
        help="customer register (CSV: department,employees,first_year): headcounts for fees "
        "per employee, first years for prices by customer year; its departments get the "
        "fixed fees of every month billed (see docs/file-formats.md)",
    )
    _common(billing, formats=("table", "csv", "json"))
    billing.set_defaults(handler=_bill)

    lists = commands.add_parser("pricelists", help="list the price lists and their items")
    _common(lists, formats=("table", "json"))
    lists.set_defaults(handler=_pricelists)

    add_commands(commands, _common)
    add_simulate(commands, _common)
    add_register_commands(commands, _common)
    add_export(commands, _common)
    return parser


def _common(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    parser.add_argument(
        "--pricelists",
        type=Path,
        metavar="DIR",
        help="folder of price-list TOML files (default: the bundled lists)",
    )
    parser.add_argument(
        "--format",
        choices=formats,
        default=formats[0],
        help=f"output format (default: {formats[0]})",
    )
    parser.add_argument(
        "--output", type=Path, metavar="PATH", help="write to this file instead of standard output"
    )
    parser.add_argument(
        "--locale",
        default="sv_SE",
        type=_locale,
        help="locale of the table format (default: sv_SE; e.g. en_GB)",
    )
    parser.add_argument(
        "--errors",
        choices=("text", "json"),
        default="text",
        help="how to print input problems on stderr (default: text)",
    )


def _locale(name: str) -> str:
    try:
        return format_locale(name)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _bill(args: argparse.Namespace) -> str:
    catalog = load_catalog(args.pricelists)
    volumes = read_volume_files(args.volumes, catalog=catalog, year=args.year)
    customers = read_customers(args.customers) if args.customers is not None else None
    run = bill(catalog, volumes, year=args.year, customers=customers)
    if args.allocations is not None:
        pools = load_allocations(args.allocations, reserved_codes=catalog.codes)
        run = with_allocations(
            run,
            [allocate_pool(pool, driver) for pool, driver in pools],
            months=year_months(args.year),
            catalog=catalog,
        )
    if run.excluded_rows:
        print(
            f"note: {run.excluded_rows} row(s) outside {args.year} were left out", file=sys.stderr
        )
    if not run.invoices:
        print(f"note: no volumes for {args.year}; nothing billed", file=sys.stderr)
    proposals = sorted(
        {
            i.price_list
            for i in run.invoices
            if (pl := catalog.get(i.price_list)) and pl.status == "proposal"
        }
    )
    if proposals:
        print(
            f"note: priced by a proposal, not a decided list: {', '.join(proposals)}",
            file=sys.stderr,
        )
    if args.format == "json":
        return run_to_json(run)
    if args.format == "csv":
        return run_to_csv(run)
    return run_to_table(run, locale=args.locale)


def _pricelists(args: argparse.Namespace) -> str:
    catalog = load_catalog(args.pricelists)
    if args.format == "json":
        return catalog_to_json(catalog)
    return catalog_to_table(catalog, locale=args.locale)


def _write(text: str | bytes, output: Path | None) -> None:
    if output is None:
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            sys.stdout.write(text)
        return
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    if output.exists() and not output.is_file():
        # A device or pipe (/dev/null, /dev/stdout, a FIFO): write to it, never replace it.
        with output.open("wb") as handle:
            handle.write(data)
        return
    directory = output.parent
    if not directory.is_dir():
        raise OutputError(f"cannot write {output}: the folder {directory} does not exist")
    # Write beside the target and rename, so a failed run never leaves half a file.
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; use the umask
        os.replace(tmp, output)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class OutputError(SfpriceError, OSError):
    """The output file cannot be written."""


def _report(issues: Sequence[Issue], truncated: int, mode: str) -> None:
    if mode == "json":
        data = [issue.to_record() for issue in issues]
        print(
            json.dumps({"errors": data, "not_shown": truncated}, ensure_ascii=False),
            file=sys.stderr,
        )
        return
    for issue in issues:
        print(f"error: {issue}", file=sys.stderr)
    if truncated:
        print(f"error: ... and {truncated} more problem(s) not shown", file=sys.stderr)
    print(f"{len(issues) + truncated} problem(s); nothing was written", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        text = args.handler(args)
        # Extra files (a break-even draft, a PDF) are written only once everything succeeded.
        for path, content in getattr(args, "extra_outputs", {}).items():
            _write(content, path)
        _write(text, None if getattr(args, "output_is_extra", False) else args.output)
    except (InputError, PriceNotFound) as exc:
        if args.debug:
            raise
        truncated = exc.truncated if isinstance(exc, InputError) else 0
        issues = locate_missing_prices(exc).issues if isinstance(exc, PriceNotFound) else exc.issues
        _report(issues, truncated, args.errors)
        return EXIT_INPUT
    except SfpriceError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK
