"""Python drivers around the numba kernels: stopping rules, warnings, results.

A :class:`Problem` holds one validated, converted fitting problem::

    minimise  data_loss(Y, X @ W.T + b; s) + penalty(W)

(``losses`` and ``penalties`` for the formulas).  Two drivers solve it:

* :func:`coordinate_descent` for the squared loss: working-set CD.  Each outer
  step computes the duality gap (one product ``X.T @ theta``) and ranks the
  coordinates; cyclic or random CD epochs (``_kernels.cd``) then run over the
  working set only, with Anderson extrapolation of the iterates;
* :func:`prox_newton` for the logistic losses: a proximal Newton method that,
  class by class, solves the weighted least-squares model of the loss with the
  *same* CD kernels over a working set and takes a backtracking (Armijo) step.

Both stop on the duality gap (:func:`duality_gap`): a certificate, since the
gap bounds the distance of the objective to its optimum.  The tolerance is
relative to the gap of the all-zero coefficients (intercept optimal), as in
scikit-learn, and never below a rounding floor of the working precision; as in
scikit-learn the coefficients must also have settled (last change at most
``tol`` times the largest coefficient).  ``Problem.cache`` keeps what does not
depend on ``alpha`` (column moments, the dual point at zero, the last
residual) for the next solve of a warm-started path.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
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
    column_moments_dense_at,
    column_moments_sparse,
    column_moments_sparse_at,
)
from ._kernels.screen import kkt_violations
from .penalties import (
    alpha_max_from_gradient,
    coordinate_weights,
    fenchel_young_along,
    minimize_piecewise_quadratic,
    penalty_value,
    scaling_limit,
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
    "extrapolated_start",
    "solve_compiled",
    "solve_shifted",
    "diverged",
    "warn_not_converged",
]


@dataclass(frozen=True)
class Problem:
    """A validated problem: ``X`` dense Fortran-ordered or CSC (CSR for the ridge
    kernel solver), same dtype as ``Y``, ``s``."""

    X: np.ndarray | sp.csc_matrix
    Y: np.ndarray  # (n, K)
    s: np.ndarray  # (n,), sums to n
    loss: int
    alpha: float
    l1_ratio: float
    pf: np.ndarray  # (p,) penalty factors
    positive: bool = False
    fit_intercept: bool = True
    # Quantities that do not depend on alpha (column moments, the gradient at
    # zero, the last residual), reused by every solve of a warm-started path:
    # ``dataclasses.replace(pb, alpha=...)`` shares this dict.  Entries hold the
    # arrays they were computed from and are used only for those same objects.
    cache: dict = field(default_factory=dict, compare=False, repr=False)

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


# Elements per block when a float32 product is accumulated in float64 (4 MiB).
_BLOCK = 1 << 19


def _row_step(X) -> int:
    """Rows per float64 block of float32 ``X``: at most 4 MiB and 1/32 of its rows."""
    n, p = X.shape
    return max(1, min(_BLOCK // max(p, 1), -(-n // 32)))


def _as64(X):
    """Sparse ``X`` with float64 values (a copy of ``data`` only, indices shared)."""
    return sp.csc_matrix((X.data.astype(np.float64), X.indices, X.indptr), shape=X.shape)


def _predictor64(X, W, b):
    """``X @ W.T + b`` accumulated in float64 for float32 ``X``, without a float64
    copy of dense ``X`` (row blocks are converted one at a time)."""
    W64 = np.asarray(W, dtype=np.float64).T
    if sp.issparse(X):
        return np.asarray(_as64(sp.csc_matrix(X)) @ W64) + b
    step = _row_step(X)
    out = np.empty((X.shape[0], W64.shape[1]))
    for i in range(0, X.shape[0], step):
        out[i : i + step] = X[i : i + step].astype(np.float64) @ W64
    return out + np.asarray(b, dtype=np.float64)


def _correlation64(X, T):
    """``X.T @ T`` accumulated in float64 for float32 ``X`` (``T`` float64, (n, K))."""
    if sp.issparse(X):
        return np.asarray(_as64(sp.csc_matrix(X)).T @ T)
    step = _row_step(X)
    out = np.zeros((X.shape[1], T.shape[1]))
    for i in range(0, X.shape[0], step):
        out += X[i : i + step].astype(np.float64).T @ T[i : i + step]
    return out


def objective(pb: Problem, W, b, Z=None) -> float:
    """Primal objective: data loss plus penalty."""
    Z = linear_predictor(pb.X, W, b) if Z is None else Z
    return losses.loss_value(pb.loss, pb.Y, Z, pb.s) + penalty_value(
        W, pb.alpha, pb.l1_ratio, pb.pf
    )


def _free_features(pb: Problem, W):
    """Mask of the unpenalised features the dual point must be orthogonal to.

    An unpenalised feature constrained to be positive only enters while its
    coefficient is nonzero (at zero its constraint is an inequality).
    """
    free = pb.alpha * pb.pf == 0  # alpha = 0 leaves every feature unpenalised
    if pb.positive:
        free &= np.any(W != 0, axis=0)
    return free


def _unpenalized_basis(pb: Problem, free):
    """Columns the dual point must be orthogonal to: ones and the ``free`` features."""
    cols = pb.X[:, np.flatnonzero(free)]
    parts = [cols.toarray() if sp.issparse(cols) else np.asarray(cols)]
    if pb.fit_intercept:
        parts.insert(0, np.ones((pb.n, 1)))
    return np.hstack(parts).astype(np.float64)


def _match_classes(pb: Problem, theta):
    """``theta`` with ``sum_i s_i theta_i = 0`` (the intercept's dual constraint) for
    the logistic losses, keeping ``Y - theta`` valid class probabilities: every class
    with too much (weighted) mass gives the same fraction of each of its entries,
    and each sample spreads what it gave over the classes that lack mass, in
    proportion to their lack (``_kernels.logistic_gap._match_classes``).  Subtracting
    the mean instead makes small probabilities negative, and the dual scaling that
    restores feasibility inflates the gap far above the suboptimality."""
    Y, s = pb.Y, pb.s
    A = Y - theta
    if pb.loss == losses.LOGISTIC:
        A, Y2 = np.hstack([A, 1 - A]), np.hstack([Y, 1 - Y])
    else:
        Y2 = Y
    have, want = s @ A, s @ Y2
    r = want - have
    giving = (r < 0) & (have > 0)
    give = np.where(giving, -r / np.where(giving, have, 1.0), 0.0)
    lack = np.where(giving, 0.0, np.maximum(r, 0.0))
    total = lack.sum()
    if not total > 0:
        return theta
    A = A - A * give + (A @ give)[:, None] * (lack / total)
    return Y - A[:, : Y.shape[1]]


def dual_point(pb: Problem, W, b, Z):
    """Residual-based dual point ``theta`` (n, K) and ``V = X.T @ (s*theta) / n`` (K, p)."""
    theta = losses.residual(pb.loss, pb.Y, Z).astype(np.float64, copy=False)  # a new array
    free = _free_features(pb, W)
    if free.any():  # weighted projection onto the complement of span(U)
        U = _unpenalized_basis(pb, free)
        sU = U * pb.s[:, None]
        coef = np.linalg.lstsq(sU.T @ U, sU.T @ theta, rcond=None)[0]
        theta -= U @ coef
    elif pb.fit_intercept and pb.loss in (losses.LOGISTIC, losses.MULTINOMIAL):
        theta = _match_classes(pb, theta)  # probabilities stay probabilities
    elif pb.fit_intercept:  # U is the ones column: subtract the weighted mean
        theta -= (pb.s @ theta) / pb.s.sum()
    if pb.dtype == np.float32:  # float32 products would make the certificate noise
        V = _correlation64(pb.X, theta * pb.s[:, None]).T / pb.n
    else:
        st = (theta * pb.s[:, None]).astype(pb.dtype, copy=False)
        V = np.asarray(pb.X.T @ st, dtype=np.float64).T / pb.n
    return theta, V


def duality_gap(pb: Problem, W, b, Z=None, good_enough: float = 0.0) -> float:
    """Duality gap at ``(W, b)`` (``inf`` when no feasible dual point is found).

    The dual point is the residual ``theta``, projected so that the intercept
    and unpenalised features are dual-feasible, scaled by the ``c in [0, c_max]``
    that minimises the gap (``c_max`` keeps pure-L1 coordinates feasible; the gap
    is convex in ``c``: for the squared loss a piecewise quadratic minimised
    exactly, otherwise a bounded scalar search finds it).  The gap is
    evaluated as a sum of per-sample and per-coefficient Fenchel-Young terms,
    all non-negative, so it stays accurate far below the objective's rounding.
    The search over ``c`` is skipped when ``c = c_max`` already gives a gap of
    at most ``good_enough`` (a stopping test needs no better bound).
    """
    return _gap_and_correlation(pb, W, b, Z, good_enough)[0]


def _gap_and_correlation(
    pb: Problem, W, b, Z=None, good_enough: float = 0.0, search_within: float = np.inf, dual=None
):
    """:func:`duality_gap` and the unscaled ``V = X.T @ (s*theta) / n`` (K, p) it used.

    The search over ``c`` only runs when the gap at ``c_max`` is within
    ``search_within * good_enough`` (a solver far from its target needs no sharper
    bound).  For the squared loss the gap is a convex piecewise quadratic in ``c``
    (a quadratic data term plus, per coefficient, one breakpoint where ``c |V_j|``
    crosses ``l1_j``): its exact minimiser is found from the sorted breakpoints
    and the gap evaluated there; the logistic losses use a bounded scalar search."""
    if dual is None and pb.dtype == np.float32 and np.any(W):
        # The certificate of a float32 iterate is evaluated in float64: the residual
        # the solver carries in float32 (and a float32 X.T @ theta) is accurate only to
        # eps32 times |X| |w|, which on columns of very different scales is enough to
        # make the gap of an optimal point look far from zero.
        Z = _predictor64(pb.X, W, b)
    else:
        Z = linear_predictor(pb.X, W, b) if Z is None else Z
    theta, V = dual_point(pb, W, b, Z) if dual is None else dual
    l1, l2 = coordinate_weights(pb.alpha, pb.l1_ratio, pb.pf)  # float64
    w, v = np.asarray(W, dtype=np.float64), V
    if v.shape[0] == 1:  # one target: plain (p,) vectors
        w, v = w[0], v[0]
    mag = np.maximum(v, 0.0) if pb.positive else np.abs(v)
    squared = pb.loss == losses.SQUARED
    hi = scaling_limit(mag, l1, l2)
    if not squared:
        hi = min(hi, losses.dual_scale_limit(pb.loss, pb.Y, theta))
    # A zero coefficient whose |c * V_j| stays within its L1 threshold for every
    # c in [0, hi] adds exactly 0 to the gap: evaluate the other coefficients only.
    keep = (w != 0) | (mag * hi >= l1 * (1 - 1e-9))
    if keep.ndim > 1:
        keep = keep.any(axis=0)
    keep |= l1 <= 0
    if not keep.all():
        idx = np.flatnonzero(keep)
        w, v, l1, l2 = w.take(idx, -1), v.take(idx, -1), l1.take(idx), l2.take(idx)
    if squared:
        data_gap, slope, curvature = losses.squared_gap_line(pb.Y, Z, pb.s, theta)
    else:
        fy = losses.fenchel_young(pb.loss, pb.Y, Z, pb.s)

        def data_gap(c):
            return fy(c * theta)

    pen_gap = fenchel_young_along(w, v, l1, l2, pb.positive)

    def gap(c):
        return data_gap(c) + pen_gap(c)

    best = gap(hi)
    if best <= good_enough or best > search_within * good_enough:
        return max(best, 0.0), V
    if squared:  # the exact minimiser over [0, hi], evaluated by the careful sums
        pen_slope, t, q, r = pen_gap.pieces(hi)
        c = minimize_piecewise_quadratic(slope + pen_slope, curvature, t, q, r, hi)
        if c != hi:
            best = min(best, gap(c))
        return max(best, 0.0), V
    # the gap is convex in c: when it does not decrease into the interval from hi
    # the minimum lies within [hi (1 - 1e-9), hi] (often the case for pure L1,
    # where hi is the dual feasibility limit) and the scalar search is skipped
    if not hi > 0 or gap(hi * (1 - 1e-9)) >= best:
        return max(best, 0.0), V
    best = min(best, gap(0.0))
    res = minimize_scalar(gap, bounds=(0.0, hi), method="bounded", options={"xatol": 1e-12 * hi})
    best = min(best, float(res.fun))
    return max(best, 0.0), V


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


def _cached(pb: Problem, name: str, key: tuple = ()):
    """``pb.cache`` entry ``name`` if it was stored for these very arrays (identity)
    and an equal ``key``, else ``None``."""
    entry = pb.cache.get(name)
    if entry is None:
        return None
    owners, stored_key, value = entry
    current = (pb.X, pb.Y, pb.s, pb.pf)
    if stored_key != key or any(a is not b for a, b in zip(owners, current, strict=True)):
        return None
    return value


def _store(pb: Problem, name: str, value, key: tuple = ()):
    pb.cache[name] = ((pb.X, pb.Y, pb.s, pb.pf), key, value)


def _reference(pb: Problem, gap: float | None = None) -> tuple[float, float]:
    """Gap and primal objective at zero coefficients (the gap only if not given).

    The zero point, its objective (the data loss: the penalty vanishes) and its
    dual point (one product with ``X``) do not depend on ``alpha`` (the dual
    point unless ``alpha = 0`` frees every feature): a path computes them once."""
    key = (pb.loss, pb.fit_intercept, pb.alpha == 0, pb.positive)
    zero = _cached(pb, "zero-reference", key)
    if zero is None:
        W, b = _zero_point(pb)
        Z = np.broadcast_to(b, pb.Y.shape)
        zero = [W, b, Z, losses.loss_value(pb.loss, pb.Y, Z, pb.s), None]
        _store(pb, "zero-reference", zero, key)
    W, b, Z, primal, dual = zero
    if gap is None:
        if dual is None:  # computed on first need only
            dual = zero[4] = _zero_dual(pb, W, b, Z)
        gap = _gap_and_correlation(pb, W, b, Z, dual=dual)[0]
    return gap, primal


def _zero_dual(pb: Problem, W, b, Z):
    """Dual point ``(theta, V)`` at the zero point ``(W, b)``, cached in ``pb.cache``."""
    key = (pb.loss, pb.alpha == 0, pb.positive, pb.fit_intercept)
    dual = _cached(pb, "zero-dual", key)
    if dual is None:
        dual = dual_point(pb, W, b, Z)
        _store(pb, "zero-dual", dual, key)
    return dual


def _stopping(
    pb: Problem, tol: float, stall_check: bool = False, gap0: float | None = None
) -> tuple[float, float, float]:
    """``(gap0, target, primal0)``: stop once the gap is at most ``tol * gap0``,
    floored at what rounding in the working dtype can resolve.  ``gap0`` may be
    passed when the caller already has it (a solve starting from zero)."""
    gap0, primal0 = _reference(pb, gap0)
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


def _abs_product64(X, v, transpose=False):
    """``|X| @ v`` (or ``|X|.T @ v``) in float64, ``v`` float64 (n or p, K)."""
    if sp.issparse(X):
        A = abs(_as64(sp.csc_matrix(X)))
        return np.asarray((A.T if transpose else A) @ v)
    step = _row_step(X)
    out = np.zeros((X.shape[1] if transpose else X.shape[0], v.shape[1]))
    for i in range(0, X.shape[0], step):
        A = np.abs(X[i : i + step].astype(np.float64))
        if transpose:
            out += A.T @ v[i : i + step]
        else:
            out[i : i + step] = A @ v
    return out


def _rounding_limited(pb: Problem, W, b, gap: float, previous: float, target: float) -> bool:
    """Whether a float32 point whose gap stopped shrinking above ``target`` is optimal
    up to the rounding of its own coefficients.

    A float32 solver can place each coefficient only to within a few ulps,
    ``u |W_kj|`` (``u = 8 eps32``: 8 ulps); that moves the gradient ``V_j`` by up to
    ``r_j = |x_j|.T |X| u |W_k| / n`` (plus the intercept's rounding), which on a
    column of scale 1e6 next to columns of scale 1e-6 is far above the L1
    threshold although the objective is optimal to 1e-13.  No float32 point can
    do better, so the gap is recomputed with each ``V_j`` moved towards the
    penalty's subdifferential at ``W_kj`` by at most ``r_j``: if that gap meets
    ``target``, the remaining gap is rounding, not suboptimality.  A point with a
    violation beyond its rounding keeps its gap (and its ConvergenceWarning).
    """
    if pb.dtype != np.float32 or not gap > 0.5 * previous:  # still converging
        return False
    # a float32 solver lands a few ulps from the rounded optimum (its own float32
    # gradient sums): allow 8 ulps per coefficient
    u = 8 * np.finfo(np.float32).eps
    W64, b64 = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
    Z = _predictor64(pb.X, W64, b64)
    theta, V = dual_point(pb, W64, b64, Z)
    moved = _abs_product64(pb.X, u * np.abs(W64).T) + u * np.abs(b64)  # (n, K)
    r = (_abs_product64(pb.X, moved * pb.s[:, None], transpose=True) / pb.n).T
    l1, l2 = coordinate_weights(pb.alpha, pb.l1_ratio, pb.pf)
    sub = np.where(W64 != 0, np.sign(W64) * l1 + l2 * W64, np.clip(V, -l1, l1))
    if pb.positive:
        sub = np.where(W64 != 0, sub, np.minimum(V, l1))
    V_mod = V + np.clip(sub - V, -r, r)
    return _gap_and_correlation(pb, W64, b64, Z, dual=(theta, V_mod))[0] <= target


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
    else:  # the zero point itself: its dual point is shared with the tolerance reference
        _, V = _zero_dual(pb, W, b, np.broadcast_to(b, pb.Y.shape))
    return alpha_max_from_gradient(-V, pb.l1_ratio, pb.pf, pb.positive)


def _zero_is_optimal(pb: Problem) -> bool:
    """``alpha >= alpha_max`` with every feature penalised by an L1 part: the
    all-zero coefficients (intercept optimal) are the exact solution."""
    if pb.l1_ratio <= 0 or pb.alpha <= 0 or np.any(pb.pf == 0):
        return False
    return pb.alpha >= problem_alpha_max(pb)


def _columns(X, idx):
    if sp.issparse(X):
        return sp.csc_matrix(X[:, idx])
    return np.asfortranarray(X[:, idx])


# ---------------------------------------------------------------------------
# coordinate descent


class _CD:
    """Binds one design matrix to the dense or sparse CD kernels."""

    def __init__(self, X, positive, fit_intercept, selection, rng):
        self.sparse = sp.issparse(X)
        if not self.sparse and not X.flags.f_contiguous:
            X = np.asfortranarray(X)  # the kernels read columns (a copy: X is not ours)
        self.X = X
        self.p = X.shape[1]
        self.positive = bool(positive)
        self.fit_intercept = bool(fit_intercept)
        self.random = selection == "random"
        self.rng = rng
        self.all = np.arange(self.p, dtype=np.int64)

    def lazy_moments(self, h, state=None):
        """Moments for curvature weights ``h``, computed column by column on demand
        (:meth:`fill`): a working-set solver never touches most columns.  ``state``
        (from :attr:`state`) resumes moments computed earlier for the same ``h``."""
        dt = h.dtype
        self._h, self._sum_h = h, np.sum(h)
        if state is not None:
            self._known, self._mom = state
        else:
            self._known = np.zeros(self.p, dtype=bool)
            self._mom = (np.zeros(self.p, dt), np.zeros(self.p, dt), np.zeros(self.p, dt))
        return self._mom

    @property
    def state(self):
        return self._known, self._mom

    def fill(self, idx):
        """Compute the lazy moments of the columns ``idx`` not known yet."""
        need = idx[~self._known[idx]]
        if not need.size:
            return
        xbar, col_sq, hx = self._mom
        c = self.fit_intercept
        if self.sparse:
            X = self.X
            column_moments_sparse_at(X.data, X.indices, X.indptr, self._h, c, need, xbar, col_sq)
        else:
            column_moments_dense_at(self.X, self._h, c, need, xbar, col_sq)
        hx[need] = xbar[need] * self._sum_h
        self._known[need] = True

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
        delta = q.dtype.type(delta)  # numba returns float32 as a Python float
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

    def sweeps(self, w, q, h, delta, moments, l1, l2, step_tol, max_inner, order=None):
        """Passes over ``order`` (default: every coordinate), each followed by passes
        over the nonzero coefficients, until a pass over ``order`` moves no coordinate
        by a gradient-mapping step above ``step_tol`` (at most ``max_inner`` passes)."""
        order = self.all if order is None else order
        passes = 0
        while passes < max_inner:
            _, _, delta, step = self.epoch(w, q, h, delta, moments, l1, l2, order)
            passes += 1
            if not step > step_tol:  # also stops on NaN
                break
            active = np.flatnonzero(w).astype(np.int64)
            while active.size and passes < max_inner:
                _, _, delta, step = self.epoch(w, q, h, delta, moments, l1, l2, active)
                passes += 1
                if not step > step_tol:
                    break
        return delta

    def true_residual(self, q, delta):
        """The residual ``z - X @ w - b`` as a fresh array (what extrapolation compares)."""
        return q - delta if self.sparse else q

    def refresh(self, z, w, b0, delta, h, moments):
        """Recompute the stored residual exactly (extrapolated residuals carry rounding)
        and return ``(q, delta)`` in the storage convention of :meth:`start`.

        With an intercept the fit uses centred columns, ``(X - xbar) @ w``, and the
        intercept becomes optimal again: ``b0 + delta = mean_h(z) - xbar @ w``."""
        nz = np.flatnonzero(w)
        wn = w[nz].astype(np.float64)
        if self.sparse or 4 * nz.size > self.p:
            fit = np.asarray(self.X @ w, dtype=np.float64)
            cols = None
        else:
            cols = self.X[:, nz]
        if not self.fit_intercept:
            fit = fit if cols is None else cols @ wn
            return (z - fit - b0).astype(z.dtype), delta
        xbar = moments[0][nz].astype(np.float64)
        shift = float(xbar @ wn)
        zbar = float(np.dot(h, z) / np.sum(h))
        if self.sparse:  # q = z - X @ w - b0, true residual q - delta
            q = (z - fit - b0).astype(z.dtype)
        else:  # centred columns: no cancellation of large column means
            fit = fit - shift if cols is None else (cols - xbar) @ wn
            q = (z - zbar - fit).astype(z.dtype)
        return q, q.dtype.type(zbar - shift - b0)


def diverged() -> FloatingPointError:
    """The error every solver raises when its iterates become non-finite."""
    return FloatingPointError(
        "skdecay: the solver produced non-finite coefficients; the data are "
        "probably badly scaled (standardize X) or contain huge values."
    )


def _check_finite(*arrays):
    for a in arrays:
        if not np.all(np.isfinite(a)):
            raise diverged()


def _violations(V, w, l1, l2, positive):
    """Per-coordinate distance of ``V`` (minus the data gradient) to the penalty's
    subdifferential at ``w``: zero for every coordinate exactly at the optimum."""
    V = np.asarray(V, dtype=np.float64)
    if V.shape[0] > 256:  # one compiled pass instead of a chain of temporaries
        return kkt_violations(V, w, l1, l2, bool(positive))
    out = np.abs(V - np.sign(w) * l1 - l2 * w)
    zero = w == 0
    mag = V[zero] if positive else np.abs(V[zero])
    out[zero] = np.maximum(mag - l1[zero], 0.0)
    return out


def _working_set(V, w, l1, size, positive):
    """Indices (sorted) of the ``size`` coordinates most likely nonzero at the optimum.

    Nonzero and unpenalised coordinates always belong; the others are ranked by
    how close their correlation is to the L1 threshold, ``|V_j| / l1_j``
    (largest first: a coordinate whose constraint is tight or violated enters).
    """
    p = w.shape[0]
    if size >= p:
        return np.arange(p, dtype=np.int64)
    mag = np.maximum(V, 0.0) if positive else np.abs(V)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = -mag / l1
    score[(w != 0) | (l1 <= 0)] = -np.inf
    size = max(size, int(np.count_nonzero(score == -np.inf)))
    if size >= p:
        return np.arange(p, dtype=np.int64)
    return np.sort(np.argpartition(score, size - 1)[:size]).astype(np.int64)


class _Anderson:
    """Anderson extrapolation of CD iterates restricted to a working set.

    Every ``k`` epochs the last ``k + 1`` iterates ``(w_ws, q, delta)`` are
    combined with the affine weights ``c`` (``sum c = 1``) that minimise the
    norm of the combined differences; the residual and the intercept shift are
    affine in ``w``, so they are combined with the same weights and no product
    with ``X`` is needed.  The extrapolated point is kept only if it lowers the
    objective (Bertrand & Massias, 2021).
    """

    def __init__(self, k, n_ws, q):
        self.k = k
        self.W = np.empty((k + 1, n_ws))
        self.Q = np.empty((k + 1, q.shape[0]))
        self.D = np.empty(k + 1)
        self.count = 0
        self.accepted = 0

    def push(self, w_ws, q, delta):
        i = self.count
        self.W[i], self.Q[i], self.D[i] = w_ws, q, delta
        self.count += 1
        return self.count == self.k + 1

    def extrapolate(self):
        """``(w_ws, q, delta)`` extrapolated, or ``None`` when the system is singular."""
        self.count = 0
        U = np.diff(self.W, axis=0)
        M = U @ U.T
        try:
            c = np.linalg.solve(M + 1e-12 * np.trace(M) * np.eye(self.k), np.ones(self.k))
        except np.linalg.LinAlgError:
            return None
        total = c.sum()
        if not np.isfinite(total) or total == 0 or not np.all(np.isfinite(c)):
            return None
        c /= total
        return c @ self.W[1:], c @ self.Q[1:], float(c @ self.D[1:])


def _ws_objective(r, h, w_ws, l1_ws, l2_ws):
    """Objective of the epoch problem up to terms constant off the working set."""
    return 0.5 * float(np.dot(h, r * r)) + float(
        np.sum(l1_ws * np.abs(w_ws)) + 0.5 * np.sum(l2_ws * w_ws * w_ws)
    )


def _inner_cd(
    cd, w, q, h, delta, moments, l1, l2, ws, tol_in, max_epochs, anderson, dw_tol, polish
):
    """CD epochs over ``ws`` until the largest coordinate step falls to ``tol_in``
    (and, when ``polish``, the largest change to ``dw_tol`` times the largest ``|w|``).

    Returns ``(epochs, q, delta, accepted extrapolations, settled)``, ``settled``
    telling whether the last epoch changed no coefficient by more than ``dw_tol``
    times the largest; ``w`` is updated in place (``q`` in place too, unless an
    extrapolated residual replaced it).
    """
    acc = _Anderson(anderson, ws.size, q) if anderson > 0 else None
    l1w, l2w = l1[ws], l2[ws]
    if acc is not None:
        acc.push(w[ws], q, delta)
    epochs, settled = 0, True
    while epochs < max_epochs:
        max_dw, max_w, delta, step = cd.epoch(w, q, h, delta, moments, l1, l2, ws)
        epochs += 1
        settled = not max_dw > dw_tol * max_w
        if (settled if polish else not step > tol_in) or step != step:  # NaN: stop
            break
        if acc is None or not acc.push(w[ws], q, delta):
            continue
        extra = acc.extrapolate()
        if extra is not None:
            w_e, q_e, d_e = extra
            w_e = w_e.astype(w.dtype)
            ok = not cd.positive or np.all(w_e >= 0)
            if ok:
                q_e = q_e.astype(q.dtype)
                d_e = q.dtype.type(d_e)
                f_e = _ws_objective(cd.true_residual(q_e, d_e), h, w_e, l1w, l2w)
                f = _ws_objective(cd.true_residual(q, delta), h, w[ws], l1w, l2w)
                if f_e < f:
                    w[ws] = w_e
                    q, delta = q_e, d_e
                    acc.accepted += 1
        acc.push(w[ws], q, delta)
    accepted = acc.accepted if acc is not None else 0
    return epochs, q, delta, accepted, settled


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
    working_set=True,
    anderson=5,
    ws_start=100,
    settle=True,
):
    """Elastic net with squared loss by working-set coordinate descent (one target).

    Outer iterations compute the duality gap (one product ``X.T @ theta``, the
    certificate: stop once it is small enough) and rank every coordinate by its
    dual distance to the L1 constraint; the nonzero coordinates and the best
    ranked others form the working set (at least twice the support, grown when
    the gap stalls).  Inner CD epochs over the working set, accelerated by
    Anderson extrapolation every ``anderson`` epochs, stop once the largest
    coordinate step is below 0.3 times the largest optimality violation
    over all coordinates.  ``max_iter`` bounds the total number of epochs
    (``n_iter`` counts them); ``check_every`` is kept for compatibility.
    ``working_set=False`` runs every epoch over all coordinates.  ``settle=False``
    drops the coefficient-settling test: the duality gap alone decides (paths).
    """
    dt = pb.dtype.type
    n, p = pb.n, pb.X.shape[1]
    cd = _CD(pb.X, pb.positive, pb.fit_intercept, selection, rng)
    h = (pb.s / n).astype(pb.dtype)
    mkey = (pb.fit_intercept,)
    moments = cd.lazy_moments(h, _cached(pb, "cd-moments", mkey))
    _store(pb, "cd-moments", cd.state, mkey)
    l1, l2 = pb.weights()
    l1_64, l2_64 = l1.astype(np.float64), l2.astype(np.float64)
    w = np.array(W[0], dtype=pb.dtype)
    b0 = dt(b[0])
    y = pb.Y[:, 0]
    last = _cached(pb, "cd-residual", (pb.fit_intercept,))
    if last is not None and np.array_equal(last[0], w) and last[1] == b0:
        q = last[2].copy()  # warm start from the previous solve's exact output
    else:
        q = (y - (np.asarray(pb.X @ w) if np.any(w) else 0) - b0).astype(pb.dtype)
    q, delta = cd.start(q, h)
    first = None
    vkey = (pb.fit_intercept, pb.alpha == 0, pb.positive)
    if not np.any(w):  # the first certificate is the reference gap: one pass less
        Z = (y - cd.residual(q, delta))[:, None]
        W_b = (w[None, :], np.array([b0 + delta]))
        first = _gap_and_correlation(pb, *W_b, Z, dual=_zero_dual(pb, *W_b, Z))
    elif (V_last := _cached(pb, "cd-correlation", vkey)) is not None:
        # warm start along a path: the correlations at the previous solution rank the
        # first working set (they do not depend on alpha); the gap comes after a pass
        first = (np.inf, V_last)
    gap0, target, primal0 = _stopping(
        pb, tol, True, None if first is None or first[0] == np.inf else first[0]
    )
    gap, epochs, converged, dirty = np.inf, 0, False, False
    settled, polish = True, False
    ws_size = p if not working_set else min(p, max(ws_start, 2 * np.count_nonzero(w)))
    while True:
        if dirty:  # extrapolated residuals carry rounding: recompute before certifying
            q, delta = cd.refresh(y, w, b0, delta, h, moments)
            dirty = False
        previous = gap
        if first is not None:
            (gap, V), first = first, None
        else:
            Z = (y - cd.residual(q, delta))[:, None]
            b_now = np.array([b0 + delta])
            gap, V = _gap_and_correlation(pb, w[None, :], b_now, Z, target, 10.0)
        if (
            gap <= target
            or _stalled(pb, gap, previous, primal0)
            or _rounding_limited(pb, w[None, :], np.array([b0 + delta]), gap, previous, target)
        ):
            # as in scikit-learn, the coefficients must also have settled
            # (last epoch: max |dw| <= tol * max |w|); else polish the working set
            if settled or polish or not settle:
                converged = True
                break
            polish = True
        else:
            polish = False
        if epochs >= max_iter:
            break
        viol = _violations(V[0], w, l1_64, l2_64, pb.positive)
        if polish:
            pass  # keep the working set, which holds the support
        elif working_set:
            support = int(np.count_nonzero(w))
            size = max(ws_start, 2 * support)
            # grow geometrically while the set is saturated or the gap stalls; a
            # saturated set quadruples while many coordinates still violate
            # their optimality condition (each growth costs a gap pass)
            if epochs and (2 * support > ws_size or gap > 0.5 * previous):
                grow = 4 if 2 * support > ws_size else 2
                violating = support + int(np.count_nonzero(viol[w == 0]))
                size = max(size, min(grow * ws_size, max(2 * ws_size, violating)))
            ws_size = min(p, size)
            ws = _working_set(V[0], w, l1_64, ws_size, pb.positive)
        else:
            ws = cd.all
        cd.fill(ws)
        # inner precision: relative to the largest violation, tighter when the
        # working set is small (its epochs are cheap next to a full gap pass)
        rho = min(0.3, max(0.01, 0.3 * ws.size / p))
        tol_in = rho * float(np.max(viol)) if viol.size else 0.0
        budget = max_iter - epochs
        if polish:
            tol_in, budget = 0.0, min(budget, 100)
        done, q, delta, accepted, settled = _inner_cd(
            cd, w, q, h, delta, moments, l1, l2, ws, tol_in, budget, anderson, tol, polish
        )
        epochs += done
        dirty = accepted > 0
        _check_finite(w, delta)
    b_out = np.array([b0 + delta], dtype=pb.dtype)
    _store(pb, "cd-correlation", V, vkey)  # computed at the final w
    _store(
        pb, "cd-residual", (w.copy(), b_out[0], cd.true_residual(q, delta) + 0), (pb.fit_intercept,)
    )
    return Result(w[None, :], b_out, gap, gap0, max(epochs, 1), converged)


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
    working_set=True,
    ws_start=100,
    settle=True,
):
    """Elastic-net logistic / multinomial regression by proximal Newton.

    For each class ``k`` in turn, the loss is replaced by its second-order
    model in ``z_k`` (weights ``h = s/n * p_k(1-p_k)``, working residual
    ``(y_k - p_k) / (p_k(1-p_k))``), whose elastic-net minimiser is found by
    CD sweeps; the step to it is then damped by backtracking until the
    objective decreases enough (Armijo).  One iteration visits every class.

    With ``working_set`` the CD sweeps and the curvature-weighted column
    moments cover only a working set: the nonzero coefficients and the
    coordinates whose correlation ``|V_j|`` (from the last duality gap, for any
    class) is closest to the L1 threshold, at least twice the support and
    doubled whenever the gap did not halve; the full gap certifies every stop.
    """
    n, K = pb.Y.shape
    p = pb.X.shape[1]
    cd = _CD(pb.X, pb.positive, pb.fit_intercept, selection, rng)
    l1, l2 = pb.weights()
    l1_64, l2_64 = l1.astype(np.float64), l2.astype(np.float64)
    W = np.array(W, dtype=pb.dtype)
    b = np.array(b, dtype=pb.dtype)
    if np.any(W):
        Z = linear_predictor(pb.X, W, b).astype(pb.dtype)
    else:  # no product with X needed
        Z = np.repeat(b[None, :], n, axis=0).astype(pb.dtype)
    first = None
    if working_set and not np.any(W) and np.array_equal(b, _zero_point(pb)[1]):
        # the reference gap: one pass less (its dual point is cached for alpha_max)
        first = _gap_and_correlation(pb, W, b, Z, dual=_zero_dual(pb, W, b, Z))
    gap0, target, _ = _stopping(pb, tol, False, None if first is None else first[0])
    V = first[1] if first is not None else None
    sn = pb.s / n
    gap, it, converged = gap0, 0, False
    ws, ws_size, previous = cd.all, min(p, max(ws_start, 2 * np.count_nonzero(W))), np.inf
    for it in range(1, max_iter + 1):
        if V is None:  # first iteration without working sets: every coordinate
            gap, V = _gap_and_correlation(pb, W, b, Z, target, 10.0)
        # inexact Newton: each class's model is solved until its largest CD step
        # is a tenth of the largest optimality violation of the true problem
        viol = [_violations(V[k], W[k], l1_64, l2_64, pb.positive) for k in range(K)]
        if working_set:
            support = int(np.count_nonzero(np.any(W != 0, axis=0)))
            size = max(ws_start, 2 * support)
            if it > 1 and (2 * support > ws_size or gap > 0.5 * previous):
                size = max(size, 2 * ws_size)
            ws_size = min(p, size)
            score = V[0] if K == 1 else V[np.argmax(np.abs(V), axis=0), np.arange(p)]
            Wany = np.where(np.any(W != 0, axis=0), 1.0, 0.0)
            ws = _working_set(score, Wany, l1_64, ws_size, pb.positive)
        moved = 0.0  # largest coefficient change of this iteration
        for k in range(K):
            R = losses.residual(pb.loss, pb.Y, Z)[:, k]
            curv = losses.curvature(pb.loss, Z)[:, k]
            h = (sn * curv).astype(pb.dtype)
            r = (R / curv).astype(pb.dtype)
            r0 = r.copy()
            w_old = W[k].copy()
            w = w_old.copy()
            r, delta = cd.start(r, h)
            moments = cd.lazy_moments(h)
            cd.fill(ws)
            step_tol = 0.1 * float(np.max(viol[k])) if p else 0.0
            delta = cd.sweeps(w, r, h, delta, moments, l1, l2, step_tol, max_inner, ws)
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
            moved = max(moved, float(np.max(np.abs(t * d), initial=0.0)))
            b[k] += t * db
        previous = gap
        gap, V = _gap_and_correlation(pb, W, b, Z, target, 10.0)
        # as in coordinate_descent, the coefficients must also have settled
        settle_tol = max(tol, 100 * np.finfo(pb.dtype).eps)  # rounding cannot do better
        settled = not moved > settle_tol * float(np.max(np.abs(W), initial=0.0))
        optimal = gap <= target or _rounding_limited(pb, W, b, gap, previous, target)
        if optimal and (settled or not settle):
            converged = True
            break
    if pb.loss == losses.MULTINOMIAL and pb.fit_intercept:
        b -= b.mean()  # softmax is shift invariant: report centred intercepts
    return Result(W, b, gap, gap0, it, converged)


def extrapolated_start(pb: Problem, W, b, W_before, ratio: float):
    """Warm start for the next ``alpha`` of a squared-loss path: ``(W, b)`` moved on
    along the path's secant, ``W + ratio * (W - W_before)``.

    ``W`` is the solution at the previous ``alpha`` and ``W_before`` the one before
    it; on a geometric grid ``ratio = 1`` (the solutions are smooth in
    ``log(alpha)`` between kinks).  No coefficient changes sign or leaves zero, and
    the step is taken only if it lowers the objective at ``pb.alpha``.  The
    residual is affine in ``(w, b)``: with the residuals of ``W`` and
    ``W_before`` cached by the previous solves, the new one needs a product with
    the clipped columns only (otherwise one product with the columns that move);
    it is cached for the solve.  Returns ``(W, b)`` unchanged when there is
    nothing to extrapolate.
    """
    if pb.loss != losses.SQUARED or W.shape[0] != 1 or not ratio > 0:
        return W, b
    key = (pb.fit_intercept,)
    last = _cached(pb, "cd-residual", key)
    w = W[0]
    if last is None or not np.array_equal(last[0], w) or last[1] != b[0]:
        return W, b
    before = _cached(pb, "cd-residual-before", key)
    _store(pb, "cd-residual-before", last, key)  # W is the next step's W_before
    r = last[2]
    wx = (w + ratio * (w - W_before[0])).astype(pb.dtype)
    clip = np.sign(wx) != np.sign(w)
    if before is not None and np.array_equal(before[0], W_before[0]):
        # the residual is affine in (w, b): the secant's residual from the two cached
        # ones, then the clipped coordinates put back (no full product with X)
        rx = r + ratio * (r - before[2])
        bx = b[0] + ratio * (b[0] - before[1])
        idx = np.flatnonzero(clip & (wx != 0))
        if idx.size:
            rx += np.asarray(pb.X[:, idx] @ wx[idx].astype(np.float64)).ravel()
        wx[clip] = 0
        if np.array_equal(wx, w):
            return W, b
    else:
        wx[clip] = 0
        d = (wx - w).astype(pb.dtype)
        nz = np.flatnonzero(d)
        if not nz.size:
            return W, b
        p = pb.X.shape[1]
        if not sp.issparse(pb.X) and 4 * nz.size > p:
            Xd = pb.X @ d
        else:
            Xd = pb.X[:, nz] @ d[nz]
        rx = r - np.asarray(Xd).ravel()
        bx = b[0]
    rx = rx.astype(pb.dtype)
    bx = pb.dtype.type(bx)
    s = pb.s
    if pb.fit_intercept:  # both points with their optimal intercept
        shift = pb.dtype.type(np.dot(s, rx) / np.sum(s))
        rx -= shift
        bx = pb.dtype.type(bx + shift)
        r = r - pb.dtype.type(np.dot(s, r) / np.sum(s))

    def f(res, coef):
        return 0.5 * float(np.dot(s, res * res)) / pb.n + penalty_value(
            coef, pb.alpha, pb.l1_ratio, pb.pf
        )

    if not f(rx, wx) < f(r, w):
        return W, b
    bx_arr = np.array([bx], dtype=pb.dtype)
    _store(pb, "cd-residual", (wx, bx_arr[0], rx), key)
    return wx[None, :], bx_arr


def solve(
    pb: Problem,
    W=None,
    b=None,
    *,
    max_iter=1000,
    tol=1e-4,
    selection="cyclic",
    rng=None,
    warn=True,
    settle=True,
    compiled=True,
) -> Result:
    """Solve ``pb`` from ``(W, b)`` (default: zero coefficients, optimal intercept).

    Stops once the duality gap is at most ``tol`` times the gap at zero and, with
    ``settle`` (the estimators), the last pass moved no coefficient by more than
    ``tol`` times the largest, as in scikit-learn.  The paths pass
    ``settle=False``: the certificate alone decides, since the gap is quadratic
    in the coefficient error and settling to ``tol`` costs many extra passes.

    Dense float64 squared-loss problems with every feature penalised run the
    compiled solver of :mod:`skdecay._enet_path`, dense float64 logistic ones that
    of :mod:`skdecay._logistic_path` (:func:`solve_compiled`, cyclic order);
    ``compiled=False`` forces the Python solvers (the references the compiled
    ones are tested against)."""
    if W is None:
        W, b = _zero_point(pb)
    if _shifted(pb) is not None:  # solve the shifted problem, map the intercept back
        kw = dict(max_iter=max_iter, tol=tol, selection=selection, rng=rng, settle=settle)
        res = solve_shifted(pb, W, b, lambda sub, W, b: solve(sub, W, b, warn=False, **kw))
        if warn and not res.converged:
            warn_not_converged(res, tol, stacklevel=4)
        return res
    out = (
        solve_compiled(pb, np.array([pb.alpha]), tol, max_iter, settle, W, b)
        if (compiled and selection == "cyclic")
        else None
    )
    if out is not None:
        gap0 = out.gaps0[0] if out.gaps0 is not None else gap_at_zero(pb)
        res = Result(
            out.coefs[0],
            out.intercepts[0],
            float(out.gaps[0]),
            float(gap0),
            max(int(out.n_iter[0]), 1),  # as the Python drivers (one pass at least)
            bool(out.converged[0]),
        )
        if warn and not res.converged:
            warn_not_converged(res, tol, stacklevel=4)
        return res
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    driver = coordinate_descent if pb.loss == losses.SQUARED else prox_newton
    res = driver(pb, W, b, max_iter=max_iter, tol=tol, selection=selection, rng=rng, settle=settle)
    if pb.loss != losses.SQUARED and _zero_is_optimal(pb):
        # From alpha_max on, zero (intercept optimal) is the exact solution; Newton's
        # rounding could leave ~1e-16 coefficients and a gap of pure rounding noise.
        W0, b0 = _zero_point(pb)
        gap0 = gap_at_zero(pb)
        res = Result(W0, b0, gap0, gap0, res.n_iter, True)
    if warn and not res.converged:
        warn_not_converged(res, tol, stacklevel=4)
    return res


def _shifted(pb: Problem):
    """The problem with its large-mean columns shifted, when its precision needs it.

    A column whose mean is large next to its spread loses most of its digits to
    cancellation in every gradient (``x_j @ r`` with ``x_j ~ 1e5`` and a residual
    ``r ~ 1``): in float32, and for sparse ``X`` (whose columns the CD kernels
    centre only implicitly) in float64 too, the solvers then stall far from the
    optimum.  With an (unpenalised) intercept, shifting column ``j`` by a
    constant ``c_j`` and the targets by ``d`` leaves the problem unchanged:
    ``X w + b = (X - c) w + (b + c @ w)``.  ``c_j`` is a value of the working dtype
    near the weighted column mean, so ``x - c_j`` is exact for every ``x`` within
    a factor two of ``c_j`` (Sterbenz): the shifted problem holds the same rounded
    data.  Only columns with ``|mean| > 8 * spread`` are shifted.

    * dense float32 ``X``: ``X - c`` as one float32 copy in Fortran order (the
      layout the CD kernels read, so C-ordered input costs the copy it needed
      anyway); scikit-learn's estimators centre dense ``X`` the same way.
    * sparse ``X`` stays sparse (CSC): a column with ``|mean| > 8 * spread`` is at
      least 98.5% nonzero, so storing it in full as ``x - c_j`` (the implicit
      zeros become ``-c_j``) costs at most 1.5% more than it already does.

    For the squared loss ``y`` is shifted by its weighted mean too.  Returns
    ``(shifted problem, c, d)`` (``c``, ``d`` float64, exactly their working-dtype
    values) or ``None``.  The shifted arrays are kept in ``pb.cache``: a warm-started
    path shifts once, each alpha getting a problem with its own settings.
    """
    sparse = sp.issparse(pb.X)
    if not pb.fit_intercept or pb.n < 2 or not (sparse or pb.dtype == np.float32):
        return None
    key = (pb.loss, pb.fit_intercept)
    hit = _cached(pb, "shift", key)
    if hit is not None:
        if hit[0] is None:
            return None
        Xc, Y, c, d, cache = hit  # a path's next alpha: same arrays, this pb's settings
        return replace(pb, X=Xc, Y=Y, cache=cache), c, d
    X, s = pb.X, pb.s.astype(np.float64)
    sw = s.sum()
    if sparse:
        mean = np.asarray(X.T @ s, dtype=np.float64).ravel() / sw
        sq = np.asarray(X.multiply(X).T @ s, dtype=np.float64).ravel() / sw
    else:  # small float64 row blocks (_row_step): no (n, p) temporary
        step = _row_step(X)
        mean, sq = np.zeros(X.shape[1]), np.zeros(X.shape[1])
        for i in range(0, pb.n, step):
            B = X[i : i + step].astype(np.float64)
            mean += B.T @ s[i : i + step]
            sq += np.square(B, out=B).T @ s[i : i + step]
        mean /= sw
        sq /= sw
    spread = np.sqrt(np.maximum(sq - mean * mean, 0.0))
    # cancellation costs log2(|mean| / spread) bits of every gradient
    big = np.abs(mean) > 8 * spread
    if not np.any(big):
        _store(pb, "shift", (None,), key)
        return None
    c = np.where(big, mean, 0.0).astype(pb.dtype)
    if sparse:
        J = np.flatnonzero(big)
        keep = sp.csc_matrix(X @ sp.diags((~big).astype(pb.dtype)))
        keep.eliminate_zeros()
        block = X[:, J].toarray() - c[J]
        rows = np.tile(np.arange(pb.n), J.size)
        cols = np.repeat(J, pb.n)
        full = sp.csc_matrix((block.ravel(order="F"), (rows, cols)), shape=X.shape)
        Xc = sp.csc_matrix(keep + full, dtype=pb.dtype)
        Xc.sort_indices()
    else:
        Xc = np.array(X, order="F")
        Xc -= c
    K = pb.Y.shape[1]
    Y, d = pb.Y, np.zeros(K, dtype=pb.dtype)
    if pb.loss == losses.SQUARED:
        d = (s @ pb.Y.astype(np.float64) / sw).astype(pb.dtype)
        Y = pb.Y - d
    c, d, cache = c.astype(np.float64), d.astype(np.float64), {}
    _store(pb, "shift", (Xc, Y, c, d, cache), key)
    return replace(pb, X=Xc, Y=Y, cache=cache), c, d


def solve_shifted(pb: Problem, W, b, run) -> Result:
    """``run(problem, W, b)`` on ``pb`` with its large-mean columns shifted
    (:func:`_shifted`; ``pb`` itself when none needs it), the result mapped back:
    same coefficients, intercept ``b = b_shifted - c @ W + d`` (in float64, then
    rounded once to the working dtype).  ``W`` and ``b`` may be ``None``."""
    shifted = _shifted(pb)
    if shifted is None:
        return run(pb, W, b)
    sub, c, d = shifted
    if W is not None:
        b = (np.asarray(b, dtype=np.float64) + np.asarray(W, dtype=np.float64) @ c - d).astype(
            sub.dtype
        )
        W = np.asarray(W, dtype=sub.dtype)
    res = run(sub, W, b)
    coef = np.asarray(res.coef, dtype=np.float64)
    intercept = np.asarray(res.intercept, dtype=np.float64) - coef @ c + d
    if pb.loss == losses.MULTINOMIAL:
        intercept -= intercept.mean()
    return res._replace(coef=coef.astype(pb.dtype), intercept=intercept.astype(pb.dtype))


def solve_compiled(pb: Problem, alphas, tol, max_iter, settle, W=None, b=None):
    """``pb`` at every ``alpha`` of ``alphas`` by a compiled path solver, or ``None``
    when neither supports it: a ``CompiledPath`` (``gaps0`` is ``None`` for the
    logistic losses).  ``(W, b)`` starts the first alpha."""
    from . import _enet_path, _logistic_path  # both import this module

    if _enet_path.supports(pb, alphas):
        return _enet_path.enet_path_compiled(
            pb, alphas, tol=tol, max_iter=max_iter, settle=settle, W0=W
        )
    if _logistic_path.supports(pb):
        coefs, intercepts, gaps, n_iter, converged = _logistic_path.logistic_path_compiled(
            pb, alphas, tol=tol, max_iter=max_iter, settle=settle, W0=W, b0=b
        )
        return _enet_path.CompiledPath(alphas, coefs, intercepts, gaps, None, n_iter, converged)
    return None


def warn_not_converged(res: Result, tol: float, stacklevel: int = 3) -> None:
    """The ConvergenceWarning of an unconverged fit, saying which test failed."""
    target = tol * res.gap_zero
    why = (
        f"duality gap {res.dual_gap:.3e} > tol * gap at zero = {target:.3e}"
        if not res.dual_gap <= target
        else f"duality gap {res.dual_gap:.3e} <= tol * gap at zero = {target:.3e}, "
        "but the coefficients were still moving by more than tol * max|w| per pass "
        "(or the gap is only rounding noise)"
    )
    warnings.warn(
        f"skdecay: not converged after {res.n_iter} iterations: {why}. "
        "Increase max_iter, loosen tol, standardize X or increase alpha.",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )
