"""Command line: the billing options every billing command shares, defined once.

``bill`` and ``issue`` (and any command that bills volumes) take the same inputs through
:func:`add_billing_arguments`, turn them into one :class:`~sfprice.app.BillingRequest`
with :func:`billing_request`, and print the same notes with :func:`print_notes`. Part of
the CLI layer; ``--pricelists`` (repeatable) comes with every command's common options.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sfprice.app import BillingOutcome, BillingRequest, same_file_issues
from sfprice.errors import InputError
from sfprice.io.allocations import allocation_key_files

__all__ = [
    "add_billing_arguments",
    "billing_request",
    "check_outputs",
    "print_notes",
]


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
        help="customer register (CSV: department,employees,first_year): headcounts for fees "
        "per employee, first years for prices by customer year; its departments get the "
        "fixed fees of every month billed (see docs/file-formats.md)",
    )


def billing_request(args: argparse.Namespace, year: int) -> BillingRequest:
    """The billing request the parsed arguments describe, for ``year``."""
    return BillingRequest(
        volumes=tuple(args.volumes),
        year=year,
        pricelists=tuple(args.pricelists or ()),
        customers=args.customers,
        allocations=args.allocations,
    )


def print_notes(outcome: BillingOutcome) -> None:
    """Print the run's notes on standard error, one ``note:`` line each."""
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)


def _label(key: str) -> str:
    return key.upper() if key == "volumes" else "--" + key.replace("_", "-")


def _inputs(args: argparse.Namespace) -> list[tuple[str, Path]]:
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
    issues = same_file_issues(outputs, _inputs(args))
    if issues:
        raise InputError(issues)
