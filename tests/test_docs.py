"""The interactive examples in docs/*.md are run, so the documentation stays true."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = sorted((REPO / "docs").glob("*.md"))
_PYCON = re.compile(r"```pycon\n(.*?)```", re.DOTALL)


def _examples(page: Path) -> str:
    return "\n".join(_PYCON.findall(page.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", [p for p in DOCS if _examples(p)], ids=lambda p: p.name)
def test_docs_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The pages are written as if run from the repository root; one session per page.
    monkeypatch.chdir(REPO)
    test = doctest.DocTestParser().get_doctest(_examples(page), {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    output: list[str] = []
    runner.run(test, out=output.append)
    assert runner.failures == 0, "".join(output)


_CONSOLE = re.compile(r"```console\n(.*?)```", re.DOTALL)
CONSOLE_PAGES = ("simulation.md", "cost-model.md", "planning.md")


def _console_examples() -> list[tuple[str, str, str]]:
    examples = []
    for name in CONSOLE_PAGES:
        for block in _CONSOLE.findall((REPO / "docs" / name).read_text(encoding="utf-8")):
            command, *output = block.rstrip("\n").split("\n")
            assert command.startswith("$ python -m sfprice "), command
            examples.append((name, command[2:], "\n".join(output)))
    return examples


@pytest.mark.parametrize(("page", "command", "expected"), _console_examples())
def test_docs_console_examples_are_real_output(
    page: str,
    command: str,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shlex

    from sfprice.cli import main

    monkeypatch.chdir(REPO)
    assert main(shlex.split(command)[3:]) == 0, page
    captured = capsys.readouterr()
    assert (captured.out + captured.err).rstrip("\n") == expected
