"""Shared pieces of the TOML loaders: exact numbers, strict schemas, errors for people."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from sfprice.errors import InputError, Issue
from sfprice.money import range_message

__all__ = [
    "Amount",
    "Kronor",
    "Money",
    "RangedAmount",
    "RangedKronor",
    "RangedMoney",
    "Schema",
    "field_path",
    "message",
    "parse_toml",
    "read_toml_text",
    "table_lines",
    "validate_toml",
]

S = TypeVar("S", bound=BaseModel)
# Bounds on every number of a TOML file: far above any real price, cost or budget (the
# engine stays exact beyond 28 digits, see money.py), and small enough that no arithmetic
# on them overflows (1e1000000 did).
_MAX_WHOLE_DIGITS = 40
_MAX_DECIMALS = 40
_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _number(value: object) -> Decimal:
    # TOML integers arrive as int and decimals as Decimal (parse_float=Decimal). Anything
    # else -- a string, a boolean, a float from a caller -- is not an exact number.
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        msg = f"expected a number such as 57 or 57.50, got {value!r}"
        raise ValueError(msg)  # pydantic turns a ValueError into an issue
    number = Decimal(value)
    if not number.is_finite():
        msg = f"expected a finite number, got {value!r}"
        raise ValueError(msg)
    # 1e1000000 overflows any arithmetic on it.
    problem = range_message(number, whole_digits=_MAX_WHOLE_DIGITS, decimals=_MAX_DECIMALS)
    if problem is not None:
        raise ValueError(problem)
    return number


def _non_negative(value: object) -> Decimal:
    number = _number(value)
    if number < 0:
        msg = f"must be >= 0, got {value!r}"
        raise ValueError(msg)
    return number


def _kronor(value: object) -> Decimal:
    number = _non_negative(value)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        msg = f"an amount in kronor has at most 2 decimals (öre), got {value!r}"
        raise ValueError(msg)
    return number


def _ranged(value: object) -> object:
    # A budget figure or a pool of 1e30 kr is a typing error, not money: refuse it with the
    # narrower range of money (money.magnitude_problem) before the rules of the kind run
    # (as the outer BeforeValidator this runs first), rather than overflow later.
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        number = Decimal(value)
        problem = range_message(number) if number.is_finite() else None
        if problem is not None:
            raise ValueError(problem)
    return value


#: An amount of money >= 0, in kronor with at most öre (2 decimals).
Kronor = Annotated[Decimal, BeforeValidator(_kronor)]
#: An exact number >= 0 (a price, a cost, a quantity).
Money = Annotated[Decimal, BeforeValidator(_non_negative)]
#: An exact number of either sign (a carried balance).
Amount = Annotated[Decimal, BeforeValidator(_number)]
#: The same as money, within money's range (15 digits before the decimal mark, 10 after):
#: budget figures and allocation pools.
RangedKronor = Annotated[Kronor, BeforeValidator(_ranged)]
RangedMoney = Annotated[Money, BeforeValidator(_ranged)]
RangedAmount = Annotated[Amount, BeforeValidator(_ranged)]


class Schema(BaseModel):
    """Base of the file schemas: unknown keys are errors, types are strict, records frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def field_path(loc: Sequence[int | str], raw: dict[str, Any]) -> str:
    """Render a pydantic location as a TOML key path, naming the element's ``code``.

    ``("items", 3, "price")`` becomes ``items[3].price (payroll.manual)``.
    """
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        elements = raw.get(loc[0])
        if (
            isinstance(elements, list)
            and loc[1] < len(elements)
            and isinstance(elements[loc[1]], dict)
        ):
            code = elements[loc[1]].get("code")
            if isinstance(code, str):
                out += f" ({code})"
    return out


def message(error: Any) -> str:
    """A pydantic error as a sentence for people, quoting the bad value (shortened)."""
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/file-formats.md)"
    if kind == "missing":
        return "required field is missing"
    text = str(error["msg"]).removeprefix("Value error, ")
    if "input" in error and kind != "value_error" and not isinstance(error["input"], dict):
        shown = repr(error["input"])
        text += f", got {shown if len(shown) <= 60 else shown[:57] + '...'}"
    return text


