"""Command line: ``python -m sfprice bill VOLUMES --year YEAR`` and friends.

A thin shell over the application layer (:mod:`sfprice.app`): each command parses its
arguments, calls a service and renders the result. One module per command group
(:mod:`~sfprice.cli.bill`, :mod:`~sfprice.cli.register`, :mod:`~sfprice.cli.documents`,
:mod:`~sfprice.cli.recovery`, :mod:`~sfprice.cli.simulate`, :mod:`~sfprice.cli.plan`);
the argument groups they share are defined once in :mod:`~sfprice.cli.arguments`, and
the hints that name an option in :mod:`~sfprice.cli.hints`. Exit codes: 0 success; 2 bad
input or usage (each problem printed on stderr, nothing written); 1 an unexpected internal
error.
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
from sfprice.cli.arguments import check_outputs, common, output_arguments
from sfprice.cli.bill import add_bill
from sfprice.cli.documents import add_export
from sfprice.cli.hints import issues_with_hints, with_hints
from sfprice.cli.plan import add_plan
from sfprice.cli.recovery import add_commands
from sfprice.cli.register import add_register_commands
from sfprice.cli.sheets import check_sheet_format
from sfprice.cli.simulate import add_simulate
from sfprice.cli.subscriptions import add_subscription_commands
from sfprice.errors import InputError, Issue, PriceNotFound, SfpriceError

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

    add_bill(commands, common)
    add_commands(commands, common)
    add_simulate(commands, common)
    add_plan(commands, common)
    add_register_commands(commands, common)
    add_subscription_commands(commands, common)
    add_export(commands, output_arguments)
    return parser


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
        # An output that is an input, or a workbook without a workbook's name, is refused
        # before anything is read or written.
        check_sheet_format(args)
        check_outputs(args, [args.output] if getattr(args, "output", None) else [])
        text = args.handler(args)
        check_outputs(args, list(getattr(args, "extra_outputs", {})))
        # Extra files (a break-even draft, a PDF) are written only once everything succeeded.
        for path, content in getattr(args, "extra_outputs", {}).items():
            _write(content, path)
        _write(text, None if getattr(args, "output_is_extra", False) else args.output)
    except (InputError, PriceNotFound) as exc:
        if args.debug:
            raise
        truncated = exc.truncated if isinstance(exc, InputError) else 0
        _report(issues_with_hints(exc.issues), truncated, args.errors)
        return EXIT_INPUT
    except SfpriceError as exc:
        if args.debug:
            raise
        print(f"error: {with_hints(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK
