"""Every module of ``src/sfprice`` has a layer, and imports only from its own layer or below.

The layers, lowest first (``docs/design.md`` draws the same picture). Units in one layer
are independent siblings: they never import each other (``io`` does not price, the engine
does not read files). A module may import its own unit freely.

The one upward import allowed is ``from sfprice import __version__`` (the package's
version, which documents and manifests record): it reads a constant, not the API.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

import sfprice

SRC = Path(sfprice.__file__).resolve().parent

LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(layer)
    for layer in (
        {"errors"},
        {"money", "period", "collation", "units", "frames"},
        {"names"},
        {"kinds"},  # the price kinds: what the model's items charge by
        {"model", "kpis"},
        {"costmodel"},  # cost that follows volume: over the model's volumes
        {"costs"},  # budgets, whose areas may carry the cost model's staff drivers
        {"customers"},  # the customer register as a lookup (pure, over the model)
        {"agreements"},  # agreements and overrides: on the model's items and customers
        {"subscription"},  # subscription agreements (records): on the model's months
        {"io", "engine", "synthetic"},
        {"app"},
        {"register"},
        {"reports"},
        {"documents"},
        {"api"},  # sfprice/__init__.py: the curated public API
        {"cli"},
        {"__main__"},  # python -m sfprice
    )
)
LEVEL: Mapping[str, int] = {unit: n for n, layer in enumerate(LAYERS) for unit in layer}

# Imports for annotations only (under ``if TYPE_CHECKING:``) that may go upwards: a price
# kind is typed by the model's item it charges for, and the model holds the kinds.
TYPE_ONLY = {("kinds", "model")}

Imported = tuple[str, tuple[str, ...]] | tuple[str, tuple[str, ...], bool]


def _unit(module: str) -> str:
    """The layer unit of a module name: ``sfprice.engine.billing`` is ``engine``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "api"


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterable[Imported]:
    """The modules a file imports, each with the names taken from it."""
    module = _module_of(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return imports_of(path.read_text(encoding="utf-8"), package)


def imports_of(text: str, package: str) -> list[Imported]:
    """The modules ``text`` imports, a relative import resolved within ``package``.

    An import under ``if TYPE_CHECKING:`` comes with a third item, True.
    """
    tree = ast.parse(text)
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found: list[Imported] = []
    for node in ast.walk(tree):
        if id(node) in typing_only and isinstance(node, ast.Import | ast.ImportFrom):
            module = _resolved(node, package) if isinstance(node, ast.ImportFrom) else ""
            names = tuple(alias.name for alias in node.names)
            if isinstance(node, ast.Import):
                found += [(alias.name, (), True) for alias in node.names]
            else:
                found.append((module, names, True))
        elif isinstance(node, ast.Import):
            found += [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((_resolved(node, package), tuple(alias.name for alias in node.names)))
    return found


def _resolved(node: ast.ImportFrom, package: str) -> str:
    module = node.module or ""
    if node.level:
        parts = package.split(".")
        base = parts[: len(parts) - node.level + 1]
        module = ".".join([*base, module] if module else base)
    return module


def violations(graph: Mapping[str, Iterable[Imported]]) -> list[str]:
    """One line per import that breaks the layers, or per module without a layer.

    Args:
        graph: Importing module name (``sfprice.engine.billing``) to what it imports.
    """
    found = []
    for importer, imported in sorted(graph.items()):
        source = _unit(importer)
        if source not in LEVEL:
            found.append(f"{importer} has no layer: place {source!r} in LAYERS")
            continue
        for module, names, *typing in imported:
            if module != "sfprice" and not module.startswith("sfprice."):
                continue
            target = _unit(module)
            if target == source:
                continue
            if target == "api" and set(names) <= {"__version__"}:
                continue  # the version constant
            if typing and typing[0] and (source, target) in TYPE_ONLY:
                continue
            if target not in LEVEL:
                found.append(f"{importer} imports {module}, which has no layer")
            elif LEVEL[target] > LEVEL[source]:
                found.append(f"{importer} imports {module}: a higher layer")
            elif LEVEL[target] == LEVEL[source]:
                found.append(f"{importer} imports {module}: a sibling of the same layer")
    return found


def _graph() -> dict[str, list[Imported]]:
    return {_module_of(path): list(_imports(path)) for path in sorted(SRC.rglob("*.py"))}


def test_every_package_and_module_has_a_layer() -> None:
    units = {_unit(module) for module in _graph()}
    assert units == set(LEVEL), units ^ set(LEVEL)
    for package in ("app", "cli", "documents", "register", "reports", "io", "engine"):
        assert (SRC / package / "__init__.py").is_file(), package


def test_layers_keep_to_their_imports() -> None:
    assert violations(_graph()) == []


@pytest.mark.parametrize(
    ("importer", "module", "names", "expected"),
    [
        # Upward: the engine reads the CLI; io reads the app; the model reads a loader.
        ("sfprice.engine.billing", "sfprice.cli.arguments", (), "a higher layer"),
        ("sfprice.io.volumes", "sfprice.app", ("run_billing",), "a higher layer"),
        ("sfprice.model", "sfprice.io.pricelists", (), "a higher layer"),
        ("sfprice.app.billing", "sfprice.register", (), "a higher layer"),
        ("sfprice.register.store", "sfprice", ("load_catalog",), "a higher layer"),
        # Siblings: io and engine never import each other.
        ("sfprice.engine.billing", "sfprice.io.volumes", (), "a sibling of the same layer"),
        ("sfprice.io.volumes", "sfprice.engine", (), "a sibling of the same layer"),
        # Unknown: a new package nobody placed.
        ("sfprice.plugins.x", "sfprice.model", (), "has no layer"),
        ("sfprice.engine.x", "sfprice.plugins", (), "which has no layer"),
    ],
)
def test_the_checker_fails_on_a_bad_import(
    importer: str, module: str, names: tuple[str, ...], expected: str
) -> None:
    found = violations({importer: [(module, names)]})
    assert len(found) == 1
    assert expected in found[0]


@pytest.mark.parametrize(
    ("importer", "module", "names"),
    [
        ("sfprice.cli.bill", "sfprice.app", ("run_billing",)),
        ("sfprice.app.billing", "sfprice.engine.billing", ("bill",)),
        ("sfprice.engine.billing", "sfprice.engine.allocation", ()),
        ("sfprice.documents.sie", "sfprice", ("__version__",)),
        ("sfprice.register.store", "sqlite3", ()),
    ],
)
def test_the_checker_passes_a_good_import(
    importer: str, module: str, names: tuple[str, ...]
) -> None:
    assert violations({importer: [(module, names)]}) == []


def test_only_the_named_pairs_may_import_upwards_for_annotations() -> None:
    text = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sfprice.model import X\n"
    found = imports_of(text, "sfprice.kinds")
    assert ("sfprice.model", ("X",), True) in found
    assert violations({"sfprice.kinds.base": found}) == []
    # The same import at run time, or from another unit, is refused.
    assert violations({"sfprice.kinds.base": [("sfprice.model", ("X",))]}) != []
    assert violations({"sfprice.units": found}) != []


def test_relative_imports_are_resolved() -> None:
    # A relative import must not slip past the checker: it is resolved as Python does.
    text = "from ..cli import main\nfrom . import billing\nfrom .allocation import x\n"
    found = imports_of(text, "sfprice.engine")
    assert found == [
        ("sfprice.cli", ("main",)),
        ("sfprice.engine", ("billing",)),
        ("sfprice.engine.allocation", ("x",)),
    ]
    assert violations({"sfprice.engine.billing": found}) == [
        "sfprice.engine.billing imports sfprice.cli: a higher layer"
    ]
