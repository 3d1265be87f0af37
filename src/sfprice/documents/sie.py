r"""SIE 4 export (type 4I, vouchers for import) of the register's invoices and credit notes.

One voucher per issued document: the internal revenue on the service centre's revenue
account(s) (credit, negative) and the internal cost on the department's cost account(s)
(debit, positive), each row with the department as an object of one dimension. A credit
note's lines are negative, so its voucher is the invoice's reversed. The account mapping
(service or business area to account) is a TOML file, see :func:`load_accounts` and
``docs/documents.md``. :func:`read_sie` parses a file back (used by the tests).

The file is written in CP437 (``#FORMAT PC8``), as the SIE 4 specification requires.
Characters CP437 lacks are replaced by one rule (:func:`sie_text`): typographic dashes,
quotes and spaces by their plain forms, ``€`` by ``EUR``, letters by their base letter
when they have one (``ł`` stays ``?``, ``ő`` becomes ``o``), anything else (a control
character too) by ``?``.

Every text is written as a quoted field. SIE 4B defines one escape only: a quote inside a
field is written ``\"``; a backslash is an ordinary character and is written as it is. A
backslash at the very end of a text would escape the closing quote, so that one becomes
``/`` (:func:`sie_field`). :func:`read_sie` reads by the same rule.

Each customer is an object of the dimension, identified by the SIE object code its
document stored when it was issued (the customer register's ``sie_object``, else its
``code``); a document issued without one (no register, or a register without codes) takes
the code its department has in ``[objects]``, an explicit mapping; a department with
neither stops the export, named. A department's name is never used as a code: names that
share a prefix (``Miljöförvaltningen``, ``Miljönämnden``) would be cut to one object by
readers that take an object code as ``[0-9a-zA-Z]+`` (Sie4j), so every code must be
letters A-Z, a-z and digits only. Two customers are never merged into one object: one code
stored for two customers (or given twice) is refused. The mapping file is checked as a
whole (accounts of four digits, as in BAS; object codes of letters and digits, unique),
with one located message per problem.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sfprice import __version__
from sfprice.errors import InputError, Issue, Remedy
from sfprice.money import exact_sum, round_amount
from sfprice.register import IssuedDocument

__all__ = [
    "AccountMap",
    "SieError",
    "SieFile",
    "SieTransaction",
    "SieVoucher",
    "document_object",
    "documents_of_year",
    "load_accounts",
    "read_sie",
    "sie_field",
    "sie_of_year",
    "sie_text",
    "write_sie",
]

_ACCOUNT = re.compile(r"[1-8][0-9]{3}")  # a BAS account: four digits, classes 1-8
# An object code every SIE reader keeps whole: Sie4j reads a code as [0-9a-zA-Z]+, so a
# code with another character would be cut there and could merge with another.
_OBJECT_CODE = re.compile(r"[0-9A-Za-z]+")
_OBJECT_CODE_EXPECTED = "letters A-Z, a-z and digits only, e.g. 4410 or SKA"
_TABLES = ("company", "dimension", "revenue", "cost", "account_names", "objects")

_REPLACEMENTS = {
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u20ac": "EUR",
    "\u2026": "...",
    "\t": " ",
}


class SieError(InputError):
    """The account mapping is unusable, or the documents cannot be exported with it.

    One :class:`~sfprice.errors.Issue` per problem, naming the mapping file and its key;
    nothing is written.
    """


def sie_text(text: str) -> str:
    """Text that CP437 can encode, by the rule in the module docstring.

    >>> sie_text("Skarpnäck – Örby €")
    'Skarpnäck - Örby EUR'
    """
    out = []
    for char in text:
        char = _REPLACEMENTS.get(char, char)
        if not char.isprintable() and char != " ":
            out.append("?")
            continue
        try:
            char.encode("cp437")
        except UnicodeEncodeError:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            try:
                base.encode("cp437")
            except UnicodeEncodeError:
                base = ""
            char = base or "?"
        out.append(char)
    return "".join(out)


def sie_field(text: str) -> str:
    r"""The text as a SIE field holds it: :func:`sie_text`, and a final backslash as ``/``.

    >>> sie_field("C:\\ – “x”\\")
    'C:\\ - "x"/'
    """
    text = sie_text(text)
    return text[:-1] + "/" if text.endswith("\\") else text


def _quote(text: str) -> str:
    r"""A quoted SIE field: ``\"`` for a quote, the only escape SIE 4B defines."""
    escaped = sie_field(text).replace('"', '\\"')
    return f'"{escaped}"'


