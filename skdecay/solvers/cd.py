"""Working-set coordinate descent for the squared loss (:func:`coordinate_descent`).

Outer iterations compute the duality gap (one product ``X.T @ theta``) and rank
the coordinates; cyclic or random CD epochs (``_kernels.cd``) then run over the
working set only, with Anderson extrapolation of the iterates.  :class:`CD`
binds one design matrix to the dense or sparse epoch kernels; prox-Newton
reuses it for its weighted least-squares models.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .. import losses
from .._kernels.cd import (
    cd_epoch_dense,
    cd_epoch_sparse,
    column_moments_dense,
    column_moments_dense_at,
    column_moments_sparse,
    column_moments_sparse_at,
)
from .._kernels.codes import PROX_ELASTIC_NET
from .gap import gap_and_correlation, rounding_limited, stalled, stopping_rule, zero_dual
from .problem import Problem, Result, check_finite

__all__ = ["CD", "coordinate_descent", "extrapolated_start", "rank_working_set"]


class CD:
    """Binds one design matrix and the coefficients' box ``[lo, hi]`` (arrays in
    ``X``'s dtype, from the penalty's ``kernel_arguments``) to the dense or sparse
    CD kernels."""

    def __init__(self, X, lo, hi, fit_intercept, selection, rng, prox=(0, 1.0)):
        self.sparse = sp.issparse(X)
        if not self.sparse and not X.flags.f_contiguous:
            X = np.asfortranarray(X)  # the kernels read columns (a copy: X is not ours)
        self.X = X
        self.p = X.shape[1]
        self.lo, self.hi = lo, hi
        self.code, self.gamma = prox  # the kernels' prox code and its gamma (MCP, SCAD)
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
                self.lo,
                self.hi,
                order,
                self.code,
                self.gamma,
            )
        return cd_epoch_dense(
            self.X, w, q, h, delta, col_sq, xbar, l1, l2, self.lo, self.hi, order, *self.prox
        )

    @property
    def prox(self):
        return self.code, self.gamma

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


def rank_working_set(mag, w, l1, size):
    """Indices (sorted) of the ``size`` coordinates most likely nonzero at the optimum.

    Nonzero and unpenalised coordinates always belong; the others are ranked by
    how close their correlation is to the L1 threshold, ``mag_j / l1_j``
    (largest first: a coordinate whose constraint is tight or violated enters),
    ``mag`` being the penalty's ``entry_slope`` of the correlations (``|V_j|``
    without constraints).
    """
    p = w.shape[0]
    if size >= p:
        return np.arange(p, dtype=np.int64)
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
            ok = np.all((w_e >= cd.lo[ws]) & (w_e <= cd.hi[ws]))  # inside the box
            if ok:
                q_e = q_e.astype(q.dtype)
                d_e = q.dtype.type(d_e)
                f_e = _ws_objective(cd.residual(q_e, d_e), h, w_e, l1w, l2w)
                f = _ws_objective(cd.residual(q, delta), h, w[ws], l1w, l2w)
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
    (``n_iter`` counts them).
    ``working_set=False`` runs every epoch over all coordinates.  ``settle=False``
    drops the coefficient-settling test: the duality gap alone decides (paths).
    """
    dt = pb.dtype.type
    n, p = pb.n, pb.X.shape[1]
    penalty = pb.penalty
    code, l1, l2, lo, hi, gamma = penalty.kernel_arguments(pb.dtype)
    cd = CD(pb.X, lo, hi, pb.fit_intercept, selection, rng, (code, gamma))
    if penalty.prox_code != PROX_ELASTIC_NET:
        anderson = 0  # (its acceptance test is the elastic net's objective)
    h = (pb.s / n).astype(pb.dtype)
    mkey = (pb.fit_intercept,)
    moments = cd.lazy_moments(h, pb.cache.get(pb, "cd_moments", mkey))
    pb.cache.put(pb, "cd_moments", cd.state, mkey)
    l1_64 = l1.astype(np.float64)
    w = np.array(W[0], dtype=pb.dtype)
    b0 = dt(b[0])
    y = pb.Y[:, 0]
    last = pb.cache.get(pb, "cd_residual", (pb.fit_intercept,))
    if last is not None and np.array_equal(last[0], w) and last[1] == b0:
        q = last[2].copy()  # warm start from the previous solve's exact output
    else:
        q = (y - (np.asarray(pb.X @ w) if np.any(w) else 0) - b0).astype(pb.dtype)
    q, delta = cd.start(q, h)
    first = None
    vkey = (pb.fit_intercept, *penalty.dual_key())
    if not np.any(w):  # the first certificate is the reference gap: one pass less
        Z = (y - cd.residual(q, delta))[:, None]
        W_b = (w[None, :], np.array([b0 + delta]))
        first = gap_and_correlation(pb, *W_b, Z, dual=zero_dual(pb, *W_b, Z))
    elif (V_last := pb.cache.get(pb, "cd_correlation", vkey)) is not None:
        # warm start along a path: the correlations at the previous solution rank the
        # first working set (they do not depend on alpha); the gap comes after a pass
        first = (np.inf, V_last)
    gap0, target, primal0 = stopping_rule(
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
            gap, V = gap_and_correlation(pb, w[None, :], b_now, Z, target, 10.0)
        if (
            gap <= target
            or stalled(pb, gap, previous, primal0)
            or rounding_limited(pb, w[None, :], np.array([b0 + delta]), gap, previous, target)
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
        viol = penalty.kkt_violation(w, -V[0])
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
            ws = rank_working_set(penalty.entry_slope(V[0]), w, l1_64, ws_size)
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
        check_finite(w, delta)
    b_out = np.array([b0 + delta], dtype=pb.dtype)
    pb.cache.put(pb, "cd_correlation", V, vkey)  # computed at the final w
    pb.cache.put(
        pb, "cd_residual", (w.copy(), b_out[0], cd.residual(q, delta) + 0), (pb.fit_intercept,)
    )
    return Result(w[None, :], b_out, gap, gap0, max(epochs, 1), converged)


def extrapolated_start(pb: Problem, W, b, W_before, ratio: float):
    """Warm start for the next ``alpha`` of a squared-loss path: ``(W, b)`` moved on
    along the path's secant, ``W + ratio * (W - W_before)``.

    ``W`` is the solution at the previous ``alpha`` and ``W_before`` the one before
    it; on a geometric grid ``ratio = 1`` (the solutions are smooth in
    ``log(alpha)`` between kinks).  No coefficient changes sign or leaves zero, and
    the step is taken only if it lowers the objective at ``pb``'s ``alpha`` (a step
    out of the penalty's box never does: its value is ``inf`` there).  The
    residual is affine in ``(w, b)``: with the residuals of ``W`` and
    ``W_before`` cached by the previous solves, the new one needs a product with
    the clipped columns only (otherwise one product with the columns that move);
    it is cached for the solve.  Returns ``(W, b)`` unchanged when there is
    nothing to extrapolate.
    """
    if pb.loss != losses.SQUARED or W.shape[0] != 1 or not ratio > 0:
        return W, b
    key = (pb.fit_intercept,)
    last = pb.cache.get(pb, "cd_residual", key)
    w = W[0]
    if last is None or not np.array_equal(last[0], w) or last[1] != b[0]:
        return W, b
    before = pb.cache.get(pb, "cd_residual_before", key)
    pb.cache.put(pb, "cd_residual_before", last, key)  # W is the next step's W_before
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
        return 0.5 * float(np.dot(s, res * res)) / pb.n + pb.penalty.value(coef)

    if not f(rx, wx) < f(r, w):
        return W, b
    bx_arr = np.array([bx], dtype=pb.dtype)
    pb.cache.put(pb, "cd_residual", (wx, bx_arr[0], rx), key)
    return wx[None, :], bx_arr
