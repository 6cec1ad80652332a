"""Proximal Newton for the sparse-group lasso with the losses other than squared.

The losses of the table (binary logistic, multinomial, Poisson, Gamma, Tweedie)
under a :class:`~skdecay.penalties.SparseGroupPenalty`::

    1/n sum_i s_i l(y_i, x_i W' + b + o_i)
        + alpha (l1_ratio ||W||_1 + (1 - l1_ratio) sum_g omega_g ||W_g||_F)

With several linear predictors (the multinomial, ``W`` of shape ``(K, p)``) a
group ``W_g`` is the block of a feature group's coefficients *across all
classes* (glmnet's ``type.multinomial="grouped"``, skglm's grouped
multinomial): a feature group is selected or dropped for every class at once,
which is what selecting features means for a classifier.  Its weight stays the
feature group's (``sqrt(|g|)`` by default), so singleton groups give glmnet's
grouped multinomial lasso (weight 1 per feature).  :func:`class_penalty` builds
that penalty over the flattened ``W``.

Each Newton iteration minimises the second-order model of the loss plus the
penalty: for one predictor a weighted least-squares problem solved by the
block CD of :func:`~skdecay.solvers.bcd.group_solve`; for the multinomial,
whose per-sample Hessian ``diag(p) - p p'`` couples the classes of a group,
by accelerated proximal gradient (FISTA with adaptive restart) on the exact
model.  A backtracking (Armijo) line search on the true objective follows.

The stopping rule is the duality gap where the loss has a closed-form
conjugate (logistic, multinomial, Poisson, Gamma; :func:`group_gap`), else the
largest per-group KKT violation (Tweedie; :func:`group_kkt`), relative to its
value at the zero coefficients (intercept optimal), as every other fit.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar

from .. import losses
from ..penalties import SparseGroupPenalty
from .gap import dual_point
from .problem import Result, zero_point

__all__ = [
    "class_penalty",
    "group_gap",
    "group_kkt",
    "group_certificate",
    "problem_group_alpha_max",
    "group_prox_newton",
]


def class_penalty(penalty: SparseGroupPenalty, n_classes: int) -> SparseGroupPenalty:
    """``penalty`` over the row-major flattened ``(n_classes, p)`` coefficients,
    each group spanning every class (the group weights are unchanged)."""
    if n_classes == 1:
        return penalty
    p, order, starts = penalty.n_features, penalty.order, penalty.starts
    groups = [
        np.concatenate([k * p + order[a:e] for k in range(n_classes)])
        for a, e in zip(starts[:-1], starts[1:], strict=True)
    ]
    return SparseGroupPenalty(
        penalty.alpha, penalty.l1_ratio, groups, n_classes * p, penalty.group_weights
    )


def _correlation(pb, Z):
    """``(V, R)``: the residual ``R = -dl/dz`` (n, K) and ``V = X' (s R) / n``
    (K, p), ``-V`` the data term's gradient, in float64."""
    R = np.asarray(pb.data_loss.residual(pb.Y, Z), dtype=np.float64)
    sR = R * (pb.s.astype(np.float64) / pb.n)[:, None]
    X = pb.X
    if sp.issparse(X):
        X = X.astype(np.float64) if X.dtype != np.float64 else X
    V = np.asarray(X.T @ sR, dtype=np.float64).T
    return V, R


def problem_group_alpha_max(pb, penalty: SparseGroupPenalty) -> float:
    """Smallest ``alpha`` with zero coefficients optimal: the penalty's
    ``alpha_max`` at the data term's gradient at zero (intercept optimal)."""
    W, b = zero_point(pb)
    V, _ = _correlation(pb, _predictor(pb, W, b))
    return class_penalty(penalty, pb.Y.shape[1]).alpha_max(V)


def _predictor(pb, W, b):
    """``X W' + b (+ offset)`` in float64 (float32 ``X`` too)."""
    W = np.asarray(W, dtype=np.float64)
    X = pb.X.astype(np.float64) if sp.issparse(pb.X) else pb.X
    Z = np.asarray(X @ W.T, dtype=np.float64) + np.asarray(b, dtype=np.float64)
    return Z if pb.offset is None else Z + pb.offset[:, None]


