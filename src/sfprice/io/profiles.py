"""Import profiles: how one system's export maps onto sfprice's volume columns and codes.

A payroll or ledger system exports its own column names (``Löneperiod``, ``Antal``), its
own service labels (``Lisa Självservice``) and its own department labels (``KULTURF``).
An import profile (a TOML file, docs/import-profiles.md) says once what each means, so
the export bills without hand editing::

    system = "Lisa (lönesystem)"
    description = "Månadsexport av lönespecifikationer per förvaltning"
    sheet = "Lön"                       # optional: the sheet of an .xlsx export

    [columns]                           # the export's header -> sfprice's column
    month = "Löneperiod"
    department = "Förvaltning"
    service = "Lönetyp"
    quantity = "Antal"
    ignore = ["Kommentar"]              # columns the profile knows and leaves out

    [services]                          # the system's label -> service code
    "Lisa Självservice" = "payroll.self_service"
    "Lisa Tid" = "payroll.self_service" # several labels may map to one code

    [departments]                       # the system's label -> department name or code
    "KULTURF" = "Kulturförvaltningen"

With a profile, a service label that is neither in ``[services]`` nor a service code, and
(when ``[departments]`` is given) a department label that is neither in it nor one of
its names, is an error at its row, naming the nearest labels. A profile that maps a label
to a service code no price list has is an error located in the profile.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import Field

from sfprice.errors import InputError, Issue
from sfprice.io._toml import Schema, validate_toml
from sfprice.model import PriceCatalog
from sfprice.names import clean_name
from sfprice.period import Month

__all__ = ["CONCEPTS", "ImportProfile", "load_profile"]

#: sfprice's volume columns, which a profile's ``[columns]`` maps the export's names to.
CONCEPTS = ("month", "department", "service", "quantity")


class _Columns(Schema):
    month: str | None = None
    department: str
    service: str
    quantity: str
    ignore: list[str] = Field(default_factory=list)


class _ProfileSchema(Schema):
    system: str
    description: str = ""
    sheet: str | None = None
    month_format: str | None = None
    month: str | None = None
    columns: _Columns
    services: dict[str, str] = Field(default_factory=dict)
    departments: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImportProfile:
    """A system's export format, as an import profile file describes it.

    Attributes:
        path: The profile file, as the user gave it.
        system: The system's name.
        description: What the export is.
        sheet: The worksheet of an ``.xlsx`` export to read (None: the first).
        month_format: A ``strptime`` format of the month column (``%Y%m``), or None.
        fixed_month: The month of every row, for an export without a month column, or None.
        columns: The export's column name (case-folded) -> ``month``/``department``/...
        ignored: Column names (case-folded) the profile leaves out.
        services: Service label -> service code.
        departments: Department label -> department name or customer code.
    """

    path: str
    system: str
    description: str = ""
    sheet: str | None = None
    month_format: str | None = None
    fixed_month: Month | None = None
    columns: dict[str, str] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()
    services: dict[str, str] = field(default_factory=dict)
    departments: dict[str, str] = field(default_factory=dict)
    lines: dict[tuple[str, str], int] = field(default_factory=dict)

    def service_code(self, label: str) -> str:
        """The service code a label maps to (the label itself when it is not mapped)."""
        stripped = label.strip()
        return self.services.get(stripped, stripped)

    def department(self, label: str) -> str | None:
        """The department a (clean) label maps to; the label if it is a target; else None.

        Without a ``[departments]`` table every label stands for itself.
        """
        if not self.departments:
            return label
        found = self.departments.get(label)
        if found is not None:
            return found
        return label if label in self._targets() else None

    def _targets(self) -> frozenset[str]:
        return frozenset(self.departments.values())

    def month(self, text: str) -> Month | None:
        """The month of ``text`` by the profile's ``month_format``, or None if it does not match."""
        if self.month_format is None:
            return None
        try:
            moment = datetime.strptime(text.strip(), self.month_format)  # a date: no time zone
        except ValueError:
            return None
        return Month(moment.year, moment.month)

    def check_codes(self, catalog: PriceCatalog) -> list[Issue]:
        """One issue per label mapped to a service code that no price list has."""
        codes = sorted(catalog.codes)
        issues = []
        for label, code in self.services.items():
            if code not in catalog.codes:
                near = difflib.get_close_matches(code, codes, n=3, cutoff=0.5)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                issues.append(
                    Issue(
                        self.path,
                        f"label {label!r} maps to the unknown service code {code!r}: no price "
                        f"list has it{hint}",
                        line=self.lines.get(("services", label)),
                        field=f"services.{label!r}",
                    )
                )
        return issues


