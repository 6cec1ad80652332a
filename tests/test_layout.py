"""Package layout: no module imports a private (underscore) name across modules.

A name shared between top-level modules or subpackages of ``skdecay`` gets a
public name (in a private module if it is not API: ``skdecay._path_core``,
``skdecay.solvers.problem``, ``skdecay.linear_model._base``, ``skdecay._ridge``).
Underscore names may pass between sibling modules of one subpackage
(``skdecay/_ridge/_cg.py`` <- ``skdecay/_ridge/_pcg.py``), and private *modules*
may be imported (``from . import _enet_path``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import skdecay

ROOT = Path(skdecay.__file__).resolve().parent


def _module_name(path: Path) -> tuple[str, bool]:
    """Dotted name of ``path`` under ``ROOT`` and whether it is a package."""
    parts = ("skdecay", *path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _unit(module: str) -> str:
    """The top-level module or subpackage of ``skdecay`` that ``module`` belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _is_module(dotted: str) -> bool:
    rel = Path(*dotted.split(".")[1:])
    return (ROOT / rel).with_suffix(".py").is_file() or (ROOT / rel / "__init__.py").is_file()


def cross_module_private_imports(module: str, is_package: bool, source: str) -> list[str]:
    """``"importer <- source: name"`` for each underscore name ``module`` imports
    from another unit of ``skdecay`` (relative or absolute ``from`` imports)."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            origin = ".".join(base + ([node.module] if node.module else []))
        else:
            origin = node.module or ""
        if origin != "skdecay" and not origin.startswith("skdecay."):
            continue
        if _unit(origin) == _unit(module) and _unit(module):
            continue  # siblings inside one subpackage (or a module importing itself)
        for alias in node.names:
            name = alias.name
            if not name.startswith("_") or name.startswith("__"):
                continue
            if _is_module(f"{origin}.{name}"):
                continue  # a private module, not a private name
            found.append(f"{module} <- {origin}: {name}")
    return found


def test_checker_flags_a_cross_module_private_import():
    # the checker itself: a cross-unit underscore import is caught, sibling and
    # private-module imports are not
    assert cross_module_private_imports("skdecay._cv", False, "from .path import _grid\n") == [
        "skdecay._cv <- skdecay.path: _grid"
    ]
    assert cross_module_private_imports(
        "skdecay.multitask._cv", False, "from ..path import _warn, grid\n"
    ) == ["skdecay.multitask._cv <- skdecay.path: _warn"]
    assert cross_module_private_imports(
        "skdecay.model_selection", False, "from skdecay.linear_model import _Base\n"
    ) == ["skdecay.model_selection <- skdecay.linear_model: _Base"]
    assert (
        cross_module_private_imports("skdecay._ridge._cg", False, "from ._pcg import _pcg\n") == []
    )
    assert cross_module_private_imports("skdecay.path", False, "from . import _enet_path\n") == []


def test_no_private_name_crosses_modules():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        module, is_package = _module_name(path)
        found += cross_module_private_imports(module, is_package, path.read_text("utf-8"))
    assert found == [], "\n".join(found)