def _amount(value: Decimal) -> str:
    text = format(round_amount(value), "f")  # to öre at any size (quantize stops at 28 digits)
    return "0.00" if text == "-0.00" else text


@dataclass(frozen=True, slots=True)
class AccountMap:
    """Which account an internal charge is booked on, from the mapping TOML file.

    Attributes:
        company: Name of the service centre (``#FNAMN``).
        orgnr: Its organisation number (``#ORGNR``), or empty.
        dimension: The object dimension that holds the departments (``#DIM``).
        dimension_name: Its name.
        revenue: Service code or business area to the centre's revenue account.
        cost: Service code or business area to the department's cost account.
        account_names: Account number to name (``#KONTO``).
        objects: Department to object code, for documents issued without one (see
            :func:`document_object`).
        source: The mapping file, as the user named it (for messages).
    """

    company: str
    orgnr: str
    dimension: int
    dimension_name: str
    revenue: Mapping[str, str]
    cost: Mapping[str, str]
    account_names: Mapping[str, str] = field(default_factory=dict)
    objects: Mapping[str, str] = field(default_factory=dict)
    source: str = "accounts"

    def account(self, side: str, service: str, business_area: str) -> str | None:
        """The account of one line: by service code, else business area, else ``default``."""
        table = self.revenue if side == "revenue" else self.cost
        for key in (service, business_area, "default"):
            if key and key in table:
                return table[key]
        return None

    def object_code(self, department: str) -> str | None:
        """The department's code in ``[objects]``, or None (a name is never a code)."""
        return self.objects.get(department)


def _table(data: dict[str, object], name: str, path: str, issues: list[Issue]) -> dict[str, object]:
    value = data.get(name, {})
    if isinstance(value, dict):
        return value
    issues.append(
        Issue(path, f"{value!r} is not a table (expected [{name}] with keys)", field=name)
    )
    return {}


def _accounts(
    table: dict[str, object], name: str, path: str, issues: list[Issue]
) -> dict[str, str]:
    """A table of keys to BAS accounts (``[revenue]``, ``[cost]``)."""
    out = {}
    for key, value in table.items():
        text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
        if not _ACCOUNT.fullmatch(text):
            issues.append(
                Issue(
                    path,
                    f"{value!r} is not a BAS account (expected four digits 1000-8999, e.g. 3011)",
                    field=f"{name}.{key}",
                )
            )
            continue
        out[key] = text
    return out


def _texts(table: dict[str, object], name: str, path: str, issues: list[Issue]) -> dict[str, str]:
    out = {}
    for key, value in table.items():
        if not isinstance(value, str):
            issues.append(
                Issue(
                    path, f"{value!r} is not text (expected a quoted name)", field=f"{name}.{key}"
                )
            )
            continue
        out[key] = value
    return out


def _objects(table: dict[str, object], path: str, issues: list[Issue]) -> dict[str, str]:
    """``[objects]``: department to a code that CP437 holds as it is, unique per department."""
    out: dict[str, str] = {}
    owner: dict[str, str] = {}
    for department, code in _texts(table, "objects", path, issues).items():
        where = f'objects."{department}"'
        if not _OBJECT_CODE.fullmatch(code):
            issues.append(
                Issue(
                    path,
                    f"{code!r} is not an object code (expected {_OBJECT_CODE_EXPECTED})",
                    field=where,
                )
            )
            continue
        if code in owner:
            issues.append(
                Issue(
                    path,
                    f"{code!r} is also the code of {owner[code]!r}: two departments would be "
                    "one object (expected a code of its own for each department)",
                    field=where,
                )
            )
            continue
        owner[code] = department
        out[department] = code
    return out