def read_toml_text(path: str | Path, what: str) -> str:
    """A TOML file's text (UTF-8, a BOM allowed); one issue when it cannot be read.

    Raises:
        InputError: ``cannot read the WHAT: ...``, naming the file.
    """
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Issue(str(path), f"cannot read the {what}: {exc}")]) from exc


def parse_toml(text: str, path: str) -> tuple[dict[str, Any] | None, list[Issue]]:
    """Parse TOML text with numbers as Decimal; a syntax error or a too-deep nesting is an issue.

    tomllib recurses once per nesting level, so ``a = [[[[...`` 100 000 deep raises
    RecursionError; that becomes an issue located at the line where the nesting starts.
    """
    try:
        return tomllib.loads(text, parse_float=Decimal), []
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        line = int(match[1]) if match else None
        return None, [Issue(path, f"not valid TOML: {exc}", line=line)]
    except RecursionError:
        line = _deep_line(text)
        msg = (
            "arrays or tables are nested too deeply to read (a price list, budget or "
            "allocation file needs at most a few levels); check the brackets from here"
        )
        return None, [Issue(path, msg, line=line)]


def _deep_line(text: str, depth: int = 50) -> int | None:
    """The line where brackets (``[`` or ``{``, ``a = {x={x=...``) first nest ``depth`` deep.

    A rough count (quotes are not parsed): enough to point at the runaway nesting.
    """
    level, line = 0, 1
    for character in text:
        if character in "[{":
            level += 1
            if level >= depth:
                return line
        elif character in "]}":
            level = max(0, level - 1)
        elif character == "\n":
            line += 1
    return None


def validate_toml(
    schema: type[S],
    text: str,
    path: str,
    *,
    describe: Callable[[Any], str] = message,
    location: Callable[[Sequence[int | str]], Sequence[int | str]] = tuple,
) -> tuple[S | None, list[Issue]]:
    """Parse TOML text (numbers as Decimal) and validate it; issues name file and field.

    Args:
        schema: The pydantic model of the file.
        text: The file's text.
        path: The file name for the issues.
        describe: Turns a pydantic error into a sentence (default :func:`message`).
        location: Rewrites a pydantic location before it is shown (e.g. drops a union tag).
    """
    raw, issues = parse_toml(text, path)
    if raw is None:
        return None, issues
    try:
        return schema.model_validate(raw), []
    except RecursionError:
        msg = "arrays or tables are nested too deeply to read; check the brackets"
        return None, [Issue(path, msg)]
    except ValidationError as exc:
        return None, [
            Issue(path, describe(err), field=field_path(location(err["loc"]), raw) or None)
            for err in exc.errors()
        ]


_KEY_LINE = re.compile(r"\s*([A-Za-z0-9_\-]+)\s*=")


def table_lines(text: str, table: str) -> tuple[list[int], list[dict[str, int]]]:
    """The line of each ``[[table]]`` header and of each key below it, for messages.

    A key of a sub-table (``[table.add_on]``) is listed with its path (``add_on.kind``).
    A rough scan (the file parses as TOML already): enough to point at a key; a key
    not found falls back to its header's line.
    """
    header = re.compile(rf"\s*\[\[\s*{re.escape(table)}\s*\]\]")
    sub = re.compile(rf"\s*\[\s*{re.escape(table)}\.([A-Za-z0-9_.\-]+)\s*\]")
    headers: list[int] = []
    keys: list[dict[str, int]] = []
    prefix: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            headers.append(number)
            keys.append({})
            prefix = ""
        elif headers and (match := sub.match(line)):
            prefix = match[1] + "."
            keys[-1].setdefault(match[1], number)
        elif line.lstrip().startswith("["):
            prefix = None
        elif prefix is not None and (match := _KEY_LINE.match(line)):
            keys[-1].setdefault(prefix + match[1], number)
    return headers, keys
