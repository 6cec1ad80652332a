"""Helpers shared by the displays: matplotlib on first use, axes, pipelines,
feature names, colours, the log ``alpha`` axis and what a fitted model was fitted with."""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import Pipeline


def _pyplot():
    """``matplotlib.pyplot``, imported on first use (matplotlib is optional)."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "skdecay.plotting needs matplotlib: pip install 'skdecay[plot]'."
        ) from exc
    return plt


def _axes(ax, **subplots_kw):
    """``(ax, figure)``: the given Axes, or a new figure with one Axes."""
    if ax is None:
        fig, ax = _pyplot().subplots(**subplots_kw)
        return ax, fig
    return ax, ax.figure


def _split_pipeline(estimator):
    """``(final_estimator, preprocessing_or_None)``; a Pipeline is split at its last step."""
    if isinstance(estimator, Pipeline):
        pre = estimator[:-1] if len(estimator.steps) > 1 else None
        return estimator.steps[-1][1], pre
    return estimator, None


def _feature_names(final, pre, n_features: int) -> list[str]:
    """Names of the features the final step sees (``x0, x1, ...`` when unknown)."""
    if pre is not None:
        try:
            return [str(v) for v in pre.get_feature_names_out()]
        except (AttributeError, ValueError, TypeError):
            pass
    names = getattr(final, "feature_names_in_", None)
    if names is not None and len(names) == n_features:
        return [str(v) for v in names]
    return [f"x{j}" for j in range(n_features)]


#: Most lines a path plot names: one distinct colour each (tab20 without its greys).

_MAX_LABELS = 18


def _distinct_colors(n: int) -> list:
    """``n`` (<= 18) distinct colours, none grey (grey is for unlabelled lines).

    Up to 10: matplotlib's tab10 with black instead of its grey; beyond, the
    light variants of tab20 follow.
    """
    plt = _pyplot()
    tab10 = [plt.get_cmap("tab10")(i) for i in range(10) if i != 7]
    light = [plt.get_cmap("tab20")(2 * i + 1) for i in range(10) if i != 7]
    return (tab10 + [(0.0, 0.0, 0.0, 1.0)] + light)[:n]


def _shade(color, k: int, n: int):
    """The ``k``-th of ``n`` shades of ``color`` (darker to lighter; same hue)."""
    from matplotlib.colors import to_rgb

    rgb = np.asarray(to_rgb(color))
    if n <= 1:
        return tuple(rgb)
    t = -0.4 + 0.95 * k / (n - 1)  # < 0: toward black, > 0: toward white
    mixed = rgb * (1 + t) if t < 0 else rgb + (1 - rgb) * t
    return tuple(np.clip(mixed, 0, 1))


def _log_alpha_axis(ax, xlabel: str = "alpha") -> None:
    """Log-scaled alpha axis, strongest penalty on the left (as glmnet / scikit-learn)."""
    ax.set_xscale("log")
    if not ax.xaxis_inverted():
        ax.invert_xaxis()
    ax.set_xlabel(f"{xlabel} (log scale, decreasing to the right)")


def _mark_selected_alpha(ax, alpha):
    """A dashed vertical line at the selected ``alpha`` (``None`` when there is none)."""
    if alpha is None:
        return None
    return ax.axvline(
        float(alpha),
        color="k",
        linestyle="--",
        linewidth=1,
        label=f"selected alpha = {float(alpha):.3g}",
    )


def _legend_outside(ax) -> None:
    """The legend to the right of the axes, where it cannot cover a curve."""
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)


def _check_positive_alphas(alphas, what: str) -> np.ndarray:
    a = np.asarray(alphas, dtype=np.float64)
    if a.size == 0 or not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError(
            f"{what} must be non-empty, finite and > 0 to be drawn on a log axis "
            f"(got min={np.min(a) if a.size else None!r})."
        )
    return a
