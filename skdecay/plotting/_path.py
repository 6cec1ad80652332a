"""Coefficients against ``alpha``: :class:`RegularizationPathDisplay`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._common import (
    _MAX_LABELS,
    _axes,
    _check_positive_alphas,
    _distinct_colors,
    _feature_names,
    _legend_outside,
    _log_alpha_axis,
    _mark_selected_alpha,
    _shade,
    _split_pipeline,
)


def _group_names(groups, p: int, l1_ratio: float) -> list[str]:
    """One name per feature: its group's label (one label per feature given), else
    ``"group k"`` in the order of :func:`skdecay.penalties.check_groups`."""
    from ..penalties import SparseGroupPenalty

    groups = groups(p) if callable(groups) else groups
    ids = SparseGroupPenalty(1.0, l1_ratio, groups, p).group_ids
    if np.ndim(groups) == 1 and len(groups) == p and all(np.ndim(g) == 0 for g in groups):
        return [str(g) for g in groups]
    return [f"group {k}" for k in ids]


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
        Names of the ``K`` coefficient rows of a 3-D ``coefs``: the classes of
        a classifier, or e.g. ``"target 0", ...`` for several targets (default
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
    penalty : {"elastic_net", "mcp", "scad"}, default=None
        Shown in the title ("MCP path, gamma = 3, l1_ratio = 1"); ``None`` is
        the elastic net.
    gamma : float, default=None
        MCP's or SCAD's concavity, shown with ``penalty``.

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
        penalty: str | None = None,
        gamma: float | None = None,
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
        self.penalty, self.gamma = penalty, gamma

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
        self.selected_line_ = _mark_selected_alpha(ax, self.selected_alpha)
        ax.axhline(0.0, color="0.6", linewidth=0.5, zorder=0)
        _log_alpha_axis(ax)
        ax.set_ylabel(self.value_name)
        title = self.name or ""
        if self.penalty not in (None, "elastic_net"):
            parts = [f"{self.penalty.upper()} path"]
            if self.gamma is not None:
                parts.append(f"gamma = {float(self.gamma):g}")
            if self.l1_ratio is not None:
                parts.append(f"l1_ratio = {float(self.l1_ratio):g}")
            title += ("\n" if title else "") + ", ".join(parts)
        elif self.l1_ratio is not None:
            kind = {1.0: "lasso", 0.0: "ridge"}.get(float(self.l1_ratio), "elastic net")
            title += ("\n" if title else "") + f"{kind} path, l1_ratio = {float(self.l1_ratio):g}"
        if others.size:
            title += ("\n" if title else "") + (
                f"{labelled.size} largest of {values.shape[1]} in colour, the rest grey"
            )
        if title:
            ax.set_title(title, fontsize="medium")
        if legend and (labelled.size or self.selected_line_ is not None):
            _legend_outside(ax)
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
        penalty: str | None = None,
        gamma: float | None = None,
        ax=None,
        **plot_kw,
    ):
        """Draw a :class:`~skdecay.path.RegularizationPath`.

        Parameters
        ----------
        path : RegularizationPath
            Output of :func:`skdecay.enet_path` or :func:`skdecay.logistic_path`.
        feature_names, selected_alpha, name, class_names, l1_ratio, value_name, groups
        penalty, gamma
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
            penalty=penalty,
            gamma=gamma,
        )
        return disp.plot(ax=ax, **plot_kw)

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        target: int | None = None,
        alphas=None,
        n_alphas: int = 100,
        eps: float = 1e-3,
        feature_names: Sequence[str] | None = None,
        sample_weight=None,
        offset=None,
        ax=None,
        **plot_kw,
    ):
        """Compute and draw the path of a fitted linear model on ``(X, y)``.

        The path is :func:`skdecay.estimator_path`: the estimator's own
        problem (its loss and ``power``, ``penalty`` and ``gamma`` (MCP /
        SCAD), ``groups``, ``penalty_factor``, bounds, ``fit_intercept``,
        ``tol``, ...; a CV estimator's chosen ``l1_ratio_`` and ``gamma_``)
        along a decreasing grid: a CV estimator's ``alphas_`` for its
        ``l1_ratio_``, else ``n_alphas`` values from ``alpha_max`` down to
        ``eps * alpha_max``.  The estimator's ``alpha`` (``alpha_``) is marked.
        A :class:`~sklearn.pipeline.Pipeline` ending in the estimator has ``X``
        transformed by its preceding (fitted) steps.

        With ``groups`` (regressors and classifiers) the members of a group
        are drawn in shades of one colour.  The coefficients of a Poisson,
        Gamma or Tweedie elastic net are on the scale of the log mean (pass
        the ``offset`` it was fitted with).  A classifier draws one line per
        (class row, feature).

        Several targets (2-D ``y``): with ``target=j`` the path of column
        ``j`` (for a CV estimator, with that target's own choices and grid);
        without, all targets in one axes, one line style per target
        ("target j: x3"), for an estimator with one ``alpha`` for all targets.
        A CV estimator fitted on several targets (one ``alpha_`` each) needs
        ``target``.

        Parameters
        ----------
        estimator : fitted estimator or Pipeline
            :class:`~skdecay.ElasticNetRegressor`, :class:`~skdecay.LassoRegressor`,
            :class:`~skdecay.ElasticNetClassifier`,
            :class:`~skdecay.ElasticNetRegressorCV` or
            :class:`~skdecay.ElasticNetClassifierCV` (or a Pipeline ending in one).
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        target : int, default=None
            The column of a 2-D ``y`` to draw (see above).
        alphas : array-like, default=None
            An explicit grid, instead of the estimator's.
        n_alphas : int, default=100
        eps : float, default=1e-3
            Grid of a non-CV estimator (ignored when ``alphas`` is given).
        feature_names : list of str, default=None
            Default: ``get_feature_names_out()`` of the preceding pipeline steps,
            else the estimator's ``feature_names_in_``, else ``x0, x1, ...``.
        sample_weight : array-like of shape (n_samples,), default=None
            The weights the estimator was fitted with.
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
        from ..path import estimator_path, estimator_path_params

        final, pre = _split_pipeline(estimator)
        params = estimator_path_params(estimator, target=target)  # checks type and fit
        selected = getattr(final, "alpha_", None)  # a CV estimator's choice
        if selected is None:
            selected = final.alpha
        elif np.ndim(selected):  # one CV fit per target
            if target is None and np.size(selected) > 1:
                raise ValueError(
                    f"{type(final).__name__} was fitted on {np.size(selected)} targets, each "
                    "with its own alpha_: pass target=j to draw the path of one."
                )
            selected = np.ravel(selected)[0 if target is None else target]
        path = estimator_path(
            estimator, X, y, target=target, alphas=alphas, n_alphas=n_alphas, eps=eps,
            sample_weight=sample_weight, offset=offset,
        )  # fmt: skip
        classes = params.get("classes")
        if classes is not None:
            rows = list(classes)
        elif path.coefs.ndim == 3:  # several targets
            rows = [f"target {t}" for t in range(path.coefs.shape[1])]
        else:
            rows = None
        p = path.coefs.shape[-1]
        l1_ratio = params.get("l1_ratio", 1.0)
        groups = params.get("groups")
        disp = cls(
            path.alphas,
            path.coefs,
            feature_names=_feature_names(final, pre, p) if feature_names is None else feature_names,
            selected_alpha=float(selected),
            name=type(final).__name__,
            class_names=rows,
            l1_ratio=l1_ratio,
            penalty=params["penalty"],
            gamma=params["gamma"],
            value_name=(
                "coefficient (log-mean scale)"
                if params.get("loss", "squared_error") != "squared_error"
                else "coefficient"
            ),
            groups=None if groups is None else _group_names(groups, p, l1_ratio),
        )
        return disp.plot(ax=ax, **plot_kw)
