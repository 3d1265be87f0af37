"""Command line: the argument groups every command shares, defined once.

``bill``, ``issue``, ``balance`` and ``kpi`` (and any command that bills volumes) take the
same inputs through :func:`add_billing_arguments`, turn them into one
:class:`~sfprice.app.BillingRequest` with :func:`billing_request`, and print the same notes
with :func:`print_notes`. :func:`common` adds the price lists and the output options
(``--pricelists``, ``--format``, ``--output``, ``--locale``, ``--errors``);
:func:`register_arguments` the register; :func:`budget_arguments` the cost budget and its
key; the argument types (:func:`month`, :func:`decimal`, :func:`code_number`) parse one
value each.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sfprice.app import BillingOutcome, BillingRequest, BudgetRequest, same_file_issues
from sfprice.engine.recovery import CostKey
from sfprice.errors import InputError, SfpriceError
from sfprice.io.allocations import allocation_key_files
from sfprice.money import magnitude_problem
from sfprice.period import DEFAULT_TIME_ZONE, Month
from sfprice.register.store import number_format_problem
from sfprice.reports.formats import format_locale

__all__ = [
    "ArgumentsError",
    "Common",
    "add_billing_arguments",
    "area_argument",
    "billing_request",
    "budget_arguments",
    "budget_request",
    "check_outputs",
    "code_number",
    "common",
    "decimal",
    "input_paths",
    "key_arguments",
    "month",
    "print_notes",
    "register_arguments",
    "register_path_argument",
    "unique",
]

Common = Callable[[argparse.ArgumentParser, tuple[str, ...]], None]
"""The signature of :func:`common`, as command groups receive it."""


class ArgumentsError(SfpriceError, ValueError):
    """Arguments that contradict each other (a code given twice); exit 2."""


# ------------------------------------------------------------------ argument types


def month(text: str) -> Month:
    """A ``YYYY-MM`` argument."""
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def decimal(text: str) -> Decimal:
    """A finite number argument; a decimal comma and spaces between digit groups are read."""
    try:
        value = Decimal(text.strip().replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        msg = f"{text!r} is not a number (e.g. 6309000 or 0,01)"
        raise argparse.ArgumentTypeError(msg) from exc
    if not value.is_finite():
        msg = f"{text!r} is not a finite number"
        raise argparse.ArgumentTypeError(msg)
    problem = magnitude_problem(value)
    if problem is not None:
        shown = repr(text) if len(text) <= 40 else f"{text[:30]!r}... ({len(text)} characters)"
        msg = f"{shown} {problem}"
        raise argparse.ArgumentTypeError(msg)
    return value


def code_number(text: str) -> tuple[str, Decimal]:
    """A ``CODE=NUMBER`` argument with a number of 0 or more."""
    code, sep, value = text.partition("=")
    if not sep or not code.strip():
        msg = f"{text!r}: expected CODE=NUMBER, e.g. payroll.hourly.training=420"
        raise argparse.ArgumentTypeError(msg)
    number = decimal(value)
    if number < 0:
        msg = f"{text!r}: the number must be 0 or more"
        raise argparse.ArgumentTypeError(msg)
    return code.strip(), number


def unique(pairs: list[tuple[str, Decimal]], option: str) -> dict[str, Decimal]:
    """CODE=NUMBER options as a mapping; a code given twice is an error, never "last wins"."""
    found: dict[str, Decimal] = {}
    for code, number in pairs:
        if code in found:
            msg = f"{option} {code} is given twice ({found[code]} and {number}); give it once"
            raise ArgumentsError(msg)
        found[code] = number
    return found


def _locale(name: str) -> str:
    try:
        return format_locale(name)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _number_format(text: str) -> str:
    problem = number_format_problem(text)
    if problem is not None:
        msg = f"{text!r}: {problem}; e.g. {{issuer}}-{{year}}-{{seq:06d}}"
        raise argparse.ArgumentTypeError(msg)
    return text


# ------------------------------------------------------------------ argument groups


def common(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """Add ``--pricelists`` and the output options; the first format is the default."""
    parser.add_argument(
        "--pricelists",
        type=Path,
        action="append",
        metavar="DIR",
        help="folder of price-list TOML files, or one .toml file; repeat to combine several "
        "(@bundled names the bundled lists; default: the bundled lists)",
    )
    output_arguments(parser, formats)


def output_arguments(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """Add the output options (a command that prices nothing takes no ``--pricelists``)."""
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


def register_path_argument(parser: argparse.ArgumentParser) -> None:
    """Add the required ``--register`` file."""
    parser.add_argument(
        "--register", type=Path, required=True, metavar="PATH", help="the register file (SQLite)"
    )


def register_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--register`` and how its invoices are numbered and dated."""
    register_path_argument(parser)
    parser.add_argument(
        "--issuer", default="SF", help="issuer in the invoice numbers (default: SF)"
    )
    parser.add_argument(
        "--number-format",
        type=_number_format,
        default="{issuer}-{year}-{seq:06d}",
        metavar="PATTERN",
        help="invoice numbers from {issuer}, {year} and {seq} (default: {issuer}-{year}-{seq:06d})",
    )
    parser.add_argument(
        "--time-zone",
        default=DEFAULT_TIME_ZONE,
        metavar="ZONE",
        help="the issuer's time zone: issue dates and numbering years are dates there "
        f"(default: {DEFAULT_TIME_ZONE})",
    )


