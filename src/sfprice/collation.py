"""Swedish alphabetical order for department names (a–z, then å, ä, ö).

Python sorts by code point, which puts "Ä" before "Å" and both after "Z" only by luck.
Finance staff expect the order of a Swedish register, so sfprice sorts names by this key.
"""

from __future__ import annotations

import unicodedata

__all__ = ["swedish_key"]

# After casefolding and NFC: å, ä, ö sort after z (the characters after "z" in ASCII keep
# the order å < ä < ö), æ with ä and ø with ö; other accented letters sort with their base
# letter, as in Swedish dictionaries (é as e, ü as y, ñ as n).
_SWEDISH = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y"})


def _fold(char: str) -> str:
    if char in "åäöæøü":
        return char
    return "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))


def swedish_key(name: str) -> tuple[str, str]:
    """Sort key for Swedish alphabetical order; ties are broken by the exact name.

    >>> sorted(["Östermalm", "Älvsjö", "Årsta", "Zon", "Enskede"], key=swedish_key)
    ['Enskede', 'Zon', 'Årsta', 'Älvsjö', 'Östermalm']
    """
    folded = unicodedata.normalize("NFC", name).casefold()
    return "".join(_fold(c) for c in folded).translate(_SWEDISH), name
