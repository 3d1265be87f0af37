r"""Department names: one spelling per department, and names that cannot hurt an output.

Every place a department name enters sfprice (volume files, the customer register,
allocation keys, the fees of a price list) passes it through :func:`clean_name`:

- Unicode NFC, so the same letters typed as different code points are one name
  (``"o\u0308"`` and ``"ö"``);
- spaces around the name are trimmed, and a run of spaces inside it becomes one space
  (any Unicode space: a no-break space, a thin space, an ideographic space);
- control characters (tab, carriage return, line feed, escape, C1 controls) and invisible
  formatting characters (zero-width spaces and joiners, a byte-order mark, bidi controls,
  soft hyphens), line and paragraph separators, private-use, surrogate and unassigned code
  points are refused: they make one department look like two, or reach a terminal or a
  spreadsheet as commands.

Names that still differ only by case, accents, spaces or punctuation (``Kulturförvaltningen``,
``kulturförvaltningen``, ``Kultur förvaltningen``) are not merged: :func:`fold_name` gives
them one key, and :func:`name_variants` finds them so that the caller can refuse them as one
problem. :func:`visible` escapes what no name should hold, for renderers that print names
from older registers or from the API.

This module reads no files: :mod:`sfprice.io.departments` locates the variants in them.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

__all__ = [
    "clean_name",
    "fold_name",
    "name_problem",
    "name_variants",
    "nearest_names",
    "query_name",
    "unsafe_characters",
    "visible",
    "visible_json",
    "visible_lines",
]

_REFUSED = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
    "Co": "a private-use character",
    "Cs": "a surrogate",
    "Cn": "an unassigned code point",
}
_CONTROL_NAMES = {
    0x00: "NULL",
    0x09: "TAB",
    0x0A: "LINE FEED",
    0x0B: "VERTICAL TAB",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
    0x9B: "CONTROL SEQUENCE INTRODUCER",
}
_REPLACEMENT = "\ufffd"
_SHOWN_AT_MOST = 3


def _refused(character: str) -> str | None:
    """Why a character may not be in a name, or None."""
    if character == _REPLACEMENT:
        return "the replacement character of a damaged export"
    return _REFUSED.get(unicodedata.category(character))


def _describe(character: str) -> str:
    code = ord(character)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(character, "")
    return f"U+{code:04X} {name}".rstrip()


def unsafe_characters(text: str) -> list[tuple[int, str, str]]:
    r"""The characters no name may hold: (1-based position, character, why), in order.

    >>> unsafe_characters("Kultur\u200bförvaltningen")
    [(7, '\u200b', 'an invisible formatting character')]
    """
    found: list[tuple[int, str, str]] = []
    for position, character in enumerate(text, start=1):
        if (character.isprintable() or character == " ") and character != _REPLACEMENT:
            continue  # fast path: letters, digits, punctuation, symbols, the space
        why = _refused(character)
        if why is not None:
            found.append((position, character, why))
    return found


def query_name(text: str) -> str:
    r"""A department name to look up, as the loaders read names (:func:`clean_name`).

    A name no department can have (a refused character) is looked up as typed, and so
    matches nothing: a search is never refused.

    >>> query_name(" Kulturfo\u0308rvaltningen ") == "Kulturförvaltningen"
    True
    >>> query_name("Kultur\x1b[31m")
    'Kultur\x1b[31m'
    """
    try:
        return clean_name(text)
    except ValueError:
        return text


def clean_name(text: str) -> str:
    r"""A department name in its one spelling: NFC, trimmed, inner spaces collapsed.

    An empty result means the cell was empty or held only spaces: the caller reports it in
    its own words.

    Raises:
        ValueError: The name holds a character no name may hold. The message quotes the
            name escaped (``repr``), names each such character with its position, and says
            what to do; it is safe to print on a terminal.

    >>> clean_name("  Kulturfo\u0308rvaltningen\u00a0") == "Kulturförvaltningen"
    True
    >>> clean_name("Kultur  och\u202ffritid")
    'Kultur och fritid'
    >>> clean_name("Kultur\x1b[31m")
    Traceback (most recent call last):
    ...
    ValueError: 'Kultur\x1b[31m' holds U+001B ESCAPE (a control character) at position 7; ...
    """
    if text.isascii() and text.isprintable():  # the common case: only the spaces to tidy
        return " ".join(text.split())
    # isprintable() is False for every refused category (and for Unicode spaces, which the
    # loop lets through): a printable name needs the loop only for U+FFFD.
    bad = [] if text.isprintable() and _REPLACEMENT not in text else unsafe_characters(text)
    if bad:
        positions: dict[str, list[int]] = {}
        for position, character, _ in bad:
            positions.setdefault(character, []).append(position)
        shown = [
            f"{_describe(c)} ({_refused(c)}) at position{'s' if len(p) > 1 else ''} "
            f"{', '.join(map(str, p))}"
            for c, p in positions.items()
        ]
        if len(shown) > _SHOWN_AT_MOST:
            shown[_SHOWN_AT_MOST:] = [f"{len(shown) - _SHOWN_AT_MOST} more"]
        what = "it" if len(bad) == 1 else "them"
        msg = (
            f"{text!r} holds {' and '.join(shown)}; remove {what} (a name holds letters, "
            "digits, punctuation and single spaces)"
        )
        raise ValueError(msg)
    mixed = _mixed_scripts(text)
    if mixed is not None:
        raise ValueError(f"{text!r} {mixed}")
    # Only Unicode spaces (category Zs) are left as whitespace: one ASCII space each run.
    return " ".join(unicodedata.normalize("NFC", text).split())


_LOOK_ALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC")


def _mixed_scripts(text: str) -> str | None:
    """Why a name mixes look-alike alphabets (Latin ``e`` and Cyrillic ``е``), or None.

    ``Kulturförvaltningеn`` with a Cyrillic ``е`` looks like the Latin name and would be
    another department. A name in one alphabet (Latin, or Cyrillic, or Greek) is fine.
    """
    if max(text, default="a") < "\u0370":  # Latin only (Greek starts at U+0370): the usual
        return None
    letters: dict[str, list[tuple[int, str]]] = {}
    for position, character in enumerate(text, start=1):
        if character.isalpha():
            script = unicodedata.name(character, "").split(" ")[0]
            if script in _LOOK_ALIKE_SCRIPTS:
                letters.setdefault(script, []).append((position, character))
    if len(letters) < 2:
        return None
    main = max(letters, key=lambda script: len(letters[script]))
    odd = [(p, c) for script, found in letters.items() if script != main for p, c in found]
    shown = ", ".join(f"{_describe(c)} at position {p}" for p, c in odd[:_SHOWN_AT_MOST])
    return (
        f"mixes alphabets: {shown} among {main.capitalize()} letters (a look-alike letter "
        "would make another department; expected a name in one alphabet: retype it)"
    )


def name_problem(name: str) -> str | None:
    """Why ``name`` is not a department name in its one spelling, or None if it is.

    For records built in code (the loaders clean every name they read).

    >>> name_problem("Kultur  och fritid")
    "'Kultur  och fritid' is not written as read: 'Kultur och fritid' (see sfprice.names)"
    """
    try:
        cleaned = clean_name(name)
    except ValueError as exc:
        return str(exc)
    if not cleaned:
        return "a department name is empty"
    if cleaned != name:
        return f"{name!r} is not written as read: {cleaned!r} (see sfprice.names)"
    return None


def fold_name(name: str) -> str:
    """The key under which names that differ only by case, accents, spaces or punctuation.

    Such names are one department written in several ways.

    >>> fold_name("Kultur Förvaltningen") == fold_name("kulturforvaltningen")
    True
    >>> fold_name("Farsta–Sköndal.") == fold_name("Farsta-Skøndal")
    True
    >>> fold_name("Enhet 1-2") == fold_name("Enhet 12")
    False
    >>> fold_name("Enhet 1–2") == fold_name("Enhet 1-2")
    True
    """
    decomposed = unicodedata.normalize("NFKD", name)
    kept = [c for c in decomposed if not unicodedata.combining(c) and not c.isspace()]
    letters = []
    for at, c in enumerate(kept):
        category = unicodedata.category(c)
        # Punctuation ('-', '–', '.', ','), modifier letters and symbols (ʼ, `, ´) are
        # spelling, not letters.
        if not category.startswith("P") and category not in ("Lm", "Sk"):
            letters.append(c)
        elif 0 < at < len(kept) - 1 and kept[at - 1].isdigit() and kept[at + 1].isdigit():
            # Between digits punctuation tells numbers apart ("Enhet 1-2" is not
            # "Enhet 12"); only the kind of dash is folded.
            letters.append("-" if category == "Pd" else c)
    return "".join(letters).casefold().translate(_FOLD_LETTERS)


#: Letters NFKD does not take apart, folded as their base letters (ø as in Swedish o/ö).
_FOLD_LETTERS = str.maketrans(
    {
        "ø": "o",
        "ı": "i",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ɡ": "g",
        "ɑ": "a",
        "ſ": "s",
    }
)


def name_variants(names: Iterable[str]) -> list[tuple[str, ...]]:
    """Groups of two or more distinct names with the same :func:`fold_name`, in first order.

    >>> name_variants(["Kulturförvaltningen", "Miljö", "kulturförvaltningen", "Miljö"])
    [('Kulturförvaltningen', 'kulturförvaltningen')]
    """
    groups: dict[str, dict[str, None]] = {}
    for name in names:
        groups.setdefault(fold_name(name), {})[name] = None
    return [tuple(group) for group in groups.values() if len(group) > 1]


def nearest_names(name: str, registered: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` registered names closest to ``name`` (case, accents and spaces ignored).

    >>> nearest_names("Kulturförvaltnigen", ["Miljöförvaltningen", "Kulturförvaltningen"])
    ['Kulturförvaltningen']
    """
    by_fold: dict[str, str] = {}
    for candidate in registered:
        by_fold.setdefault(fold_name(candidate), candidate)
    # 0.75: a typo or two in a name of 15+ letters, not every other "...förvaltningen".
    near = difflib.get_close_matches(fold_name(name), list(by_fold), n=n, cutoff=0.75)
    return [by_fold[key] for key in near]