def group_kkt(pb, pen: SparseGroupPenalty, W, b, Z) -> float:
    """Largest optimality violation: per group the distance of the data term's
    gradient to minus the penalty's subdifferential
    (:meth:`~skdecay.penalties.SparseGroupPenalty.kkt_violation`), and the
    intercept's gradient ``|sum_i s_i R_i| / n``.  ``pen`` spans the classes."""
    V, R = _correlation(pb, Z)
    viol = float(np.max(pen.kkt_violation(W, -V), initial=0.0))
    if pb.fit_intercept:
        sR = R * pb.s[:, None]
        viol = max(viol, float(np.max(np.abs(sR.sum(axis=0)))) / pb.n)
    return viol


def group_gap(pb, pen: SparseGroupPenalty, W, b, Z) -> float:
    """Duality gap at ``(W, b)`` for a loss with a closed-form conjugate.

    The dual point is ``c theta`` with ``theta`` the residual made feasible for
    the intercept (:func:`~skdecay.solvers.dual_point`) and ``V = X' (s
    theta) / n``; ``c`` in ``[0, c_max]``, ``c_max`` the smaller of the
    penalty's dual scaling (``c V`` in the sparse-group dual ball) and the
    loss's domain limit.  There the penalty's conjugate vanishes and::

        gap(c) = FY_loss(c theta) + penalty(W) - c V.W   (convex in c)

    minimised by a bounded scalar search unless ``c_max`` already gives 0."""
    theta, V = dual_point(pb, W, b, Z)
    w = np.asarray(W, dtype=np.float64)
    hi = min(pen.dual_scaling(V), pb.data_loss.dual_scale_limit(pb.Y, theta))
    fy = pb.data_loss.fenchel_young(pb.Y, Z, pb.s)
    value, vw = pen.value(w), float(np.sum(V * w))

    def gap(c):
        return fy(c * theta) + value - c * vw

    best = gap(hi)
    # convex in c: not decreasing into hi means the minimum is within 1e-7 hi of it
    if best > 0 and hi > 0 and gap(hi * (1 - 1e-7)) < best:
        # c to 1e-7 hi: the gap is flat at its minimum (error ~ (1e-7 hi)**2)
        res = minimize_scalar(gap, bounds=(0.0, hi), method="bounded", options={"xatol": 1e-7 * hi})
        best = min(best, float(res.fun))
    return max(best, 0.0)


def group_certificate(pb):
    """``(measure, name)``: :func:`group_gap` and ``"duality_gap"`` for a loss
    with a conjugate, else :func:`group_kkt` and ``"kkt"``."""
    if pb.data_loss.conjugate:
        return group_gap, "duality_gap"
    return group_kkt, "kkt"


def _wls_direction(pb, penalty, pen, W, b, Z, R, tol, target=None):
    """One predictor: the weighted least-squares model (weights ``s/n`` times the
    curvature, working response ``z + R / curvature``) solved by block CD to a
    duality gap of ``target`` (in the objective's units; ``None``: the relative
    inner tolerance ``min(1e-8, (10 tol)**2)`` and the settle test of
    :func:`~skdecay.solvers.bcd.group_solve`) or that relative one, whichever
    is looser."""
    from .bcd import group_data, group_solve

    n = pb.n
    curv = pb.data_loss.curvature(pb.Y, Z)[:, 0].astype(np.float64)
    h = pb.s.astype(np.float64) / n * curv
    S = float(h.sum())
    offset = 0.0 if pb.offset is None else np.asarray(pb.offset, dtype=np.float64)
    t = Z[:, 0] - offset + R[:, 0] / curv  # working response (the offset is known)
    sub = replace(pb, Y=t[:, None], s=h * (n / S), loss=losses.SQUARED, offset=None)
    sub_pen = pen.at(pen.alpha / S)
    gd = group_data(sub, sub_pen)
    inner = max(1e-15, min(1e-8, (10 * tol) ** 2))  # KKT ~ sqrt(gap)
    if target is not None:  # the model's objective is S times the subproblem's
        ref = float(gd.h @ gd.yc**2)
        inner = min(1e-2, max(inner, target / (S * max(ref, np.finfo(float).tiny))))
    settle = target is None  # the fixed tolerance also waits for the coefficients to settle
    res = group_solve(sub, sub_pen, W, max_iter=1000, tol=inner, settle=settle, gd=gd)
    return res.coef.astype(np.float64) - W, res.intercept.astype(np.float64) - b


