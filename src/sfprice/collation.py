"""Swedish alphabetical order for department names (a–z, then å, ä, ö).

Python sorts by code point, which puts "Ä" before "Å" and both after "Z" only by luck.
Finance staff expect the order of a Swedish register, so sfprice sorts names by this key.
"""

from __future__ import annotations

__all__ = ["swedish_key"]

# After casefolding: å, ä, ö sort after z (the characters after "z" in ASCII keep the
# order å < ä < ö); accented letters sort with their base letter, as in Swedish
# dictionaries (é as e, ü as y, æ as ä, ø as ö).
_ORDER = str.maketrans(
    {
        "å": "{",
        "ä": "|",
        "æ": "|",
        "ö": "}",
        "ø": "}",
        "é": "e",
        "è": "e",
        "ê": "e",
        "á": "a",
        "à": "a",
        "ü": "y",
        "í": "i",
        "ó": "o",
    }
)


def swedish_key(name: str) -> tuple[str, str]:
    """Sort key for Swedish alphabetical order; ties are broken by the exact name.

    >>> sorted(["Östermalm", "Älvsjö", "Årsta", "Zon", "Enskede"], key=swedish_key)
    ['Enskede', 'Zon', 'Årsta', 'Älvsjö', 'Östermalm']
    """
    return name.casefold().translate(_ORDER), name