def _line_of(text: str, table: str, key: str) -> int | None:
    """The line of ``key`` in ``[table]`` (a rough search: enough to point at it)."""
    inside = False
    pattern = re.compile(rf"\s*(\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.strip("[] ") == table
        elif inside and pattern.match(line):
            return number
    return None


def _profile_issues(schema: _ProfileSchema, path: str, text: str) -> list[Issue]:
    issues = []
    names: dict[str, str] = {}
    columns = schema.columns
    if (columns.month is None) == (schema.month is None):
        issues.append(
            Issue(
                path,
                "give the month column ([columns] month = ...) or a fixed month (month = "
                '"2014-03") for an export without one, not both or neither',
                field="month",
            )
        )
    for concept in CONCEPTS:
        given = getattr(columns, concept)
        if given is None:
            continue
        header = given.strip()
        folded = header.casefold()
        if not header:
            issues.append(
                Issue(
                    path, "is empty (expected the export's column name)", field=f"columns.{concept}"
                )
            )
        elif folded in names:
            issues.append(
                Issue(
                    path,
                    f"{header!r} is already the {names[folded]} column (expected one column "
                    "per concept)",
                    field=f"columns.{concept}",
                )
            )
        names.setdefault(folded, concept)
    issues.extend(
        Issue(path, f"{header!r} is a mapped column and cannot be ignored", field="columns.ignore")
        for header in columns.ignore
        if header.strip().casefold() in names
    )
    for table, mapping in (("services", schema.services), ("departments", schema.departments)):
        for label, target in mapping.items():
            if not label.strip() or not target.strip():
                issues.append(
                    Issue(
                        path,
                        f"label {label!r} = {target!r}: neither may be empty",
                        line=_line_of(text, table, label),
                        field=f"{table}.{label!r}",
                    )
                )
    return issues


def _clean(label: str, path: str, where: str) -> tuple[str | None, Issue | None]:
    try:
        return clean_name(label), None
    except ValueError as exc:
        return None, Issue(path, str(exc), field=where)


def load_profile(path: str | Path, *, catalog: PriceCatalog | None = None) -> ImportProfile:
    """Read and check an import profile (TOML).

    Args:
        path: The profile file.
        catalog: When given, every service code the profile maps to must be in it.

    Raises:
        InputError: One issue per problem, located in the profile.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Issue(name, f"cannot read the import profile: {exc}")]) from exc
    schema, issues = validate_toml(_ProfileSchema, text, name)
    if schema is None:
        raise InputError(issues)
    issues = _profile_issues(schema, name, text)
    departments: dict[str, str] = {}
    for label, target in schema.departments.items():
        key, problem = _clean(label, name, f"departments.{label!r}")
        value, problem_2 = _clean(target, name, f"departments.{label!r}")
        issues += [p for p in (problem, problem_2) if p is not None]
        if key is not None and value is not None:
            departments[key] = value
    lines = {
        (table, label): line
        for table, mapping in (("services", schema.services), ("departments", schema.departments))
        for label in mapping
        if (line := _line_of(text, table, label)) is not None
    }
    columns = schema.columns
    fixed: Month | None = None
    if schema.month is not None:
        try:
            fixed = Month.parse(schema.month)
        except ValueError as exc:
            issues.append(Issue(name, str(exc), field="month"))
    profile = ImportProfile(
        path=name,
        system=schema.system,
        description=schema.description,
        sheet=schema.sheet,
        month_format=schema.month_format,
        fixed_month=fixed,
        columns={
            getattr(columns, c).strip().casefold(): c
            for c in CONCEPTS
            if getattr(columns, c) is not None
        },
        ignored=frozenset(h.strip().casefold() for h in columns.ignore),
        services={label.strip(): code.strip() for label, code in schema.services.items()},
        departments=departments,
        lines=lines,
    )
    if catalog is not None:
        issues += profile.check_codes(catalog)
    if issues:
        raise InputError(issues)
    return profile
