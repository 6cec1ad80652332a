"""The path of a fitted linear estimator's own problem: :func:`estimator_path`.

One place says how an estimator maps onto :func:`~skdecay.enet_path` /
:func:`~skdecay.logistic_path`: the displays and users ask here instead of
reading the estimator's settings themselves.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ._groups import resolve_groups
from ._validation import class_weight_vector

__all__ = ["estimator_path", "estimator_path_params"]

#: parameters that :func:`enet_path` / :func:`logistic_path` take under the same name
_SHARED = (
    "l1_ratio",
    "penalty",
    "gamma",
    "group_weights",
    "fit_intercept",
    "penalty_factor",
    "positive",
    "lower_bounds",
    "upper_bounds",
    "tol",
    "max_iter",
    "selection",
    "random_state",
)
#: cross-validated choices (``<name>_``) that replace the parameter ``<name>``
_CHOSEN = ("l1_ratio", "gamma")


def _final_step(estimator):
    """``(final estimator, fitted preprocessing or None)``; checks both are fitted."""
    pre = None
    if isinstance(estimator, Pipeline):
        estimator, pre = estimator.steps[-1][1], estimator[:-1] if len(estimator) > 1 else None
    from .linear_model import ElasticNetClassifier, ElasticNetRegressor, RidgeRegressor
    from .model_selection import ElasticNetClassifierCV, ElasticNetRegressorCV

    linear = (
        ElasticNetRegressor,
        ElasticNetClassifier,
        ElasticNetRegressorCV,
        ElasticNetClassifierCV,
    )
    if isinstance(estimator, RidgeRegressor) or not isinstance(estimator, linear):
        raise TypeError(
            "estimator_path needs an ElasticNetRegressor, LassoRegressor, "
            "ElasticNetClassifier, ElasticNetRegressorCV or ElasticNetClassifierCV (or a "
            f"Pipeline ending in one); got {type(estimator).__name__}. For a ridge path "
            "(no alpha_max), call skdecay.enet_path(X, y, l1_ratio=0, alphas=[...])."
        )
    check_is_fitted(estimator)
    if pre is not None:
        check_is_fitted(pre)
    return estimator, pre


def _n_targets(estimator) -> int | None:
    """Targets of a CV regressor fitted on 2-D ``y`` (its ``alpha_`` has one per
    target), else ``None``."""
    alpha = getattr(estimator, "alpha_", None)
    return None if alpha is None or np.ndim(alpha) == 0 else int(np.size(alpha))


def _pick(value, target):
    return value if target is None else np.asarray(value)[target].item()


def estimator_path_params(estimator, *, target: int | None = None) -> dict:
    """The keyword arguments of the path function that solves ``estimator``'s problem.

    For a regressor (:class:`~skdecay.ElasticNetRegressor`,
    :class:`~skdecay.LassoRegressor`, :class:`~skdecay.ElasticNetRegressorCV`)
    these are :func:`~skdecay.enet_path`'s, for a classifier
    (:class:`~skdecay.ElasticNetClassifier`, :class:`~skdecay.ElasticNetClassifierCV`)
    :func:`~skdecay.logistic_path`'s (with ``classes=classes_``): every
    setting that defines the objective (``l1_ratio``, ``loss``/``power``,
    ``penalty``/``gamma``, ``groups`` with :class:`~skdecay.ColumnGroups`
    resolved from ``feature_names_in_``, ``group_weights``,
    ``penalty_factor``, ``positive``, the bounds, ``fit_intercept``) and the
    solver's (``tol``, ``max_iter``, ``selection``, ``random_state``).  A CV
    estimator gives its chosen ``l1_ratio_`` and ``gamma_``.  The data, the
    grid, ``sample_weight``, ``class_weight`` and ``offset`` are not included
    (:func:`estimator_path` adds them).

    Parameters
    ----------
    estimator : fitted estimator (not a Pipeline)
    target : int, default=None
        For a CV regressor fitted on 2-D ``y``: the target whose choices
        (``l1_ratio_[target]``, ``gamma_[target]``) to use.  Required there
        unless all targets chose the same.

    Returns
    -------
    params : dict
        ``"path"`` (``"enet_path"`` or ``"logistic_path"``) and the keywords.
    """
    estimator, _ = _final_step(estimator)
    params = estimator.get_params(deep=False)
    kw = {k: params[k] for k in _SHARED if k in params}  # LassoRegressor: l1_ratio = 1
    for name in _CHOSEN:
        if hasattr(estimator, name + "_"):
            chosen = getattr(estimator, name + "_")
            if target is None and np.ndim(chosen) and np.unique(chosen).size > 1:
                raise ValueError(
                    f"The targets chose different {name}_ ({np.asarray(chosen).tolist()}): "
                    "pass target=j for one target's path."
                )
            kw[name] = float(np.ravel(chosen)[0] if target is None else _pick(chosen, target))
    if params.get("groups") is not None:
        names = getattr(estimator, "feature_names_in_", None)
        kw["groups"] = resolve_groups(params["groups"], estimator.n_features_in_, names)
    if is_classifier(estimator):
        return {"path": "logistic_path", **kw, "classes": estimator.classes_}
    kw.update(loss=params["loss"], power=params["power"])
    return {"path": "enet_path", **kw}


def _chosen_grid(estimator, target):
    """A CV estimator's grid for its chosen ``l1_ratio_`` (of ``target``), else ``None``."""
    grid = getattr(estimator, "alphas_", None)
    if grid is None:
        return None
    grid = np.asarray(grid)
    if target is not None:
        grid = grid[target]
    if grid.ndim == 2:  # one row per l1_ratio
        tried = np.atleast_1d(np.asarray(estimator.l1_ratio, dtype=np.float64))
        chosen = _pick(estimator.l1_ratio_, target)
        grid = grid[int(np.flatnonzero(tried == chosen)[0])]
    return grid