def _lipschitz(X, weights, fit_intercept: bool) -> float:
    """Largest eigenvalue of ``[X 1]' diag(weights) [X 1]`` (without the ones
    column when there is no intercept): from the Gram matrix up to 1000
    columns, else by Lanczos on the operator (with a 1 % margin)."""
    A = sp.csc_matrix(X, dtype=np.float64) if sp.issparse(X) else np.asarray(X, np.float64)
    p = A.shape[1]
    if p > 1000:
        from scipy.sparse.linalg import LinearOperator, eigsh

        def matvec(v):
            v = np.asarray(v).reshape(-1)
            u = weights * (np.asarray(A @ v[:p]).reshape(-1) + (v[p] if fit_intercept else 0.0))
            out = np.asarray(A.T @ u).reshape(-1)
            return np.append(out, u.sum()) if fit_intercept else out

        m = p + int(fit_intercept)
        op = LinearOperator((m, m), matvec=matvec, dtype=np.float64)
        return float(eigsh(op, k=1, which="LA", tol=1e-8, return_eigenvectors=False)[0]) * 1.01
    if sp.issparse(A):
        G = (A.T @ A.multiply(weights[:, None])).toarray()
    else:
        G = A.T @ (weights[:, None] * A)
    if fit_intercept:
        m = np.asarray(A.T @ weights).reshape(-1)
        G = np.block([[G, m[:, None]], [m[None, :], np.array([[weights.sum()]])]])
    return float(np.linalg.eigvalsh(G)[-1]) * (1 + 1e-8) + 1e-300


def _working_set(penalty, pen, W, V):
    """``(features, sub-penalty)``: the groups already in the model or whose zero
    block violates its optimality condition at the correlation ``V`` (the others
    stay at zero in this Newton step; the outer certificate covers every group)."""
    order, starts = penalty.order, penalty.starts
    active = np.add.reduceat(np.any(W != 0, axis=0)[order], starts[:-1]) > 0
    keep = active | (pen.kkt_violation(W, -V) > 0)
    if not keep.any():
        keep[0] = True  # the intercepts alone move: any one group keeps the shapes valid
    groups, feats, m = [], [], 0
    for g in np.flatnonzero(keep):
        idx = order[starts[g] : starts[g + 1]]
        groups.append(np.arange(m, m + idx.size))
        feats.append(idx)
        m += idx.size
    sub = SparseGroupPenalty(
        penalty.alpha, penalty.l1_ratio, groups, m, penalty.group_weights[keep]
    )
    return np.concatenate(feats), class_penalty(sub, W.shape[0])


