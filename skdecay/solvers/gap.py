"""Duality gaps, the stopping rule and the convergence warning.

Every solver stops on the duality gap (:func:`duality_gap`): a certificate,
since the gap bounds the distance of the objective to its optimum.  The
tolerance is relative to the gap of the all-zero coefficients (intercept
optimal), as in scikit-learn, and never below a rounding floor of the working
precision (:func:`stopping_rule`); a float32 point whose gap stalls above it is
tested for being optimal up to the rounding of its own coefficients
(:func:`rounding_limited`).
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.exceptions import ConvergenceWarning

from .. import losses
from ..penalties import minimize_piecewise_quadratic
from .problem import (
    Problem,
    Result,
    abs_product64,
    correlation64,
    predictor64,
    zero_point,
)

__all__ = [
    "objective",
    "dual_point",
    "duality_gap",
    "gap_and_correlation",
    "gap_at_zero",
    "zero_reference",
    "zero_dual",
    "kkt_violation",
    "stopping_rule",
    "stalled",
    "rounding_limited",
    "warn_not_converged",
]


def objective(pb: Problem, W, b, Z=None) -> float:
    """Primal objective: data loss plus penalty."""
    Z = pb.predictor(W, b) if Z is None else Z
    return pb.data_loss.value(pb.Y, Z, pb.s) + pb.penalty.value(W)


def _free_features(pb: Problem, W, theta):
    """Mask of the unpenalised features the dual point must be orthogonal to: the
    penalty's ``dual_free``, given the correlations of the residual ``theta``
    (intercept projected) with the features it asks about (those at a bound)."""

    def correlation(idx):
        t = theta
        if pb.fit_intercept:
            t = theta - (pb.s @ theta) / pb.s.sum()
        return np.asarray(pb.X[:, idx].T @ (t * pb.s[:, None])).T  # (K, m)

    return pb.penalty.dual_free(W, correlation)


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
    theta = pb.data_loss.residual(pb.Y, Z).astype(np.float64, copy=False)  # a new array
    free = _free_features(pb, W, theta)
    if free.ndim == 2:  # per class (a box): each column projected on its own basis
        for k in range(theta.shape[1]):
            if free[k].any() or pb.fit_intercept:
                U = _unpenalized_basis(pb, free[k])
                sU = U * pb.s[:, None]
                theta[:, k] -= U @ np.linalg.lstsq(sU.T @ U, sU.T @ theta[:, k], rcond=None)[0]
    elif free.any():  # weighted projection onto the complement of span(U)
        U = _unpenalized_basis(pb, free)
        sU = U * pb.s[:, None]
        coef = np.linalg.lstsq(sU.T @ U, sU.T @ theta, rcond=None)[0]
        theta -= U @ coef
    elif pb.fit_intercept and pb.loss in (losses.LOGISTIC, losses.MULTINOMIAL):
        theta = _match_classes(pb, theta)  # probabilities stay probabilities
    elif pb.fit_intercept:  # U is the ones column: subtract the weighted mean
        theta -= (pb.s @ theta) / pb.s.sum()
    if pb.dtype == np.float32:  # float32 products would make the certificate noise
        V = correlation64(pb.X, theta * pb.s[:, None]).T / pb.n
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
    return gap_and_correlation(pb, W, b, Z, good_enough)[0]


def gap_and_correlation(
    pb: Problem, W, b, Z=None, good_enough: float = 0.0, search_within: float = np.inf, dual=None
):
    """:func:`duality_gap` and the unscaled ``V = X.T @ (s*theta) / n`` (K, p) it used.

    The search over ``c`` only runs when the gap at ``c_max`` is within
    ``search_within * good_enough`` (a solver far from its target needs no sharper
    bound).  For the squared loss the gap is a convex piecewise quadratic in ``c``
    (a quadratic data term plus, per coefficient, one breakpoint where ``c |V_j|``
    crosses ``l1_j``): its exact minimiser is found from the sorted breakpoints
    and the gap evaluated there; the logistic losses use a bounded scalar search.
    The penalty's share and ``c_max`` are the penalty's answers
    (``penalty.fenchel_young_line``: a piecewise quadratic for the elastic net
    without a box; under a box its general Fenchel-Young term, and the scalar
    search for every loss)."""
    if not (pb.data_loss.conjugate and pb.penalty.convex):  # no conjugate: the KKT rule
        return kkt_violation(pb, W, b, Z, None if dual is None else dual[1])
    if dual is None and pb.dtype == np.float32 and np.any(W):
        # The certificate of a float32 iterate is evaluated in float64: the residual
        # the solver carries in float32 (and a float32 X.T @ theta) is accurate only to
        # eps32 times |X| |w|, which on columns of very different scales is enough to
        # make the gap of an optimal point look far from zero.
        Z = predictor64(pb, W, b)
    else:
        Z = pb.predictor(W, b) if Z is None else Z
    theta, V = dual_point(pb, W, b, Z) if dual is None else dual
    squared = pb.loss == losses.SQUARED
    limit = np.inf if squared else pb.data_loss.dual_scale_limit(pb.Y, theta)
    # the penalty's share along the scaling c in [0, hi] (hi keeps c V dual-feasible)
    hi, pen_gap = pb.penalty.fenchel_young_line(W, V, limit)
    if squared:
        data_gap, slope, curvature = losses.squared_gap_line(pb.Y, Z, pb.s, theta)
    else:
        fy = pb.data_loss.fenchel_young(pb.Y, Z, pb.s)

        def data_gap(c):
            return fy(c * theta)

    def gap(c):
        return data_gap(c) + pen_gap(c)

    best = gap(hi)
    if best <= good_enough or best > search_within * good_enough:
        return max(best, 0.0), V
    if squared and pen_gap.piecewise:  # the exact minimiser, evaluated by the careful sums
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


def kkt_violation(pb: Problem, W, b, Z=None, V=None) -> tuple[float, np.ndarray]:
    """The stopping rule of the losses without a closed-form conjugate (Tweedie) and
    of the non-convex penalties (MCP, SCAD: the stationarity measure).

    Returns ``(violation, V)``: the largest violation of the optimality
    conditions at ``(W, b)`` and ``V = X.T @ (s * R) / n`` (``R`` the residual
    ``-dl/dz``, so ``-V`` is the data term's gradient): per coefficient the
    distance from ``-V_j`` to minus the penalty's subdifferential
    (:meth:`~skdecay.penalties.ElasticNetPenalty.kkt_violation`), and for the
    intercept ``|sum_i s_i R_i| / n``.  Zero exactly at the optimum; the same
    rule as the compiled path (:mod:`skdecay._kernels.logistic_path`).  ``V``
    may be given (it is then used as is)."""
    if Z is None or pb.dtype == np.float32:
        Z = predictor64(pb, W, b) if pb.dtype == np.float32 else pb.predictor(W, b)
    R = np.asarray(pb.data_loss.residual(pb.Y, Z), dtype=np.float64)
    sR = R * pb.s[:, None].astype(np.float64)
    if V is None:
        if pb.dtype == np.float32:
            V = correlation64(pb.X, sR).T / pb.n
        else:
            V = np.asarray(pb.X.T @ sR, dtype=np.float64).T / pb.n
    worst = float(np.max(pb.penalty.kkt_violation(W, -V), initial=0.0))
    if pb.fit_intercept:
        worst = max(worst, float(np.max(np.abs(sR.sum(axis=0)))) / pb.n)
    return worst, V


def gap_at_zero(pb: Problem) -> float:
    """Duality gap at zero coefficients (intercept optimal): the reference of ``tol``."""
    return zero_reference(pb)[0]


def zero_reference(pb: Problem, gap: float | None = None) -> tuple[float, float]:
    """Gap and primal objective at zero coefficients (the gap only if not given).

    The zero point, its objective (the data loss: the penalty vanishes) and its
    dual point (one product with ``X``) do not depend on ``alpha`` (the dual
    point unless ``alpha = 0`` frees every feature): a path computes them once."""
    key = (pb.loss, pb.fit_intercept, *pb.penalty.dual_key())
    zero = pb.cache.get(pb, "zero_reference", key)
    if zero is None:
        W, b = zero_point(pb)
        Z = pb.constant_predictor(b)
        zero = [W, b, Z, pb.data_loss.value(pb.Y, Z, pb.s), None]
        pb.cache.put(pb, "zero_reference", zero, key)
    W, b, Z, primal, dual = zero
    if gap is None:
        if dual is None:  # computed on first need only
            dual = zero[4] = zero_dual(pb, W, b, Z)
        gap = gap_and_correlation(pb, W, b, Z, dual=dual)[0]
    return gap, primal


def zero_dual(pb: Problem, W, b, Z):
    """Dual point ``(theta, V)`` at the zero point ``(W, b)``, cached in ``pb.cache``."""
    key = (pb.loss, pb.fit_intercept, *pb.penalty.dual_key())
    dual = pb.cache.get(pb, "zero_dual", key)
    if dual is None:
        dual = dual_point(pb, W, b, Z)
        pb.cache.put(pb, "zero_dual", dual, key)
    return dual


def stopping_rule(
    pb: Problem, tol: float, stall_check: bool = False, gap0: float | None = None
) -> tuple[float, float, float]:
    """``(gap0, target, primal0)``: stop once the gap is at most ``tol * gap0``,
    floored at what rounding in the working dtype can resolve.  ``gap0`` may be
    passed when the caller already has it (a solve starting from zero)."""
    gap0, primal0 = zero_reference(pb, gap0)
    eps = np.finfo(pb.dtype).eps
    # A sum-of-squares gap (squared loss, pure L2) is quadratic in the coefficient
    # error and resolves to ~eps**2; L1 terms and the logistic divergences carry
    # rounding of order eps times the objective.
    quadratic = pb.loss == losses.SQUARED and pb.penalty.smooth
    floor = (100 * eps**2 if quadratic or stall_check else 2 * eps) * abs(primal0)
    if not (pb.data_loss.conjugate and pb.penalty.convex):
        # the KKT rule's floor (as the compiled path): rounding of the correlations,
        # 100 eps max(max|X|, 1) sum_i s_i |R_i| / n at zero
        W, b = zero_point(pb)
        R0 = pb.data_loss.residual(pb.Y, pb.constant_predictor(b))
        xmax = (
            float(max(abs(pb.X.max()), abs(pb.X.min()))) if pb.X.shape[0] * pb.X.shape[1] else 0.0
        )
        floor = 100 * eps * max(xmax, 1.0) * float(np.dot(pb.s, np.abs(R0[:, 0]))) / pb.n
    return gap0, max(tol * gap0, floor), primal0


def stalled(pb: Problem, gap: float, previous: float, primal0: float) -> bool:
    """The gap sits at rounding level (``10 eps * |P(0)|``) and stopped shrinking."""
    return gap <= 10 * np.finfo(pb.dtype).eps * abs(primal0) and gap > 0.5 * previous


def rounding_limited(pb: Problem, W, b, gap: float, previous: float, target: float) -> bool:
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
    Z = predictor64(pb, W64, b64)
    theta, V = dual_point(pb, W64, b64, Z)
    moved = abs_product64(pb.X, u * np.abs(W64).T) + u * np.abs(b64)  # (n, K)
    r = (abs_product64(pb.X, moved * pb.s[:, None], transpose=True) / pb.n).T
    sub = pb.penalty.nearest_subgradient(W64, V)
    V_mod = V + np.clip(sub - V, -r, r)
    return gap_and_correlation(pb, W64, b64, Z, dual=(theta, V_mod))[0] <= target


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
