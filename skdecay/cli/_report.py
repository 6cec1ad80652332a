"""Output of ``skdecay fit``: the table of the path, the selected features, the plot."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ._tuning import _Tuned

if TYPE_CHECKING:
    import numpy as np


def _selected_features(estimator, names: np.ndarray) -> np.ndarray:
    import numpy as np

    if hasattr(estimator, "coefs_"):
        keep = np.ones(names.size, dtype=bool)
        keep[estimator.inactive_features_] = False
        return names[keep]
    coef = np.asarray(estimator.coef_)
    mask = np.any(coef != 0, axis=0) if coef.ndim == 2 else coef != 0
    return names[mask]


def _print_table(tuned: _Tuned, scoring: str, out) -> None:
    w = max(14, len(scoring) + 4)
    print(f"{'':2}{'alpha':>11} {'CV ' + scoring:>{w}} {'± std':>8} {'nonzero':>8}", file=out)
    for i, a in enumerate(tuned.alphas):
        mark = "*" if i == tuned.best else " "
        print(
            f"{mark:2}{a:11.4g} {tuned.mean[i]:{w}.4f} {tuned.std[i]:8.4f} {tuned.nonzero[i]:8d}",
            file=out,
        )


def _edge_note(tuned: _Tuned) -> str | None:
    """A warning when the selected alpha is the first or last point of the grid."""
    if tuned.alphas.size < 3:
        return None
    a = f"{tuned.alphas[tuned.best]:.4g}"
    if tuned.best == 0:
        if tuned.l1_ratio is not None:
            return (
                f"warning: the selected alpha={a} is the largest on the grid (alpha_max: every "
                "coefficient is zero): no feature improves the CV score over a constant model"
            )
        return f"warning: the selected alpha={a} is the largest on the grid; a larger one may win"
    if tuned.best == tuned.alphas.size - 1:
        return (
            f"warning: the selected alpha={a} is the smallest on the grid; the best may lie "
            "below it (little penalty helps here)"
        )
    return None


def _write_plot(
    tuned: _Tuned, names, title: str, path: Path, ridge: bool = False, groups=None
) -> None:
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # no display needed; leaves an interactive session alone
    import matplotlib.pyplot as plt

    from ..plotting import RegularizationPathDisplay

    display = RegularizationPathDisplay.from_path(
        tuned.path,
        feature_names=list(names),
        selected_alpha=float(tuned.alphas[tuned.best]),
        name=title,
        l1_ratio=0.0 if ridge else tuned.l1_ratio,
        value_name=tuned.value_name,
        class_names=[str(c) for c in getattr(tuned.estimator, "classes_", [])] or None,
        groups=groups,
    )
    display.figure_.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(display.figure_)