def load_accounts(path: str | Path) -> AccountMap:
    """Read the account mapping TOML file (see ``examples/accounts-sie.toml``).

    Every problem is collected: a table missing or unknown, an account that is not four
    digits, a name that is not text, an object code CP437 cannot hold or that two
    departments share.

    Raises:
        SieError: One issue per problem, each naming the file and the key.
    """
    where = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SieError([Issue(where, f"cannot read the account mapping: {exc}")]) from exc
    except RecursionError as exc:  # a = [[[[... nested thousands deep
        msg = "cannot read the account mapping: arrays nested too deeply"
        raise SieError([Issue(where, msg)]) from exc
    issues: list[Issue] = []
    issues += [
        Issue(where, f"unknown table [{name}] (expected {', '.join(_TABLES)})", field=name)
        for name in data
        if name not in _TABLES
    ]
    for name in ("revenue", "cost"):
        if name not in data:
            issues.append(
                Issue(where, f"no [{name}] table (expected [{name}] with e.g. default = 3019)")
            )
    company = _texts(_table(data, "company", where, issues), "company", where, issues)
    dimension = _table(data, "dimension", where, issues)
    number = dimension.get("number", 1)
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 19999:
        issues.append(
            Issue(
                where,
                f"{number!r} is not a dimension (expected 1 to 19999)",
                field="dimension.number",
            )
        )
        number = 1
    dimension_name = dimension.get("name", "Förvaltning")
    if not isinstance(dimension_name, str):
        issues.append(
            Issue(
                where,
                f"{dimension_name!r} is not text (expected a quoted name)",
                field="dimension.name",
            )
        )
    revenue = _accounts(_table(data, "revenue", where, issues), "revenue", where, issues)
    cost = _accounts(_table(data, "cost", where, issues), "cost", where, issues)
    names = _texts(_table(data, "account_names", where, issues), "account_names", where, issues)
    issues += [
        Issue(where, f"{key!r} is not a BAS account (expected four digits 1000-8999, e.g. 3011)",
              field=f"account_names.{key}")
        for key in names
        if not _ACCOUNT.fullmatch(key)
    ]  # fmt: skip
    objects = _objects(_table(data, "objects", where, issues), where, issues)
    if issues:
        raise SieError(issues)
    return AccountMap(
        company=company.get("name", ""),
        orgnr=company.get("orgnr", ""),
        dimension=number,
        dimension_name=str(dimension_name),
        revenue=revenue,
        cost=cost,
        account_names=names,
        objects=objects,
        source=where,
    )


@dataclass(frozen=True, slots=True)
class SieTransaction:
    """One ``#TRANS`` row: account, objects (dimension to object code), amount."""

    account: str
    objects: tuple[tuple[int, str], ...]
    amount: Decimal
    text: str = ""


@dataclass(frozen=True, slots=True)
class SieVoucher:
    """One ``#VER``: series, number, date, text and its rows."""

    series: str
    number: str
    date: date
    text: str
    transactions: tuple[SieTransaction, ...]

    @property
    def balance(self) -> Decimal:
        """The sum of the rows; zero for a balanced voucher."""
        return exact_sum(t.amount for t in self.transactions)


@dataclass(frozen=True, slots=True)
class SieFile:
    """A SIE file as :func:`read_sie` parses it.

    Attributes:
        labels: The single-valued labels (``FLAGGA``, ``FORMAT``, ``SIETYP``, ``FNAMN``,
            ...) with their fields.
        accounts: ``#KONTO`` number to name.
        dimensions: ``#DIM`` number to name.
        objects: ``(dimension, code)`` to name, from ``#OBJEKT``.
        vouchers: The ``#VER`` vouchers in file order.
    """

    labels: Mapping[str, tuple[str, ...]]
    accounts: Mapping[str, str]
    dimensions: Mapping[int, str]
    objects: Mapping[tuple[int, str], str]
    vouchers: tuple[SieVoucher, ...]


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


#: A voucher's text by what the document is (a reconciliation document is a voucher like
#: an invoice, its text saying which).
_VOUCHER_KIND = {
    "invoice": "Faktura",
    "credit_note": "Kreditfaktura",
    "reconciliation_invoice": "Korrigeringsfaktura avstämning",
    "reconciliation_credit": "Kreditfaktura avstämning",
}


