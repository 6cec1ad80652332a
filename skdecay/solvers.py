"""Python drivers around the numba kernels: stopping rules, warnings, results.

A :class:`Problem` holds one validated, converted fitting problem::

    minimise  data_loss(Y, X @ W.T + b; s) + penalty(W)

(``losses`` and ``penalties`` for the formulas).  Two drivers solve it:

* :func:`coordinate_descent` for the squared loss: cyclic or random CD epochs
  (``_kernels.cd``), each full pass followed by cheaper passes over the
  nonzero coefficients;
* :func:`prox_newton` for the logistic losses: a proximal Newton method that,
  class by class, solves the weighted least-squares model of the loss with the
  *same* CD kernels and takes a backtracking (Armijo) step along the result.

Both stop on the duality gap (:func:`duality_gap`): a certificate, since the
gap bounds the distance of the objective to its optimum.  The tolerance is
relative to the gap of the all-zero coefficients (intercept optimal), as in
scikit-learn, and never below a rounding floor of the working precision.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.exceptions import ConvergenceWarning

from . import losses
from ._kernels.cd import (
    cd_epoch_dense,
    cd_epoch_sparse,
    column_moments_dense,
    column_moments_sparse,
)
from .penalties import (
    alpha_max_from_gradient,
    coordinate_weights,
    dual_scaling,
    penalty_fenchel_young,
    penalty_value,
)

__all__ = [
    "Problem",
    "Result",
    "duality_gap",
    "gap_at_zero",
    "problem_alpha_max",
    "coordinate_descent",
    "prox_newton",
    "solve",
]


@dataclass(frozen=True)
class Problem:
    """A validated problem: ``X`` dense Fortran-ordered or CSC, same dtype as ``Y``, ``s``."""

    X: np.ndarray | sp.csc_matrix
    Y: np.ndarray  # (n, K)
    s: np.ndarray  # (n,), sums to n
    loss: int
    alpha: float
    l1_ratio: float
    pf: np.ndarray  # (p,) penalty factors
    positive: bool = False
    fit_intercept: bool = True

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def dtype(self):
        return self.X.dtype

    def weights(self):
        """``(l1_j, l2_j)`` of the penalty in the working dtype."""
        return coordinate_weights(self.alpha, self.l1_ratio, self.pf, self.dtype)


class Result(NamedTuple):
    coef: np.ndarray  # (K, p)
    intercept: np.ndarray  # (K,)
    dual_gap: float
    gap_zero: float
    n_iter: int
    converged: bool


def linear_predictor(X, W, b):
    return np.asarray(X @ W.T) + b


def objective(pb: Problem, W, b, Z=None) -> float:
    """Primal objective: data loss plus penalty."""
    Z = linear_predictor(pb.X, W, b) if Z is None else Z
    return losses.loss_value(pb.loss, pb.Y, Z, pb.s) + penalty_value(
        W, pb.alpha, pb.l1_ratio, pb.pf
    )


def _unpenalized_basis(pb: Problem, W):
    """Columns the dual point must be orthogonal to: ones and unpenalised features.

    An unpenalised feature constrained to be positive only enters while its
    coefficient is nonzero (at zero its constraint is an inequality).
    """
    free = pb.alpha * pb.pf == 0  # alpha = 0 leaves every feature unpenalised
    if pb.positive:
        free &= np.any(W != 0, axis=0)
    parts = []
    if pb.fit_intercept:
        parts.append(np.ones((pb.n, 1)))
    if np.any(free):
        cols = pb.X[:, np.flatnonzero(free)]
        parts.append(cols.toarray() if sp.issparse(cols) else np.asarray(cols))
    return np.hstack(parts).astype(np.float64) if parts else None


def dual_point(pb: Problem, W, b, Z):
    """Residual-based dual point ``theta`` (n, K) and ``V = X.T @ (s*theta) / n`` (K, p)."""
    theta = losses.residual(pb.loss, pb.Y, Z).astype(np.float64)
    U = _unpenalized_basis(pb, W)
    if U is not None:  # weighted projection onto the complement of span(U)
        sU = U * pb.s[:, None]
        coef = np.linalg.lstsq(sU.T @ U, sU.T @ theta, rcond=None)[0]
        theta -= U @ coef
    st = (theta * pb.s[:, None]).astype(pb.dtype)
    V = np.asarray(pb.X.T @ st, dtype=np.float64).T / pb.n
    return theta, V


def duality_gap(pb: Problem, W, b, Z=None, good_enough: float = 0.0) -> float:
    """Duality gap at ``(W, b)`` (``inf`` when no feasible dual point is found).

    The dual point is the residual ``theta``, projected so that the intercept
    and unpenalised features are dual-feasible, scaled by the ``c in [0, c_max]``
    that minimises the gap (``c_max`` keeps pure-L1 coordinates feasible; the gap
    is convex in ``c``, so a bounded scalar search finds it).  The gap is
    evaluated as a sum of per-sample and per-coefficient Fenchel-Young terms,
    all non-negative, so it stays accurate far below the objective's rounding.
    The search over ``c`` is skipped when ``c = c_max`` already gives a gap of
    at most ``good_enough`` (a stopping test needs no better bound).
    """
    Z = linear_predictor(pb.X, W, b) if Z is None else Z
    theta, V = dual_point(pb, W, b, Z)

    data_gap = losses.fenchel_young(pb.loss, pb.Y, Z, pb.s)
    pen_gap = penalty_fenchel_young(W, V, pb.alpha, pb.l1_ratio, pb.pf, pb.positive)

    def gap(c):
        return data_gap(c * theta) + pen_gap(c)

    hi = min(
        dual_scaling(V, pb.alpha, pb.l1_ratio, pb.pf, pb.positive),
        losses.dual_scale_limit(pb.loss, pb.Y, theta),
    )
    best = gap(hi)
    if best <= good_enough:
        return max(best, 0.0)
    best = min(best, gap(0.0))
    if hi > 0:
        res = minimize_scalar(
            gap, bounds=(0.0, hi), method="bounded", options={"xatol": 1e-12 * hi}
        )
        best = min(best, float(res.fun))
    return max(best, 0.0)


def _zero_point(pb: Problem):
    K, p = pb.Y.shape[1], pb.X.shape[1]
    W = np.zeros((K, p), dtype=pb.dtype)
    if pb.fit_intercept:
        b = losses.intercept_at_zero(pb.loss, pb.Y, pb.s).astype(pb.dtype)
    else:
        b = np.zeros(K, dtype=pb.dtype)
    return W, b


def gap_at_zero(pb: Problem) -> float:
    """Duality gap at zero coefficients (intercept optimal): the reference of ``tol``."""
    return _reference(pb)[0]


def _reference(pb: Problem) -> tuple[float, float]:
    """Gap and primal objective at zero coefficients (no product with ``X`` needed)."""
    W, b = _zero_point(pb)
    Z = np.broadcast_to(b, pb.Y.shape)
    return duality_gap(pb, W, b, Z), objective(pb, W, b, Z)


def _stopping(pb: Problem, tol: float, stall_check: bool = False) -> tuple[float, float, float]:
    """``(gap0, target, primal0)``: stop once the gap is at most ``tol * gap0``,
    floored at what rounding in the working dtype can resolve."""
    gap0, primal0 = _reference(pb)
    eps = np.finfo(pb.dtype).eps
    # A sum-of-squares gap (squared loss, pure L2) is quadratic in the coefficient
    # error and resolves to ~eps**2; L1 terms and the logistic divergences carry
    # rounding of order eps times the objective.
    quadratic = pb.loss == losses.SQUARED and (pb.l1_ratio == 0 or pb.alpha == 0)
    floor = (100 * eps**2 if quadratic or stall_check else 2 * eps) * abs(primal0)
    return gap0, max(tol * gap0, floor), primal0


def _stalled(pb: Problem, gap: float, previous: float, primal0: float) -> bool:
    """The gap sits at rounding level (``10 eps * |P(0)|``) and stopped shrinking."""
    return gap <= 10 * np.finfo(pb.dtype).eps * abs(primal0) and gap > 0.5 * previous


def problem_alpha_max(pb: Problem) -> float:
    """Smallest ``alpha`` at which every penalised coefficient is zero."""
    W, b = _zero_point(pb)
    free = pb.pf == 0
    if np.any(free):  # fit the unpenalised features alone first
        idx = np.flatnonzero(free)
        sub = replace(pb, X=_columns(pb.X, idx), pf=np.zeros(idx.size), alpha=0.0)
        res = solve(sub, tol=1e-10, max_iter=1000, warn=False)
        W[:, idx] = res.coef
        b = res.intercept
    _, V = dual_point(pb, W, b, linear_predictor(pb.X, W, b))
    return alpha_max_from_gradient(-V, pb.l1_ratio, pb.pf, pb.positive)


def _columns(X, idx):
    if sp.issparse(X):
        return sp.csc_matrix(X[:, idx])
    return np.asfortranarray(X[:, idx])


# ---------------------------------------------------------------------------
# coordinate descent


class _CD:
    """Binds one design matrix to the dense or sparse CD kernels."""

    def __init__(self, X, positive, fit_intercept, selection, rng):
        self.X = X
        self.sparse = sp.issparse(X)
        self.p = X.shape[1]
        self.positive = bool(positive)
        self.fit_intercept = bool(fit_intercept)
        self.random = selection == "random"
        self.rng = rng
        self.all = np.arange(self.p, dtype=np.int64)

    def moments(self, h):
        """Per-column ``(xbar, col_sq, hx)`` for curvature weights ``h`` (see ``_kernels.cd``)."""
        c = self.fit_intercept
        if self.sparse:
            X = self.X
            xbar, col_sq = column_moments_sparse(X.data, X.indices, X.indptr, h, self.p, c)
        else:
            xbar, col_sq = column_moments_dense(self.X, h, c)
        hx = (xbar * np.sum(h)).astype(xbar.dtype)
        return xbar, col_sq, hx

    def start(self, q, h):
        """``(residual, delta)`` to start from: the shift ``delta`` centres ``q``
        (h-weighted) when fitting an intercept; dense storage applies it at once."""
        if not self.fit_intercept:
            return q, q.dtype.type(0)
        delta = q.dtype.type(np.dot(h, q) / np.sum(h))
        if not self.sparse:
            q = q - delta
        return q, delta

    def residual(self, q, delta):
        """True residual ``z - X @ w - b`` from the stored one."""
        return q - delta if self.sparse else q

    def epoch(self, w, q, h, delta, moments, l1, l2, order):
        if self.random:
            order = self.rng.permutation(order)
        xbar, col_sq, hx = moments
        if self.sparse:
            X = self.X
            return cd_epoch_sparse(
                X.data,
                X.indices,
                X.indptr,
                w,
                q,
                h,
                delta,
                col_sq,
                hx,
                xbar,
                l1,
                l2,
                self.positive,
                order,
            )
        return cd_epoch_dense(self.X, w, q, h, delta, col_sq, xbar, l1, l2, self.positive, order)

    def sweeps(self, w, q, h, delta, moments, l1, l2, inner_tol, max_inner):
        """One full pass, then passes over the nonzero coefficients until they settle."""
        max_dw, max_w, delta = self.epoch(w, q, h, delta, moments, l1, l2, self.all)
        active = np.flatnonzero(w).astype(np.int64)
        if active.size:
            for _ in range(max_inner):
                dw, mw, delta = self.epoch(w, q, h, delta, moments, l1, l2, active)
                if not dw > inner_tol * mw:  # also stops on NaN
                    break
        return max_dw, max_w, delta


def _check_finite(*arrays):
    for a in arrays:
        if not np.all(np.isfinite(a)):
            raise FloatingPointError(
                "skdecay: the solver produced non-finite coefficients; the data are "
                "probably badly scaled (standardize X) or contain huge values."
            )


def coordinate_descent(
    pb: Problem,
    W,
    b,
    *,
    max_iter=1000,
    tol=1e-4,
    selection="cyclic",
    rng=None,
    check_every=10,
):
    """Elastic net with squared loss by coordinate descent (one target)."""
    dt = pb.dtype.type
    n = pb.n
    cd = _CD(pb.X, pb.positive, pb.fit_intercept, selection, rng)
    h = (pb.s / n).astype(pb.dtype)
    moments = cd.moments(h)
    l1, l2 = pb.weights()
    w = np.array(W[0], dtype=pb.dtype)
    b0 = dt(b[0])
    y = pb.Y[:, 0]
    q = (y - (np.asarray(pb.X @ w) if np.any(w) else 0) - b0).astype(pb.dtype)
    q, delta = cd.start(q, h)
    gap0, target, primal0 = _stopping(pb, tol, stall_check=True)
    gap, it, converged = np.inf, 0, False
    for it in range(1, max_iter + 1):
        max_dw, max_w, delta = cd.sweeps(w, q, h, delta, moments, l1, l2, tol, 10)
        _check_finite(w, delta)
        if it == 1 or max_dw <= tol * max_w or it % check_every == 0 or it == max_iter:
            Z = (y - cd.residual(q, delta))[:, None]
            previous = gap
            gap = duality_gap(pb, w[None, :], np.array([b0 + delta]), Z, target)
            if gap <= target or _stalled(pb, gap, previous, primal0):
                converged = True
                break
    return Result(w[None, :], np.array([b0 + delta], dtype=pb.dtype), gap, gap0, it, converged)


# ---------------------------------------------------------------------------
# proximal Newton for the logistic losses


def prox_newton(
    pb: Problem,
    W,
    b,
    *,
    max_iter=100,
    tol=1e-4,
    selection="cyclic",
    rng=None,
    max_inner=100,
):
    """Elastic-net logistic / multinomial regression by proximal Newton.

    For each class ``k`` in turn, the loss is replaced by its second-order
    model in ``z_k`` (weights ``h = s/n * p_k(1-p_k)``, working residual
    ``(y_k - p_k) / (p_k(1-p_k))``), whose elastic-net minimiser is found by
    CD sweeps; the step to it is then damped by backtracking until the
    objective decreases enough (Armijo).  One iteration visits every class.
    """
    n, K = pb.Y.shape
    cd = _CD(pb.X, pb.positive, pb.fit_intercept, selection, rng)
    l1, l2 = pb.weights()
    W = np.array(W, dtype=pb.dtype)
    b = np.array(b, dtype=pb.dtype)
    Z = linear_predictor(pb.X, W, b).astype(pb.dtype)
    gap0, target, _ = _stopping(pb, tol)
    sn = pb.s / n
    gap, it, converged = gap0, 0, False
    for it in range(1, max_iter + 1):
        # inner CD precision follows the outer progress (inexact Newton)
        inner_tol = min(1e-3, max(gap / max(gap0, 1e-300), 1e-10))
        for k in range(K):
            R = losses.residual(pb.loss, pb.Y, Z)[:, k]
            curv = losses.curvature(pb.loss, Z)[:, k]
            h = (sn * curv).astype(pb.dtype)
            r = (R / curv).astype(pb.dtype)
            r0 = r.copy()
            w_old = W[k].copy()
            w = w_old.copy()
            r, delta = cd.start(r, h)
            _, _, delta = cd.sweeps(w, r, h, delta, cd.moments(h), l1, l2, inner_tol, max_inner)
            _check_finite(w, delta)
            d, db, xd = w - w_old, delta, r0 - cd.residual(r, delta)  # xd = X @ d + db
            if not np.any(d) and db == 0:
                continue
            pen_old = penalty_value(w_old, pb.alpha, pb.l1_ratio, pb.pf)
            f_old = losses.loss_value(pb.loss, pb.Y, Z, pb.s) + pen_old
            slope = -float(np.dot(sn * R, xd)) + (
                penalty_value(w, pb.alpha, pb.l1_ratio, pb.pf) - pen_old
            )
            t = 1.0
            Zk = Z[:, k].copy()
            noise = 10 * np.finfo(pb.dtype).eps * abs(f_old)  # rounding of f itself
            for _ in range(40):
                Z[:, k] = Zk + t * xd
                wt = w_old + t * d
                f = losses.loss_value(pb.loss, pb.Y, Z, pb.s) + penalty_value(
                    wt, pb.alpha, pb.l1_ratio, pb.pf
                )
                if f <= f_old + 1e-4 * t * min(slope, 0.0) + noise:
                    break
                t *= 0.5
            else:
                Z[:, k] = Zk
                continue
            W[k] = (w_old + t * d).astype(pb.dtype)
            b[k] += t * db
        gap = duality_gap(pb, W, b, Z, target)
        if gap <= target:
            converged = True
            break
    if pb.loss == losses.MULTINOMIAL and pb.fit_intercept:
        b -= b.mean()  # softmax is shift invariant: report centred intercepts
    return Result(W, b, gap, gap0, it, converged)


def solve(
    pb: Problem, W=None, b=None, *, max_iter=1000, tol=1e-4, selection="cyclic", rng=None, warn=True
) -> Result:
    """Solve ``pb`` from ``(W, b)`` (default: zero coefficients, optimal intercept)."""
    if W is None:
        W, b = _zero_point(pb)
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    driver = coordinate_descent if pb.loss == losses.SQUARED else prox_newton
    res = driver(pb, W, b, max_iter=max_iter, tol=tol, selection=selection, rng=rng)
    if warn and not res.converged:
        warnings.warn(
            f"skdecay: not converged after {res.n_iter} iterations: duality gap "
            f"{res.dual_gap:.3e} > tol * gap at zero = {tol * res.gap_zero:.3e}. "
            "Increase max_iter, loosen tol, standardize X or increase alpha.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return res
