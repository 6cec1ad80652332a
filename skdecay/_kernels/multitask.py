"""Block coordinate descent for the multi-task elastic net, whole solve per call.

Minimises, over ``W`` of shape ``(p, k)`` (row ``j``: feature ``j`` over the
``k`` tasks) and the intercepts ``b`` (k,)::

    1/2 * sum_i h_i ||y_i - x_i @ W - b||**2 + sum_j l1_j ||W_j|| + l2_j / 2 ||W_j||**2

with ``h = sample_weight / n``.  One block move is the exact minimiser along
the coupled direction ``(W_j, b)`` (the intercept kept at its optimum, as in
``cd.py``): with ``a = col_sq[j]`` and ``g = sum_i h_i (x_ij - xbar_j) r_i + a W_j``
it is the block soft-threshold ``max(1 - l1_j / ||g||, 0) g / (a + l2_j)``.

The duality gap of the residual-based dual point ``c * (r - rbar)`` is
``(1 - c)**2 rho / 2 + (sum h) ||rbar||**2 / 2 + sum_j FY_j(c)`` with
``rho = sum_i h_i ||r_i - rbar||**2``, ``V_j = sum_i h_i x_ij (r_i - rbar)`` and the
per-block Fenchel-Young terms ``FY_j(c) = g_j(W_j) + g_j*(c V_j) - c V_j.W_j``
(``MultiTaskElasticNetPenalty`` in numpy), each summed from non-negative
pieces.  It is minimised exactly over ``c`` in ``[0, c_max]`` (a convex
piecewise quadratic: bisection on its derivative, then the root of the final
linear piece).  Everything is accumulated in float64; the iterates stay in the
dtype of ``X`` (float32 stays float32).  After every gap evaluation the blocks
that the gap proves zero at the optimum are screened out (gap-safe rules,
:func:`screen`) and skipped by the following passes.

* Dense ``X`` (Fortran order): ``R`` is the true residual ``Y - X W - b``, Fortran
  ordered (each task's residual contiguous: the sums over samples vectorise).
* Sparse ``X`` (CSC ``data, indices, indptr``): ``Q = Y - X W - b0`` (C order: the
  tasks of a sample together) with the
  true residual ``Q - delta`` and ``b = b0 + delta``; an update costs the
  column's nonzeros only, and ``hx[j] = sum_i h_i x_ij`` corrects the gradient.
"""

import numpy as np

from . import kernel

KERNEL_STAMP = "0.1.0"

# Reassociation lets LLVM vectorise the sums over samples (as in ``cd.py``); no flag
# that changes what NaN or infinity mean.
_FAST = {"reassoc", "contract"}


@kernel
def block_prox(g, a, l1, l2, out):
    """``out = argmin_w a/2 ||w||**2 - g.w + l1 ||w|| + l2/2 ||w||**2``; returns ``||out||``.

    Zero when ``||g|| <= l1`` or when ``a + l2 = 0`` (an empty column)."""
    k = g.shape[0]
    nrm = 0.0
    for t in range(k):
        nrm += float(g[t]) * float(g[t])
    nrm = np.sqrt(nrm)
    denom = float(a) + float(l2)
    scale = 0.0
    if nrm > l1 and denom > 0:
        scale = (1.0 - l1 / nrm) / denom
    for t in range(k):
        out[t] = g[t] * scale
    return nrm * scale


@kernel
def dual_gap(W, V, rho, shift, l1, l2):
    """Duality gap from ``W`` (p, k), ``V`` (p, k) float64, ``rho`` and ``shift =
    (sum h) ||rbar||**2``, minimised over the dual scaling ``c``; returns ``(gap, c)``.

    Blocks with ``l2 = 0`` bound ``c`` by ``l1 / ||V_j||``; ``l1 = l2 = 0`` blocks
    are not supported (the caller keeps every penalty factor positive)."""
    p, k = W.shape
    nv = np.zeros(p)
    nw = np.zeros(p)
    vw = 0.0
    cmax = 1.0
    for j in range(p):
        sv = 0.0
        sw = 0.0
        for t in range(k):
            v = V[j, t]
            w = float(W[j, t])
            sv += v * v
            sw += w * w
            vw += v * w
        nv[j] = np.sqrt(sv)
        nw[j] = np.sqrt(sw)
        if l2[j] <= 0 and nv[j] * cmax > l1[j]:
            cmax = l1[j] / nv[j]
    # f'(c) = -(1 - c) rho - sum V.W + sum_{c ||V_j|| > l1_j} ||V_j|| (c ||V_j|| - l1_j) / l2_j
    lo = 0.0
    hi = cmax
    if _slope(hi, nv, rho, vw, l1, l2) <= 0:
        c = hi
    elif _slope(lo, nv, rho, vw, l1, l2) >= 0:
        c = lo
    else:
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if _slope(mid, nv, rho, vw, l1, l2) < 0:
                lo = mid
            else:
                hi = mid
        # the linear piece around the root: solve it exactly
        mid = 0.5 * (lo + hi)
        s0 = -rho - vw
        q = rho
        for j in range(p):
            if l2[j] > 0 and mid * nv[j] > l1[j]:
                s0 -= nv[j] * l1[j] / l2[j]
                q += nv[j] * nv[j] / l2[j]
        c = mid
        if q > 0:
            c = min(max(-s0 / q, lo), hi)
    return _gap_at(c, W, V, nv, nw, rho, shift, l1, l2), c


@kernel
def _slope(c, nv, rho, vw, l1, l2):
    d = -(1.0 - c) * rho - vw
    for j in range(nv.shape[0]):
        if l2[j] > 0 and c * nv[j] > l1[j]:
            d += nv[j] * (c * nv[j] - l1[j]) / l2[j]
    return d


@kernel
def _gap_at(c, W, V, nv, nw, rho, shift, l1, l2):
    """The gap at scaling ``c``, summed from non-negative pieces."""
    p, k = W.shape
    gap = 0.5 * (1.0 - c) * (1.0 - c) * rho + 0.5 * shift
    for j in range(p):
        nm = c * nv[j]
        excess = nm - l1[j]
        if nw[j] == 0:
            if l2[j] > 0 and excess > 0:
                gap += excess * excess / (2.0 * l2[j])
            continue
        cross = 0.0  # ||m|| ||w|| - m.w = ||m|| ||w|| / 2 * ||m/||m|| - w/||w|| ||**2
        if nm > 0:
            d2 = 0.0
            for t in range(k):
                d = V[j, t] / nv[j] - float(W[j, t]) / nw[j]
                d2 += d * d
            cross = 0.5 * nm * nw[j] * d2
        if l2[j] > 0 and excess > 0:
            e = excess - l2[j] * nw[j]
            gap += e * e / (2.0 * l2[j]) + cross
        else:
            gap += max(-excess, 0.0) * nw[j] + 0.5 * l2[j] * nw[j] * nw[j] + cross
    return gap


@kernel
def residual_moments(R, h, fit_intercept, rbar):
    """``(rho, shift)`` of the residual ``R`` (n, k); writes its h-mean into ``rbar``
    (zero without intercept)."""
    n, k = R.shape
    total = 0.0
    for i in range(n):
        total += h[i]
    for t in range(k):
        rbar[t] = 0.0
    if fit_intercept and total > 0:
        for i in range(n):
            for t in range(k):
                rbar[t] += h[i] * float(R[i, t])
        for t in range(k):
            rbar[t] /= total
    rho = 0.0
    shift = 0.0
    for i in range(n):
        for t in range(k):
            d = float(R[i, t]) - rbar[t]
            rho += h[i] * d * d
    for t in range(k):
        shift += total * rbar[t] * rbar[t]
    return rho, shift


@kernel(fastmath=_FAST)
def correlation(X, data, indices, indptr, R, h, hx, rbar, V):
    """``V[j] = sum_i h_i x_ij (R_i - rbar)`` in float64.

    The design is the dense ``X`` (Fortran order; ``data, indices, indptr`` are
    ``None``) or CSC ``(data, indices, indptr)`` (``X`` is ``None``; ``hx[j] =
    sum_i h_i x_ij``): numba compiles one variant per flavour and drops the
    other's branch (an argument that is ``None`` prunes its ``if``)."""
    p, k = V.shape
    if X is not None:
        n = X.shape[0]
        for j in range(p):
            for t in range(k):  # R Fortran-ordered: one contiguous pass per task
                acc = 0.0
                rb = rbar[t]
                for i in range(n):
                    acc += h[i] * float(X[i, j]) * (float(R[i, t]) - rb)
                V[j, t] = acc
    if data is not None:
        for j in range(p):
            for t in range(k):
                V[j, t] = -float(hx[j]) * rbar[t]
            for m in range(indptr[j], indptr[j + 1]):
                i = indices[m]
                hxi = h[i] * float(data[m])
                for t in range(k):
                    V[j, t] += hxi * float(R[i, t])


@kernel
def duality_gap(X, data, indices, indptr, R, W, h, hx, fit_intercept, l1, l2):
    """Duality gap at ``W`` with the true residual ``R`` (the design as in
    :func:`correlation`): ``(gap, rho, c)``."""
    V = np.zeros(W.shape)
    return gap_into(X, data, indices, indptr, R, W, h, hx, fit_intercept, l1, l2, V)


@kernel
def gap_into(X, data, indices, indptr, R, W, h, hx, fit_intercept, l1, l2, V):
    """:func:`duality_gap`, the correlations written into ``V`` (p, k, float64)."""
    k = W.shape[1]
    rbar = np.zeros(k)
    rho, shift = residual_moments(R, h, fit_intercept, rbar)
    correlation(X, data, indices, indptr, R, h, hx, rbar, V)
    gap, c = dual_gap(W, V, rho, shift, l1, l2)
    return gap, rho, c


@kernel
def screen(V, c, gap, col_sq, l1, margin, active):
    """Gap-safe screening: ``active[j] = False`` for the blocks certainly zero at
    the optimum; returns how many blocks are active.

    The dual objective is 1-strongly concave in ``||u||_h**2 = sum_i h_i ||u_i||**2``,
    so the optimal dual point lies within ``sqrt(2 gap)`` of the feasible ``c u``;
    by Cauchy-Schwarz its correlation with feature ``j`` is within
    ``sqrt(col_sq[j]) sqrt(2 gap)`` of ``c V_j``.  Below ``l1_j`` (less a relative
    ``margin`` for rounding) the block is zero at the optimum.  A screened block
    whose ``c ||V_j||`` later exceeds ``l1_j`` (rounding) is activated again."""
    p, k = V.shape
    radius = np.sqrt(2.0 * max(gap, 0.0))
    n_active = 0
    for j in range(p):
        nv = 0.0
        for t in range(k):
            nv += V[j, t] * V[j, t]
        nv = c * np.sqrt(nv)
        if active[j]:
            if nv + np.sqrt(max(float(col_sq[j]), 0.0)) * radius < l1[j] * (1.0 - margin):
                active[j] = False
        elif nv > l1[j]:
            active[j] = True
        if active[j]:
            n_active += 1
    return n_active


@kernel
def _order(p, shuffle):
    order = np.arange(p)
    if shuffle:
        np.random.shuffle(order)  # noqa: NPY002 (numba: the legacy API, seeded per call)
    return order


@kernel
def _stop(gap, previous, target, floor, settled):
    """Converged: the coefficients have settled (when asked to) and the gap meets
    ``target``, or it sits at rounding level (``floor``) and stopped shrinking."""
    return settled and (gap <= target or (gap <= floor and gap > 0.5 * previous))


@kernel(fastmath=_FAST)
def _block_gradient(X, data, indices, indptr, j, a, xb, hx, h, Q, delta, W, g):
    """``g = a W_j + sum_i h_i (x_ij - xbar_j) r_i``, ``r`` the true residual (dense:
    ``Q``; CSC: ``Q - delta``, whose h-weighted sum is zero with an intercept and
    ``xbar = 0`` without, so that only the column's nonzeros are read)."""
    k = g.shape[0]
    if X is not None:
        n = X.shape[0]
        for t in range(k):  # Q Fortran-ordered: one contiguous pass per task
            acc = a * W[j, t]
            for i in range(n):
                acc += h[i] * (X[i, j] - xb) * Q[i, t]
            g[t] = acc
    if data is not None:
        for t in range(k):
            g[t] = a * W[j, t] - hx[j] * delta[t]
        for m in range(indptr[j], indptr[j + 1]):
            i = indices[m]
            xi = h[i] * data[m]
            for t in range(k):
                g[t] += xi * Q[i, t]


