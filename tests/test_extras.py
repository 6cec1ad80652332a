"""The optional extras of ``pyproject.toml`` cover what their code imports.

``pip install ".[docs]"`` must be enough to build the docs, which runs every
example and ``docs/conf.py``; ``pip install ".[cli]"`` must be enough for the
``skdecay`` command.  Each module's imports are read with ``ast`` and every
third-party one must be a core dependency or in the extra.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parents[1]
#: import name -> distribution name, where they differ
DISTRIBUTION = {"sklearn": "scikit-learn", "sphinx_gallery": "sphinx-gallery", "skops": "skops"}
#: Data packages an example reads, installed with ``pip install --no-deps`` (not an extra):
#: ISLP's data loader needs only pandas, while its requirements include torch.
NO_DEPS = {"ISLP"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _third_party(paths) -> set[str]:
    names = set().union(*(_imports(p) for p in paths))
    names -= set(sys.stdlib_module_names) | {"skdecay", "__future__"}
    return {DISTRIBUTION.get(n, n) for n in names}


def _requirements(specs) -> set[str]:
    return {re.split(r"[<>=!~\[ ;]", s, maxsplit=1)[0].lower() for s in specs}


@pytest.fixture(scope="module")
def project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_docs_extra_covers_examples_and_conf(project):
    have = _requirements(project["dependencies"]) | _requirements(
        project["optional-dependencies"]["docs"]
    )
    sources = sorted((ROOT / "examples").glob("*.py")) + [ROOT / "docs" / "conf.py"]
    needed = _third_party(sources)
    assert "pandas" in needed  # the reason for this test: two examples read tables
    needed -= NO_DEPS  # installed without their dependencies (below)
    assert needed <= have, f"missing from the docs extra: {sorted(needed - have)}"


def test_no_deps_data_packages_are_installed_by_ci_and_documented():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    for name in NO_DEPS:
        assert re.search(rf"pip install [^\n]*--no-deps [^\n]*{name}", ci), name
        assert re.search(rf"pip install --no-deps \"?{name}", readme), name
        # README's test command installs it too (CI runs that command)
        assert re.search(rf"install \".\[test\]\" && [^\n]*--no-deps \"?{name}", readme), name


def test_cli_extra_covers_the_command(project):
    have = _requirements(project["dependencies"]) | _requirements(
        project["optional-dependencies"]["cli"]
    )
    sources = [*sorted((ROOT / "skdecay" / "cli").glob("*.py")), ROOT / "skdecay" / "_table.py"]
    sources += sorted((ROOT / "skdecay" / "plotting").glob("*.py"))
    needed = _third_party(sources)
    assert {"pandas", "matplotlib", "skops"} <= needed
    assert needed <= have, f"missing from the cli extra: {sorted(needed - have)}"
