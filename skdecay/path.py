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
:mod:`skdecay.model_selection` reuses the same private helpers on each fold.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_consistent_length

from . import _enet_path as compiled
from . import losses
from .penalties import DEFAULT_GAMMA, SparseGroupPenalty
from .solvers import (
    Problem,
    bcd,
    duality_gap,
    extrapolated_start,
    make_problem,
    problem_alpha_max,
    solve,
    solve_compiled,
    zero_point,
)

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
# smallest grid value, as scikit-learn's ``_alpha_grid`` when alpha_max vanishes
_RESOLUTION = np.finfo(np.float64).resolution


class RegularizationPath(NamedTuple):
    """Solutions along a path, one row per ``alpha`` (``alphas`` decreasing).

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        The penalty strengths, decreasing (float64).
    coefs : ndarray
        ``(n_alphas, n_features)`` for :func:`enet_path` with 1-D ``y``,
        ``(n_alphas, K, n_features)`` for :func:`enet_path` with 2-D ``y``
        (``K = n_targets``) and for :func:`logistic_path` (``K = 1`` for two
        classes, else ``n_classes``); in the dtype of ``X``.
    intercepts : ndarray
        ``(n_alphas,)`` or ``(n_alphas, K)``; zero when ``fit_intercept=False``.
    dual_gaps : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
        Duality gap at each solution (an upper bound on its sub-optimality);
        one per target for :func:`enet_path` with 2-D ``y``.
    n_iter : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
        Solver iterations (CD passes or Newton steps) spent at each ``alpha``;
        0 from ``alpha_max`` on, where the all-zero solution is returned exactly
        (closed form) unless some features are unpenalised.
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    dual_gaps: np.ndarray
    n_iter: np.ndarray


# ---------------------------------------------------------------------------
# validation and problem building (shared with model_selection)


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


def _check_alphas(alphas) -> np.ndarray:
    """User alphas as a float64 1-D array sorted decreasing (as scikit-learn's paths).

    Non-numbers (a string inside the list) raise ``TypeError``, as scikit-learn.
    """
    if isinstance(alphas, (str, bytes)) or any(
        isinstance(a, (str, bytes)) for a in np.asarray(alphas, dtype=object).ravel()
    ):
        raise TypeError(f"alphas must contain numbers only, got {alphas!r}.")
    try:
        a = np.asarray(alphas, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"alphas must be a 1-D array of non-negative floats: {exc}") from None
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"alphas must be a non-empty 1-D array, got shape {a.shape}.")
    if not np.all(np.isfinite(a)):
        raise ValueError("alphas must be finite (found NaN or infinity).")
    if np.any(a < 0):
        raise ValueError(f"alphas must be non-negative, got min(alphas) = {a.min()!r}.")
    return np.sort(a)[::-1].copy()


def _check_X(X):
    """Dense Fortran-ordered or CSC with sorted indices, float64/float32, finite."""
    X = check_array(X, accept_sparse="csc", dtype=_FLOATS, order="F")
    return _as_csc(X) if sp.issparse(X) else X


def _as_csc(X):
    X = sp.csc_matrix(X)
    return X if X.has_sorted_indices else X.sorted_indices()


# the losses of the regression paths (``ElasticNetRegressor``'s ``loss``)
_REGRESSION = losses.REGRESSION_LOSS_NAMES


def _regression_loss(loss: str, power) -> losses.Loss:
    """The table entry of a regression ``loss`` name (``"squared"`` is an alias)."""
    if loss == "squared":
        loss = "squared_error"
    if loss not in _REGRESSION:
        raise ValueError(f"loss must be one of {_REGRESSION}, got {loss!r}.")
    if loss == "tweedie" and (
        isinstance(power, bool) or not isinstance(power, Real) or not 1 < power < 2
    ):
        raise ValueError(f"power must be a float in (1, 2) for the tweedie loss, got {power!r}.")
    return losses.get_loss(loss, power=power)


def _regression_problem(
    X,
    y,
    l1_ratio,
    sample_weight,
    penalty_factor,
    positive,
    fit_intercept,
    checked=False,
    *,
    loss: str = "squared_error",
    power: float = 1.5,
    offset=None,
    lower_bounds=None,
    upper_bounds=None,
) -> Problem:
    """The ``ElasticNetRegressor`` problem (with ``alpha = 1``) on validated ``X``
    (``checked``: ``y`` is a validated 1-D numeric array in the loss's range
    too, e.g. a CV fold's)."""
    entry = _regression_loss(loss, power)
    if not checked:
        y = check_array(y, ensure_2d=False, dtype=X.dtype, input_name="y")
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D for a regression path, got shape {y.shape}.")
        check_consistent_length(X, y)
        entry.check_y(y)
    pb, _ = make_problem(
        X,
        y[:, None],
        sample_weight,
        entry.code,
        1.0,
        l1_ratio,
        penalty_factor,
        positive=positive,
        fit_intercept=fit_intercept,
        offset=offset,
        power=getattr(entry, "power", 1.5) if entry.code == losses.TWEEDIE else 1.5,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
    )
    return pb


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


def _encode_classes(y, classes=None):
    """``(classes, Y, loss)``: one 0/1 column for two classes, one-hot otherwise."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}.")
    check_classification_targets(y)
    if classes is None:
        classes = np.unique(y)
    else:
        classes = np.asarray(classes)
        if classes.ndim != 1 or np.unique(classes).size != classes.size:
            raise ValueError("classes must be a 1-D array of distinct labels.")
        unknown = np.setdiff1d(np.unique(y), classes)
        if unknown.size:
            raise ValueError(f"y contains labels not in classes: {unknown.tolist()!r}.")
    if classes.size < 2:
        raise ValueError(
            f"A logistic path needs at least 2 classes, got {classes.size} ({classes!r})."
        )
    codes = np.searchsorted(np.sort(classes), y)
    order = np.argsort(classes)  # position in ``classes`` of each sorted label
    codes = order[codes]
    if classes.size == 2:
        return classes, (codes == 1).astype(np.float64)[:, None], losses.LOGISTIC
    return classes, np.eye(classes.size)[codes], losses.MULTINOMIAL


def _logistic_problem(
    X,
    y,
    l1_ratio,
    sample_weight,
    penalty_factor,
    positive,
    fit_intercept,
    classes=None,
    *,
    lower_bounds=None,
    upper_bounds=None,
) -> tuple[Problem, np.ndarray]:
    """The ``ElasticNetClassifier`` problem (with ``alpha = 1``) and its classes."""
    check_consistent_length(X, y)
    classes, Y, loss = _encode_classes(y, classes)
    pb, _ = make_problem(
        X,
        Y,
        sample_weight,
        loss,
        1.0,
        l1_ratio,
        penalty_factor,
        positive=positive,
        fit_intercept=fit_intercept,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
    )
    return pb, classes


def _check_grid_l1_ratio(l1_ratio: float) -> None:
    if l1_ratio == 0:
        raise ValueError(
            "An automatic alpha grid needs l1_ratio > 0: with l1_ratio=0 (ridge) no alpha "
            "zeroes the coefficients, so there is no alpha_max to start from. Pass an "
            "explicit grid with alphas=[...] (scikit-learn's ElasticNetCV raises too)."
        )


def _group_penalty(pb: Problem, groups, group_weights, alpha: float):
    """The sparse-group penalty of ``groups`` (callable: of ``n_features``) for ``pb``
    (over the features; the solvers spread a group over the classes)."""
    p = pb.X.shape[1]
    groups = groups(p) if callable(groups) else groups
    return SparseGroupPenalty(alpha, pb.penalty.l1_ratio, groups, p, group_weights)


def _group_path(
    pb: Problem, groups, group_weights, alphas, n_alphas, eps, tol, max_iter, penalty
) -> RegularizationPath:
    """The sparse-group path of ``pb`` (any loss; coefs ``(n_alphas, K, p)``), on
    ``alphas`` or the group grid; one ConvergenceWarning for the failed fits."""
    if penalty != "elastic_net":
        raise ValueError("groups combine with penalty='elastic_net' only.")
    pen = _group_penalty(pb, groups, group_weights, 1.0)
    if alphas is None:
        alphas = bcd.group_grid(pb, pen, n_alphas, eps)
    path, failed = _solve_group_path(pb, pen, alphas, tol=tol, max_iter=max_iter)
    what = "logistic_path" if pb.data_loss.classifier else "enet_path"
    _warn_not_converged(failed, alphas.size, what, stacklevel=4)
    return path


def _solve_group_path(
    pb: Problem, pen, alphas, *, tol, max_iter, on_alpha=None
) -> tuple[RegularizationPath, list[float]]:
    """Warm-started sparse-group fits of ``pb`` (any loss) under ``pen`` along
    ``alphas``: ``(path, alphas that did not converge)``, no warning (the
    callers warn once: :func:`enet_path`, :func:`logistic_path`, the CV)."""
    coefs, intercepts, gaps, n_iter, failed = bcd.group_path(
        pb, pen, alphas, tol=tol, max_iter=max_iter, on_alpha=on_alpha
    )
    return RegularizationPath(np.asarray(alphas, float), coefs, intercepts, gaps, n_iter), failed


def _grid(pb: Problem, n_alphas: int, eps: float, amax: float | None = None) -> np.ndarray:
    """Geometric grid from ``alpha_max(pb)`` (or ``amax``) down to ``eps * alpha_max``."""
    _check_grid_l1_ratio(pb.penalty.l1_ratio)
    return _geometric(problem_alpha_max(pb) if amax is None else amax, n_alphas, eps)


def _geometric(amax: float, n_alphas: int, eps: float) -> np.ndarray:
    """``n_alphas`` values from ``amax`` down to ``eps * amax``, geometrically."""
    if not amax > _RESOLUTION:  # nothing to select (e.g. constant y): scikit-learn's choice
        return np.full(n_alphas, _RESOLUTION)
    return np.geomspace(amax, amax * eps, num=n_alphas)


def _solve_path(
    pb: Problem,
    alphas: np.ndarray,
    *,
    tol,
    max_iter,
    selection,
    rng,
    compiled_path=True,
    on_alpha=None,
) -> tuple[RegularizationPath, list[float]]:
    """Warm-started fits along ``alphas``; returns the path (coefs ``(n_alphas, K, p)``)
    and the alphas whose fit did not reach ``tol`` (no warning emitted here).

    Problems the compiled solver supports run as one compiled call; the Python
    loop below (``compiled_path=False`` forces it) serves the others.
    ``on_alpha(i, coef, intercept)`` (progress callbacks) is called once per
    alpha as it is solved (after the compiled call, for every alpha at once)."""
    if compiled_path and selection == "cyclic":
        # the gap alone certifies a CD fit; Newton settles in about one more step
        # and keeps the settling test (as in the loop below)
        out = solve_compiled(pb, alphas, tol, max_iter, settle=pb.loss != losses.SQUARED)
        if out is not None:
            failed = [float(a) for a in alphas[~out.converged]]
            path = RegularizationPath(alphas, out.coefs, out.intercepts, out.gaps, out.n_iter)
            for i in range(alphas.size) if on_alpha is not None else ():
                on_alpha(i, out.coefs[i], out.intercepts[i])
            return path, failed
    K, p = pb.Y.shape[1], pb.X.shape[1]
    m = alphas.size
    coefs = np.zeros((m, K, p), dtype=pb.dtype)
    intercepts = np.zeros((m, K), dtype=pb.dtype)
    gaps = np.zeros(m)
    n_iter = np.zeros(m, dtype=np.int64)
    failed = []
    W = b = None
    before = None  # (solution, alpha) two steps back, for extrapolated warm starts
    # From alpha_max on, zero is the exact solution: return it rather than rounding
    # noise around it (with unpenalised features the solver fits those).
    amax = problem_alpha_max(pb) if not pb.penalty.unpenalized_mask().any() else np.inf
    for i, alpha in enumerate(alphas):
        if alpha >= amax:
            W0, b0 = _zero_solution(pb)
            coefs[i], intercepts[i] = W0, b0
            gaps[i] = duality_gap(pb.at(alpha), W0, b0)
            if on_alpha is not None:
                on_alpha(i, W0, b0)
            continue
        pb_alpha = pb.at(alpha)
        W_last = W
        if before is not None and alpha > 0 and before[1] > alphas[i - 1]:  # secant step
            ratio = np.log(alphas[i - 1] / alpha) / np.log(before[1] / alphas[i - 1])
            W, b = extrapolated_start(pb_alpha, W, b, before[0], ratio)
        if W_last is not None:
            before = (W_last, alphas[i - 1])
        res = solve(
            pb_alpha,
            W,
            b,
            max_iter=max_iter,
            tol=tol,
            selection=selection,
            rng=rng,
            warn=False,
            # the gap alone certifies a CD fit (settling costs many passes); Newton
            # settles in about one more step and keeps the test
            settle=pb.loss != losses.SQUARED,
        )
        W, b = res.coef, res.intercept
        coefs[i], intercepts[i] = W, b
        gaps[i], n_iter[i] = res.dual_gap, res.n_iter
        if not res.converged:
            failed.append(float(alpha))
        if on_alpha is not None:
            on_alpha(i, W, b)
    return RegularizationPath(alphas, coefs, intercepts, gaps, n_iter), failed


def _with_penalty(pb: Problem, penalty: str, gamma) -> Problem:
    """``pb`` with MCP or SCAD (``penalty="mcp" | "scad"``, ``gamma=None``: 3 or 3.7)
    instead of the elastic net's L1 part (squared error and logistic losses)."""
    if penalty == "elastic_net":
        return pb
    if penalty not in DEFAULT_GAMMA:
        raise ValueError(f"penalty must be 'elastic_net', 'mcp' or 'scad'; got {penalty!r}.")
    if pb.loss not in (losses.SQUARED, losses.LOGISTIC, losses.MULTINOMIAL):
        raise ValueError(f"penalty={penalty!r} supports the squared error and logistic losses.")
    gamma = DEFAULT_GAMMA[penalty] if gamma is None else float(gamma)
    # (validates gamma: > 1 for MCP, > 2 for SCAD)
    return replace(pb, penalty=pb.penalty.as_kind(penalty, gamma))


def _zero_solution(pb: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Zero coefficients and the optimal intercept(s) for them (offset included)."""
    return zero_point(pb)


def _warn_not_converged(failed: list[float], total: int, what: str, stacklevel: int = 3) -> None:
    if not failed:
        return
    shown = ", ".join(f"{a:.4g}" for a in failed[:10])
    more = f" and {len(failed) - 10} more" if len(failed) > 10 else ""
    warnings.warn(
        f"skdecay: {what}: {len(failed)} of {total} fits did not reach the tolerance, at "
        f"alpha = {shown}{more}. Increase max_iter, loosen tol or standardize X.",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )


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
        return _logistic_problem(
            X, y, l1_ratio, sample_weight, penalty_factor, positive, fit_intercept, **box
        )[0]
    if loss not in ("squared", *_REGRESSION):
        raise ValueError(f"loss must be one of {('logistic', *_REGRESSION)}, got {loss!r}.")
    return _regression_problem(
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
        pen = _group_penalty(pb, groups, group_weights, 1.0)
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
        _check_grid_l1_ratio(l1_ratio)
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
    return _geometric(amax, n_alphas, eps)


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
    _regression_loss(loss, power)  # validated before the data
    _check_solver_params(tol, max_iter, selection)
    if alphas is None:
        _check_grid_params(n_alphas, eps)
    else:
        alphas = _check_alphas(alphas)
    X = _check_X(X)
    args = (l1_ratio, loss, power, offset, sample_weight, penalty_factor, positive, fit_intercept)
    box = dict(lower_bounds=lower_bounds, upper_bounds=upper_bounds)
    Y = _multi_target(X, y, loss)
    if Y is not None:  # independent targets on one shared grid
        if groups is not None:
            raise ValueError("groups with a 2-D y is not supported; fit one target at a time.")
        pbs = [
            _with_penalty(_problem_of(X, Y[:, j], *args, **box), penalty, gamma)
            for j in range(Y.shape[1])
        ]
        if alphas is None:
            amax = max(problem_alpha_max(pb) for pb in pbs)
            alphas = _grid(pbs[0], n_alphas, eps, amax=amax)
        rng = check_random_state(random_state)
        kw = dict(tol=tol, max_iter=max_iter, selection=selection, rng=rng)
        solved = [_solve_path(pb, alphas, **kw) for pb in pbs]
        failed = sorted({a for _, f in solved for a in f}, reverse=True)
        _warn_not_converged(failed, alphas.size, "enet_path")
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
    pb = _with_penalty(pb, penalty, gamma)  # MCP / SCAD: the Python path loop
    if alphas is None:
        _check_grid_l1_ratio(l1_ratio)
        convex = pb.penalty.convex
        if selection == "cyclic" and convex and compiled.supports(pb, np.ones(n_alphas)):
            # the grid and the path in one compiled call
            out = compiled.enet_path_compiled(
                pb, n_alphas, tol=tol, max_iter=max_iter, settle=False, grid_eps=eps
            )
            _warn_not_converged(list(out.alphas[~out.converged]), n_alphas, "enet_path")
            return RegularizationPath(
                out.alphas, out.coefs[:, 0, :], out.intercepts[:, 0], out.gaps, out.n_iter
            )
        alphas = _grid(pb, n_alphas, eps)
    path, failed = _solve_path(
        pb,
        alphas,
        tol=tol,
        max_iter=max_iter,
        selection=selection,
        rng=check_random_state(random_state),
    )
    _warn_not_converged(failed, alphas.size, "enet_path")
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
        alphas = _check_alphas(alphas)
    X = _check_X(X)
    pb, _ = _logistic_problem(
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
    pb = _with_penalty(pb, penalty, gamma)
    if alphas is None:
        alphas = _grid(pb, n_alphas, eps)
    path, failed = _solve_path(
        pb,
        alphas,
        tol=tol,
        max_iter=max_iter,
        selection=selection,
        rng=check_random_state(random_state),
    )
    _warn_not_converged(failed, alphas.size, "logistic_path")
    return path


# the path of a fitted estimator's own problem (its own module; public here)
from ._estimator_path import estimator_path, estimator_path_params  # noqa: E402
