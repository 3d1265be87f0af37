"""The invoice register: issue a month's invoices once, with numbers, and correct them.

An io-level package: it reads and writes one SQLite file. See ``docs/register.md``.
"""

from sfprice.register.content import DocumentContent, StatementRow, VolumeStatement
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
    RunRecord,
    issue_period,
)

__all__ = [
    "APPLICATION_ID",
    "DEFAULT_ISSUER_NAME",
    "SCHEMA_VERSION",
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
    "RunRecord",
    "StatementRow",
    "VolumeStatement",
    "file_sha256",
    "issue_period",
]
