"""Histograms of model weights: :class:`WeightDistributionDisplay`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import _pyplot, _split_pipeline


def _weights_of(estimator, by_layer: bool) -> tuple[list[np.ndarray], list[str]]:
    """Weights (1-D arrays) of a fitted linear model, MLP or Pipeline, and their names."""
    final, _ = _split_pipeline(estimator)
    if not hasattr(final, "fit"):
        raise TypeError(f"Expected a fitted estimator, got {type(final).__name__}.")
    check_is_fitted(final)
    name = type(final).__name__
    coefs = getattr(final, "coefs_", None)
    if isinstance(coefs, list) and coefs:
        mats = [np.ravel(np.asarray(W)) for W in coefs]
        if by_layer:
            shapes = [np.shape(W) for W in coefs]
            return mats, [f"{name}: layer {i + 1} ({a}x{b})" for i, (a, b) in enumerate(shapes)]
        return [np.concatenate(mats)], [name]
    coef = getattr(final, "coef_", None)
    if coef is None:
        raise TypeError(
            f"{name} has neither coef_ (linear model) nor coefs_ (MLP): no weights to draw."
        )
    return [np.ravel(np.asarray(coef))], [name]


class WeightDistributionDisplay:
    """Histograms of model weights, with the exact zeros as their own bar.

    A penalty with an L1 part (solved with proximal steps) sets many weights
    *exactly* to zero; an L2 penalty only shrinks them.  Each histogram shows
    the nonzero weights in ``bins`` bins and, on top of it, the exact zeros
    as a separate, hatched bar at 0 whose height is their count, annotated with
    the count and the share of zeros (the bar's label, for a legend, says the same).

    Parameters
    ----------
    weights : list of array-like
        One array per histogram (raveled).
    names : list of str, default=None
        Titles of the histograms.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per histogram.
    ax_ : matplotlib Axes
        ``axes_[0]``.
    figure_ : matplotlib Figure
    zero_bars_ : list of matplotlib Rectangle
        The bar of exact zeros of each histogram (height = ``n_zeros_[i]``).
    hist_bars_ : list of matplotlib BarContainer or None
        The bars of the nonzero weights (``None`` when every weight is zero).
    n_zeros_ : ndarray of int
        Number of exact zeros per histogram.
    zero_fractions_ : ndarray of float
        Share of exact zeros per histogram.

    Examples
    --------
    >>> import numpy as np
    >>> from skdecay.plotting import WeightDistributionDisplay
    >>> w = np.array([0.0, 0.0, 0.5, -1.0, 2.0])
    >>> disp = WeightDistributionDisplay([w], names=["toy"]).plot(bins=5)
    >>> int(disp.n_zeros_[0]), float(disp.zero_bars_[0].get_height())
    (2, 2.0)
    """

    def __init__(self, weights, *, names: Sequence[str] | None = None):
        if isinstance(weights, np.ndarray) and weights.ndim == 1:
            weights = [weights]
        self.weights = [np.ravel(np.asarray(w, dtype=np.float64)) for w in weights]
        if not self.weights:
            raise ValueError("weights must contain at least one array.")
        if names is not None and len(names) != len(self.weights):
            raise ValueError(f"names has {len(names)} entries for {len(self.weights)} arrays.")
        self.names = names

    def plot(
        self,
        ax=None,
        *,
        bins: int = 50,
        zero_color: str = "C3",
        log: bool = False,
        **hist_kw,
    ):
        """Draw one histogram per weight array.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            One Axes per histogram; a new row of subplots when ``None``.
        bins : int, default=50
            Bins of the nonzero weights.
        zero_color : str, default="C3"
            Colour of the bar of exact zeros.
        log : bool, default=False
            Log-scaled counts (the spike of zeros can dwarf the rest).
        **hist_kw
            Passed to ``Axes.hist``.

        Returns
        -------
        self : WeightDistributionDisplay
        """
        n = len(self.weights)
        if ax is None:
            fig, axes = _pyplot().subplots(
                1, n, figsize=(4.2 * n, 3.4), squeeze=False, constrained_layout=True
            )
            axes = axes.ravel()
        else:
            axes = np.ravel(np.asarray(ax, dtype=object))
            if axes.size != n:
                raise ValueError(f"ax has {axes.size} Axes for {n} histograms.")
            fig = axes[0].figure
        names = self.names if self.names is not None else [None] * n
        self.zero_bars_, self.hist_bars_ = [], []
        n_zeros = []
        for a, w, title in zip(axes, self.weights, names, strict=True):
            zero = w == 0
            nz = w[~zero]
            if nz.size:
                counts, edges, bars = a.hist(nz, bins=bins, color="C0", log=log, **hist_kw)
                width = float(np.min(np.diff(edges)))
            else:
                bars, width = None, 1.0 / max(int(bins), 1)
            self.hist_bars_.append(bars)
            k = int(zero.sum())
            frac = k / w.size if w.size else 0.0
            (rect,) = a.bar(
                0.0,
                float(k),
                width=width,
                color=zero_color,
                edgecolor="k",
                hatch="//",
                zorder=3,
                log=log,
                label=f"exact zeros: {k} ({frac:.1%})",
            )
            top = max(k, float(np.max(counts)) if bars is not None else 0.0, 1.0)
            a.set_ylim(top=top * (4.0 if log else 1.2))
            # above the bar; with no zeros, at the top of the Axes
            a.annotate(
                f"{k} exact zeros ({frac:.1%})",
                xy=(0.0, k) if k else (0.5, 0.97),
                xycoords="data" if k else "axes fraction",
                xytext=(0, 3) if k else (0, 0),
                textcoords="offset points",
                ha="center",
                va="bottom" if k else "top",
                fontsize="small",
                color=zero_color,
            )
            self.zero_bars_.append(rect)
            n_zeros.append(k)
            a.set_xlabel("weight value")
            a.set_ylabel("count")
            if title:
                a.set_title(title, fontsize="medium")
        self.n_zeros_ = np.asarray(n_zeros, dtype=np.int64)
        sizes = np.array([w.size for w in self.weights], dtype=np.float64)
        self.zero_fractions_ = np.divide(
            self.n_zeros_, sizes, out=np.zeros_like(sizes), where=sizes > 0
        )
        self.axes_ = axes
        self.ax_ = axes[0]
        self.figure_ = fig
        return self

    @classmethod
    def from_estimator(cls, estimator, *, by_layer: bool = False, ax=None, **kw):
        """Histogram(s) of the weights of a fitted estimator.

        Parameters
        ----------
        estimator : fitted estimator or Pipeline
            A linear model (``coef_``; all rows of a classifier together), an
            MLP (``coefs_``; biases are not penalized and not drawn), or a
            Pipeline ending in one.
        by_layer : bool, default=False
            For an MLP, one histogram per weight matrix instead of one for all.
        ax : matplotlib Axes or array-like of Axes, default=None
        **kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : WeightDistributionDisplay
        """
        weights, names = _weights_of(estimator, by_layer)
        return cls(weights, names=names).plot(ax=ax, **kw)

    @classmethod
    def from_estimators(cls, estimators, *, names: Sequence[str] | None = None, ax=None, **kw):
        """Weight histograms of several fitted estimators side by side (one subplot each).

        Parameters
        ----------
        estimators : list of fitted estimators or Pipelines
            As in :meth:`from_estimator` (all weights of each model together).
        names : list of str, default=None
            Subplot titles (default: the class names).
        ax : array-like of Axes, default=None
        **kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : WeightDistributionDisplay
        """
        estimators = list(estimators)
        if not estimators:
            raise ValueError("estimators must contain at least one fitted estimator.")
        if names is not None and len(names) != len(estimators):
            raise ValueError(f"names has {len(names)} entries for {len(estimators)} estimators.")
        weights, default = [], []
        for est in estimators:
            w, n = _weights_of(est, by_layer=False)
            weights += w
            default += n
        return cls(weights, names=list(names) if names is not None else default).plot(ax=ax, **kw)
