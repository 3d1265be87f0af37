"""The run manifest: what produced an issue (input hashes, sfprice version, time, note)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["InputFile", "Manifest", "file_sha256"]


def file_sha256(path: str | Path | Traversable) -> str:
    """The SHA-256 of a file's bytes, as 64 hex digits."""
    source = Path(path) if isinstance(path, str) else path
    return hashlib.sha256(source.read_bytes()).hexdigest()


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input of an issue and its hash.

    Attributes:
        role: ``"volumes"`` or ``"pricelist"`` (or another input, such as ``"customers"``).
        path: The file as given by the user.
        sha256: The SHA-256 of its bytes.
    """

    role: str
    path: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Manifest:
    """What produced an issue; stored with the run, never changed.

    Attributes:
        inputs: The input files and their hashes.
        sfprice_version: The sfprice version that issued.
        created_at: UTC time, ISO 8601.
        note: The user's note (who, why); may be empty.
    """

    inputs: tuple[InputFile, ...]
    sfprice_version: str
    created_at: str
    note: str = ""

    @classmethod
    def for_files(
        cls,
        *,
        volumes: Iterable[str | Path],
        pricelists: Iterable[str | Path | Traversable] = (),
        others: Iterable[tuple[str, str | Path]] = (),
        note: str = "",
        now: datetime | None = None,
    ) -> Manifest:
        """Hash the input files and stamp the manifest with this sfprice and the time."""
        from sfprice import __version__

        inputs = [InputFile("volumes", str(p), file_sha256(p)) for p in volumes]
        inputs += [InputFile("pricelist", str(p), file_sha256(p)) for p in pricelists]
        inputs += [InputFile(role, str(p), file_sha256(p)) for role, p in others]
        moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        return cls(tuple(inputs), __version__, moment.isoformat(), note)
