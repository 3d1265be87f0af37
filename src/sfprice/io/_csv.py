"""The CSV rules every sfprice reader shares: encoding, strict quoting, row width, totals.

One place decides, for volume files, forecasts, staffing, customer registers and
allocation-key tables alike (docs/file-formats.md, "Delimiter, encoding, quoting"):

- the text is UTF-8, with or without a BOM; UTF-16/UTF-32 (Excel's "Unicode text") and
  Windows-1252 files are refused with a message that names the encoding found
  (:func:`check_encoding`, :func:`encoding_issue`);
- quoting is strict: a quote that is never closed, or text after a closing quote
  (``"300"0``), is an error at the line where the record starts, and so is a quoted field
  that runs over lines that look like rows of their own (a lost closing quote);
- a row may not have more non-empty fields than the header (``2,5`` in a ``,`` file);
- a field longer than the csv module's limit is an error with its line;
- an Excel total row (``Summa;;;79745,5``) is recognised and reported once
  (:func:`total_row`).
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from sfprice.errors import InputError, Issue

__all__ = [
    "TOTAL_WORDS",
    "check_encoding",
    "encoding_issue",
    "is_total_text",
    "read_issue",
    "records",
    "split_number",
    "total_row",
    "total_row_message",
]

#: Words that mark a total or subtotal row in Swedish and English Excel sheets.
TOTAL_WORDS = frozenset(
    {"summa", "totalsumma", "delsumma", "total", "totalt", "totals", "subtotal", "sum"}
)
_SAMPLE = 4096
_SAVE_AS = "in Excel, save it as 'CSV UTF-8 (kommaavgränsad)'"
# Bytes that Windows-1252 leaves undefined: a file with them is not Windows-1252 either.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def check_encoding(path: Path, name: str) -> None:
    """Refuse a file that is not 8-bit text: UTF-16 or UTF-32 (with or without BOM), NULs.

    sfprice does not read UTF-16 even with a byte-order mark: one encoding (UTF-8) for
    every input keeps the file hashes of the run manifest and the line numbers meaningful.

    Raises:
        InputError: Naming the encoding found and how to save the file as UTF-8.
    """
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE)
    found: str | None = None
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "UTF-32 (little-endian, with a byte-order mark)"),
        (codecs.BOM_UTF32_BE, "UTF-32 (big-endian, with a byte-order mark)"),
        (codecs.BOM_UTF16_LE, "UTF-16 (little-endian, with a byte-order mark)"),
        (codecs.BOM_UTF16_BE, "UTF-16 (big-endian, with a byte-order mark)"),
    ):
        if head.startswith(bom):
            found = encoding
            break
    if found is None and b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even == 0:
            found = "UTF-16 (little-endian, without a byte-order mark)"
        elif even > len(head) // 4 and odd == 0:
            found = "UTF-16 (big-endian, without a byte-order mark)"
        else:
            at = head.index(0)
            msg = (
                f"the file has a NUL byte (offset {at}): it is not a text file, or not "
                f"UTF-8 text; {_SAVE_AS}"
            )
            line = head[:at].count(b"\n") + 1
            raise InputError([Issue(name, msg, line=line)])
    if found is not None:
        msg = f"the file is {found} text, not UTF-8 (Excel's 'Unicode text' is UTF-16); {_SAVE_AS}"
        raise InputError([Issue(name, msg, line=1)])


def encoding_issue(path: Path, name: str) -> Issue:
    """Find the first byte that is not UTF-8, streaming, and say on which line it is.

    When the line reads as Windows-1252 (Excel's "CSV (semikolonavgränsad)" on Windows),
    the message says so and shows the character the byte stands for there.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 16):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                # exc.start counts from the bytes the decoder held back plus this chunk.
                held = len(exc.object) - len(chunk)
                start = max(exc.start - held, 0)
                data = exc.object
                bad = data[exc.start : exc.start + 1]
                where = f"byte {bad!r} at offset {offset + start}"
                return Issue(
                    name,
                    f"the file is not UTF-8 text{_guess(data, exc.start, where)}; {_SAVE_AS}",
                    line=line + chunk[:start].count(b"\n"),
                )
            line += chunk.count(b"\n")
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return Issue(
                name, f"the file is not UTF-8 text: it ends inside a character; {_SAVE_AS}"
            )
    return Issue(name, f"the file is not UTF-8 text; {_SAVE_AS}")


