"""The public API is curated, and the layers keep to their imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import sfprice

SRC = Path(sfprice.__file__).resolve().parent


def test_all_names_exist_and_are_sorted() -> None:
    for name in sfprice.__all__:
        assert hasattr(sfprice, name), name
    assert len(set(sfprice.__all__)) == len(sfprice.__all__)  # order: ruff RUF022


def test_public_api_has_docstrings() -> None:
    for name in sfprice.__all__:
        obj = getattr(sfprice, name)
        if callable(obj):
            assert obj.__doc__, f"{name} has no docstring"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


# The core is pure: no file formats, no pydantic, no formatting.
FORBIDDEN = {
    "model.py": {"pydantic", "babel", "csv", "tomllib", "json", "sfprice.io", "sfprice.engine"},
    # Agreements and overrides: a pure model beside it (io reads the file, the engine prices).
    "agreements.py": {
        "pydantic",
        "babel",
        "csv",
        "tomllib",
        "json",
        "pathlib",
        "sfprice.io",
        "sfprice.engine",
    },
    "money.py": {"pydantic", "babel", "csv", "tomllib", "sfprice.model"},
    "period.py": {"pydantic", "babel", "csv", "tomllib", "sfprice.model"},
    "errors.py": {"pydantic", "babel", "sfprice.model"},
    # Department names: pure text rules, used by model-level code and every loader alike.
    "names.py": {
        "pydantic",
        "babel",
        "csv",
        "tomllib",
        "json",
        "pathlib",
        "sfprice.model",
        "sfprice.io",
        "sfprice.engine",
        "sfprice.reports",
    },
    # Price kinds: pure classes under the model (which holds one as an item's terms).
    "kinds": {
        "pydantic",
        "babel",
        "csv",
        "tomllib",
        "json",
        "pathlib",
        "sfprice.io",
        "sfprice.engine",
        "sfprice.app",
        "sfprice.reports",
        "sfprice.cli",
    },
    # The customer register as a lookup: pure, over the model (io reads the files).
    "customers.py": {
        "pydantic",
        "babel",
        "csv",
        "tomllib",
        "json",
        "pathlib",
        "sfprice.io",
        "sfprice.engine",
    },
    # DataFrames: pandas only, lazily; made from records, knowing no layer above the model.
    "frames.py": {
        "pydantic",
        "babel",
        "csv",
        "sfprice.io",
        "sfprice.engine",
        "sfprice.app",
        "sfprice.reports",
        "sfprice.cli",
    },
    "units.py": {"pydantic", "babel", "csv", "tomllib", "json", "sfprice.model", "sfprice.kinds"},
    "engine": {
        "pydantic",
        "babel",
        "csv",
        "tomllib",
        "json",
        "pathlib",
        "sfprice.io",
        "sfprice.app",
        "sfprice.reports",
        "sfprice.cli",
    },
    "io": {"babel", "sfprice.engine", "sfprice.app", "sfprice.reports", "sfprice.cli"},
    # The application layer joins io and engine; the entry points sit above it.
    "app": {
        "babel",
        "sfprice.reports",
        "sfprice.documents",
        "sfprice.register",
        "sfprice.cli",
        "sfprice.billing_commands",
        "sfprice.register_commands",
    },
    "reports": {"sfprice.io", "sfprice.app", "sfprice.cli", "pydantic"},
    # The register: only the store touches SQLite; the plan and the codec are pure.
    "register": {"babel", "sfprice.app", "sfprice.reports", "sfprice.documents", "sfprice.cli"},
    **{
        f"register/{name}.py": {"sqlite3", "sfprice.register.store", "sfprice.io"}
        for name in ("issuing", "codec", "numbering", "records", "content", "manifest")
    },
}


def test_layers_keep_to_their_imports() -> None:
    for target, banned in FORBIDDEN.items():
        paths = [SRC / target] if target.endswith(".py") else sorted((SRC / target).glob("*.py"))
        for path in paths:
            for module in _imports(path):
                root_hits = {b for b in banned if module == b or module.startswith(b + ".")}
                assert not root_hits, f"{path.name} imports {module}"


def test_import_is_light() -> None:
    # `import sfprice` must not drag in heavy optional packages.
    code = (
        "import sys, sfprice; "
        "heavy = ('pandas', 'matplotlib', 'openpyxl', 'numpy', 'fpdf', 'pypdf'); "
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
