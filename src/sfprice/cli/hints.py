"""The hints that name a command-line option or command, in one place.

The core (model, loaders, engine) states what is wrong and how to fix it in the terms of
its API (:class:`sfprice.errors.Remedy`): ``or measure fewer months``, ``give a customer
register that lists both``. On the command line the same remedy is an option or a
command: :func:`with_hints` words each remedy as the CLI's before a message is printed,
so a notebook never reads ``--through`` and a terminal never reads ``load_catalog()``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from sfprice.errors import Issue, Remedy

__all__ = ["CLI_HINTS", "issues_with_hints", "with_hints"]

#: Each core remedy and how the CLI says it.
CLI_HINTS: Mapping[Remedy, str] = {
    Remedy.FEWER_MONTHS: "or --through an earlier month",
    Remedy.LIST_CODES: "run 'python -m sfprice pricelists' to list the codes",
    Remedy.REGISTER_BOTH: "give a customer register, --customers, that lists both",
    Remedy.GIVE_CUSTOMERS: "(customers=, or --customers FILE)",
    Remedy.HTML_OR_CSV: "take this document from invoices html or bill --format csv instead",
    Remedy.SAME_ISSUER: "(leave out --issuer-name)",
    Remedy.CHOOSE_AREA: "choose one with --area",
    Remedy.GIVE_BASE_LIST: "give one with --base-list",
    Remedy.CHOOSE_TIME_BASE: "choose --time-base month or year",
    Remedy.GIVE_REASON: "(--reason TEXT)",
    Remedy.SAME_TIME_ZONE: "expected --time-zone ",
    Remedy.CHOOSE_SHEET: "(choose one with --sheet NAME)",
    Remedy.PLAN_NEXT_YEAR: (
        "to price a year from the volumes of the year before, run 'python -m sfprice plan' "
        "(--from-year)"
    ),
    Remedy.GIVE_SUBSCRIPTIONS: "issue it with --subscriptions FILE, as subscriptions issue does",
    Remedy.ISSUE_WITH_CODES: (
        "issue the period again with --customers, a customer register that gives the "
        "department a code"
    ),
}


def with_hints(message: str) -> str:
    """The message with each core remedy in it worded as the CLI's.

    >>> with_hints("no FTE in 2014-02 (give every month measured, or measure fewer months)")
    'no FTE in 2014-02 (give every month measured, or --through an earlier month)'
    """
    for remedy, cli in CLI_HINTS.items():
        message = message.replace(remedy.value, cli)
    return message


def issues_with_hints(issues: Iterable[Issue]) -> tuple[Issue, ...]:
    """The issues with the CLI's hints in their messages."""
    return tuple(dataclasses.replace(i, message=with_hints(i.message)) for i in issues)