def _escape(character: str) -> str:
    code = ord(character)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str) -> str:
    r"""``text`` with every character no name may hold shown as an escape (``\x1b``).

    For renderers: a name from an older register or built in code can then never move the
    cursor, recolour a terminal, end a CSV record early or break a spreadsheet. A valid
    name is returned unchanged.

    >>> visible("Kultur\x1b[2J\r")
    'Kultur\\x1b[2J\\x0d'
    """
    if text.isprintable() and _REPLACEMENT not in text:
        return text
    bad = {c for _, c, _ in unsafe_characters(text)}
    if not bad:
        return text
    return "".join(_escape(c) if c in bad else c for c in text)


def visible_lines(text: str) -> str:
    r"""Text for people with :func:`visible` applied to each line; the line breaks stay.

    >>> visible_lines("Kultur\x9b31m\nMiljö\n")
    'Kultur\\x9b31m\nMiljö\n'
    """
    if text.replace("\n", "").isprintable() and _REPLACEMENT not in text:
        return text
    return "\n".join(visible(line) for line in text.split("\n"))


def visible_json(text: str) -> str:
    r"""A JSON document with every character no name may hold written as a ``\u`` escape.

    ``json.dumps(..., ensure_ascii=False)`` escapes C0 controls but leaves C1 controls,
    bidi controls and line separators raw. The escapes read back as the same string.

    >>> visible_json('{"department": "A\u202eB"}')
    '{"department": "A\\u202eB"}'
    """
    if text.replace("\n", "").isprintable() and _REPLACEMENT not in text:
        return text
    out: list[str] = []
    for character in text:
        # Newlines between values are JSON's own: inside a string json.dumps escapes them.
        if character == "\n" or _refused(character) is None:
            out.append(character)
            continue
        code = ord(character)
        if code > 0xFFFF:  # a UTF-16 surrogate pair, as JSON writes it
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)
