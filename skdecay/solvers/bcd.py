"""Block coordinate descent over groups: the sparse-group lasso, squared loss.

(The other losses: :mod:`.group_newton`; :func:`group_fit` and
:func:`group_path` dispatch on the loss.)

:func:`group_solve` solves a squared-loss :class:`~skdecay.solvers.Problem`
(dense or sparse ``X``, sample weights, intercept, float32) under a
:class:`~skdecay.penalties.SparseGroupPenalty` with the compiled loop of
:mod:`skdecay._kernels.group`.  The intercept is profiled out (weighted
centring, done implicitly so that sparse ``X`` stays sparse) and recovered as
``b = ybar - mu . w``.  The groups are not orthonormalised (grpreg does, which
changes the penalty unless the groups already are): each visit is a
proximal-gradient step with the block's own Lipschitz constant, the largest
eigenvalue of the centred weighted Gram matrix ``Xc_g' H Xc_g`` (exact for
singletons and orthonormal groups).  The stopping rule is the duality gap,
relative to ``sum h yc**2`` (scikit-learn's ``tol * ||y||**2``), plus, for
single fits, scikit-learn's "settled" test on the last pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .. import losses
from ..penalties import SparseGroupPenalty
from .problem import Result

__all__ = [
    "GroupData",
    "group_data",
    "group_solve",
    "group_alpha_max",
    "problem_group_alpha_max",
    "group_grid",
    "group_path",
    "group_fit",
]


@dataclass
class GroupData:
    """What does not depend on ``alpha``: ``h``, centred ``y``, column means,
    the block Lipschitz constants and the kernel's view of ``X``."""

    X: object  # dense Fortran array or CSC matrix (for numpy products)
    data: np.ndarray  # the kernel's column view (see ``_kernels.group.solve``)
    indices: np.ndarray
    indptr: np.ndarray
    dense: bool
    h: np.ndarray
    yc: np.ndarray
    ybar: float
    mu: np.ndarray
    L: np.ndarray
    dtype: np.dtype


def group_data(pb, penalty: SparseGroupPenalty) -> GroupData:
    """The alpha-free part of a grouped squared-loss problem ``pb``."""
    _check_plain(pb)
    X = pb.X
    h = np.asarray(pb.s, dtype=np.float64)
    h = h / h.sum()
    y = np.asarray(pb.Y, dtype=np.float64)[:, 0]
    p = X.shape[1]
    if pb.fit_intercept:
        mu = np.asarray(X.T @ h, dtype=np.float64).reshape(-1)
        ybar = float(h @ y)
    else:
        mu, ybar = np.zeros(p), 0.0
    yc = y - ybar
    dense = not sp.issparse(X)
    if dense:  # every row stored, column after column (a view of Fortran X)
        Xk = np.asfortranarray(X)
        data, indices = Xk.ravel(order="F"), np.zeros(1, dtype=np.int64)
        indptr = X.shape[0] * np.arange(p + 1, dtype=np.int64)
    else:
        Xk = sp.csc_matrix(X)
        Xk.sort_indices()
        data, indices, indptr = Xk.data, Xk.indices.astype(np.int64), Xk.indptr.astype(np.int64)
    from .._kernels.group import block_lipschitz

    L, trace = np.zeros(penalty.n_groups), np.zeros(penalty.n_groups)
    block_lipschitz(data, indices, indptr, dense, h, mu, penalty.order, penalty.starts, L, trace)
    L = np.maximum(L, 0.0) * (1 + 1e-10)
    L[L <= 1e-14 * np.maximum(trace, 1e-300)] = 0.0  # constant columns: the group stays 0
    return GroupData(Xk, data, indices, indptr, dense, h, yc, ybar, mu, L, X.dtype)


def group_alpha_max(gd: GroupData, penalty: SparseGroupPenalty) -> float:
    """Smallest ``alpha`` at which ``w = 0`` (intercept optimal) is the solution."""
    v = np.asarray(gd.X.T @ (gd.h * gd.yc), dtype=np.float64).reshape(-1)
    return penalty.alpha_max(v)


def group_solve(
    pb,
    penalty: SparseGroupPenalty,
    W=None,
    b=None,
    *,
    max_iter=1000,
    tol=1e-4,
    settle=True,
    gd: GroupData | None = None,
) -> Result:
    """Minimise ``1/(2n) sum s_i (y_i - x_i w - b)**2 + penalty(w)`` from ``W``
    (``(1, p)``; default zero).  ``b`` is ignored: the intercept is always at its
    optimum for the coefficients.  Returns a :class:`Result` whose ``dual_gap``
    is certified and ``gap_zero`` is ``sum h yc**2`` (the tolerance reference)."""
    from .._kernels import group as kg

    gd = group_data(pb, penalty) if gd is None else gd
    p = gd.mu.size
    w = np.zeros(p) if W is None else np.array(W, dtype=np.float64).reshape(-1)
    ref = float(gd.h @ gd.yc**2)
    Xw = gd.X @ w
    # stored residual yc - X w; the true one (centred X) is it plus mu.w
    r = gd.yc - np.asarray(Xw, dtype=np.float64).reshape(-1)
    state = np.array([float(gd.mu @ w)])
    v = np.empty(p)
    order, starts, omega, alpha, tau = penalty.kernel_arguments()
    if alpha <= 0:
        raise ValueError("the group lasso needs alpha > 0.")
    if W is None and alpha >= group_alpha_max(gd, penalty):
        n_iter, gap, conv = 0, 0.0, True  # zero is exact from alpha_max on
    else:
        n_iter, gap, conv = kg.solve(
            gd.data, gd.indices, gd.indptr, gd.dense, gd.h, r, w, gd.mu,
            order, starts, omega, gd.L, alpha, tau,
            tol * ref, tol if settle else 0.0, int(max_iter), 10, state, v,
        )  # fmt: skip
    dtype = gd.dtype
    coef = w.astype(dtype)[None, :]
    intercept = np.array([gd.ybar - gd.mu @ w if pb.fit_intercept else 0.0], dtype=dtype)
    return Result(coef, intercept, float(gap), ref, int(n_iter), bool(conv))


