"""Regularization paths: ``alpha_max``, geometric alpha grids and warm-started paths.

A path solves the objective of :class:`~skdecay.ElasticNetRegressor` (squared
error, or the Poisson, Gamma and Tweedie GLM deviances, with an optional
offset) or :class:`~skdecay.ElasticNetClassifier` (binary / multinomial
log-loss) for a decreasing sequence of ``alpha``, each fit starting from the
solution at the previous (larger) ``alpha``.  Near ``alpha_max`` almost every
coefficient is zero, so the first fits are cheap and each next one starts
close to its solution.  From ``alpha_max`` on the exact all-zero solution is
returned without running the solver.

The public functions validate once, build one
:class:`~skdecay.solvers.Problem` and only change its ``alpha`` along the path;
:mod:`skdecay.model_selection` reuses the same helpers on each fold: the problem
builders of :mod:`skdecay.solvers.problem` and the path internals of
:mod:`skdecay._path_core`.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_consistent_length

from . import _enet_path as compiled
from . import losses
from ._path_core import (
    RegularizationPath,
    as_csc,
    check_alphas,
    check_grid_l1_ratio,
    geometric_grid,
    group_penalty,
    problem_grid,
    solve_group_path,
    solve_path,
    warn_path_not_converged,
    with_penalty,
)
from .solvers import (
    Problem,
    bcd,
    problem_alpha_max,
)
from .solvers.problem import logistic_problem, regression_loss, regression_problem

__all__ = [
    "RegularizationPath",
    "alpha_max",
    "alpha_grid",
    "enet_path",
    "logistic_path",
    "estimator_path",
    "estimator_path_params",
]

_FLOATS = [np.float64, np.float32]


# ---------------------------------------------------------------------------
# validation and problem building (the builders: solvers.problem)


def _check_l1_ratio(l1_ratio) -> float:
    if (
        isinstance(l1_ratio, bool)
        or not isinstance(l1_ratio, Real)
        or not np.isfinite(l1_ratio)
        or not 0 <= l1_ratio <= 1
    ):
        raise ValueError(f"l1_ratio must be a float in [0, 1], got {l1_ratio!r}.")
    return float(l1_ratio)


def _check_grid_params(n_alphas, eps) -> None:
    if isinstance(n_alphas, bool) or not isinstance(n_alphas, Integral) or n_alphas < 1:
        raise ValueError(f"n_alphas must be a positive integer, got {n_alphas!r}.")
    if isinstance(eps, bool) or not isinstance(eps, Real) or not (0 < eps < np.inf):
        raise ValueError(f"eps must be a positive float, got {eps!r}.")


def _check_X(X):
    """Dense Fortran-ordered or CSC with sorted indices, float64/float32, finite."""
    X = check_array(X, accept_sparse="csc", dtype=_FLOATS, order="F")
    return as_csc(X) if sp.issparse(X) else X


def _multi_target(X, y, loss) -> np.ndarray | None:
    """2-D ``y`` as a validated (n_samples, n_targets) array, or ``None`` for 1-D ``y``
    (validated later, as before).  Several targets: the squared error only."""
    if np.ndim(y) != 2:
        return None
    Y = check_array(y, dtype=X.dtype, input_name="y")
    check_consistent_length(X, Y)
    if loss not in ("squared", "squared_error"):
        raise ValueError(
            f"2-D y (several targets) is supported with loss='squared_error' only, got "
            f"loss={loss!r}; compute one path per target."
        )
    return Y


def _group_path(
    pb: Problem, groups, group_weights, alphas, n_alphas, eps, tol, max_iter, penalty
) -> RegularizationPath:
    """The sparse-group path of ``pb`` (any loss; coefs ``(n_alphas, K, p)``), on
    ``alphas`` or the group grid; one ConvergenceWarning for the failed fits."""
    if penalty != "elastic_net":
        raise ValueError("groups combine with penalty='elastic_net' only.")
    pen = group_penalty(pb, groups, group_weights, 1.0)
    if alphas is None:
        alphas = bcd.group_grid(pb, pen, n_alphas, eps)
    path, failed = solve_group_path(pb, pen, alphas, tol=tol, max_iter=max_iter)
    what = "logistic_path" if pb.data_loss.classifier else "enet_path"
    warn_path_not_converged(failed, alphas.size, what, stacklevel=4)
    return path


def _check_solver_params(tol, max_iter, selection) -> None:
    if isinstance(tol, bool) or not isinstance(tol, Real) or not tol >= 0:
        raise ValueError(f"tol must be a non-negative float, got {tol!r}.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, Integral) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}.")
    if selection not in ("cyclic", "random"):
        raise ValueError(f"selection must be 'cyclic' or 'random', got {selection!r}.")


# ---------------------------------------------------------------------------
# public functions


def _problem_of(
    X,
    y,
    l1_ratio,
    loss,
    power,
    offset,
    sample_weight,
    penalty_factor,
    positive,
    fit_intercept,
    *,
    lower_bounds=None,
    upper_bounds=None,
) -> Problem:
    """The problem of :func:`alpha_max` / :func:`alpha_grid` (validates ``loss``)."""
    box = dict(lower_bounds=lower_bounds, upper_bounds=upper_bounds)
    if loss == "logistic":
        if offset is not None:
            raise ValueError("offset is supported by the regression losses only.")
        return logistic_problem(
            X, y, l1_ratio, sample_weight, penalty_factor, positive, fit_intercept, **box
        )[0]
    if loss not in ("squared", *losses.REGRESSION_LOSS_NAMES):
        raise ValueError(
            f"loss must be one of {('logistic', *losses.REGRESSION_LOSS_NAMES)}, got {loss!r}."
        )
    return regression_problem(
        X,
        y,
        l1_ratio,
        sample_weight,
        penalty_factor,
        positive,
        fit_intercept,
        loss=loss,
        power=power,
        offset=offset,
        **box,
    )


def alpha_max(
    X,
    y,
    *,
    l1_ratio: float = 1.0,
    loss: str = "squared_error",
    power: float = 1.5,
    offset=None,
    fit_intercept: bool = True,
    sample_weight=None,
    penalty_factor=None,
    positive: bool = False,
    lower_bounds=None,
    upper_bounds=None,
    groups=None,
    group_weights=None,
) -> float:
    """Smallest ``alpha`` at which every penalised coefficient is exactly zero.

    For the objectives of :class:`~skdecay.ElasticNetRegressor` (``loss=
    "squared_error"``, ``"poisson"``, ``"gamma"``, ``"tweedie"``) and
    :class:`~skdecay.ElasticNetClassifier` (``loss="logistic"``; multinomial
    when ``y`` has more than two classes)::

        alpha_max = max_j |grad_j| / (l1_ratio * penalty_factor_j)

    where ``grad`` is the gradient of the (mean) data term at zero
    coefficients, with the intercept and unpenalised features at their
    optimum (closed form for the intercept alone, offset included).  For the
    log-link GLMs ``grad_j = -1/n sum_i s_i x_ij (y_i - mu_i) mu_i**(1-p)``
    with ``mu_i = exp(b + o_i)`` (``p`` = 1 Poisson, 2 Gamma, ``power``
    Tweedie).  ``inf`` when ``l1_ratio = 0`` (ridge never zeroes).  For
    :class:`~skdecay.RidgeRegressor`'s convention multiply by ``sum(s)``.
    With box bounds (``lower_bounds``, ``upper_bounds``, as in
    :class:`~skdecay.ElasticNetRegressor`) only the feasible directions count:
    ``grad_j`` enters as ``max(-grad_j if upper_j > 0, grad_j if lower_j < 0)``
    (a feature with ``upper_j = 0`` and a negative gradient cannot enter).

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Targets (regression losses) or class labels (``loss="logistic"``).
    l1_ratio : float in [0, 1], default=1.0
    loss : {"squared_error", "poisson", "gamma", "tweedie", "logistic"}, \
