"""The path internals shared by :mod:`skdecay.path`, the CV estimators and multitask.

The warm-started solves along a grid (:func:`solve_path`, :func:`solve_group_path`),
the grids themselves (:func:`problem_grid`, :func:`geometric_grid`), the MCP / SCAD
and sparse-group penalties of a built problem, the one convergence warning of a
path, and the :class:`RegularizationPath` tuple they return.  Problems are built
in :mod:`skdecay.solvers.problem` (:func:`~skdecay.solvers.problem.regression_problem`,
:func:`~skdecay.solvers.problem.logistic_problem`).
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from . import losses
from .penalties import DEFAULT_GAMMA, SparseGroupPenalty
from .solvers import (
    Problem,
    bcd,
    duality_gap,
    extrapolated_start,
    problem_alpha_max,
    solve,
    solve_compiled,
    zero_point,
)

__all__ = [
    "RegularizationPath",
    "as_csc",
    "check_alphas",
    "check_grid_l1_ratio",
    "geometric_grid",
    "group_penalty",
    "problem_grid",
    "solve_group_path",
    "solve_path",
    "warn_path_not_converged",
    "with_penalty",
    "zero_solution",
]

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


# documented, pickled and persisted under its public home
RegularizationPath.__module__ = "skdecay.path"


def check_alphas(alphas) -> np.ndarray:
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


def as_csc(X):
    X = sp.csc_matrix(X)
    return X if X.has_sorted_indices else X.sorted_indices()


def check_grid_l1_ratio(l1_ratio: float) -> None:
    if l1_ratio == 0:
        raise ValueError(
            "An automatic alpha grid needs l1_ratio > 0: with l1_ratio=0 (ridge) no alpha "
            "zeroes the coefficients, so there is no alpha_max to start from. Pass an "
            "explicit grid with alphas=[...] (scikit-learn's ElasticNetCV raises too)."
        )


def group_penalty(pb: Problem, groups, group_weights, alpha: float):
    """The sparse-group penalty of ``groups`` (callable: of ``n_features``) for ``pb``
    (over the features; the solvers spread a group over the classes)."""
    p = pb.X.shape[1]
    groups = groups(p) if callable(groups) else groups
    return SparseGroupPenalty(alpha, pb.penalty.l1_ratio, groups, p, group_weights)


def solve_group_path(
    pb: Problem, pen, alphas, *, tol, max_iter, on_alpha=None
) -> tuple[RegularizationPath, list[float]]:
    """Warm-started sparse-group fits of ``pb`` (any loss) under ``pen`` along
    ``alphas``: ``(path, alphas that did not converge)``, no warning (the
    callers warn once: :func:`enet_path`, :func:`logistic_path`, the CV)."""
    coefs, intercepts, gaps, n_iter, failed = bcd.group_path(
        pb, pen, alphas, tol=tol, max_iter=max_iter, on_alpha=on_alpha
    )
    return RegularizationPath(np.asarray(alphas, float), coefs, intercepts, gaps, n_iter), failed


def problem_grid(pb: Problem, n_alphas: int, eps: float, amax: float | None = None) -> np.ndarray:
    """Geometric grid from ``alpha_max(pb)`` (or ``amax``) down to ``eps * alpha_max``."""
    check_grid_l1_ratio(pb.penalty.l1_ratio)
    return geometric_grid(problem_alpha_max(pb) if amax is None else amax, n_alphas, eps)


def geometric_grid(amax: float, n_alphas: int, eps: float) -> np.ndarray:
    """``n_alphas`` values from ``amax`` down to ``eps * amax``, geometrically."""
    if not amax > _RESOLUTION:  # nothing to select (e.g. constant y): scikit-learn's choice
        return np.full(n_alphas, _RESOLUTION)
    return np.geomspace(amax, amax * eps, num=n_alphas)


def solve_path(
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
            W0, b0 = zero_solution(pb)
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


def with_penalty(pb: Problem, penalty: str, gamma) -> Problem:
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


def zero_solution(pb: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Zero coefficients and the optimal intercept(s) for them (offset included)."""
    return zero_point(pb)


def warn_path_not_converged(
    failed: list[float], total: int, what: str, stacklevel: int = 3
) -> None:
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