def problem_group_alpha_max(pb, penalty: SparseGroupPenalty) -> float:
    """The group ``alpha_max`` of ``pb`` with any loss (:mod:`.group_newton`)."""
    from .group_newton import problem_group_alpha_max as amax

    return amax(pb, penalty)


def group_grid(pb, penalty: SparseGroupPenalty, n_alphas: int, eps: float):
    """Geometric grid from the group ``alpha_max`` of ``pb`` (any loss) down to
    ``eps`` times it."""
    from .group_newton import problem_group_alpha_max

    amax = problem_group_alpha_max(pb, penalty.at(1.0))
    if not amax > np.finfo(float).resolution:
        return np.full(n_alphas, np.finfo(float).resolution)
    return np.geomspace(amax, amax * eps, num=n_alphas)


def group_path(pb, penalty: SparseGroupPenalty, alphas, *, tol=1e-4, max_iter=1000, on_alpha=None):
    """Warm-started fits along the decreasing ``alphas``; returns ``(coefs,
    intercepts, gaps, n_iter, alphas that did not converge)`` with ``coefs``
    of shape ``(n_alphas, K, p)`` and ``intercepts`` ``(n_alphas, K)`` (``K =
    1`` but for the multinomial).  From ``alpha_max`` on the coefficients are
    exactly zero.  Every loss stops on its certificate alone (no settle test,
    as the elastic-net paths): block CD for the squared error,
    :func:`~skdecay.solvers.group_newton.group_prox_newton` for the others.  ``on_alpha(k,
    coef, intercept)``, if given, is called after each fit."""
    from .group_newton import group_prox_newton, problem_group_alpha_max

    _check_plain(pb)
    squared = pb.loss == losses.SQUARED
    gd = group_data(pb, penalty) if squared else None
    amax = problem_group_alpha_max(pb, penalty.at(1.0))
    K, p = pb.Y.shape[1], pb.X.shape[1]
    coefs = np.zeros((len(alphas), K, p), dtype=pb.dtype)
    intercepts = np.zeros((len(alphas), K), dtype=pb.dtype)
    gaps, n_iter, failed = np.zeros(len(alphas)), np.zeros(len(alphas), dtype=int), []
    W = b = None
    for k, alpha in enumerate(alphas):
        if alpha >= amax:
            W = b = None  # the exact zero (each solver returns it from a cold start)
        if squared:
            kw = dict(settle=False, gd=gd)
            res = group_solve(pb, penalty.at(alpha), W, max_iter=max_iter, tol=tol, **kw)
        else:
            kw = dict(max_iter=max_iter, tol=tol, alpha_max=amax, settle=False)
            res = group_prox_newton(pb, penalty.at(alpha), W, b, **kw)
        W, b = res.coef.astype(np.float64), res.intercept.astype(np.float64)
        coefs[k], intercepts[k] = res.coef, res.intercept
        gaps[k], n_iter[k] = res.dual_gap, res.n_iter
        if not res.converged:
            failed.append(float(alpha))
        if on_alpha is not None:
            on_alpha(k, coefs[k], intercepts[k])
    return coefs, intercepts, gaps, n_iter, failed


def _check_plain(pb) -> None:
    """Groups refuse ``positive``, box bounds and ``penalty_factor``."""
    if pb.penalty.bounded():
        raise ValueError("groups cannot be combined with positive=True or box bounds.")
    if np.any(pb.penalty.penalty_factor != 1):
        raise ValueError(
            "groups cannot be combined with penalty_factor; use group_weights "
            "(singleton groups for per-feature weights)."
        )


def group_fit(pb, penalty: SparseGroupPenalty, W=None, b=None, *, max_iter=1000, tol=1e-4):
    """The sparse-group fit of ``pb``: :func:`group_solve` for the squared error,
    :func:`~skdecay.solvers.group_newton.group_prox_newton` for the other losses
    (binary logistic, multinomial, Poisson, Gamma, Tweedie)."""
    from .group_newton import group_prox_newton

    _check_plain(pb)
    if pb.loss == losses.SQUARED:
        return group_solve(pb, penalty, W, b, max_iter=max_iter, tol=tol)
    return group_prox_newton(pb, penalty, W, b, max_iter=max_iter, tol=tol)