def _rows(
    document: IssuedDocument, accounts: AccountMap, origin: IssuedDocument | None
) -> tuple[list[SieTransaction], list[tuple[str, str, str]]]:
    """The voucher rows of one document (amounts summed per account), and what is unmapped.

    Each unmapped line gives ``(side, service, business area)``. A credit note's lines keep
    no business area; it is the credited invoice's (``origin``), whose lines are in the
    same order.
    """
    revenue: dict[str, list[Decimal]] = {}
    cost: dict[str, list[Decimal]] = {}
    missing = []
    for index, line in enumerate(document.lines):
        detail = line.detail
        if "business_area" not in detail and origin is not None and index < len(origin.lines):
            detail = origin.lines[index].detail
        area = str(detail.get("business_area", "") or "")
        credit = accounts.account("revenue", line.service, area)
        debit = accounts.account("cost", line.service, area)
        missing += [
            (side, line.service, area)
            for side, account in (("revenue", credit), ("cost", debit))
            if account is None
        ]
        if credit is None or debit is None:
            continue
        revenue.setdefault(credit, []).append(line.amount)
        cost.setdefault(debit, []).append(line.amount)
    objects = ((accounts.dimension, document_object(document, accounts) or ""),)
    rows = [SieTransaction(a, objects, exact_sum(v).copy_negate()) for a, v in revenue.items()]
    rows += [SieTransaction(a, objects, exact_sum(v)) for a, v in cost.items()]
    return rows, missing


def _unmapped(
    missing: Mapping[tuple[str, str, str], list[str]], accounts: AccountMap
) -> list[Issue]:
    """One issue per service (and business area) that a side of the mapping lacks."""
    issues = []
    for (side, service, area), numbers in missing.items():
        documents = list(dict.fromkeys(numbers))
        keys = [f'"{service}"', *([area] if area else []), "default"]
        issues.append(
            Issue(
                accounts.source,
                f"no {side} account for service {service!r} (business area "
                f"{area or '-'}), on {len(numbers)} line(s) of {len(documents)} document(s), "
                f"first {documents[0]} (expected one of {' or '.join(f'{k} = NNNN' for k in keys)} "
                f"in [{side}])",
                field=side,
            )
        )
    return issues


def document_object(document: IssuedDocument, accounts: AccountMap) -> str | None:
    """The object code of a document's rows: the code it stored, else ``[objects]``'s.

    The stored code is the customer register's at issue time (a credit note stores its
    invoice's); ``[objects]`` maps a department issued without one, or one whose stored
    code SIE readers would cut (issued documents never change, so this is the way to
    export them). None when neither.
    """
    customer = document.content.customer if document.content is not None else None
    stored = customer.sie_object if customer is not None else None
    if stored is not None and _OBJECT_CODE.fullmatch(stored):
        return stored
    return accounts.object_code(document.department) or stored


def _object_issues(documents: Sequence[IssuedDocument], accounts: AccountMap) -> list[Issue]:
    """One issue per department without an object code, per bad code, per shared code."""
    missing: dict[str, list[str]] = {}
    bad: dict[tuple[str, str], list[str]] = {}
    owners: dict[str, dict[str, str]] = {}  # code -> customer -> department
    for document in documents:
        code = document_object(document, accounts)
        if code is None:
            missing.setdefault(document.department, []).append(document.number)
            continue
        if not _OBJECT_CODE.fullmatch(code):
            bad.setdefault((document.department, code), []).append(document.number)
            continue
        customer = document.content.customer if document.content is not None else None
        # One customer: its register code (a renamed department keeps it), else its name.
        owner = customer.code if customer is not None and customer.code else document.department
        owners.setdefault(code, {}).setdefault(owner, document.department)
    issues = []
    for department, numbers in missing.items():
        issues.append(
            Issue(
                accounts.source,
                f"department {department!r} has no SIE object code on {len(numbers)} "
                f"document(s), first {numbers[0]}: it was issued without a customer register "
                f"code, and a name is never used as a code (expected: {Remedy.ISSUE_WITH_CODES}, "
                f'or map it here: {_toml_key(department)} = "CODE" in [objects])',
                field="objects",
            )
        )
    for (department, code), numbers in bad.items():
        issues.append(
            Issue(
                accounts.source,
                f"department {department!r} has the SIE object code {code!r} on "
                f"{len(numbers)} document(s), first {numbers[0]}, which SIE readers that "
                "take a code as [0-9a-zA-Z]+ would cut (expected "
                f"{_OBJECT_CODE_EXPECTED}: map its issued documents here, "
                f'{_toml_key(department)} = "CODE" in [objects], and give it such a code '
                "in the customer register for later issues)",
                field="objects",
            )
        )
    for code, by_owner in owners.items():
        if len(by_owner) > 1:
            listed = " and ".join(repr(d) for d in by_owner.values())
            issues.append(
                Issue(
                    accounts.source,
                    f"departments {listed} would all be object {code!r} in the SIE file, "
                    "and one object would merge them (expected a code of its own for each, "
                    "in the customer register or in [objects])",
                    field="objects",
                )
            )
    return issues


