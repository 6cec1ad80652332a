"""Every gallery script in ``examples/`` runs to the end and draws at least one figure.

The scripts run in this process (``runpy``, headless Agg backend): a fresh
interpreter per script would pay the import of numpy / scikit-learn / numba
again each time.  State that a script could leak is contained: warning
filters and rcParams are restored, figures closed and the working directory
is a temporary one.  BLAS is limited to one thread while a script runs: the
small matrix products of the MLP examples are much slower with a threaded
BLAS on a busy 2-core machine (thread contention), and the examples are not
meant to measure that.

An example on a dataset shipped by ISLP (``pip install --no-deps ISLP``: its
data loader needs only pandas, its own dependencies include torch) is skipped
when ISLP is not installed; ``.ci/run`` installs it.
"""

import os
import runpy
import time
import warnings
from pathlib import Path

import matplotlib
import pytest
from threadpoolctl import threadpool_limits

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))


def test_the_gallery_is_complete():
    names = {p.stem for p in EXAMPLES}
    assert names >= {
        "plot_two_moons_sparsity",
        "plot_weight_shrinkage",
        "plot_l1_vs_l2",
        "plot_tuning_alpha",
        "plot_coupled_vs_decoupled",
        "plot_fine_tuning",
        "plot_poisson_bikeshare",
        "plot_group_lasso_credit",
    }
    header = EXAMPLES[0].parent / "GALLERY_HEADER.rst"  # sphinx-gallery >= 0.16
    assert header.is_file()


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_and_draws(script, tmp_path, capsys):
    text = script.read_text()
    assert text.startswith(('"""', 'r"""')), "sphinx-gallery needs a docstring first"
    assert "# %%" in text, "cells are separated by '# %%'"
    if "from ISLP import" in text:
        pytest.importorskip("ISLP", reason="the example reads an ISLP dataset")
    plt.close("all")
    cwd = os.getcwd()
    start = time.perf_counter()
    try:
        os.chdir(tmp_path)
        with (
            warnings.catch_warnings(),
            matplotlib.rc_context(),
            threadpool_limits(limits=1, user_api="blas"),
        ):
            warnings.simplefilter("ignore", UserWarning)  # plt.show() under Agg
            runpy.run_path(str(script), run_name="__main__")
        figures = [plt.figure(n) for n in plt.get_fignums()]
        assert figures, f"{script.name} drew no figure"
        for fig in figures:
            drawn = [ax for ax in fig.axes if ax.lines or ax.patches or ax.collections or ax.images]
            assert drawn, f"{script.name}: a figure without any drawn data"
            fig.canvas.draw()  # the figure renders
    finally:
        os.chdir(cwd)
        plt.close("all")
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n{script.name}: {elapsed:.1f} s, {len(figures)} figure(s)")
