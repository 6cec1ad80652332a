"""Plots of regularized models, following scikit-learn's Display API.

Every display is built by a classmethod (``from_estimator``, ``from_path``,
...) or directly from arrays, draws itself with ``plot(ax=None, ...)``, which
returns the display, and keeps the matplotlib objects it drew as attributes
(``ax_``, ``figure_``, the artists).  matplotlib is an optional dependency
(``pip install skdecay[plot]``): importing this module does not import it;
``plot`` does.

* :class:`RegularizationPathDisplay`: coefficients against ``alpha`` (log
  axis), from a :class:`~skdecay.path.RegularizationPath` or a fitted linear
  model or CV estimator, with the selected ``alpha`` marked.
* :class:`WeightDistributionDisplay`: histograms of the weights of one or more
  models (or of each layer of an MLP), the exact zeros as their own bar.
* :class:`TrainingHistoryDisplay`: loss, validation score, per-layer weight
  norm and share of exact zeros after every epoch of an MLP.
* :class:`CVScoreDisplay`: cross-validated score against ``alpha`` (mean
  +/- standard deviation over the folds), one curve per ``l1_ratio``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._groups import resolve_groups

__all__ = [
    "CVScoreDisplay",
    "RegularizationPathDisplay",
    "TrainingHistoryDisplay",
    "WeightDistributionDisplay",
]


# ---------------------------------------------------------------------------
# helpers


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


def _group_names(groups, p: int, l1_ratio: float) -> list[str]:
    """One name per feature: its group's label (one label per feature given), else
    ``"group k"`` in the order of :func:`skdecay.penalties.check_groups`."""
    from .penalties import SparseGroupPenalty

    groups = groups(p) if callable(groups) else groups
    ids = SparseGroupPenalty(1.0, l1_ratio, groups, p).group_ids
    if np.ndim(groups) == 1 and len(groups) == p and all(np.ndim(g) == 0 for g in groups):
        return [str(g) for g in groups]
    return [f"group {k}" for k in ids]


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


def _regression_loss(estimator) -> dict:
    """``{"loss": ..., "power": ...}`` of a regressor with a ``loss`` parameter (the
    keywords of :func:`skdecay.enet_path` and :func:`skdecay.alpha_grid`), else ``{}``."""
    params = estimator.get_params(deep=False)
    if "loss" not in params:
        return {}
    out = {"loss": params["loss"]}
    if params["loss"] == "tweedie":
        out["power"] = params["power"]
    return out


def _cv_score_name(estimator) -> str:
    """What the ``scores_path_`` of a CV estimator hold (higher is better).

    Its ``scoring`` when a string; by default the accuracy (classifier) or
    minus the held-out mean deviance of its ``loss``: the mean squared error,
    or the mean Poisson, Gamma or Tweedie deviance.
    """
    scoring = estimator.get_params(deep=False).get("scoring")
    if isinstance(scoring, str):
        return scoring
    if scoring is not None:
        return "score"
    loss = _regression_loss(estimator)
    if not loss:
        return "accuracy" if is_classifier(estimator) else "neg. MSE"
    name = loss["loss"]
    if name == "squared_error":
        return "neg. MSE"
    if name == "tweedie":
        return f"neg. mean Tweedie deviance (power={float(loss['power']):g})"
    return f"neg. mean {name.capitalize()} deviance"


def _check_positive_alphas(alphas, what: str) -> np.ndarray:
    a = np.asarray(alphas, dtype=np.float64)
    if a.size == 0 or not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError(
            f"{what} must be non-empty, finite and > 0 to be drawn on a log axis "
            f"(got min={np.min(a) if a.size else None!r})."
        )
    return a


# ---------------------------------------------------------------------------
# regularization path


class RegularizationPathDisplay:
    """Coefficients of a linear model against the penalty strength ``alpha``.

    Each line is one coefficient ``w_j(alpha)`` of the solutions of

    ``data_loss(w) + alpha * (l1_ratio * ||w||_1 + (1 - l1_ratio) / 2 * ||w||_2^2)``

    along a decreasing grid of ``alpha`` (see :func:`skdecay.enet_path` and
    :func:`skdecay.logistic_path`).  ``alpha`` is drawn on a log axis that
    **decreases to the right** (strongest penalty, all coefficients zero, on the
    left), as in glmnet's and scikit-learn's path plots.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,)
        Penalty strengths (> 0).
    coefs : array-like of shape (n_alphas, n_features) or (n_alphas, K, n_features)
        Coefficients at each ``alpha``; with three dimensions (a classifier's
        path) one line is drawn per (class row, feature).
    feature_names : list of str, default=None
        ``n_features`` names (default ``x0, x1, ...``).
    selected_alpha : float, default=None
        Marked with a vertical dashed line (e.g. the ``alpha_`` of a CV estimator).
    name : str, default=None
        Title of the plot.
    class_names : list of str, default=None
        Names of the ``K`` coefficient rows of a 3-D ``coefs`` (default
        ``0, 1, ...``; ignored when ``K = 1``).
    l1_ratio : float, default=None
        Shown in the title ("lasso path, l1_ratio = 1").
    value_name : str, default="coefficient"
        y-axis label, e.g. "coefficient on standardized features" (the scale
        of the coefficients), or what else the lines are.
    groups : list of str, default=None
        One group name per feature (e.g. the column each one-hot feature comes
        from).  Labelled features of the same group are drawn in shades of one
        hue (a colour family) with different line styles; other colours stay
        distinct.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        The labelled coefficients (one distinct colour each), largest first.
    labelled_ : ndarray of int
        Their indices among the flattened columns (class-major for a 3-D ``coefs``).
    collection_ : matplotlib LineCollection or None
        All other coefficients, in grey, one segment chain each.
    selected_line_ : matplotlib Line2D or None
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdecay import enet_path
    >>> from skdecay.plotting import RegularizationPathDisplay
    >>> X, y = load_diabetes(return_X_y=True)
    >>> path = enet_path(StandardScaler().fit_transform(X), y, n_alphas=30)
    >>> disp = RegularizationPathDisplay.from_path(path, selected_alpha=1.0, n_labels=4)
    >>> len(disp.lines_), len(disp.collection_.get_segments())
    (4, 6)
    """

    def __init__(
        self,
        alphas,
        coefs,
        *,
        feature_names: Sequence[str] | None = None,
        selected_alpha: float | None = None,
        name: str | None = None,
        class_names: Sequence[Any] | None = None,
        l1_ratio: float | None = None,
        value_name: str = "coefficient",
        groups: Sequence[str] | None = None,
    ):
        self.alphas = _check_positive_alphas(alphas, "alphas")
        coefs = np.asarray(coefs)
        if coefs.ndim not in (2, 3) or coefs.shape[0] != self.alphas.size:
            raise ValueError(
                "coefs must have shape (n_alphas, n_features) or (n_alphas, K, n_features) "
                f"with n_alphas={self.alphas.size}; got {coefs.shape}."
            )
        self.coefs = coefs
        p = coefs.shape[-1]
        if feature_names is not None and len(feature_names) != p:
            raise ValueError(f"feature_names has {len(feature_names)} names for {p} features.")
        self.feature_names = feature_names
        self.selected_alpha = selected_alpha
        self.name = name
        self.class_names = class_names
        self.l1_ratio = l1_ratio
        self.value_name = value_name
        if groups is not None and len(groups) != p:
            raise ValueError(f"groups has {len(groups)} entries for {p} features.")
        self.groups = groups

    def _columns(self) -> tuple[np.ndarray, list[str]]:
        """Coefficients as ``(n_alphas, n_lines)`` and one label per line."""
        p = self.coefs.shape[-1]
        feats = [str(f) for f in self.feature_names] if self.feature_names else None
        feats = feats or [f"x{j}" for j in range(p)]
        if self.coefs.ndim == 2:
            return self.coefs, feats
        K = self.coefs.shape[1]
        if K == 1:
            return self.coefs[:, 0, :], feats
        classes = list(self.class_names) if self.class_names is not None else list(range(K))
        labels = [f"{classes[k]}: {f}" for k in range(K) for f in feats]
        return self.coefs.reshape(self.coefs.shape[0], K * p), labels

    def _labelled(self, values: np.ndarray, n_labels: int) -> np.ndarray:
        """Columns to label, largest first: at the selected alpha (else the smallest alpha)."""
        n_labels = min(max(int(n_labels), 0), _MAX_LABELS)
        if self.selected_alpha is not None:
            row = int(np.argmin(np.abs(np.log(self.alphas) - np.log(float(self.selected_alpha)))))
            size = np.abs(values[row])
            if not np.any(size):  # everything is zero there: label what enters first
                size = np.abs(values[int(np.argmin(self.alphas))])
        else:
            size = np.abs(values[int(np.argmin(self.alphas))])
        order = np.argsort(-size, kind="stable")
        return order[size[order] > 0][:n_labels]

    def _line_colors(self, labelled: np.ndarray, p: int) -> tuple[list, list]:
        """A distinct colour per labelled line; members of one group share a hue.

        Returns the colours and, per line, its rank inside a group of two or
        more labelled members (for a line style), else ``None``.
        """
        if self.groups is None:
            return _distinct_colors(labelled.size), [None] * labelled.size
        group_of = [str(self.groups[int(j) % p]) for j in labelled]
        order = list(dict.fromkeys(group_of))  # groups by their largest member
        if len(order) > _MAX_LABELS:
            return _distinct_colors(labelled.size), [None] * labelled.size
        base = dict(zip(order, _distinct_colors(len(order)), strict=True))
        size = {g: group_of.count(g) for g in order}
        seen: dict[str, int] = {}
        colors, ranks = [], []
        for g in group_of:
            k = seen.get(g, 0)
            seen[g] = k + 1
            colors.append(_shade(base[g], k, size[g]))
            ranks.append(k if size[g] > 1 else None)
        return colors, ranks

    def plot(self, ax=None, *, n_labels: int = 10, legend: bool = True, **line_kw):
        """Draw the path.

        The ``n_labels`` coefficients largest in absolute value at the selected
        ``alpha`` (at the smallest ``alpha`` without one) are drawn as separate
        lines, each in its own colour, and named in a legend placed to the
        right of the axes, where it cannot cover a curve.  All other
        coefficients are drawn in light grey as one ``LineCollection`` (fast
        with thousands of lines).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when ``None``.
        n_labels : int, default=10
            How many coefficients to draw in colour and name (at most 18, so
            that every colour is distinct; only nonzero ones are named).
        legend : bool, default=True
            Draw the legend (labelled lines and the selected alpha).
        **line_kw
            Passed to ``Axes.plot`` for every labelled line.

        Returns
        -------
        self : RegularizationPathDisplay
        """
        from matplotlib.collections import LineCollection

        ax, fig = _axes(ax, figsize=(8.5, 4.8), layout="constrained")
        values, labels = self._columns()
        labelled = self._labelled(values, n_labels)
        p = self.coefs.shape[-1]
        n_rows = 1 if self.coefs.ndim == 2 else self.coefs.shape[1]
        styles = ["-", "--", ":", "-."]
        colors, family_styles = self._line_colors(labelled, p)
        others = np.setdiff1d(np.arange(values.shape[1]), labelled)
        self.collection_ = None
        if others.size:
            segments = np.stack(
                [
                    np.broadcast_to(self.alphas[:, None], (self.alphas.size, others.size)),
                    values[:, others],
                ],
                axis=-1,
            ).transpose(1, 0, 2)
            self.collection_ = LineCollection(
                segments, colors="0.72", linewidths=0.8, zorder=1, label="_nolegend_"
            )
            ax.add_collection(self.collection_)
        self.lines_ = []
        for i, j in enumerate(labelled):
            kw = {"color": colors[i], "linewidth": 1.6, "zorder": 2, **line_kw}
            if "linestyle" not in kw and "ls" not in kw:
                if n_rows > 1:
                    kw["linestyle"] = styles[(j // p) % len(styles)]
                elif family_styles[i] is not None:
                    kw["linestyle"] = styles[family_styles[i] % len(styles)]
            (line,) = ax.plot(self.alphas, values[:, j], label=labels[j], **kw)
            self.lines_.append(line)
        self.labelled_ = labelled
        ax.update_datalim(np.column_stack([self.alphas[[0, -1]], [values.min(), values.max()]]))
        ax.autoscale_view()
        self.selected_line_ = None
        if self.selected_alpha is not None:
            self.selected_line_ = ax.axvline(
                float(self.selected_alpha),
                color="k",
                linestyle="--",
                linewidth=1,
                label=f"selected alpha = {float(self.selected_alpha):.3g}",
            )
        ax.axhline(0.0, color="0.6", linewidth=0.5, zorder=0)
        _log_alpha_axis(ax)
        ax.set_ylabel(self.value_name)
        title = self.name or ""
        if self.l1_ratio is not None:
            kind = {1.0: "lasso", 0.0: "ridge"}.get(float(self.l1_ratio), "elastic net")
            title += ("\n" if title else "") + f"{kind} path, l1_ratio = {float(self.l1_ratio):g}"
        if others.size:
            title += ("\n" if title else "") + (
                f"{labelled.size} largest of {values.shape[1]} in colour, the rest grey"
            )
        if title:
            ax.set_title(title, fontsize="medium")
        if legend and (labelled.size or self.selected_line_ is not None):
            ax.legend(
                fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0
            )
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_path(
        cls,
        path,
        *,
        feature_names: Sequence[str] | None = None,
        selected_alpha: float | None = None,
        name: str | None = None,
        class_names: Sequence[Any] | None = None,
        l1_ratio: float | None = None,
        value_name: str = "coefficient",
        groups: Sequence[str] | None = None,
        ax=None,
        **plot_kw,
    ):
        """Draw a :class:`~skdecay.path.RegularizationPath`.

        Parameters
        ----------
        path : RegularizationPath
            Output of :func:`skdecay.enet_path` or :func:`skdecay.logistic_path`.
        feature_names, selected_alpha, name, class_names, l1_ratio, value_name, groups
            As in the constructor.
        ax : matplotlib Axes, default=None
        **plot_kw
            Passed to :meth:`plot` (``n_labels``, ``legend``, line keywords).

        Returns
        -------
        display : RegularizationPathDisplay
        """
        if not hasattr(path, "alphas") or not hasattr(path, "coefs"):
            raise TypeError(
                "path must be a RegularizationPath (from skdecay.enet_path or "
                f"skdecay.logistic_path); got {type(path).__name__}."
            )
        disp = cls(
            path.alphas,
            path.coefs,
            feature_names=feature_names,
            selected_alpha=selected_alpha,
            name=name,
            class_names=class_names,
            l1_ratio=l1_ratio,
            value_name=value_name,
            groups=groups,
        )
        return disp.plot(ax=ax, **plot_kw)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        alphas=None,
        n_alphas: int = 100,
        eps: float = 1e-3,
        feature_names: Sequence[str] | None = None,
        offset=None,
        ax=None,
        **plot_kw,
    ):
        """Compute and draw the path of a fitted linear model on ``(X, y)``.

        * :class:`~skdecay.ElasticNetRegressorCV` / :class:`~skdecay.ElasticNetClassifierCV`:
          the path over its ``alphas_`` for its selected ``l1_ratio_``, with
          ``alpha_`` marked.
        * :class:`~skdecay.ElasticNetRegressor`, :class:`~skdecay.LassoRegressor`,
          :class:`~skdecay.ElasticNetClassifier`: the path over
          :func:`skdecay.alpha_grid` (``n_alphas`` values from ``alpha_max``
          down to ``eps * alpha_max``) for its ``l1_ratio``, with its ``alpha``
          marked.
        * A :class:`~sklearn.pipeline.Pipeline` ending in one of these: ``X``
          is transformed by the preceding (fitted) steps first.

        A regressor with ``groups`` (the sparse-group lasso) gets its group path
        and draws the members of each group in shades of one colour.

        The path uses the estimator's ``fit_intercept``, ``penalty_factor``,
        ``positive``, ``tol`` and ``max_iter`` (no sample weights) and, for a
        regressor, its ``loss`` and ``power``: the path of a Poisson, Gamma or
        Tweedie elastic net is that of its log-link GLM (pass the ``offset`` it
        was fitted with), its coefficients on the scale of the log mean.

        Parameters
        ----------
        estimator : fitted estimator or Pipeline
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        alphas : array-like, default=None
            An explicit grid, instead of the estimator's.
        n_alphas : int, default=100
        eps : float, default=1e-3
            Grid of a non-CV estimator (ignored when ``alphas`` is given).
        feature_names : list of str, default=None
            Default: ``get_feature_names_out()`` of the preceding pipeline steps,
            else the estimator's ``feature_names_in_``, else ``x0, x1, ...``.
        offset : array-like of shape (n_samples,), default=None
            Added to every linear predictor (e.g. the log exposure), as in the
            estimator's ``fit``; regressors only.
        ax : matplotlib Axes, default=None
        **plot_kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : RegularizationPathDisplay
        """
        from .linear_model import ElasticNetClassifier, ElasticNetRegressor, RidgeRegressor
        from .model_selection import ElasticNetClassifierCV, ElasticNetRegressorCV
        from .path import alpha_grid, enet_path, logistic_path

        final, pre = _split_pipeline(estimator)
        supported = (
            ElasticNetRegressorCV,
            ElasticNetClassifierCV,
            ElasticNetRegressor,
            ElasticNetClassifier,
        )
        if isinstance(final, RidgeRegressor) or not isinstance(final, supported):
            raise TypeError(
                "RegularizationPathDisplay.from_estimator needs an ElasticNetRegressor, "
                "LassoRegressor, ElasticNetClassifier, ElasticNetRegressorCV or "
                "ElasticNetClassifierCV (or a Pipeline ending in one); got "
                f"{type(final).__name__}. For a ridge path (no alpha_max), call "
                "skdecay.enet_path(X, y, l1_ratio=0, alphas=[...]) and use from_path."
            )
        check_is_fitted(final)
        if pre is not None:
            check_is_fitted(pre)
            X = pre.transform(X)
        classifier = isinstance(final, ElasticNetClassifier | ElasticNetClassifierCV)
        if isinstance(final, ElasticNetRegressorCV | ElasticNetClassifierCV):
            l1_ratio = float(final.l1_ratio_)
            selected = float(final.alpha_)
            if alphas is None:
                grid = np.asarray(final.alphas_)
                if grid.ndim == 2:
                    ratios = np.atleast_1d(np.asarray(final.l1_ratio, dtype=np.float64))
                    grid = grid[int(np.flatnonzero(ratios == l1_ratio)[0])]
                alphas = grid
        else:
            l1_ratio = 1.0 if "l1_ratio" not in final.get_params() else float(final.l1_ratio)
            selected = float(final.alpha)
        settings = dict(
            l1_ratio=l1_ratio,
            fit_intercept=final.fit_intercept,
            penalty_factor=final.penalty_factor,
            positive=final.positive,
            lower_bounds=final.lower_bounds,
            upper_bounds=final.upper_bounds,
        )
        feature_groups = None
        if not classifier and getattr(final, "groups", None) is not None:
            # the sparse-group lasso: its path, and one colour family per group
            names = getattr(final, "feature_names_in_", None)
            groups = resolve_groups(final.groups, np.shape(X)[1], names)
            settings.update(groups=groups, group_weights=final.group_weights)
            feature_groups = _group_names(groups, np.shape(X)[1], l1_ratio)
        loss = _regression_loss(final) if not classifier else {}
        if offset is not None:
            if classifier:
                raise ValueError("offset is for the regressors' log-link losses.")
            loss["offset"] = offset
        if alphas is None:
            alphas = alpha_grid(
                X,
                y,
                n_alphas=n_alphas,
                eps=eps,
                **(loss or {"loss": "logistic" if classifier else "squared_error"}),
                **settings,
            )
        solver = dict(tol=final.tol, max_iter=final.max_iter)
        if classifier:
            path = logistic_path(X, y, alphas=alphas, classes=final.classes_, **settings, **solver)
        else:
            path = enet_path(X, y, alphas=alphas, **loss, **settings, **solver)
        if feature_names is None:
            feature_names = _feature_names(final, pre, path.coefs.shape[-1])
        disp = cls(
            path.alphas,
            path.coefs,
            feature_names=feature_names,
            selected_alpha=selected,
            name=type(final).__name__,
            class_names=list(final.classes_) if classifier else None,
            l1_ratio=l1_ratio,
            value_name=(
                "coefficient (log-mean scale)"
                if loss.get("loss", "squared_error") != "squared_error"
                else "coefficient"
            ),
            groups=feature_groups,
        )
        return disp.plot(ax=ax, **plot_kw)


# ---------------------------------------------------------------------------
# weight distributions


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


# ---------------------------------------------------------------------------
# training history


class TrainingHistoryDisplay:
    """Training curves of an MLP: loss, validation score, weight norms and sparsity.

    Draws a 2x2 grid from an MLP's ``history_``: the training objective
    (``mean data loss + sum_l alpha_l * (l1_ratio_l * ||W_l||_1 +
    (1 - l1_ratio_l) / 2 * ||W_l||_F^2)``) per epoch, the validation score per
    epoch (only with ``early_stopping=True``; a note otherwise), the Frobenius
    norm of each weight matrix and the share of its entries that are exactly
    zero.  With ``warm_start=True`` the history covers every fit so far.  When
    the history marks the epoch whose weights the estimator kept
    (``history["kept"]``: the best validation epoch with ``early_stopping``,
    otherwise the last complete one), a dashed vertical line marks it in every
    panel.

    Parameters
    ----------
    history : dict of array-like
        ``"loss"`` (n_epochs,), ``"validation_score"`` (n_epochs,, NaN when not
        tracked), ``"l2_norm"`` and ``"zero_fraction"`` (n_epochs, n_layers);
        missing keys are drawn as empty panels with a note.
    name : str, default=None
        Figure title.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes, shape (2, 2)
    ax_ : matplotlib Axes
        ``axes_[0, 0]``.
    figure_ : matplotlib Figure
    lines_ : dict
        ``"loss"``: Line2D; ``"validation_score"``: Line2D or None;
        ``"l2_norm"``, ``"zero_fraction"``: list of Line2D (one per layer);
        ``"kept"``: list of the vertical lines marking the kept epoch (empty
        when the history does not mark one).

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from skdecay import LassoMLPClassifier
    >>> from skdecay.plotting import TrainingHistoryDisplay
    >>> X, y = make_moons(200, noise=0.2, random_state=0)
    >>> clf = LassoMLPClassifier((16,), alpha=1e-3, max_iter=20, random_state=0)
    >>> disp = TrainingHistoryDisplay.from_estimator(clf.fit(X, y))
    >>> len(disp.lines_["l2_norm"])  # one line per weight matrix
    2
    """

    def __init__(self, history: dict, *, name: str | None = None):
        if not isinstance(history, dict):
            raise TypeError(f"history must be a dict of arrays, got {type(history).__name__}.")
        self.history = history
        self.name = name

    def plot(self, ax=None, *, mark_epoch: int | None = None, **line_kw):
        """Draw the 2x2 grid.

        Parameters
        ----------
        ax : array-like of 4 matplotlib Axes, default=None
            Axes for (loss, validation score, L2 norm, zero fraction); a new
            2x2 figure when ``None``.
        mark_epoch : int, default=None
            Draw a vertical dotted line after this epoch in every panel (e.g.
            where fine-tuning with a penalty started).
        **line_kw
            Passed to every ``Axes.plot``.

        Returns
        -------
        self : TrainingHistoryDisplay
        """
        if ax is None:
            fig, axes = _pyplot().subplots(2, 2, figsize=(9.5, 6.5), constrained_layout=True)
        else:
            axes = np.asarray(ax, dtype=object)
            if axes.size != 4:
                raise ValueError(f"ax must hold 4 Axes, got {axes.size}.")
            axes = axes.reshape(2, 2)
            fig = axes[0, 0].figure
        h = self.history
        lines: dict[str, Any] = {}
        a_loss, a_val, a_norm, a_zero = axes.ravel()

        loss = np.asarray(h.get("loss", []), dtype=np.float64)
        (lines["loss"],) = a_loss.plot(np.arange(1, loss.size + 1), loss, **line_kw)
        a_loss.set_ylabel("training objective")

        val = np.asarray(h.get("validation_score", []), dtype=np.float64)
        lines["validation_score"] = None
        if val.size and np.any(np.isfinite(val)):
            (lines["validation_score"],) = a_val.plot(np.arange(1, val.size + 1), val, **line_kw)
            a_val.set_ylabel("validation score")
        else:
            a_val.text(
                0.5,
                0.5,
                "no validation score\n(fit with early_stopping=True)",
                ha="center",
                va="center",
                transform=a_val.transAxes,
                color="0.4",
            )
            a_val.set_ylabel("validation score")

        for key, a, label in (
            ("l2_norm", a_norm, "L2 (Frobenius) norm"),
            ("zero_fraction", a_zero, "share of exact zeros"),
        ):
            values = np.asarray(h.get(key, np.empty((0, 0))), dtype=np.float64)
            if values.ndim == 1:
                values = values[:, None]
            epochs = np.arange(1, values.shape[0] + 1)
            lines[key] = [
                a.plot(epochs, values[:, j], label=f"layer {j + 1}", **line_kw)[0]
                for j in range(values.shape[1])
            ]
            a.set_ylabel(label)
            if lines[key]:
                a.legend(fontsize="small")
        a_zero.set_ylim(-0.02, 1.02)
        if lines["validation_score"] is None and loss.size:
            a_val.set_xlim(a_loss.get_xlim())
        for a in axes.ravel():
            a.set_xlabel("epoch")
            a.xaxis.get_major_locator().set_params(integer=True)
            if mark_epoch is not None:
                a.axvline(mark_epoch + 0.5, color="0.5", linestyle=":", linewidth=1)
        kept = np.flatnonzero(np.asarray(h.get("kept", []), dtype=bool))
        lines["kept"] = [
            a.axvline(kept[-1] + 1, color="C3", linestyle="--", linewidth=1, label="kept weights")
            for a in axes.ravel()
        ] if kept.size else []  # fmt: skip
        if self.name:
            fig.suptitle(self.name)
        self.axes_, self.ax_, self.figure_, self.lines_ = axes, axes[0, 0], fig, lines
        return self

    @classmethod
    def from_estimator(cls, estimator, *, name: str | None = None, ax=None, **kw):
        """Draw the history of a fitted skdecay MLP (or a Pipeline ending in one).

        Parameters
        ----------
        estimator : fitted ElasticNetMLP*/RidgeMLP*/LassoMLP* or Pipeline
        name : str, default=None
            Figure title (default: the class name).
        ax : array-like of 4 Axes, default=None
        **kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : TrainingHistoryDisplay
        """
        final, _ = _split_pipeline(estimator)
        if not hasattr(final, "fit"):
            raise TypeError(f"Expected a fitted estimator, got {type(final).__name__}.")
        check_is_fitted(final)
        history = getattr(final, "history_", None)
        if not isinstance(history, dict):
            raise TypeError(
                f"{type(final).__name__} has no history_: TrainingHistoryDisplay needs a "
                "skdecay MLP (ElasticNetMLP*, RidgeMLP*, LassoMLP*)."
            )
        history = dict(history)
        if "loss" not in history and getattr(final, "loss_curve_", None) is not None:
            history["loss"] = np.asarray(final.loss_curve_)
        if getattr(final, "validation_scores_", None) and "validation_score" not in history:
            history["validation_score"] = np.asarray(final.validation_scores_)
        return cls(history, name=name or type(final).__name__).plot(ax=ax, **kw)


# ---------------------------------------------------------------------------
# cross-validation scores


def _other_choice(cv) -> dict:
    """The CV estimator's choice its refit did not use (``alpha_1se_`` or
    ``alpha_min_``), for :class:`CVScoreDisplay`; nothing when both coincide."""
    one_se = cv.alpha_selection == "1se"
    other = cv.alpha_min_ if one_se else cv.alpha_1se_
    if other == cv.alpha_:
        return {}
    name = "best mean score (alpha_min_)" if one_se else "one-standard-error rule (alpha_1se_)"
    return {"other_alpha": other, "other_name": name}


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
        self.selected_line_ = None
        if self.selected_alpha is not None:
            self.selected_line_ = ax.axvline(
                float(self.selected_alpha),
                color="k",
                linestyle="--",
                linewidth=1,
                label=f"selected alpha = {float(self.selected_alpha):.3g}",
            )
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
            ax.legend(
                fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0
            )
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, **plot_kw):
        """Draw the ``scores_path_`` of a fitted CV estimator (or a Pipeline ending in one).

        The y-axis names the estimator's ``scoring``, or its default: "neg.
        MSE", "neg. mean Poisson deviance" (Gamma, Tweedie with its power) for
        the regressor after its ``loss``, "accuracy" for the classifier.

        Parameters
        ----------
        estimator : fitted ElasticNetRegressorCV, ElasticNetClassifierCV or Pipeline
        ax : matplotlib Axes, default=None
        **plot_kw
            Passed to :meth:`plot`.

        Returns
        -------
        display : CVScoreDisplay
        """
        from .model_selection import ElasticNetClassifierCV, ElasticNetRegressorCV

        final, _ = _split_pipeline(estimator)
        if not isinstance(final, ElasticNetRegressorCV | ElasticNetClassifierCV):
            raise TypeError(
                "CVScoreDisplay.from_estimator needs an ElasticNetRegressorCV or "
                f"ElasticNetClassifierCV (or a Pipeline ending in one); got "
                f"{type(final).__name__}. For GridSearchCV use scikit-learn's "
                "ValidationCurveDisplay."
            )
        check_is_fitted(final)
        scoring = _cv_score_name(final)
        disp = cls(
            final.alphas_,
            final.scores_path_,
            l1_ratios=np.atleast_1d(np.asarray(final.l1_ratio, dtype=np.float64)),
            selected_alpha=final.alpha_,
            score_name=f"held-out {scoring}",
            **_other_choice(final),
            name=type(final).__name__,
        )
        return disp.plot(ax=ax, **plot_kw)
