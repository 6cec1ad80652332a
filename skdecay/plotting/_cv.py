"""Cross-validated score against ``alpha``: :class:`CVScoreDisplay`."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import (
    _MAX_LABELS,
    _axes,
    _check_positive_alphas,
    _distinct_colors,
    _legend_outside,
    _log_alpha_axis,
    _mark_selected_alpha,
    _split_pipeline,
)


def _other_choice(alpha, alpha_min, alpha_1se) -> dict:
    """The choice the refit did not use (``alpha_1se_`` or ``alpha_min_``), for
    :class:`CVScoreDisplay`; nothing when both coincide."""
    if alpha_min == alpha_1se:
        return {}
    if alpha == alpha_min:
        return {"other_alpha": alpha_1se, "other_name": "one-standard-error rule (alpha_1se_)"}
    return {"other_alpha": alpha_min, "other_name": "best mean score (alpha_min_)"}


class CVScoreDisplay:
    """Cross-validated score against ``alpha``: mean +/- one standard deviation over folds.

    One curve per ``l1_ratio`` of an :class:`~skdecay.ElasticNetRegressorCV` or
    :class:`~skdecay.ElasticNetClassifierCV` (``scores_path_``, higher is
    better: by default minus the held-out mean deviance of the regressor's
    ``loss``, i.e. the negative mean squared error or the negative mean
    Poisson, Gamma or Tweedie deviance, and the accuracy of the classifier),
    on a log ``alpha`` axis decreasing to the right, the selected ``alpha_``
    marked with a dashed vertical line and, when it is not the selected one,
    the other choice of the estimator (``alpha_min_``, the best mean score, or
    ``alpha_1se_``, the one-standard-error rule) with a dotted line.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,) or (n_l1_ratio, n_alphas)
    scores : array-like of shape (n_l1_ratio, n_alphas, n_folds)
        Held-out scores (a 2-D ``(n_alphas, n_folds)`` array is one curve).
    l1_ratios : array-like of shape (n_l1_ratio,), default=None
        Curve labels.
    selected_alpha : float, default=None
    other_alpha : float, default=None
        A second choice to mark (dotted), e.g. ``alpha_1se_`` next to a selected
        ``alpha_min_``.
    other_name : str, default="other alpha"
        Its legend label.
    score_name : str, default="score"
        y-axis label.
    name : str, default=None
        Title.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        Mean score per ``l1_ratio``.
    fills_ : list of matplotlib PolyCollection
        Mean +/- std bands (``fill_`` is the first one), light, with their
        edges drawn as thin lines so that overlapping bands stay readable.
    best_markers_ : list of matplotlib Line2D
        The best mean score of each curve (an open marker).
    selected_line_ : matplotlib Line2D or None
    other_line_ : matplotlib Line2D or None
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdecay import ElasticNetRegressorCV
    >>> from skdecay.plotting import CVScoreDisplay
    >>> X, y = load_diabetes(return_X_y=True)
    >>> cv = ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=20)
    >>> cv = cv.fit(StandardScaler().fit_transform(X), y)
    >>> len(CVScoreDisplay.from_estimator(cv).lines_)
    2
    """

    def __init__(
        self,
        alphas,
        scores,
        *,
        l1_ratios=None,
        selected_alpha: float | None = None,
        other_alpha: float | None = None,
        other_name: str = "other alpha",
        score_name: str = "score",
        name: str | None = None,
    ):
        scores = np.asarray(scores, dtype=np.float64)
        if scores.ndim == 2:
            scores = scores[None]
        if scores.ndim != 3:
            raise ValueError(
                f"scores must have shape (n_l1_ratio, n_alphas, n_folds), got {scores.shape}."
            )
        alphas = _check_positive_alphas(alphas, "alphas")
        if alphas.ndim == 1 and alphas.size == scores.shape[1]:
            alphas = np.broadcast_to(alphas, scores.shape[:2])
        if alphas.shape != scores.shape[:2]:
            raise ValueError(
                f"alphas of shape {alphas.shape} do not match scores of shape {scores.shape}."
            )
        if l1_ratios is not None:
            l1_ratios = np.atleast_1d(np.asarray(l1_ratios, dtype=np.float64))
            if l1_ratios.size != scores.shape[0]:
                raise ValueError(f"{l1_ratios.size} l1_ratios for {scores.shape[0]} curves.")
        self.alphas, self.scores, self.l1_ratios = alphas, scores, l1_ratios
        self.selected_alpha, self.score_name, self.name = selected_alpha, score_name, name
        self.other_alpha, self.other_name = other_alpha, other_name

    def plot(self, ax=None, *, std: bool = True, **line_kw):
        """Draw the mean score per ``l1_ratio`` with a +/- one-std band.

        Each curve has its own colour, line style and marker, its best point
        circled; the legend sits to the right of the axes.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        std : bool, default=True
            Shade mean +/- standard deviation over the folds.
        **line_kw
            Passed to ``Axes.plot``.

        Returns
        -------
        self : CVScoreDisplay
        """
        ax, fig = _axes(ax, figsize=(8.0, 4.8), layout="constrained")
        mean, sd = self.scores.mean(axis=-1), self.scores.std(axis=-1)
        n = mean.shape[0]
        colors = _distinct_colors(min(n, _MAX_LABELS))
        markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
        styles = ["-", "--", "-.", ":"]
        self.lines_, self.fills_, self.best_markers_ = [], [], []
        for i in range(n):
            label = None if self.l1_ratios is None else f"l1_ratio = {self.l1_ratios[i]:g}"
            kw = {
                "color": colors[i % len(colors)],
                "linestyle": styles[i % len(styles)],
                "marker": markers[i % len(markers)],
                "markersize": 3.5,
                "zorder": 3,
                **line_kw,
            }
            (line,) = ax.plot(self.alphas[i], mean[i], label=label, **kw)
            self.lines_.append(line)
            color = line.get_color()
            # the best point of each curve, so that overlapping curves stay distinguishable
            b = int(np.argmax(mean[i]))
            (best,) = ax.plot(
                [self.alphas[i][b]], [mean[i][b]], marker=kw["marker"], markersize=9,
                markerfacecolor="none", markeredgecolor=color, linestyle="none", zorder=4,
                label="_nolegend_",
            )  # fmt: skip
            self.best_markers_.append(best)
            if std:
                # light fill plus its two edges: where bands overlap the edges still show
                self.fills_.append(
                    ax.fill_between(
                        self.alphas[i],
                        mean[i] - sd[i],
                        mean[i] + sd[i],
                        color=color,
                        alpha=0.12 if n > 1 else 0.2,
                        linewidth=0,
                        zorder=1,
                    )
                )
                for edge in (mean[i] - sd[i], mean[i] + sd[i]):
                    ax.plot(
                        self.alphas[i], edge, color=color, linewidth=0.6,
                        linestyle=kw["linestyle"], alpha=0.6, zorder=2, label="_nolegend_",
                    )  # fmt: skip
        self.fill_ = self.fills_[0] if self.fills_ else None
        self.selected_line_ = _mark_selected_alpha(ax, self.selected_alpha)
        self.other_line_ = None
        if self.other_alpha is not None:
            self.other_line_ = ax.axvline(
                float(self.other_alpha),
                color="0.35",
                linestyle=":",
                linewidth=1.2,
                label=f"{self.other_name} = {float(self.other_alpha):.3g}",
            )
        _log_alpha_axis(ax)
        ax.set_ylabel(f"{self.score_name} (mean +/- std over folds)" if std else self.score_name)
        if self.name:
            ax.set_title(self.name)
        marked = self.selected_line_ is not None or self.other_line_ is not None
        if self.l1_ratios is not None or marked:
            _legend_outside(ax)
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimator(cls, estimator, *, target: int | None = None, ax=None, **plot_kw):
        """Draw the held-out scores of a fitted CV estimator (or a Pipeline ending in one).

        Reads the estimator's public fitted attributes: ``cv_scores_`` (per
        ``l1_ratio``, at the chosen ``gamma_`` and ``relax_gamma_``),
        ``alphas_``, ``alpha_``, ``alpha_min_``, ``alpha_1se_`` and
        ``score_name_`` (the y-axis: its ``scoring``, or "neg. MSE", "neg.
        mean Poisson deviance" (Gamma, Tweedie with its power) for the
        regressor after its ``loss``, "accuracy" for the classifier).

        Parameters
        ----------
        estimator : fitted ElasticNetRegressorCV, ElasticNetClassifierCV or Pipeline
        target : int, default=None
            For an :class:`~skdecay.ElasticNetRegressorCV` fitted on 2-D ``y``
            (one CV fit per target): the target to draw (required there).
        ax : matplotlib Axes, default=None
        **plot_kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : CVScoreDisplay
        """
        from ..model_selection import ElasticNetClassifierCV, ElasticNetRegressorCV

        final, _ = _split_pipeline(estimator)
        if not isinstance(final, ElasticNetRegressorCV | ElasticNetClassifierCV):
            raise TypeError(
                "CVScoreDisplay.from_estimator needs an ElasticNetRegressorCV or "
                f"ElasticNetClassifierCV (or a Pipeline ending in one); got "
                f"{type(final).__name__}. For GridSearchCV use scikit-learn's "
                "ValidationCurveDisplay."
            )
        check_is_fitted(final)
        names = ("alphas_", "cv_scores_", "alpha_", "alpha_min_", "alpha_1se_")
        alphas, scores, alpha, alpha_min, alpha_1se = (getattr(final, n) for n in names)
        if np.ndim(alpha):  # one CV fit per target
            if target is None:
                raise ValueError(
                    f"{type(final).__name__} was fitted on {np.size(alpha)} targets: pass "
                    "target=j to draw the scores of one."
                )
            alphas, scores, alpha, alpha_min, alpha_1se = (
                np.asarray(v)[target] for v in (alphas, scores, alpha, alpha_min, alpha_1se)
            )
        elif target is not None:
            raise ValueError("target is for a CV estimator fitted on several targets (2-D y).")
        disp = cls(
            alphas,
            scores,
            l1_ratios=np.atleast_1d(np.asarray(final.l1_ratio, dtype=np.float64)),
            selected_alpha=float(alpha),
            score_name=f"held-out {final.score_name_}",
            **_other_choice(float(alpha), float(alpha_min), float(alpha_1se)),
            name=type(final).__name__,
        )
        return disp.plot(ax=ax, **plot_kw)
