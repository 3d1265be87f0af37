"""Output files must never be input files: ``bill v.csv --output v.csv`` is refused.

Files are compared as files, not as names: a relative and an absolute path, a symbolic
link and a hard link to an input are all the same file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from sfprice.errors import Issue

__all__ = ["same_file_issues"]


def _files(path: Path) -> list[Path]:
    """The files an input path stands for: itself, or a folder's ``*.toml`` files."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix == ".toml" and p.is_file())
    return [path]


def _same(a: Path, b: Path) -> bool:
    """Whether two paths are one file.

    The same inode, or, for a file that does not exist yet (a register about to be
    created), the same resolved path.
    """
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def same_file_issues(outputs: Iterable[Path], inputs: Sequence[tuple[str, Path]]) -> list[Issue]:
    """One issue per output that is the same file as an input (links followed).

    An existing output is compared by file (links followed), a new one by its resolved
    path (an input that a command creates, such as a new register, has no file yet). A
    device such as ``/dev/null`` or a pipe is never an input's file. A folder input (price
    lists) stands for the ``*.toml`` files in it.

    Args:
        outputs: The files the command would write.
        inputs: The files (or folders) it reads, each with how the user named it
            (``"VOLUMES"``, ``"--customers"``).

    >>> same_file_issues([Path("new-file.csv")], [("VOLUMES", Path("examples/volumes-2014.csv"))])
    []
    """
    issues = []
    for output in outputs:
        if output.exists() and not output.is_file():
            continue
        for label, given in inputs:
            clash = next((f for f in _files(given) if _same(output, f)), None)
            if clash is not None:
                issues.append(
                    Issue(
                        str(output),
                        f"the output is the same file as the input {clash} ({label}); "
                        "it would be overwritten: choose another output file",
                    )
                )
                break
    return issues
