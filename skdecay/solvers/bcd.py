"""Block coordinate descent over groups: the sparse-group lasso, squared loss.

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
    "group_prox_newton",
    "group_fit",
]


@dataclass
class GroupData:
    """What does not depend on ``alpha``: ``h``, centred ``y``, column means,
    the block Lipschitz constants and the kernel's view of ``X``."""

    X: object  # dense Fortran array or a placeholder
    data: np.ndarray
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
    if pb.penalty.bounded():
        raise ValueError("groups cannot be combined with positive=True or box bounds.")
    if np.any(pb.penalty.penalty_factor != 1):
        raise ValueError(
            "groups cannot be combined with penalty_factor; use group_weights "
            "(singleton groups for per-feature weights)."
        )
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
    L = np.zeros(penalty.n_groups)
    order, starts = penalty.order, penalty.starts
    for g in range(penalty.n_groups):
        idx = order[starts[g] : starts[g + 1]]
        Xg = X[:, idx]
        if sp.issparse(Xg):
            gram = np.asarray((Xg.T @ sp.diags(h) @ Xg).toarray(), dtype=np.float64)
        else:
            Xg = np.asarray(Xg, dtype=np.float64)
            gram = Xg.T @ (h[:, None] * Xg)
        gram -= np.outer(mu[idx], mu[idx])
        L[g] = max(float(np.linalg.eigvalsh(gram)[-1]), 0.0) * (1 + 1e-10)
        if L[g] <= 1e-14 * max(float(np.trace(gram)), 1e-300):
            L[g] = 0.0  # constant columns: the group stays at zero
    if sp.issparse(X):
        Xc = sp.csc_matrix(X)
        Xc.sort_indices()
        dense_X = np.zeros((1, 1), dtype=X.dtype)
        data, indices, indptr = Xc.data, Xc.indices.astype(np.int64), Xc.indptr.astype(np.int64)
        dense = False
    else:
        dense_X = np.asfortranarray(X)
        data = np.zeros(1, dtype=X.dtype)
        indices = np.zeros(1, dtype=np.int64)
        indptr = np.zeros(2, dtype=np.int64)
        dense = True
    return GroupData(dense_X, data, indices, indptr, dense, h, yc, ybar, mu, L, X.dtype)


def group_alpha_max(gd: GroupData, penalty: SparseGroupPenalty) -> float:
    """Smallest ``alpha`` at which ``w = 0`` (intercept optimal) is the solution."""
    if gd.dense:
        v = gd.X.T.astype(np.float64) @ (gd.h * gd.yc)
    else:
        X = sp.csc_matrix((gd.data, gd.indices, gd.indptr), shape=(gd.yc.size, gd.mu.size))
        v = np.asarray(X.T @ (gd.h * gd.yc), dtype=np.float64).reshape(-1)
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
    if gd.dense:
        Xw = gd.X @ w
    else:
        Xw = sp.csc_matrix((gd.data, gd.indices, gd.indptr), shape=(gd.yc.size, p)) @ w
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
            gd.X, gd.data, gd.indices, gd.indptr, gd.dense, gd.h, r, w, gd.mu,
            order, starts, omega, gd.L, alpha, tau,
            tol * ref, tol if settle else 0.0, int(max_iter), 10, state, v,
        )  # fmt: skip
    dtype = gd.dtype
    coef = w.astype(dtype)[None, :]
    intercept = np.array([gd.ybar - gd.mu @ w if pb.fit_intercept else 0.0], dtype=dtype)
    return Result(coef, intercept, float(gap), ref, int(n_iter), bool(conv))


def group_grid(gd: GroupData, penalty: SparseGroupPenalty, n_alphas: int, eps: float):
    """Geometric grid from the group ``alpha_max`` down to ``eps`` times it."""
    amax = group_alpha_max(gd, penalty.at(1.0))
    if not amax > np.finfo(float).resolution:
        return np.full(n_alphas, np.finfo(float).resolution)
    return np.geomspace(amax, amax * eps, num=n_alphas)


def group_path(pb, penalty: SparseGroupPenalty, alphas, *, tol=1e-4, max_iter=1000):
    """Warm-started fits along the decreasing ``alphas``; returns ``(coefs (n_alphas,
    p), intercepts, gaps, n_iter, alphas that did not converge)``.  From
    ``alpha_max`` on the coefficients are exactly zero; each solve stops on the
    certificate alone (no settle test, as the elastic-net paths)."""
    gd = group_data(pb, penalty)
    amax = group_alpha_max(gd, penalty.at(1.0))
    p = gd.mu.size
    coefs = np.zeros((len(alphas), p), dtype=gd.dtype)
    intercepts = np.zeros(len(alphas), dtype=gd.dtype)
    gaps, n_iter, failed = np.zeros(len(alphas)), np.zeros(len(alphas), dtype=int), []
    W = None
    for k, alpha in enumerate(alphas):
        start = None if alpha >= amax else W
        res = group_solve(
            pb, penalty.at(alpha), start, max_iter=max_iter, tol=tol, settle=False, gd=gd
        )
        W = res.coef.astype(np.float64)
        coefs[k], intercepts[k] = res.coef[0], res.intercept[0]
        gaps[k], n_iter[k] = res.dual_gap, res.n_iter
        if not res.converged:
            failed.append(float(alpha))
    return coefs, intercepts, gaps, n_iter, failed


