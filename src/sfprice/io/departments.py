"""One name per department across all the input files of a run.

Each loader already cleans every department name with :func:`sfprice.names.clean_name`.
This check looks at the run as a whole: the volume files, the customer register, the
allocation keys and the fees of the price lists. It refuses

- names that differ only by case, accents, spaces or punctuation (``Kulturförvaltningen`` and
  ``kulturförvaltningen``): one problem per department, listing each spelling with the
  file and line where it first occurs, since sfprice cannot know which one is right;
- with a customer register, every name that is not in it, with the nearest registered
  names (a typo such as ``Kulturförvaltnigen`` would otherwise become a department of its
  own, with its own invoice).

A good run costs a few set operations. Only when something is wrong are the CSV files read
again to find the line of each name.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ParamSpec

from sfprice.customers import CustomerRegister
from sfprice.errors import InputError, Issue, Remedy
from sfprice.io._xlsx import is_workbook
from sfprice.io.profiles import ImportProfile
from sfprice.model import Customer, Driver, PriceCatalog, VolumeSet
from sfprice.names import clean_name, fold_name, name_variants, nearest_names

P = ParamSpec("P")

__all__ = ["NameUse", "check_departments", "department_issues"]

_HEADERS = {"department", "förvaltning", "forvaltning", "kund", "avdelning"}
_DELIMITERS = (";", ",", "\t")
_IN_CODE = "customer register"  # where a Customer built in code, with no source, is


@dataclass(frozen=True, slots=True)
class NameUse:
    """Where a department name occurs: a file, and its line or key path when known."""

    name: str
    path: str
    line: int | None = None
    field: str | None = None
    #: For a workbook (or a file read with a profile): the issue at its sheet, row and cell.
    at: Issue | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        return f"{self.path} {self.field}" if self.field else self.path

    def place(self, here: str) -> str:
        """Where, shortened to the line when the path is ``here`` (the issue's own file)."""
        if self.path == here and self.line is not None:
            return f"line {self.line}"
        return str(self)

    def issue(self, message: str) -> Issue:
        """An issue at this place."""
        if self.at is not None:
            return replace(self.at, message=message)
        column = "department" if self.field is None else None
        return Issue(self.path, message, line=self.line, column=column, field=self.field)


def _first_lines(path: str) -> dict[str, int]:
    """The first line of each department name in a CSV file with a department column."""
    lines: dict[str, int] = {}
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
            at = None
            delimiter = ","
            for delimiter in _DELIMITERS:
                fields = next(csv.reader([header], delimiter=delimiter), [])
                names = [f.strip().lower() for f in fields]
                at = next((i for i, n in enumerate(names) if n in _HEADERS), None)
                if at is not None:
                    break
            if at is None:
                return lines
            reader = csv.reader(handle, delimiter=delimiter)
            seen: set[str] = set()  # raw texts already cleaned: a big file repeats a few
            line = 2
            for fields in reader:
                if len(fields) > at and (text := fields[at]) not in seen:
                    seen.add(text)
                    try:
                        name = clean_name(text)
                    except ValueError:
                        name = ""
                    if name:
                        lines.setdefault(name, line)
                line = reader.line_num + 2
    except (OSError, UnicodeDecodeError, csv.Error):
        return lines  # the loader has read this file already; a location is a nicety
    return lines


def _customer_use(customer: Customer) -> NameUse:
    path, _, line = customer.source.rpartition(":")
    if path and line.isdigit():
        return NameUse(customer.department, path, int(line))
    return NameUse(customer.department, customer.source or _IN_CODE)


class _Uses:
    """Every name of the run with the places it occurs, located only on demand."""

    def __init__(
        self,
        paths: Iterable[str | Path],
        profile: ImportProfile | None = None,
        sheet: str | None = None,
    ) -> None:
        self.places: dict[str, list[NameUse]] = {}
        self.profile = profile
        self.sheet = sheet
        self._csv: dict[str, dict[str, int]] = {}
        self._tables: dict[str, dict[str, Issue]] = {}
        self._rank: dict[str, int] = {str(p): i for i, p in enumerate(dict.fromkeys(paths))}

    def add(self, use: NameUse) -> None:
        self._rank.setdefault(use.path, len(self._rank))
        places = self.places.setdefault(use.name, [])
        if use not in places:
            places.append(use)

    def order(self, path: str, line: int | None) -> tuple[int, int]:
        """A sort key: the files in the order given, then by line."""
        return self._rank.get(path, len(self._rank)), line or 0

    def first(self, name: str) -> NameUse:
        """The first place of ``name``, with its line looked up in its file.

        A CSV file is scanned here; any other volume file (a workbook, or a file read with
        an import profile) through the volume reader, for its sheet, row and cell.
        """
        use = min(self.places[name], key=lambda u: self.order(u.path, u.line))
        if use.line is None and use.field is None:
            if use.path not in self._csv and use.path not in self._tables:
                if self.profile is None and not is_workbook(Path(use.path)):
                    self._csv[use.path] = _first_lines(use.path)
                else:
                    from sfprice.io.volumes import department_places  # it imports this module

                    self._tables[use.path] = department_places(
                        use.path, profile=self.profile, sheet=self.sheet
                    )
            at = self._tables.get(use.path, {}).get(name)
            if at is not None:
                return NameUse(name, use.path, at.line, at=at)
            line = self._csv.get(use.path, {}).get(name)
            return NameUse(name, use.path, line)
        return use


def department_issues(
    *,
    volumes: VolumeSet | None = None,
    customers: Mapping[str, Customer] | Iterable[Customer] | None = None,
    drivers: Iterable[Driver] = (),
    catalog: PriceCatalog | None = None,
    paths: Iterable[str | Path] = (),
    issued: Iterable[str] = (),
    issued_in: str = "",
    profile: ImportProfile | None = None,
    sheet: str | None = None,
) -> list[Issue]:
    """The problems with department names across a run's inputs (see the module docs).

    Args:
        issued: The departments an invoice register has already invoiced, and
        issued_in: the register file. Without a customer register, a run's new name that
            differs from one of them only by case, accents, spaces or punctuation is refused too (it
            would start a second department in the register); old variants among the
            issued names are history and not reported.
        paths: The volume files in the order given, for the order of the problems and of
            the spellings listed in one (other files follow in the order met).
        volumes: The volumes read from the volume files.
        customers: The customer register; when given, every other name must be in it.
        drivers: Allocation keys (their ``source`` is the key file).
        profile: The import profile the volume files were read with, and
        sheet: the worksheet of workbooks, to locate a name at its row.
        catalog: Price lists whose fixed fees name departments.
    """
    uses = _Uses(paths, profile, sheet)
    register: dict[str, NameUse] = {}
    if customers is not None:
        values = customers.values() if isinstance(customers, Mapping) else customers
        for customer in values:
            use = _customer_use(customer)
            register[customer.department] = use
            uses.add(use)
    if volumes is not None:
        for entry in volumes.entries:
            for source in entry.sources:
                uses.add(NameUse(entry.key.department, source.path))
    for driver in drivers:
        for name in driver.quantities:
            uses.add(NameUse(name, driver.source or driver.description))
    volume_names = {entry.key.department for entry in volumes.entries} if volumes else set()
    fees: set[str] = set()
    if catalog is not None:
        for price_list in catalog.lists:
            for index, item in enumerate(price_list.items):
                fees.update(item.fees)
                for name in item.fees:
                    path = price_list.path or price_list.id
                    uses.add(NameUse(name, path, field=f"items[{index}].fees ({item.code})"))
    run_order = list(uses.places)
    run_names = set(run_order)
    # With a customer register, the register decides the spelling, not the history.
    history = set(issued) if customers is None else set()
    for name in sorted(history - run_names):
        uses.add(NameUse(name, issued_in or "invoice register", field="issued invoices"))
    issues: list[Issue] = []
    grouped: set[str] = set()
    for group in name_variants(uses.places):
        in_run = [name for name in group if name in run_names]
        if len(in_run) < 2 and all(name in history for name in in_run):
            continue  # old spellings in the invoice register that this run does not add to
        grouped.update(group)
        issues.append(_variant_issue(group, uses, register))
    if customers is not None:
        # The nearest of every label the register knows: codes, earlier names, aliases.
        full = customers if isinstance(customers, CustomerRegister) else None
        labels = full.labels() if full is not None else register
        for name in run_order:
            if name in register or name in grouped:
                continue
            spans = full.spans(name) if full is not None else ()
            if spans:
                # A code or an alias where only the current name is read (a price list's
                # fees): the register knows it, so say whose it is.
                owners = ", ".join(dict.fromkeys(repr(s.customer.department) for s in spans))
                issues.append(
                    uses.first(name).issue(
                        f"{name!r} is a code or other name of {owners} in the customer "
                        f"register; here write the current name (expected {owners})"
                    )
                )
            else:
                issues.append(_unknown_issue(name, uses, register, labels))
    else:
        # Without a customer register a typo cannot be known for sure; but a new name next
        # to an invoiced one, or a fee for a department no volume names, that is one or two
        # letters from an existing name is refused as a probable typo.
        known = sorted(history)
        for name in run_order:
            if name in grouped or name in history or not known:
                continue
            near = _typos_of(name, known)
            if near:
                where = issued_in or "the invoice register"
                lead = f"{name!r} is a new department name, one or two letters from"
                issues.append(_typo_issue(name, near, uses, lead, where))
        fee_names = [name for name in run_order if name in fees and name not in grouped]
        billed = sorted(n for n in run_names if n not in fees or n in volume_names)
        for name in fee_names:
            if name in volume_names or name in history:
                continue
            near = _typos_of(name, billed)
            if near:
                lead = f"{name!r} has a fee but is no department of the run; it is one or two "
                lead += "letters from"
                issues.append(_typo_issue(name, near, uses, lead, "the volume files"))
    return sorted(issues, key=lambda i: uses.order(i.path, i.line))


_DIGIT_RUNS = re.compile(r"[0-9]+")


def _typos_of(name: str, candidates: Sequence[str]) -> list[str]:
    """Names in ``candidates`` that ``name`` is probably a typo of, nearest first.

    A probable typo has the same numbers and is one or two letters apart in a name of at
    least eight letters (``Kulturförvaltnigen`` of ``Kulturförvaltningen``).
    """
    folded = fold_name(name)
    if len(folded) < 8:
        return []
    digits = _DIGIT_RUNS.findall(folded)
    by_fold = {
        fold_name(c): c
        for c in candidates
        if c != name and _DIGIT_RUNS.findall(fold_name(c)) == digits
    }
    close = difflib.get_close_matches(folded, list(by_fold), n=3, cutoff=0.9)
    return [by_fold[c] for c in close if c != folded]


def _typo_issue(name: str, near: Sequence[str], uses: _Uses, lead: str, where: str) -> Issue:
    listed = ", ".join(map(repr, near))
    return uses.first(name).issue(
        f"{lead} {listed} in {where}: "
        "a typo? (expected the same spelling; to bill a new department with such a name, "
        f"{Remedy.REGISTER_BOTH})"
    )


def _variant_issue(group: tuple[str, ...], uses: _Uses, register: Mapping[str, NameUse]) -> Issue:
    firsts = sorted((uses.first(name) for name in group), key=lambda u: uses.order(u.path, u.line))
    # Located at the first spelling that is not the registered one.
    at = next((use for use in firsts if use.name not in register), firsts[0])
    listed = ", ".join(f"{use.name!r} ({use.place(at.path)})" for use in firsts)
    registered = [name for name in group if name in register]
    hint = (
        f"the customer register has {registered[0]!r}; use that spelling in every file"
        if registered
        else "use one spelling in every file"
    )
    return at.issue(
        f"{len(group)} spellings of one department that differ only by case, accents, "
        f"spaces or punctuation: {listed}; {hint}"
    )


def _unknown_issue(
    name: str, uses: _Uses, register: Mapping[str, NameUse], labels: Iterable[str]
) -> Issue:
    use = uses.first(name)
    near = nearest_names(name, labels)
    where = _register_path(register)
    hint = (
        f"did you mean {', '.join(map(repr, near))}?"
        if near
        else "add it to the register or correct the name"
    )
    return use.issue(f"{name!r} is not in the customer register{where}; {hint}")


def _register_path(register: Mapping[str, NameUse]) -> str:
    """`` FILE`` of the register, or nothing for a register built in code."""
    path = next(iter(register.values())).path if register else _IN_CODE
    return "" if path == _IN_CODE else f" {path}"


def _raising(find: Callable[P, list[Issue]], name: str) -> Callable[P, None]:
    """The check ``name`` of ``find``: its arguments; raises one error with its issues."""

    def check(*args: P.args, **kwargs: P.kwargs) -> None:
        issues = find(*args, **kwargs)
        if issues:
            raise InputError(issues)

    check.__name__ = check.__qualname__ = name
    check.__doc__ = (
        f"Raise one :class:`InputError` with every problem :func:`{find.__name__}` finds."
    )
    return check


#: Raise one :class:`InputError` with every problem :func:`department_issues` finds (it
#: takes the same arguments).
check_departments = _raising(department_issues, "check_departments")