def _multinomial_direction(pb, penalty, pen, W, b, Z, R, tol, check=None, goal=0.0, max_inner=5000):
    """Several predictors: minimise the exact second-order model ``-<V, D> -
    <r, d> + 1/2 sum_i (s_i/n) u_i' (diag(p_i) - p_i p_i') u_i + penalty(W + D)``
    (``u_i = D x_i + d``, ``d`` the intercepts' step) over the working set of
    :func:`_working_set` by FISTA with step ``1/L``, ``L`` the largest
    eigenvalue of ``[X 1]' diag(s c / n) [X 1]`` (working columns) with ``c_i =
    min(1/2, 1 - ||p_i||**2, max_k p_ik)`` bounding ``diag(p_i) - p_i p_i'``
    (its trace; ``diag(p_i)`` dominates it); restarted when the step turns
    against the momentum (O'Donoghue & Candes 2015).  Stops when no
    coefficient moves by more than ``tol`` times the largest, or, every 8th
    iteration, once ``check(D, d, U)`` (of the full step and its predictor
    change: the caller's certificate at ``W + D``; the model has no cheap gap
    of its own) is at most ``goal``."""
    X = pb.X.astype(np.float64) if sp.issparse(pb.X) else pb.X
    sn = pb.s.astype(np.float64) / pb.n
    P = pb.data_loss.mean(Z)
    V = np.asarray(X.T @ (R * sn[:, None]), dtype=np.float64).T  # -gradient (K, p)
    feats, pen = _working_set(penalty, pen, W, V)
    X, V, W_full, W = X[:, feats], V[:, feats], W, W[:, feats]
    r = (R * sn[:, None]).sum(axis=0) if pb.fit_intercept else np.zeros(R.shape[1])
    c = np.minimum(0.5, 1.0 - np.sum(P * P, axis=1))
    L = _lipschitz(X, sn * c, pb.fit_intercept)

    def model_gradient(U):
        PU = P * U
        HU = sn[:, None] * (PU - P * PU.sum(axis=1, keepdims=True))
        gD = np.asarray(X.T @ HU, dtype=np.float64).T - V
        gd = HU.sum(axis=0) - r if pb.fit_intercept else np.zeros_like(r)
        return gD, gd

    D, d = np.zeros_like(W), np.zeros_like(b)
    YD, Yd, U, UY = D, d, np.zeros_like(Z), np.zeros_like(Z)
    t = 1.0
    scale = max(float(np.max(np.abs(W), initial=0.0)), 1e-300)
    for k in range(max_inner):
        gD, gd = model_gradient(UY)
        Dn = pen.prox(W + YD - gD / L, 1.0 / L) - W
        dn = Yd - gd / L
        Un = np.asarray(X @ Dn.T, dtype=np.float64) + dn
        move = max(float(np.max(np.abs(Dn - D))), float(np.max(np.abs(dn - d), initial=0.0)))
        restart = np.sum((YD - Dn) * (Dn - D)) + np.sum((Yd - dn) * (dn - d)) > 0
        t_next = 1.0 if restart else 0.5 * (1 + np.sqrt(1 + 4 * t * t))
        beta = (t - 1) / t_next
        YD, Yd, UY = Dn + beta * (Dn - D), dn + beta * (dn - d), Un + beta * (Un - U)
        D, d, U, t = Dn, dn, Un, t_next
        scale = max(scale, float(np.max(np.abs(W + D), initial=0.0)))
        if move <= tol * scale:
            break
        if check is not None and k % 8 == 7:
            if check(_spread(D, feats, W_full), d, U) <= goal:
                break  # the step already meets the caller's goal
    return _spread(D, feats, W_full), d


def _spread(D, feats, like):
    """``D`` over the working ``feats`` as a full ``like``-shaped step."""
    D_full = np.zeros_like(like)
    D_full[:, feats] = D
    return D_full