default="squared_error"
        ``"squared"`` is accepted for ``"squared_error"``.
    power : float in (1, 2), default=1.5
        Tweedie's power (``loss="tweedie"`` only).
    offset : array-like of shape (n_samples,), default=None
        Added to the linear predictor (regression losses), as in
        :meth:`ElasticNetRegressor.fit <skdecay.ElasticNetRegressor.fit>`.
    fit_intercept, sample_weight, penalty_factor, positive, lower_bounds, upper_bounds
        As in :class:`~skdecay.ElasticNetRegressor`.

    groups : array-like of shape (n_features,), list of index arrays or callable, default=None
        The sparse-group lasso (``l1_ratio`` then mixes L1 and the group norm),
        as in :class:`~skdecay.ElasticNetRegressor`, for every loss (with the
        multinomial a group spans all classes); the largest per-group root of
        ``||S_{a l1_ratio}(grad_g)|| = a (1 - l1_ratio) omega_g``.
    group_weights : array-like of shape (n_groups,), default=None
        Default ``sqrt(|g|)``.

    Returns
    -------
    alpha_max : float
    """
    l1_ratio = _check_l1_ratio(l1_ratio)
    X = _check_X(X)
    args = (l1_ratio, loss, power, offset, sample_weight, penalty_factor, positive, fit_intercept)
    pb = _problem_of(X, y, *args, lower_bounds=lower_bounds, upper_bounds=upper_bounds)
    if groups is not None:
        pen = group_penalty(pb, groups, group_weights, 1.0)
        return bcd.problem_group_alpha_max(pb, pen)
    return problem_alpha_max(pb)


def alpha_grid(
    X,
    y,
    *,
    l1_ratio: float = 1.0,
    n_alphas: int = 100,
    eps: float = 1e-3,
    loss: str = "squared_error",
    power: float = 1.5,
    offset=None,
    fit_intercept: bool = True,
    sample_weight=None,
    penalty_factor=None,
    positive: bool = False,
    lower_bounds=None,
    upper_bounds=None,
    groups=None,
    group_weights=None,
) -> np.ndarray:
    """Geometric grid of ``n_alphas`` values from :func:`alpha_max` down to ``eps * alpha_max``.

    For the squared loss with ``penalty_factor=None`` this is the grid of
    :class:`sklearn.linear_model.ElasticNetCV` for the same data, ``l1_ratio``,
    ``fit_intercept``, ``sample_weight`` and ``positive``.  As there, when
    ``alpha_max`` is zero (e.g. constant ``y``) every value is
    ``np.finfo(float).resolution``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Targets (regression losses) or class labels (``loss="logistic"``).
    l1_ratio : float in (0, 1], default=1.0
        ``l1_ratio = 0`` raises ``ValueError`` (as scikit-learn does): a pure
        ridge penalty never zeroes the coefficients, so it has no ``alpha_max``;
        give an explicit grid instead.
    n_alphas : int, default=100
    eps : float, default=1e-3
        ``alpha_min / alpha_max``.
    loss, power, offset, fit_intercept, sample_weight, penalty_factor, positive
    lower_bounds, upper_bounds, groups, group_weights
        As in :func:`alpha_max` (with ``groups``, ``l1_ratio = 0`` is allowed:
        the group norm alone still zeroes the coefficients).

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        Decreasing, float64.
    """
    _check_grid_params(n_alphas, eps)
    l1_ratio = _check_l1_ratio(l1_ratio)
    if groups is None:
        check_grid_l1_ratio(l1_ratio)
    amax = alpha_max(
        X,
        y,
        l1_ratio=l1_ratio,
        loss=loss,
        power=power,
        offset=offset,
        fit_intercept=fit_intercept,
        sample_weight=sample_weight,
        penalty_factor=penalty_factor,
        positive=positive,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
        groups=groups,
        group_weights=group_weights,
    )
    return geometric_grid(amax, n_alphas, eps)


def enet_path(
    X,
    y,
    *,
    l1_ratio: float = 1.0,
    alphas=None,
    n_alphas: int = 100,
    eps: float = 1e-3,
    loss: str = "squared_error",
    power: float = 1.5,
    offset=None,
    fit_intercept: bool = True,
    sample_weight=None,
    penalty_factor=None,
    positive: bool = False,
    lower_bounds=None,
    upper_bounds=None,
    groups=None,
    group_weights=None,
    tol: float = 1e-4,
    max_iter: int = 1000,
    selection: str = "cyclic",
    random_state=None,
    penalty: str = "elastic_net",
    gamma=None,
) -> RegularizationPath:
    r"""Elastic-net regression path (squared error or GLM), warm-started.

    For each ``alpha`` (decreasing) minimises the objective of
    :class:`~skdecay.ElasticNetRegressor`:

    .. math::

        \frac{1}{n} \sum_i s_i\, \ell(y_i, x_i^\top w + b + o_i)
        + \alpha \sum_j f_j \Big(\rho |w_j| + \frac{1-\rho}{2} w_j^2\Big)

    (``rho = l1_ratio``, sample weights ``s`` rescaled to sum to ``n``, penalty
    factors ``f``, ``offset`` ``o``, ``ell`` the unit half-deviance of
    ``loss``: ``(y - z)**2 / 2`` for the squared error), starting from the
    solution at the previous ``alpha``.  For the squared error: same ``alpha``
    as :func:`sklearn.linear_model.enet_path`, but the intercept is fitted
    (unpenalised) instead of assuming centred data; by coordinate descent.  For
    ``loss="poisson"``, ``"gamma"``, ``"tweedie"`` (log link): by proximal
    Newton; at ``l1_ratio = 0`` each fit is scikit-learn's
    ``PoissonRegressor`` / ``GammaRegressor`` / ``TweedieRegressor(link="log")``
    with the same ``alpha``, and Poisson is glmnet's ``family="poisson"`` path
    with ``lambda = alpha``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Dense (any memory order; copied to Fortran order if needed) or sparse
        (used as CSC).  float32 stays float32.  Never modified.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
        Poisson and Tweedie need ``y >= 0`` (not all zero), Gamma ``y > 0``.
        2-D ``y`` (squared error only): one independent path per target
        (column), all on one grid, whose automatic ``alpha_max`` is the
        largest of the targets'; ``coefs`` then has shape (n_alphas,
        n_targets, n_features) and ``intercepts``, ``dual_gaps`` and
        ``n_iter`` (n_alphas, n_targets).  (scikit-learn's ``enet_path`` on
        2-D ``y`` solves the *multi-task* problem instead, which
        :class:`~skdecay.MultiTaskElasticNetRegressor` fits.)
    l1_ratio : float in [0, 1], default=1.0
    alphas : array-like of shape (n_alphas,), default=None
        The grid (sorted decreasing before use).  ``None``: :func:`alpha_grid`
        with ``n_alphas`` and ``eps`` (which needs ``l1_ratio > 0``).
    n_alphas : int, default=100
    eps : float, default=1e-3
    loss : {"squared_error", "poisson", "gamma", "tweedie"}, default="squared_error"
    power : float in (1, 2), default=1.5
        Tweedie's power (``loss="tweedie"`` only).
    offset : array-like of shape (n_samples,), default=None
        Added to every linear predictor (e.g. log exposure), as in
        :meth:`ElasticNetRegressor.fit <skdecay.ElasticNetRegressor.fit>`.
    fit_intercept : bool, default=True
    sample_weight : array-like of shape (n_samples,), default=None
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers (0: unpenalised, ``np.inf``: excluded,
        coefficient exactly 0).
    positive : bool, default=False
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients (containing 0), as in
        :class:`~skdecay.ElasticNetRegressor`; the automatic grid starts at the
        boxed :func:`alpha_max`.
    tol : float, default=1e-4
        Per ``alpha``: stop when the duality gap (for Tweedie, the largest
        KKT violation: ``ElasticNetRegressor.stopping_criterion_``) is at most
        ``tol`` times that of the all-zero coefficients.  The GLM fits also
        wait for their last Newton step to settle, as a single fit.  Unlike
        :class:`~skdecay.ElasticNetRegressor`, which also waits until no pass
        moves a coefficient by more than ``tol`` times the largest (as
        scikit-learn), the path relies on the certificate alone: each returned
        objective is within ``tol`` (relative) of its optimum, while the
        coefficients, whose error the gap bounds only quadratically, may be
        less settled than a single fit's at the same ``tol``.  Each ``alpha``
        starts from the previous solution moved on along the path (a secant
        step, kept only if it lowers the objective).
    max_iter : int, default=1000
        Maximum number of coordinate-descent passes (squared error) or Newton
        iterations (GLMs) per ``alpha``.
    selection : {"cyclic", "random"}, default="cyclic"
    random_state : int, RandomState instance or None, default=None
    penalty : {"elastic_net", "mcp", "scad"}, default="elastic_net"
        MCP or SCAD instead of the L1 part (squared error only; see
        :class:`~skdecay.ElasticNetRegressor`'s ``penalty``): the path is
        warm-started from ``alpha_max`` down, as ncvreg's, each ``alpha``
        stopped on stationarity (``dual_gaps`` are then KKT violations).
    gamma : float, default=None
        MCP's (default 3) or SCAD's (default 3.7) concavity.
    groups, group_weights
        The sparse-group lasso, as in :func:`alpha_max`: block CD (squared
        error) or proximal Newton (GLMs), ``dual_gaps`` the duality gap or, for
        Tweedie, the per-group KKT violation.

    Returns
    -------
    path : RegularizationPath
        ``alphas (n_alphas,)``, ``coefs (n_alphas, n_features)``,
        ``intercepts (n_alphas,)``, ``dual_gaps (n_alphas,)``, ``n_iter (n_alphas,)``
        (with 2-D ``y``: an ``n_targets`` axis after the first, see ``y``).
        One :class:`~sklearn.exceptions.ConvergenceWarning` lists every
        ``alpha`` whose fit stopped at ``max_iter``.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdecay import enet_path
    >>> X, y = load_diabetes(return_X_y=True)
    >>> path = enet_path(StandardScaler().fit_transform(X), y, n_alphas=20)
    >>> path.coefs.shape, int((path.coefs[0] != 0).sum())
    ((20, 10), 0)
    """
    l1_ratio = _check_l1_ratio(l1_ratio)
    regression_loss(loss, power)  # validated before the data
    _check_solver_params(tol, max_iter, selection)
    if alphas is None:
        _check_grid_params(n_alphas, eps)
    else:
        alphas = check_alphas(alphas)
    X = _check_X(X)
    args = (l1_ratio, loss, power, offset, sample_weight, penalty_factor, positive, fit_intercept)
    box = dict(lower_bounds=lower_bounds, upper_bounds=upper_bounds)
    Y = _multi_target(X, y, loss)
    if Y is not None:  # independent targets on one shared grid
        if groups is not None:
            raise ValueError("groups with a 2-D y is not supported; fit one target at a time.")
        pbs = [
            with_penalty(_problem_of(X, Y[:, j], *args, **box), penalty, gamma)
            for j in range(Y.shape[1])
        ]
        if alphas is None:
            amax = max(problem_alpha_max(pb) for pb in pbs)
            alphas = problem_grid(pbs[0], n_alphas, eps, amax=amax)
        rng = check_random_state(random_state)
        kw = dict(tol=tol, max_iter=max_iter, selection=selection, rng=rng)
        solved = [solve_path(pb, alphas, **kw) for pb in pbs]
        failed = sorted({a for _, f in solved for a in f}, reverse=True)
        warn_path_not_converged(failed, alphas.size, "enet_path")
        paths = [path for path, _ in solved]
        return RegularizationPath(
            alphas,
            np.concatenate([path.coefs for path in paths], axis=1),
            np.concatenate([path.intercepts for path in paths], axis=1),
            np.column_stack([path.dual_gaps for path in paths]),
            np.column_stack([path.n_iter for path in paths]),
        )
    pb = _problem_of(X, y, *args, **box)
    if groups is not None:  # the sparse-group lasso
        path = _group_path(pb, groups, group_weights, alphas, n_alphas, eps, tol, max_iter, penalty)
        return path._replace(coefs=path.coefs[:, 0, :], intercepts=path.intercepts[:, 0])
    pb = with_penalty(pb, penalty, gamma)  # MCP / SCAD: the Python path loop
    if alphas is None:
        check_grid_l1_ratio(l1_ratio)
        convex = pb.penalty.convex
        if selection == "cyclic" and convex and compiled.supports(pb, np.ones(n_alphas)):
            # the grid and the path in one compiled call
            out = compiled.enet_path_compiled(
                pb, n_alphas, tol=tol, max_iter=max_iter, settle=False, grid_eps=eps
            )
            warn_path_not_converged(list(out.alphas[~out.converged]), n_alphas, "enet_path")
            return RegularizationPath(
                out.alphas, out.coefs[:, 0, :], out.intercepts[:, 0], out.gaps, out.n_iter
            )
        alphas = problem_grid(pb, n_alphas, eps)
    path, failed = solve_path(
        pb,
        alphas,
        tol=tol,
        max_iter=max_iter,
        selection=selection,
        rng=check_random_state(random_state),
    )
    warn_path_not_converged(failed, alphas.size, "enet_path")
    return path._replace(coefs=path.coefs[:, 0, :], intercepts=path.intercepts[:, 0])


def logistic_path(
    X,
    y,
    *,
    l1_ratio: float = 1.0,
    alphas=None,
    n_alphas: int = 100,
    eps: float = 1e-3,
    fit_intercept: bool = True,
    sample_weight=None,
    penalty_factor=None,
    positive: bool = False,
    lower_bounds=None,
    upper_bounds=None,
    groups=None,
    group_weights=None,
    tol: float = 1e-4,
    max_iter: int = 100,
    selection: str = "cyclic",
    random_state=None,
    classes=None,
    penalty: str = "elastic_net",
    gamma=None,
) -> RegularizationPath:
    r"""Elastic-net logistic (binary) or multinomial regression path, warm-started.

    For each ``alpha`` (decreasing) minimises the objective of
    :class:`~skdecay.ElasticNetClassifier`:

    .. math::

        \frac{1}{n} \sum_i s_i\, \ell(y_i, x_i^\top W + b)
        + \alpha \sum_{k, j} f_j \Big(\rho |W_{kj}| + \frac{1-\rho}{2} W_{kj}^2\Big)

    with the binary log-loss for two classes (one coefficient row, for
    ``classes[1]``) and the multinomial log-loss otherwise (one row per class),
    by proximal Newton started at the previous solution.
    ``alpha`` corresponds to ``C = 1 / (n * alpha)`` of
    :class:`sklearn.linear_model.LogisticRegression`.

    Parameters
    ----------
    X, l1_ratio, alphas, n_alphas, eps, fit_intercept, sample_weight, penalty_factor, positive
    lower_bounds, upper_bounds
        As in :func:`enet_path` (the same box for every class's row); the
        automatic grid starts at the logistic :func:`alpha_max`.
    y : array-like of shape (n_samples,)
        Class labels.
    tol : float, default=1e-4
    max_iter : int, default=100
        Maximum number of Newton iterations per ``alpha``.
    selection, random_state
        As in :func:`enet_path`.
    classes : array-like of shape (n_classes,), default=None
        The labels, in the order of the coefficient rows (default: the sorted
        labels of ``y``).  Give it when ``y`` may miss a class (e.g. a CV fold);
        an absent class gets an intercept near ``log(1e-12)``.
    penalty, gamma
        MCP or SCAD, as in :func:`enet_path`.
    groups, group_weights
        The sparse-group lasso, as in :func:`enet_path`; with more than two
        classes a group is the block of its features' coefficients across all
        classes (see :class:`~skdecay.ElasticNetClassifier`).  Proximal Newton
        per ``alpha``, stopped on the duality gap; the automatic grid starts at
        the group :func:`alpha_max`.

    Returns
    -------
    path : RegularizationPath
        ``coefs (n_alphas, K, n_features)`` and ``intercepts (n_alphas, K)`` with
        ``K = 1`` for two classes and ``K = n_classes`` otherwise.
    """
    l1_ratio = _check_l1_ratio(l1_ratio)
    _check_solver_params(tol, max_iter, selection)
    if alphas is None:
        _check_grid_params(n_alphas, eps)
    else:
        alphas = check_alphas(alphas)
    X = _check_X(X)
    pb, _ = logistic_problem(
        X,
        y,
        l1_ratio,
        sample_weight,
        penalty_factor,
        positive,
        fit_intercept,
        classes,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
    )
    if groups is not None:  # the sparse-group lasso
        return _group_path(pb, groups, group_weights, alphas, n_alphas, eps, tol, max_iter, penalty)
    pb = with_penalty(pb, penalty, gamma)
    if alphas is None:
        alphas = problem_grid(pb, n_alphas, eps)
    path, failed = solve_path(
        pb,
        alphas,
        tol=tol,
        max_iter=max_iter,
        selection=selection,
        rng=check_random_state(random_state),
    )
    warn_path_not_converged(failed, alphas.size, "logistic_path")
    return path


# the path of a fitted estimator's own problem (its own module; public here)
from ._estimator_path import estimator_path, estimator_path_params  # noqa: E402
