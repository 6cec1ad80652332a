"""Proximal Newton for the smooth losses other than squared (:func:`prox_newton`).

Each iteration replaces the loss, class by class, by its second-order model in
the linear predictor: a weighted least-squares problem (weights ``s/n`` times the
loss's curvature, working residual ``residual / curvature``) solved by the CD
epochs of :mod:`.cd` over a working set; a backtracking (Armijo) step follows.
Every loss of the table (logistic, multinomial, Poisson, Gamma, Tweedie) reduces
to this; the duality gap certifies every stop.
"""

from __future__ import annotations

import numpy as np

from .. import losses
from .cd import CD, rank_working_set
from .gap import gap_and_correlation, rounding_limited, stopping_rule, zero_dual
from .problem import Problem, Result, check_finite, zero_point

__all__ = ["prox_newton"]


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
    penalty = pb.penalty
    code, l1, l2, lo, hi, gamma = penalty.kernel_arguments(pb.dtype)
    cd = CD(pb.X, lo, hi, pb.fit_intercept, selection, rng, (code, gamma))
    l1_64 = l1.astype(np.float64)
    W = np.array(W, dtype=pb.dtype)
    b = np.array(b, dtype=pb.dtype)
    if np.any(W):
        Z = pb.predictor(W, b).astype(pb.dtype)
    else:  # no product with X needed
        Z = np.array(pb.constant_predictor(b), dtype=pb.dtype)
    first = None
    if working_set and not np.any(W) and np.array_equal(b, zero_point(pb)[1]):
        # the reference gap: one pass less (its dual point is cached for alpha_max)
        first = gap_and_correlation(pb, W, b, Z, dual=zero_dual(pb, W, b, Z))
    gap0, target, _ = stopping_rule(pb, tol, False, None if first is None else first[0])
    V = first[1] if first is not None else None
    sn = pb.s / n
    gap, it, converged = gap0, 0, False
    ws, ws_size, previous = cd.all, min(p, max(ws_start, 2 * np.count_nonzero(W))), np.inf
    for it in range(1, max_iter + 1):
        if V is None:  # first iteration without working sets: every coordinate
            gap, V = gap_and_correlation(pb, W, b, Z, target, 10.0)
        # inexact Newton: each class's model is solved until its largest CD step
        # is a tenth of the largest optimality violation of the true problem
        viol = [penalty.kkt_violation(W[k], -V[k]) for k in range(K)]
        if working_set:
            support = int(np.count_nonzero(np.any(W != 0, axis=0)))
            size = max(ws_start, 2 * support)
            if it > 1 and (2 * support > ws_size or gap > 0.5 * previous):
                size = max(size, 2 * ws_size)
            ws_size = min(p, size)
            mag = penalty.entry_slope(V).max(axis=0)  # the class pulling hardest
            Wany = np.where(np.any(W != 0, axis=0), 1.0, 0.0)
            ws = rank_working_set(mag, Wany, l1_64, ws_size)
        moved = 0.0  # largest coefficient change of this iteration
        for k in range(K):
            R = pb.data_loss.residual(pb.Y, Z)[:, k]
            curv = pb.data_loss.curvature(pb.Y, Z)[:, k]
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
            check_finite(w, delta)
            d, db, xd = w - w_old, delta, r0 - cd.residual(r, delta)  # xd = X @ d + db
            if not np.any(d) and db == 0:
                continue
            pen_old = penalty.value(w_old)
            f_old = pb.data_loss.value(pb.Y, Z, pb.s) + pen_old
            slope = -float(np.dot(sn * R, xd)) + (penalty.value(w) - pen_old)
            t = 1.0
            Zk = Z[:, k].copy()
            noise = 10 * np.finfo(pb.dtype).eps * abs(f_old)  # rounding of f itself
            for _ in range(40):
                Z[:, k] = Zk + t * xd
                wt = w_old + t * d
                f = pb.data_loss.value(pb.Y, Z, pb.s) + penalty.value(wt)
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
        gap, V = gap_and_correlation(pb, W, b, Z, target, 10.0)
        # as in coordinate_descent, the coefficients must also have settled
        settle_tol = max(tol, 100 * np.finfo(pb.dtype).eps)  # rounding cannot do better
        settled = not moved > settle_tol * float(np.max(np.abs(W), initial=0.0))
        optimal = gap <= target or rounding_limited(pb, W, b, gap, previous, target)
        if optimal and (settled or not settle):
            converged = True
            break
    if pb.loss == losses.MULTINOMIAL and pb.fit_intercept:
        b -= b.mean()  # softmax is shift invariant: report centred intercepts
    return Result(W, b, gap, gap0, it, converged)