def _toml_key(text: str) -> str:
    """``text`` as a quoted TOML key (TOML's basic strings take JSON's escapes)."""
    return json.dumps(text, ensure_ascii=False)


def _object_names(documents: Sequence[IssuedDocument], accounts: AccountMap) -> dict[str, str]:
    """Each object code with its name: the department of its latest document."""
    names: dict[str, str] = {}
    for document in documents:
        code = document_object(document, accounts)
        if code is not None:
            customer = document.content.customer if document.content is not None else None
            names[code] = customer.name if customer is not None else document.department
    return dict(sorted(names.items()))


def write_sie(
    documents: Sequence[IssuedDocument],
    accounts: AccountMap,
    *,
    year: int,
    generated: date,
    series: str = "I",
    credited: Mapping[str, IssuedDocument] | None = None,
) -> bytes:
    """The SIE 4I file of ``documents`` (one voucher each), encoded in CP437.

    Each voucher is dated the last day of the document's period (the month it charges) and
    numbered 1, 2, ... in the series; its text is the document's kind and number.
    ``credited`` maps invoice numbers to invoices, for credit notes whose invoice is not
    among ``documents``. ``generated`` is the file's ``#GEN`` date and each voucher's
    registration date.

    Raises:
        SieError: One issue per service (and business area) a side of the mapping lacks,
            and one per object code two departments would share; nothing is written.
    """
    vouchers = []
    missing: dict[tuple[str, str, str], list[str]] = {}
    known = {d.number: d for d in documents} | dict(credited or {})
    for number, document in enumerate(documents, start=1):
        origin = known.get(document.credits) if document.credits else None
        rows, unmapped = _rows(document, accounts, origin)
        for key in unmapped:
            missing.setdefault(key, []).append(document.number)
        kind = _VOUCHER_KIND[document.title_key]
        text = f"{kind} {document.number} {document.department} {document.period}"
        vouchers.append(
            SieVoucher(series, str(number), document.period.last_day, text, tuple(rows))
        )
    issues = _unmapped(missing, accounts) + _object_issues(documents, accounts)
    if issues:
        raise SieError(issues)
    used = sorted({t.account for v in vouchers for t in v.transactions})
    out = [
        "#FLAGGA 0",
        "#FORMAT PC8",
        "#SIETYP 4",
        f"#PROGRAM {_quote('sfprice')} {_quote(__version__)}",
        f"#GEN {_date(generated)}",
        f"#FNAMN {_quote(accounts.company or 'Servicecentret')}",
    ]
    if accounts.orgnr:
        out.append(f"#ORGNR {_quote(accounts.orgnr)}")
    out.append(f"#RAR 0 {year}0101 {year}1231")
    out += [f"#KONTO {a} {_quote(accounts.account_names.get(a, a))}" for a in used]
    out.append(f"#DIM {accounts.dimension} {_quote(accounts.dimension_name)}")
    out += [
        f"#OBJEKT {accounts.dimension} {_quote(code)} {_quote(name)}"
        for code, name in _object_names(documents, accounts).items()
    ]
    for voucher in vouchers:
        out.append(
            f"#VER {_quote(voucher.series)} {_quote(voucher.number)} {_date(voucher.date)} "
            f"{_quote(voucher.text)} {_date(generated)}"
        )
        out.append("{")
        for t in voucher.transactions:
            objects = " ".join(f"{_quote(str(d))} {_quote(o)}" for d, o in t.objects)
            out.append(f"   #TRANS {t.account} {{{objects}}} {_amount(t.amount)}")
        out.append("}")
    return ("\r\n".join(out) + "\r\n").encode("cp437")