def estimator_path(
    estimator,
    X,
    y,
    *,
    target: int | None = None,
    alphas=None,
    n_alphas: int = 100,
    eps: float = 1e-3,
    sample_weight=None,
    offset=None,
):
    """The regularization path of a fitted linear estimator's own problem.

    Solves, for every ``alpha`` of a decreasing grid, the objective the
    estimator minimises at its ``alpha`` (see
    :func:`estimator_path_params`: its loss, penalty, groups, bounds, ...), by
    :func:`~skdecay.enet_path` (regressors) or :func:`~skdecay.logistic_path`
    (classifiers, with ``class_weight`` folded into ``sample_weight`` as in
    ``fit``).  At the estimator's ``alpha`` (``alpha_`` for a CV estimator)
    the path's coefficients are its ``coef_`` (up to ``tol``), unless it was
    fitted with ``relax=True`` (the path is that of the penalised problem) or
    started from a warm start on a non-convex (MCP / SCAD) objective.

    scikit-learn's estimators expose their path function as a static method
    (``ElasticNet.path`` is ``enet_path``, which ignores the estimator's
    settings); this function is the estimator-aware counterpart.

    Parameters
    ----------
    estimator : fitted estimator or Pipeline
        An :class:`~skdecay.ElasticNetRegressor`, :class:`~skdecay.LassoRegressor`,
        :class:`~skdecay.ElasticNetClassifier`, :class:`~skdecay.ElasticNetRegressorCV`,
        :class:`~skdecay.ElasticNetClassifierCV`, or a Pipeline ending in one
        (``X`` is then transformed by the preceding fitted steps).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        The data the estimator was fitted on (or any other).  2-D ``y``
        (regressors): ``coefs`` of shape (n_alphas, n_targets, n_features).
    target : int, default=None
        With 2-D ``y``: the path of column ``target`` alone (1-D shapes), with
        that target's cross-validated choices.
    alphas : array-like of shape (n_alphas,), default=None
        The grid.  Default: a CV estimator's ``alphas_`` at its ``l1_ratio_``
        (with several targets and no ``target``: the union of the targets'
        grids, so that every ``alpha_`` is on it); otherwise the path
        function's automatic grid of ``n_alphas`` values from ``alpha_max``
        down to ``eps * alpha_max``.
    n_alphas : int, default=100
    eps : float, default=1e-3
    sample_weight : array-like of shape (n_samples,), default=None
    offset : array-like of shape (n_samples,), default=None
        The regressors' offset (e.g. log exposure), as in their ``fit``.

    Returns
    -------
    path : RegularizationPath
        As :func:`~skdecay.enet_path` / :func:`~skdecay.logistic_path`
        return: ``alphas``, ``coefs``, ``intercepts``, ``dual_gaps``, ``n_iter``.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdecay import ElasticNetRegressor, estimator_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = ElasticNetRegressor(alpha=0.5, l1_ratio=0.9).fit(X, y)
    >>> path = estimator_path(model, X, y, alphas=[5.0, 0.5])
    >>> bool(abs(path.coefs[-1] - model.coef_).max() < 0.1)  # the same problem at alpha
    True
    """
    from . import path as paths

    final, pre = _final_step(estimator)
    if pre is not None:
        X = pre.transform(X)
    classifier = is_classifier(final)
    if offset is not None and classifier:
        raise ValueError("offset is for the regressors' log-link losses.")
    if classifier and final.class_weight is not None:
        cw = class_weight_vector(final.class_weight, final.classes_, y, sample_weight)
        base = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        sample_weight = base * cw
    data = dict(sample_weight=sample_weight, n_alphas=n_alphas, eps=eps)
    if not classifier:
        data["offset"] = offset
    k = _n_targets(final)
    if k is not None and target is None:  # a CV fit per target: one path each, one grid
        if alphas is None:
            alphas = np.unique(np.concatenate([_chosen_grid(final, t) for t in range(k)]))[::-1]
        Y = np.asarray(y).reshape(len(y), -1)
        parts = [estimator_path(final, X, Y, target=t, alphas=alphas, **data) for t in range(k)]
        return paths.RegularizationPath(
            parts[0].alphas,
            np.stack([p.coefs for p in parts], axis=1),
            np.stack([p.intercepts for p in parts], axis=1),
            np.column_stack([p.dual_gaps for p in parts]),
            np.column_stack([p.n_iter for p in parts]),
        )
    if target is not None:
        if np.ndim(y) != 2 or not 0 <= target < np.shape(y)[1]:
            raise ValueError(f"target={target!r} needs a 2-D y with a column {target}.")
        y = np.asarray(y)[:, target]
        if k is None:
            target = None  # a single estimator shares its settings across targets
    kw = estimator_path_params(final, target=target)
    solve = getattr(paths, kw.pop("path"))
    if alphas is None:
        alphas = _chosen_grid(final, target)
    return solve(X, y, alphas=alphas, **data, **kw)
