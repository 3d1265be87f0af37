"""The invoice register: issue a month's invoices once, with numbers, and correct them.

An io-level package: it reads and writes one SQLite file. See ``docs/register.md``.
One job per module: ``schema`` (DDL, versions, validation, the upgrade from version 1),
``numbering`` (number formats), ``issuing`` (the pure plan: keep, credit, re-issue, new),
``codec`` (what is stored, field by field and versioned), ``records`` (what is read
back), ``content`` (what a document shows) and ``store`` (the SQLite adapter that wires
them).
"""

from sfprice.register.content import (
    ContentCustomer,
    DocumentContent,
    StatementRow,
    VolumeStatement,
)
from sfprice.register.manifest import InputFile, Manifest, file_sha256
from sfprice.register.store import (
    APPLICATION_ID,
    DEFAULT_ISSUER_NAME,
    SCHEMA_VERSION,
    DocumentKind,
    IssuedDocument,
    IssuedLine,
    IssueResult,
    PeriodEvent,
    Register,
    RegisterError,
    RegisterHooks,
    RunRecord,
    issue_period,
)

__all__ = [
    "APPLICATION_ID",
    "DEFAULT_ISSUER_NAME",
    "SCHEMA_VERSION",
    "ContentCustomer",
    "DocumentContent",
    "DocumentKind",
    "InputFile",
    "IssueResult",
    "IssuedDocument",
    "IssuedLine",
    "Manifest",
    "PeriodEvent",
    "Register",
    "RegisterError",
    "RegisterHooks",
    "RunRecord",
    "StatementRow",
    "VolumeStatement",
    "file_sha256",
    "issue_period",
]
