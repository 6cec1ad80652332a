"""The Sphinx documentation builds with warnings as errors, and lists every public name.

The build runs with ``SKDECAY_DOCS_NO_GALLERY=1`` (read by ``docs/conf.py``):
sphinx-gallery writes the example pages without executing the scripts (the
examples are run by their own test, so CI does not pay for them twice).  The
full build with plots is ``make -C docs html`` (see ``docs/conf.py``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_api_reference_lists_every_public_name():
    import skdecay
    import skdecay.plotting

    api = (DOCS / "api.rst").read_text()
    listed = set(re.findall(r"^\s{3}([\w.]+)\s*$", api, flags=re.MULTILINE))
    public = {n for n in skdecay.__all__ if n != "__version__"}
    missing = public - listed
    missing |= set(skdecay.plotting.__all__) - listed
    assert not missing, f"not in docs/api.rst: {sorted(missing)}"


def test_docs_build_without_warnings(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("numpydoc")
    pytest.importorskip("sphinx_gallery")
    env = dict(os.environ, SKDECAY_DOCS_NO_GALLERY="1", MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q"]
    cmd += [str(DOCS), str(tmp_path / "html")]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    html = tmp_path / "html"
    assert (html / "index.html").is_file()
    assert (html / "api.html").is_file()
    # the autosummary pages and the gallery pages were generated
    assert (html / "generated" / "skdecay.ElasticNetRegressor.html").is_file()
    assert (html / "generated" / "skdecay.plotting.RegularizationPathDisplay.html").is_file()
    assert list((html / "auto_examples").glob("plot_*.html"))
