"""The example notebook runs top to bottom, and the figures it shows are what it computes."""

from __future__ import annotations

import copy
import runpy
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("pandas")
pytest.importorskip("matplotlib")
pytest.importorskip("numpy")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "examples" / "price-models-2026.ipynb"
BUILDER = REPO / "examples" / "build_price_models_notebook.py"
_TEXT = ("text/plain", "text/html")


def _shown(cell: Any) -> list[tuple[str, str]]:
    """What a code cell shows as text (images are compared by kind only)."""
    shown = []
    for output in cell.get("outputs", []):
        kind = output["output_type"]
        if kind == "stream":
            shown.append((output["name"], output["text"]))
        elif kind in {"execute_result", "display_data"}:
            data = output["data"]
            shown.extend((mime, data[mime]) for mime in _TEXT if mime in data)
            if "image/png" in data:
                shown.append(("image/png", "<image>"))
        elif kind == "error":
            shown.append(("error", f"{output['ename']}: {output['evalue']}"))
    return shown


def test_committed_notebook_is_what_the_builder_writes() -> None:
    builder = runpy.run_path(str(BUILDER))
    expected = [(c.cell_type, c.source) for c in builder["build"]().cells]
    committed = nbformat.read(NOTEBOOK, as_version=4)
    assert [(c.cell_type, c.source) for c in committed.cells] == expected


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_notebook_runs_and_shows_what_it_computes(tmp_path: Path) -> None:
    committed = nbformat.read(NOTEBOOK, as_version=4)
    builder = runpy.run_path(str(BUILDER))
    executed = builder["execute"](copy.deepcopy(committed), tmp_path)
    code = [
        (c, e)
        for c, e in zip(committed.cells, executed.cells, strict=True)
        if c.cell_type == "code"
    ]
    assert all(
        _shown(e)
        for c, e in code
        if not c.source.rstrip().endswith(";") and not c.source.startswith(("from ", "import "))
    )
    for index, (before, after) in enumerate(code):
        assert _shown(after) == _shown(before), f"code cell {index} shows other figures now"