def group_prox_newton(
    pb, penalty, W=None, b=None, *, max_iter=100, tol=1e-4, alpha_max=None, settle=True
):
    """Proximal Newton from ``(W, b)`` (default: zero coefficients, optimal
    intercept) for the problem ``pb`` under ``penalty`` (over the features;
    spread over the classes by :func:`class_penalty`).  Stops when the
    certificate of :func:`group_certificate` is at most ``tol`` times its value
    at zero and (``settle``; the paths turn it off, as the squared error's)
    the last step settled; returns a :class:`Result` whose
    ``dual_gap`` is that certificate (``gap_zero`` its reference).  From
    ``alpha_max`` (:func:`problem_group_alpha_max`, given by a path) on, the
    zero solution is optimal and returned whatever the start, with its
    certificate (``n_iter = 0``).

    Inexact Newton: with a duality gap, each model is solved until the gap
    reaches ``max(gap / 10, tol * ref / 2)``, never tighter than a fixed
    relative inner tolerance: for one predictor the model's own gap (block CD),
    for the multinomial the true gap at the model's iterate, checked every 8th
    FISTA iteration (which otherwise keeps the fixed tolerance: never looser).
    When the line search fails, or a step of one predictor fails to halve the
    gap, the fixed tolerance alone is used from then on; when a multinomial
    step fails to cut the gap by 10 %, FISTA's move tolerance shrinks 100-fold
    (its move test can stall short of the model's minimiser)."""
    K = pb.Y.shape[1]
    pen = class_penalty(penalty, K)
    measure, name = group_certificate(pb)
    if penalty.alpha <= 0:
        raise ValueError("the group lasso needs alpha > 0.")
    W0, b0 = (a.astype(np.float64) for a in zero_point(pb))
    Z0 = _predictor(pb, W0, b0)
    at_zero = measure(pb, pen, W0, b0, Z0)
    ref = max(at_zero, np.finfo(float).tiny)
    amax = problem_group_alpha_max(pb, penalty) if alpha_max is None else alpha_max
    if penalty.alpha >= amax:  # zero is optimal: its certificate is rounding-level
        return Result(W0.astype(pb.dtype), b0.astype(pb.dtype), float(at_zero), ref, 0, True)
    W = W0 if W is None else np.array(W, dtype=np.float64).reshape(K, -1)
    b = b0 if b is None or not pb.fit_intercept else np.array(b, dtype=np.float64).reshape(K)
    Z = _predictor(pb, W, b)
    value = measure(pb, pen, W, b, Z)
    sn = pb.s.astype(np.float64) / pb.n
    inexact = name == "duality_gap"
    it, converged, shrink = 0, value <= tol * ref, 1.0
    while not converged and it < max_iter:
        it += 1
        R = np.asarray(pb.data_loss.residual(pb.Y, Z), dtype=np.float64)
        inner, target, check = max(1e-12, shrink * min(1e-6, 0.01 * tol)), None, None
        if inexact:
            target = max(0.1 * value, 0.5 * tol * ref)

            def check(D, d, U, W=W, b=b, Z=Z):
                return measure(pb, pen, W + D, b + d, Z + U)

        loose = inexact
        if K == 1:
            d, db = _wls_direction(pb, penalty, pen, W, b, Z, R, inner, target)
        else:
            kw = {} if check is None else dict(check=check, goal=target)
            d, db = _multinomial_direction(pb, penalty, pen, W, b, Z, R, inner, **kw)
        xd = np.asarray(pb.X @ d.T, dtype=np.float64) + db
        pen_old = pen.value(W)
        f_old = pb.data_loss.value(pb.Y, Z, pb.s) + pen_old
        slope = -float(np.sum(sn[:, None] * R * xd)) + (pen.value(W + d) - pen_old)
        step, moved = 1.0, False
        for _ in range(40):  # Armijo backtracking on the true objective
            Zt = Z + step * xd
            f = pb.data_loss.value(pb.Y, Zt, pb.s) + pen.value(W + step * d)
            if f <= f_old + 1e-4 * step * min(slope, 0.0) + 10 * np.finfo(float).eps * abs(f_old):
                moved = True
                break
            step *= 0.5
        if moved:
            W, b, Z = W + step * d, b + step * db, Zt
        previous, value = value, measure(pb, pen, W, b, Z)
        settled = float(np.max(np.abs(step * d), initial=0.0)) <= max(tol, 1e-12) * float(
            np.max(np.abs(W), initial=0.0)
        )
        converged = value <= tol * ref and (settled or not moved or not settle)
        if not moved and not loose:
            break
        if not moved or (K == 1 and value > 0.5 * previous):
            inexact = False  # too loose a model solve? the fixed tolerance from now on
        if K > 1 and value > 0.9 * previous:
            shrink *= 0.01  # FISTA's move test stalls short of the model's solution
    return Result(
        W.astype(pb.dtype), b.astype(pb.dtype), float(value), float(ref), it, bool(converged)
    )