def budget_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the required ``--budget`` with its key (:func:`key_arguments`)."""
    parser.add_argument(
        "--budget",
        required=True,
        metavar="FILE",
        help="cost-budget TOML file, or the name of a bundled one "
        "(2010-administration, 2014-payroll, 2017-economy)",
    )
    key_arguments(parser)


def key_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--key`` and ``--share``: how a budget's common costs are shared."""
    parser.add_argument(
        "--key",
        choices=[str(k) for k in CostKey],
        default="direct_cost",
        help="how common costs are shared among the selling areas (default: direct_cost)",
    )
    parser.add_argument(
        "--share",
        type=code_number,
        action="append",
        default=[],
        metavar="AREA=WEIGHT",
        help="weights for --key fixed (repeatable)",
    )


def area_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--area``: the business area, by default the budget's only selling area."""
    parser.add_argument(
        "--area", help="business-area code (default: the budget's only selling area)"
    )


def budget_request(args: argparse.Namespace) -> BudgetRequest:
    """The budget request of ``--budget``, ``--key`` and ``--share``."""
    return BudgetRequest(args.budget, args.key, unique(args.share, "--share"))


def add_billing_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the volume files, ``--allocations`` and ``--customers`` as one argument group."""
    group = parser.add_argument_group(
        "billing inputs", "the same for bill and issue: issue bills exactly as bill does"
    )
    group.add_argument(
        "volumes",
        nargs="+",
        type=Path,
        metavar="VOLUMES",
        help="volume file(s); several files add up",
    )
    group.add_argument(
        "--allocations",
        type=Path,
        metavar="FILE",
        help="allocation pools (TOML) to share among the departments by their keys, "
        "one line per pool on each month's invoice (see docs/allocation.md)",
    )
    group.add_argument(
        "--customers",
        type=Path,
        metavar="FILE",
        help="customer register (TOML, see docs/customers.md, or CSV: "
        "department,employees,first_year): volume rows may name its customers by code, "
        "name or alias; headcounts for fees per employee, first years for prices by "
        "customer year; its departments get the fixed fees of every month billed",
    )
    group.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="import profile (TOML) that maps an export's column names, service labels and "
        "department labels to sfprice's (see docs/import-profiles.md)",
    )
    group.add_argument(
        "--sheet",
        metavar="NAME",
        help="the sheet of .xlsx volume files to read (default: the profile's, or the first)",
    )
    group.add_argument(
        "--agreements",
        type=Path,
        metavar="FILE",
        help="agreements and overrides (TOML): price groups, own prices, discounts and "
        "add-on services by customer and month; each line says which priced it "
        "(see docs/agreements.md)",
    )


def billing_request(args: argparse.Namespace, year: int) -> BillingRequest:
    """The billing request the parsed arguments describe, for ``year``."""
    return BillingRequest(
        volumes=tuple(args.volumes),
        year=year,
        pricelists=tuple(args.pricelists or ()),
        customers=args.customers,
        allocations=args.allocations,
        profile=args.profile,
        sheet=args.sheet,
        agreements=args.agreements,
        per=getattr(args, "per", "department"),
    )


def print_notes(outcome: BillingOutcome) -> None:
    """Print the run's notes on standard error, one ``note:`` line each."""
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)


def _label(key: str) -> str:
    return key.upper() if key == "volumes" else "--" + key.replace("_", "-")


def input_paths(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """Every input path the arguments name (any Path-valued option but ``--output``)."""
    found: list[tuple[str, Path]] = []
    for key, value in sorted(vars(args).items()):
        if key == "output":
            continue
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if isinstance(item, Path):
                found.append((_label(key), item))
                if key == "allocations":
                    label = "a key file of --allocations"
                    found += [(label, file) for file in allocation_key_files(item)]
            elif key == "budget" and isinstance(item, str) and Path(item).is_file():
                found.append((_label(key), Path(item)))
    return found


def check_outputs(args: argparse.Namespace, outputs: list[Path]) -> None:
    """Refuse outputs that are one of the command's input files (exit 2, nothing written).

    Raises:
        InputError: One issue per output that is an input (links and hard links count).
    """
    issues = same_file_issues(outputs, input_paths(args))
    if issues:
        raise InputError(issues)