def _tokens(line: str) -> list[str | list[str]]:
    """Split a SIE row into fields; quoted strings unescaped, ``{...}`` as a list."""
    tokens: list[str | list[str]] = []
    stack: list[list[str]] = []
    i = 0
    while i < len(line):
        char = line[i]
        if char in " \t":
            i += 1
            continue
        if char == "{":
            stack.append([])
            i += 1
            continue
        if char == "}":
            group = stack.pop()
            tokens.append(group)
            i += 1
            continue
        if char == '"':
            i += 1
            chars = []
            while i < len(line) and line[i] != '"':
                if line[i] == "\\" and line[i + 1 : i + 2] == '"':
                    i += 1  # \" is a quote: the only escape SIE 4B defines
                chars.append(line[i])
                i += 1
            value = "".join(chars)
            i += 1
        else:
            start = i
            while i < len(line) and line[i] not in ' \t{}"':
                i += 1
            value = line[start:i]
        if stack:
            stack[-1].append(value)
        else:
            tokens.append(value)
    return tokens


def _text_field(tokens: list[str | list[str]], index: int) -> str:
    value = tokens[index] if index < len(tokens) else ""
    return value if isinstance(value, str) else ""


def read_sie(data: bytes) -> SieFile:
    """Parse a SIE 4 file (CP437) as :func:`write_sie` writes it: labels, accounts, vouchers.

    Raises:
        ValueError: When a voucher is not closed or a row is malformed.
    """
    labels: dict[str, tuple[str, ...]] = {}
    accounts: dict[str, str] = {}
    dimensions: dict[int, str] = {}
    objects: dict[tuple[int, str], str] = {}
    vouchers: list[SieVoucher] = []
    open_voucher: list[str] | None = None
    rows: list[SieTransaction] = []
    in_block = False
    for raw in data.decode("cp437").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line == "{":
            if open_voucher is None:
                raise ValueError("a { without a #VER")
            in_block = True
            continue
        if line == "}":
            if open_voucher is None or not in_block:
                raise ValueError("a } without a voucher")
            series, number, when, text = open_voucher
            day = date(int(when[:4]), int(when[4:6]), int(when[6:8]))
            vouchers.append(SieVoucher(series, number, day, text, tuple(rows)))
            open_voucher, rows, in_block = None, [], False
            continue
        tokens = _tokens(line)
        label = _text_field(tokens, 0)
        if label == "#TRANS":
            if not in_block:
                raise ValueError(f"#TRANS outside a voucher: {line}")
            listed = tokens[2] if isinstance(tokens[2], list) else []
            pairs = tuple((int(listed[k]), listed[k + 1]) for k in range(0, len(listed), 2))
            rows.append(
                SieTransaction(
                    _text_field(tokens, 1),
                    pairs,
                    Decimal(_text_field(tokens, 3)),
                    _text_field(tokens, 5),
                )
            )
        elif label == "#VER":
            open_voucher = [_text_field(tokens, i) for i in (1, 2, 3, 4)]
        elif label == "#KONTO":
            accounts[_text_field(tokens, 1)] = _text_field(tokens, 2)
        elif label == "#DIM":
            dimensions[int(_text_field(tokens, 1))] = _text_field(tokens, 2)
        elif label == "#OBJEKT":
            key = (int(_text_field(tokens, 1)), _text_field(tokens, 2))
            objects[key] = _text_field(tokens, 3)
        elif label.startswith("#"):
            labels[label[1:]] = tuple(t for t in tokens[1:] if isinstance(t, str))
        else:
            raise ValueError(f"not a SIE row: {line}")
    if open_voucher is not None:
        raise ValueError("the last voucher is not closed")
    return SieFile(labels, accounts, dimensions, objects, tuple(vouchers))


def documents_of_year(documents: Iterable[IssuedDocument], year: int) -> list[IssuedDocument]:
    """The documents whose period is in ``year``, in register order."""
    return [d for d in documents if d.period.year == year]


def sie_of_year(documents: Iterable[IssuedDocument], accounts: AccountMap, year: int) -> bytes:
    """The SIE 4I file of the documents of ``year`` (from a register's documents).

    ``#GEN`` is the day of the latest issue exported, in the issuer's time zone (the stored
    issue moment carries its offset), not today: the same register gives the same file.
    An empty year has no issue; its file is dated 1 January.

    Raises:
        SieError: As :func:`write_sie`.
    """
    chosen = documents_of_year(documents, year)
    issued = [datetime.fromisoformat(d.issued_at).date() for d in chosen]
    generated = max(issued, default=date(year, 1, 1))
    return write_sie(chosen, accounts, year=year, generated=generated)
