"""Sphinx configuration of the skdecay documentation.

Build the full documentation, running every example of ``examples/`` through
sphinx-gallery (plots included)::

    pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html   # or: make -C docs html

Set ``SKDECAY_DOCS_NO_GALLERY=1`` to build the gallery pages *without* running
the examples (no plots; seconds instead of minutes).  ``tests/test_docs.py``
does that, since another test already runs every example.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # document the working tree, not an installed copy
os.environ.setdefault("MPLBACKEND", "Agg")

import skdecay  # noqa: E402

project = "skdecay"
author = "the skdecay developers"
copyright = "2026, the skdecay developers"  # noqa: A001
version = release = skdecay.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb"]
templates_path = ["_templates"]
html_theme = "alabaster"
html_theme_options = {
    "description": "Weight-regularized estimators with a scikit-learn API",
    "fixed_sidebar": True,
}
html_static_path = []

# -- API reference ---------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"  # numpydoc's parameter lists are the reference
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "matplotlib": ("https://matplotlib.org/stable", None),
}
# the build must not depend on the network (CI, tests): intersphinx inventories
# are fetched only when SKDECAY_DOCS_INTERSPHINX=1
if os.environ.get("SKDECAY_DOCS_INTERSPHINX") != "1":
    intersphinx_mapping = {}

# -- gallery -----------------------------------------------------------------------
run_examples = os.environ.get("SKDECAY_DOCS_NO_GALLERY", "") in ("", "0")
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": str(HERE / "auto_examples"),
    "filename_pattern": r"/plot_",
    "plot_gallery": run_examples,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
}


# -- docstring fix-ups ---------------------------------------------------------------
# Shapes such as ``(n_features_in_,)`` or ``(n_layers_ - 1,)`` in numpydoc type
# fields are read by docutils as hyperlink references ("name_") and fail the
# build; escape the trailing underscore of such names before numpydoc parses them.
_TRAILING_UNDERSCORE = re.compile(r"(?<![`\\\w])([A-Za-z]\w*[A-Za-z0-9])_(?=[\s,)\]])")


def _escape_shape_names(app, what, name, obj, options, lines) -> None:
    for i, line in enumerate(lines):
        if " of shape (" in line or "shape (" in line:
            head, sep, tail = line.partition("shape (")
            lines[i] = head + sep + _TRAILING_UNDERSCORE.sub(r"\1\\_", tail)


def setup(app) -> None:
    app.connect("autodoc-process-docstring", _escape_shape_names, priority=100)
