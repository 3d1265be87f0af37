"""The README's commands work as written after its two set-up commands.

Every ``.venv/bin/python -m sfprice ...`` command in the README's ``sh`` and ``console``
blocks is run in order, in-process, from a copy of the repository's example files (the
commands write files such as ``fakturor.db``, which must not land in the checkout). Each
must exit 0. A ``console`` block's output must be the real output, except for what depends
on the day the test runs: the issuing year in invoice numbers and the issue time, and
babel's no-break spaces in amounts, which the README shows as plain spaces. Notes on
standard error come first, as on a terminal: they are printed before the result.
"""

from __future__ import annotations

import re
import shlex
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sfprice.cli import main

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
PROG = ".venv/bin/python -m sfprice "
_BLOCK = re.compile(r"```(sh|console)\n(.*?)```", re.DOTALL)


def _commands() -> list[tuple[str, str | None]]:
    """(command after ``python -m sfprice``, the output shown or None) in README order."""
    found: list[tuple[str, str | None]] = []
    for kind, body in _BLOCK.findall(README.read_text(encoding="utf-8")):
        lines = body.replace("\\\n", " ").splitlines()
        if kind == "sh":
            for line in lines:
                command = line.split("#")[0].strip()
                if command.startswith(PROG) and "..." not in command and "[" not in command:
                    found.append((command.removeprefix(PROG), None))
            continue
        current: list[str] | None = None
        for line in lines:
            if line.startswith("$ "):
                current = []
                found.append((line[2:].removeprefix(PROG), None))
                assert line[2:].startswith(PROG), f"README console line without {PROG!r}: {line}"
            elif current is not None:
                command, shown = found[-1]
                found[-1] = (command, (shown + "\n" if shown is not None else "") + line)
    return found


def _normalise(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"SF-\d{4}-", "SF-YYYY-", text)
    return re.sub(r"Utfärdad \S+", "Utfärdad DATE", text)


def test_readme_lists_its_commands() -> None:
    commands = [command for command, _ in _commands()]
    assert any(c.startswith("issue ") for c in commands)
    assert any(c.startswith("export sie ") for c in commands)
    assert len(commands) >= 12


def test_readme_commands_work_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    # The README shows numbers of the year it was written; numbers run by the issuing year.
    year = datetime.now(ZoneInfo("Europe/Stockholm")).year
    for command, shown in _commands():
        code = main(shlex.split(re.sub(r"SF-\d{4}-", f"SF-{year}-", command)))
        captured = capsys.readouterr()
        assert code == 0, f"README: {command!r} exited {code}: {captured.err}"
        if shown is not None:
            real = (captured.err + captured.out).rstrip("\n")
            assert _normalise(real) == _normalise(shown.rstrip("\n")), command