def _kkt(pb, penalty, W, b, Z):
    """Largest optimality violation: the per-group KKT violation of the penalty
    at the data term's gradient, and the intercept's gradient."""
    R = pb.data_loss.residual(pb.Y, Z)[:, 0].astype(np.float64)  # -d loss / d z, per sample
    sR = pb.s.astype(np.float64) * R / pb.n
    G = -np.asarray(pb.X.T @ sR, dtype=np.float64).reshape(-1)
    viol = float(np.max(penalty.kkt_violation(W, G), initial=0.0))
    if pb.fit_intercept:
        viol = max(viol, abs(float(sR.sum())))
    return viol, R


def group_prox_newton(pb, penalty: SparseGroupPenalty, W, b, *, max_iter=100, tol=1e-4):
    """Proximal Newton for one linear predictor (binary logistic, the log-link
    GLMs): each iteration solves the weighted least-squares model of the loss
    (weights ``s/n`` times the curvature, working response ``z + residual /
    curvature``) under the sparse-group penalty by :func:`group_solve`, then
    backtracks (Armijo) on the true objective.  Stops when the largest per-group
    KKT violation (and the intercept's gradient) is at most ``tol`` times its
    value at the start point of zero coefficients and the step settled; the
    returned ``dual_gap`` is that violation (``gap_zero`` its reference)."""
    from dataclasses import replace

    n = pb.n
    W = np.zeros((1, pb.X.shape[1])) if W is None else np.array(W, dtype=np.float64)
    if b is None or not pb.fit_intercept:
        b = np.zeros(1) if not pb.fit_intercept else None
    if b is None:
        b = np.asarray(pb.data_loss.intercept_at_zero(pb.Y, pb.s, pb.offset), dtype=np.float64)
    b = np.array(b, dtype=np.float64).reshape(1)
    b_zero = (
        np.asarray(pb.data_loss.intercept_at_zero(pb.Y, pb.s, pb.offset), dtype=np.float64)
        if pb.fit_intercept
        else np.zeros(1)
    )
    ref, _ = _kkt(pb, penalty, np.zeros_like(W), b_zero, pb.predictor(np.zeros_like(W), b_zero))
    ref = max(ref, np.finfo(float).tiny)
    Z = np.asarray(pb.predictor(W, b), dtype=np.float64)
    viol, R = _kkt(pb, penalty, W, b, Z)
    sn = pb.s.astype(np.float64) / n
    it, converged = 0, viol <= tol * ref
    while not converged and it < max_iter:
        it += 1
        curv = pb.data_loss.curvature(pb.Y, Z)[:, 0].astype(np.float64)
        h = sn * curv
        S = float(h.sum())
        offset = 0.0 if pb.offset is None else np.asarray(pb.offset, dtype=np.float64)
        t = Z[:, 0] - offset + R / curv  # working response (the offset is known)
        sub = replace(
            pb, Y=t[:, None], s=h * (n / S), loss=losses.SQUARED, offset=None,
            fit_intercept=pb.fit_intercept,
        )  # fmt: skip
        inner = max(1e-15, min(1e-8, (0.1 * tol) ** 2))  # KKT ~ sqrt(gap)
        res = group_solve(sub, penalty.at(penalty.alpha / S), W, max_iter=1000, tol=inner)
        d = res.coef.astype(np.float64) - W
        db = res.intercept.astype(np.float64) - b
        xd = np.asarray(pb.X @ d[0], dtype=np.float64).reshape(-1) + db[0]
        pen_old = penalty.value(W)
        f_old = pb.data_loss.value(pb.Y, Z, pb.s) + pen_old
        slope = -float(np.dot(sn * R, xd)) + (penalty.value(W + d) - pen_old)
        step, moved = 1.0, False
        for _ in range(40):
            Zt = Z + step * xd[:, None]
            f = pb.data_loss.value(pb.Y, Zt, pb.s) + penalty.value(W + step * d)
            if f <= f_old + 1e-4 * step * min(slope, 0.0) + 10 * np.finfo(float).eps * abs(f_old):
                moved = True
                break
            step *= 0.5
        if moved:
            W, b, Z = W + step * d, b + step * db, Zt
        viol, R = _kkt(pb, penalty, W, b, Z)
        settled = float(np.max(np.abs(step * d), initial=0.0)) <= max(tol, 1e-12) * float(
            np.max(np.abs(W), initial=0.0)
        )
        converged = viol <= tol * ref and (settled or not moved)
        if not moved:
            break
    return Result(
        W.astype(pb.dtype), b.astype(pb.dtype), float(viol), float(ref), it, bool(converged)
    )


def group_fit(pb, penalty: SparseGroupPenalty, W=None, b=None, *, max_iter=1000, tol=1e-4):
    """The sparse-group fit of ``pb``: :func:`group_solve` for the squared error,
    :func:`group_prox_newton` for the other single-predictor losses (binary
    logistic, Poisson, Gamma, Tweedie); the multinomial loss raises."""
    if pb.Y.shape[1] != 1:
        raise ValueError("groups are supported for one linear predictor (binary classes) only.")
    if pb.loss == losses.SQUARED:
        return group_solve(pb, penalty, W, b, max_iter=max_iter, tol=tol)
    if pb.penalty.bounded() or np.any(pb.penalty.penalty_factor != 1):
        group_data(pb, penalty)  # raises the same errors as the squared loss
    return group_prox_newton(pb, penalty, W, b, max_iter=max_iter, tol=tol)