@kernel(fastmath=_FAST)
def _block_move(X, data, indices, indptr, j, xb, dw, Q, delta):
    """Move ``W_j`` by ``dw`` along the coupled direction ``(W_j, b - xbar_j W_j)``:
    the residual loses ``dw (x_j - xbar_j)`` and ``delta`` (the intercept's change)
    loses ``dw xbar_j``; dense ``Q`` is the residual, CSC ``Q`` loses ``dw x_j`` (its
    nonzeros only) and the residual is ``Q - delta``."""
    k = dw.shape[0]
    if X is not None:
        n = X.shape[0]
        for t in range(k):
            d = dw[t]
            if d != 0:
                for i in range(n):
                    Q[i, t] -= d * (X[i, j] - xb)
    if data is not None:
        for m in range(indptr[j], indptr[j + 1]):
            i = indices[m]
            for t in range(k):
                Q[i, t] -= dw[t] * data[m]
    for t in range(k):
        delta[t] -= dw[t] * xb


@kernel(fastmath=_FAST)
def solve(
    X,
    data,
    indices,
    indptr,
    Q,
    delta,
    W,
    h,
    hx,
    xbar,
    col_sq,
    l1,
    l2,
    fit_intercept,
    max_iter,
    tol,
    target,
    floor,
    settle,
    random,
    seed,
):
    """Block CD until the gap is at most ``target``; ``Q``, ``delta`` and ``W`` are
    updated in place.  Returns ``(n_iter, gap, converged)``.

    The design as in :func:`correlation`.  Dense ``X``: ``Q`` is the residual
    ``Y - X W - b`` (Fortran order) and ``delta`` the intercept ``b`` itself
    (``hx`` unused, ``None``); CSC ``X``: ``Q`` (n, k, C order) and ``delta``
    (zeros on entry) with the true residual ``Q - delta`` and the intercept ``b0 +
    delta``.  One body for both: the flavours differ in :func:`_block_gradient`,
    :func:`_block_move` and :func:`correlation` only.

    The gap is evaluated after a pass whose largest block move is at most
    ``tol`` times the largest block (scikit-learn's test; never below ``16 eps``,
    what the dtype resolves), every 10 passes, and after the last one; with
    ``settle`` (single fits, as scikit-learn) that test must hold too,
    otherwise the gap alone decides (paths)."""
    p, k = W.shape
    eps = np.finfo(W.dtype).eps
    margin = 1e3 * eps
    g = np.zeros(k, dtype=W.dtype)
    new = np.zeros(k, dtype=W.dtype)
    dw = np.zeros(k, dtype=W.dtype)
    R = Q  # the true residual at each gap evaluation
    if data is not None:
        R = np.empty_like(Q)
    V = np.zeros((p, k))
    active = np.ones(p, dtype=np.bool_)
    if random:
        np.random.seed(seed)  # noqa: NPY002 (numba: seeds the kernel's own generator)
    gap = np.inf
    previous = np.inf
    n_iter = 0
    for it in range(max_iter):
        order = _order(p, random)
        max_dw = 0.0
        max_w = 0.0
        for jj in range(p):
            j = order[jj]
            a = col_sq[j]
            if (a <= 0 and l2[j] <= 0) or not active[j]:
                continue
            _block_gradient(X, data, indices, indptr, j, a, xbar[j], hx, h, Q, delta, W, g)
            nrm = block_prox(g, a, l1[j], l2[j], new)
            moved = 0.0
            for t in range(k):
                dw[t] = new[t] - W[j, t]
                moved += float(dw[t]) * float(dw[t])
            if moved > 0:
                _block_move(X, data, indices, indptr, j, xbar[j], dw, Q, delta)
                for t in range(k):
                    W[j, t] = new[t]
            max_dw = max(max_dw, np.sqrt(moved))
            max_w = max(max_w, nrm)
        n_iter = it + 1
        still = max_dw <= max(tol, 16.0 * eps) * max_w
        settled = still or not settle
        if still or n_iter % 10 == 0 or n_iter == max_iter:
            if data is not None:
                for i in range(Q.shape[0]):
                    for t in range(k):
                        R[i, t] = Q[i, t] - delta[t]
            previous = gap
            gap, _, c = gap_into(X, data, indices, indptr, R, W, h, hx, fit_intercept, l1, l2, V)
            if _stop(gap, previous, target, floor, settled):
                return n_iter, gap, True
            screen(V, c, gap, col_sq, l1, margin, active)
            for j in range(p):  # a screened block still nonzero: set it to zero
                if not active[j]:
                    moved = 0.0
                    for t in range(k):
                        dw[t] = -W[j, t]
                        moved += abs(float(dw[t]))
                        W[j, t] = 0
                    if moved > 0:
                        _block_move(X, data, indices, indptr, j, xbar[j], dw, Q, delta)
    return n_iter, gap, False
