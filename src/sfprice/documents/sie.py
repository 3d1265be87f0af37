"""SIE 4 export (type 4I, vouchers for import) of the register's invoices and credit notes.

One voucher per issued document: the internal revenue on the service centre's revenue
account(s) (credit, negative) and the internal cost on the department's cost account(s)
(debit, positive), each row with the department as an object of one dimension. A credit
note's lines are negative, so its voucher is the invoice's reversed. The account mapping
(service or business area to account) is a TOML file, see :func:`load_accounts` and
``docs/documents.md``. :func:`read_sie` parses a file back (used by the tests).

The file is written in CP437 (``#FORMAT PC8``), as the SIE 4 specification requires.
Characters CP437 lacks are replaced by one rule (:func:`sie_text`): typographic dashes,
quotes and spaces by their plain forms, ``€`` by ``EUR``, letters by their base letter
when they have one (``ł`` stays ``?``, ``ő`` becomes ``o``), anything else by ``?``.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from sfprice import __version__
from sfprice.errors import SfpriceError
from sfprice.money import exact_sum
from sfprice.register import DocumentKind, IssuedDocument

__all__ = [
    "AccountMap",
    "SieError",
    "SieFile",
    "SieTransaction",
    "SieVoucher",
    "documents_of_year",
    "load_accounts",
    "read_sie",
    "sie_text",
    "write_sie",
]

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
}


class SieError(SfpriceError):
    """The account mapping is unusable or does not map every line (nothing is written)."""


def sie_text(text: str) -> str:
    """Text that CP437 can encode, by the rule in the module docstring.

    >>> sie_text("Skarpnäck – Örby €")
    'Skarpnäck - Örby EUR'
    """
    out = []
    for char in text:
        char = _REPLACEMENTS.get(char, char)
        if not char.isprintable():
            out.append(" ")
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


def _quote(text: str) -> str:
    escaped = sie_text(text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _amount(value: Decimal) -> str:
    text = format(value.quantize(Decimal("0.01")), "f")
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
        objects: Department to object code; a department not listed is its own code.
    """

    company: str
    orgnr: str
    dimension: int
    dimension_name: str
    revenue: Mapping[str, str]
    cost: Mapping[str, str]
    account_names: Mapping[str, str] = field(default_factory=dict)
    objects: Mapping[str, str] = field(default_factory=dict)

    def account(self, side: str, service: str, business_area: str) -> str | None:
        """The account of one line: by service code, else business area, else ``default``."""
        table = self.revenue if side == "revenue" else self.cost
        for key in (service, business_area, "default"):
            if key and key in table:
                return table[key]
        return None

    def object_code(self, department: str) -> str:
        """The department's object code in the dimension."""
        return self.objects.get(department, department)


def _strings(data: object, where: str, path: Path) -> dict[str, str]:
    if not isinstance(data, dict):
        raise SieError(f"{path}: [{where}] must be a table of names to account numbers")
    out = {}
    for key, value in data.items():
        text = str(value)
        number = text.isascii() and text.isdigit()  # isdigit alone takes "３０１０"
        if where in {"revenue", "cost"} and not (number and isinstance(value, int | str)):
            raise SieError(f"{path}: [{where}] {key} = {value!r}: expected an account number")
        out[str(key)] = text
    return out


def load_accounts(path: str | Path) -> AccountMap:
    """Read the account mapping TOML file (see ``examples/accounts-sie.toml``).

    Raises:
        SieError: When the file is missing, not TOML, or lacks ``[revenue]``/``[cost]``.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SieError(f"{path}: cannot read the account mapping: {exc}") from exc
    except RecursionError as exc:  # a = [[[[... nested thousands deep
        msg = f"{path}: cannot read the account mapping: arrays nested too deeply"
        raise SieError(msg) from exc
    for table in ("revenue", "cost"):
        if table not in data:
            raise SieError(f"{path}: the account mapping has no [{table}] table")
    company = data.get("company", {})
    dimension = data.get("dimension", {})
    if not isinstance(company, dict) or not isinstance(dimension, dict):
        raise SieError(f"{path}: [company] and [dimension] must be tables")
    number = dimension.get("number", 1)
    if not isinstance(number, int) or number < 1:
        raise SieError(f"{path}: [dimension] number = {number!r}: expected a positive integer")
    return AccountMap(
        company=str(company.get("name", "")),
        orgnr=str(company.get("orgnr", "")),
        dimension=number,
        dimension_name=str(dimension.get("name", "Förvaltning")),
        revenue=_strings(data["revenue"], "revenue", path),
        cost=_strings(data["cost"], "cost", path),
        account_names=_strings(data.get("account_names", {}), "account_names", path),
        objects=_strings(data.get("objects", {}), "objects", path),
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


def _rows(
    document: IssuedDocument, accounts: AccountMap, origin: IssuedDocument | None
) -> tuple[list[SieTransaction], list[str]]:
    """The voucher rows of one document (amounts summed per account), and what is unmapped.

    A credit note's lines keep no business area; it is the credited invoice's (``origin``),
    whose lines are in the same order.
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
        if credit is None or debit is None:
            side = "revenue" if credit is None else "cost"
            missing.append(f"{line.service} (business area {area or '-'}) has no {side} account")
            continue
        revenue.setdefault(credit, []).append(line.amount)
        cost.setdefault(debit, []).append(line.amount)
    objects = ((accounts.dimension, accounts.object_code(document.department)),)
    rows = [SieTransaction(a, objects, -exact_sum(v)) for a, v in revenue.items()]
    rows += [SieTransaction(a, objects, exact_sum(v)) for a, v in cost.items()]
    return rows, missing


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
    among ``documents``.

    Raises:
        SieError: When a line's service or business area has no account (all are listed).
    """
    vouchers = []
    problems: list[str] = []
    known = {d.number: d for d in documents} | dict(credited or {})
    for number, document in enumerate(documents, start=1):
        origin = known.get(document.credits) if document.credits else None
        rows, missing = _rows(document, accounts, origin)
        problems += [f"{document.number}: {m}" for m in missing]
        kind = "Kreditfaktura" if document.kind is DocumentKind.CREDIT_NOTE else "Faktura"
        text = f"{kind} {document.number} {document.department} {document.period}"
        vouchers.append(
            SieVoucher(series, str(number), document.period.last_day, text, tuple(rows))
        )
    if problems:
        unique = list(dict.fromkeys(problems))
        raise SieError(
            "the account mapping does not map every line; nothing was written:\n  "
            + "\n  ".join(unique)
        )
    used = sorted({t.account for v in vouchers for t in v.transactions})
    departments = sorted({d.department for d in documents})
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
        f"#OBJEKT {accounts.dimension} {_quote(accounts.object_code(d))} {_quote(d)}"
        for d in departments
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
                if line[i] == "\\" and i + 1 < len(line):
                    i += 1
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