def _guess(data: bytes, at: int, where: str) -> str:
    """The rest of the message: what the bad byte is in Windows-1252, when it reads as that."""
    begin = data.rfind(b"\n", 0, at) + 1
    end = data.find(b"\n", at)
    raw = data[begin : end if end >= 0 else begin + 80][:80]
    if any(byte in _CP1252_UNDEFINED for byte in raw):
        return f": {where}, and not Windows-1252/Latin-1 either"
    char = data[at : at + 1].decode("cp1252")
    return f" but looks like Windows-1252/Latin-1: {where} would be {char!r}"


def read_issue(path: Path, name: str, exc: Exception) -> Issue:
    """An issue for a file that cannot be read at all (missing, a folder, not UTF-8)."""
    if isinstance(exc, UnicodeDecodeError):
        return encoding_issue(path, name)
    if isinstance(exc, FileNotFoundError):
        return Issue(name, "file not found")
    return Issue(name, f"cannot read the file: {exc}")


def is_total_text(text: str) -> bool:
    """Whether a cell is a total label (``Summa``, ``Totalt``, ``Kultur Summa``)."""
    words = text.strip().lower().rstrip(":.").split()
    return bool(words) and (words[0] in TOTAL_WORDS or words[-1] in TOTAL_WORDS)


def total_row(fields: Sequence[str], keys: Sequence[int], values: Sequence[int]) -> bool:
    """Whether a row is a total or subtotal row of a spreadsheet, not data.

    It is when a key column (``keys``: month, department, service...) holds a total word
    (``Summa``, ``Totalt``, ``Kulturförvaltningen Summa``, ``Grand Total``), or, with two
    or more key columns, when every key column is empty and a value column is not
    (``;;;79745,5``). (With one key column, an empty key is just an empty key.)

    >>> total_row(["Summa", "", "", "79745,5"], keys=(0, 1, 2), values=(3,))
    True
    >>> total_row(["2014-01", "Kultur", "payroll.manual", "5"], keys=(0, 1, 2), values=(3,))
    False
    """

    def cell(index: int) -> str:
        return fields[index] if index < len(fields) else ""

    if any(is_total_text(cell(i)) for i in keys):
        return True
    if len(keys) < 2 or any(cell(i).strip() for i in keys):
        return False
    return any(cell(i).strip() for i in values)


def total_row_message(fields: Sequence[str], delimiter: str) -> str:
    """The message for a total row: what it is and what to do."""
    return (
        f"this looks like a total row of a spreadsheet ({delimiter.join(fields)!r}), not "
        "data; delete it (sfprice adds the rows up itself)"
    )


def records(
    lines: Iterable[str],
    delimiter: str,
    name: str,
    *,
    width: int,
    header_width: int,
    issues: list[Issue],
    first_line: int = 2,
) -> Iterator[tuple[int, list[str]]]:
    """Yield (first physical line, fields) for each well-formed, non-blank CSV record.

    A record with a quoting problem, with more non-empty fields than the header, or with a
    quoted field that swallows lines that look like rows, becomes an issue in ``issues``
    (at the line where the record starts) and is not yielded. Short rows are yielded: the
    caller says what it needs.

    Args:
        lines: The text after the header, split into lines with their line ends.
        delimiter: The field separator.
        name: The file name for the issues.
        width: The fields a row needs (the last required column's position + 1).
        header_width: The number of fields of the header.
        issues: Where problems are appended.
        first_line: The physical line number of the first line of ``lines``.
    """
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    line = first_line
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            issues.append(
                Issue(name, _quoting_message(str(exc), reader, line, first_line), line=line)
            )
            line = reader.line_num + first_line
            continue
        end = reader.line_num + first_line - 1  # the record's last physical line
        problem = _row_problem(fields, delimiter, width, header_width, line, end)
        if problem is not None:
            issues.append(Issue(name, problem, line=line))
        elif fields and any(field.strip() for field in fields):
            yield line, fields
        line = end + 1


def _quoting_message(error: str, reader: object, line: int, first_line: int) -> str:
    end = getattr(reader, "line_num", 0) + first_line - 1
    if "field larger than field limit" in error:
        return (
            f"a field is longer than {csv.field_size_limit():,} characters".replace(",", " ")
            + " (usually a quote that is never closed, which takes in the rest of the file)"
        )
    if "unexpected end of data" in error or "newline inside string" in error:
        return (
            f'a quote (") opened in this row is never closed: lines {line}-{end}, the rest '
            "of the file, would be one value; close the quote or remove it"
        )
    if "expected after" in error and end > line:
        return (
            f'a quote (") opened in this row closes only on line {end}, and text follows it '
            "there: a closing quote is missing in this row"
        )
    if "expected after" in error:
        return (
            'text follows a closing quote ("): a quoted value must end at the next '
            'delimiter (write "300", not "300"0; a quote inside a value is written "")'
        )
    return f"the row is not valid CSV: {error}"


def _row_problem(
    fields: list[str], delimiter: str, width: int, header_width: int, line: int, end: int
) -> str | None:
    extra = fields[header_width:]
    if any(field.strip() for field in extra):
        shown = delimiter.join(fields)
        hint = (
            " (a value with a decimal comma must be quoted, \"2,5\", or the file separated by ';')"
            if delimiter == ","
            else f" (a {delimiter!r} inside a value must be quoted)"
        )
        return (
            f"the row has {len(fields)} fields but the header has {header_width}: {shown!r}{hint}"
        )
    if end > line:
        for field in fields:
            if "\n" not in field:
                continue
            swallowed = field.split("\n")[1:]
            if any(part.count(delimiter) >= max(width - 1, 1) for part in swallowed):
                return (
                    f"a quoted value that starts on this line runs to line {end} and takes "
                    'in lines that look like rows of their own: a closing quote (") is '
                    "missing"
                )
    return None


# A number as written without a decimal comma: digits, with groups of space, no-break
# space, narrow no-break space, thin space or '.' (1 200, 1.000.000, 1.5).
_COMMA_FREE_NUMBER = re.compile(r"[+\-\u2212]?[0-9][0-9 .\u00a0\u202f\u2009]*")
_DIGITS = re.compile(r"[0-9]+")


def split_number(
    fields: Sequence[str],
    at: int,
    delimiter: str,
    header_width: int,
    column: str,
    used: Iterable[int] = (),
) -> str | None:
    """Why the number in column ``at`` may be a decimal comma split by the delimiter, or None.

    In a ',' file with a column after the number (``...,quantity,comment``), the row
    ``...,2,5`` has as many fields as the header: the 5 of 2,5 lands in the next column
    and 2 would be read. So a number written without a comma (``2``, ``1 200``,
    ``1.000.000``) followed by digits in the next column of a ',' file is ambiguous, when
    that column is one the reader ignores (not in ``used``: a split before a column that
    is read shifts it, and the row is then too long). One place for every CSV reader.

    >>> split_number(["K", "2", "5"], 1, ",", 3, "quantity") is not None
    True
    >>> split_number(["K", "2", "5"], 1, ";", 3, "quantity") is None
    True
    """
    after_at = at + 1
    if delimiter != "," or after_at >= len(fields) or after_at >= header_width:
        return None
    if after_at in used:
        return None
    number, after = fields[at].strip(), fields[after_at].strip()
    if not (_COMMA_FREE_NUMBER.fullmatch(number) and _DIGITS.fullmatch(after)):
        return None
    return (
        f"{column} {number!r} is followed by {after!r} in the next column: in a ',' file this "
        f"may be the decimal comma of {number},{after} split by the delimiter (expected the "
        f"value quoted, \"{number},{after}\", a ';' file, or the other column before it)"
    )
