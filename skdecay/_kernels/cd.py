"""One coordinate-descent epoch for a weighted least-squares elastic net.

Each epoch minimises, coordinate by coordinate over ``order``,

    1/2 * sum_i h_i * (z_i - x_i @ w - b)**2
        + sum_j l1_j * |w_j| + l2_j / 2 * w_j**2

over the box ``lo_j <= w_j <= hi_j`` (arrays in ``X``'s dtype, each box
containing 0: ``lo = 0, hi = inf`` is ``positive``, ``lo = hi = 0`` excludes
a feature, unbounded coordinates pass ``-inf`` and ``inf``); ``code`` (a
``codes.PROX_*``) and ``gamma`` swap the penalty for the MCP or SCAD of level
``l1_j`` and concavity ``gamma`` plus the same ridge part (``prox.coordinate``;
``gamma`` in the arrays' dtype, unused by the elastic net), where the
intercept ``b`` (unpenalised) is kept at its optimum for the current ``w``
after every coordinate move: moving ``w_j`` by ``dw`` moves the optimal ``b``
by ``-dw * xbar_j`` (``xbar_j = sum_i h_i x_ij / sum_i h_i``).  This is exact
minimisation along the coupled direction ``(w_j, b)``, whose curvature is
``col_sq[j] = sum_i h_i (x_ij - xbar_j)**2``; it converges like CD on centred
data and never modifies ``X``.  The epochs return
``(max |dw|, max |w|, delta, max_step)``, ``delta`` being the accumulated
intercept shift and ``max_step = max_j (col_sq[j] + l2_j) * |dw_j|`` the largest
coordinate gradient-mapping norm (zero exactly at a fixed point of the epoch:
the solvers' cheap inner stopping measure, in gradient units).

* Dense ``X`` (Fortran order): columns are centred on the fly, ``r`` is the
  true residual ``z - X @ w - b``, kept h-weighted centred.
* Sparse ``X`` (CSC triple ``data, indices, indptr``): columns are never
  centred or densified; the residual is stored as ``q = z - X @ w - b0`` with
  the true residual ``q - delta``, so an update costs only the column's
  nonzeros, and ``hx[j] = sum_i h_i x_ij`` corrects the gradient.

Without an intercept pass ``xbar = 0`` (and ``hx = 0``).  Squared regression
uses ``h = sample_weight / n``; the prox-Newton solver of the logistic losses
calls the same kernels on its quadratic model.
"""

import numpy as np

from . import kernel
from .prox import coordinate

KERNEL_STAMP = "0.1.0"


# Reassociation lets LLVM vectorise the dot products; no flag that changes what
# NaN or infinity mean (the drivers detect divergence through them).
_FAST = {"reassoc", "contract"}


@kernel(fastmath=_FAST)
def _column_dot(X, k, r, h, xb, uniform):
    """``sum_i h_i (x_ik - xb) r_i`` (``uniform``: ``sum_i x_ik r_i``, unscaled)."""
    acc = np.zeros(1, dtype=r.dtype)[0]
    if uniform:
        for i in range(X.shape[0]):
            acc += X[i, k] * r[i]
    else:
        for i in range(X.shape[0]):
            acc += h[i] * (X[i, k] - xb) * r[i]
    return acc


@kernel(fastmath=_FAST)
def cd_epoch_dense(X, w, r, h, delta, col_sq, xbar, l1, l2, lo, hi, order, code, gamma):
    n = X.shape[0]
    m = order.shape[0]
    zero = np.zeros(1, dtype=r.dtype)[0]
    max_dw = zero
    max_w = zero
    max_step = zero
    if m == 0:
        return max_dw, max_w, delta, max_step
    # Uniform weights and no centring (plain least squares without intercept): the
    # gradient is h0 * x_j @ r.  Centred columns keep the on-the-fly (x_j - xbar_j),
    # which does not cancel when a column's mean is large.
    h0 = h[0]
    uniform = np.bool_(True)  # not a literal: one compile of _column_dot
    for i in range(n):
        if h[i] != h0:
            uniform = False
    for jj in range(m):
        if xbar[order[jj]] != 0:
            uniform = False
    # One fused pass per coordinate: the residual update of coordinate j and the dot
    # product of the next coordinate k share the loop over r (X is read once per
    # column from memory, r stays in cache); the dot uses the already updated r.
    j = order[0]
    acc = _column_dot(X, j, r, h, xbar[j], uniform)
    for jj in range(m):
        j = order[jj]
        g = h0 * acc if uniform else acc
        nxt = jj + 1 < m
        k = order[jj + 1] if nxt else j
        xk = xbar[k]
        acc = zero
        dw = zero
        w_j = w[j]
        new = w_j
        if col_sq[j] > 0 or l2[j] > 0:
            g += col_sq[j] * w_j
            new = coordinate(code, col_sq[j], g, l1[j], l2[j], gamma, lo[j], hi[j])
            dw = new - w_j
        if dw != 0:
            w[j] = new
            xb = xbar[j]
            delta -= dw * xb
            if not nxt:
                for i in range(n):
                    r[i] -= dw * (X[i, j] - xb)
            elif uniform:
                for i in range(n):
                    r[i] -= dw * X[i, j]
                    acc += X[i, k] * r[i]
            else:
                for i in range(n):
                    r[i] -= dw * (X[i, j] - xb)
                    acc += h[i] * (X[i, k] - xk) * r[i]
        elif nxt:
            acc = _column_dot(X, k, r, h, xk, uniform)
        max_dw = max(max_dw, abs(dw))
        max_w = max(max_w, abs(new))
        max_step = max(max_step, abs(dw) * (col_sq[j] + l2[j]))
    return max_dw, max_w, delta, max_step


@kernel
def cd_epoch_sparse(
    data, indices, indptr, w, q, h, delta, col_sq, hx, xbar, l1, l2, lo, hi, order, code, gamma
):
    zero = np.zeros(1, dtype=q.dtype)[0]
    max_dw = zero
    max_w = zero
    max_step = zero
    # uniform weights (no sample_weight): one random access per nonzero less
    h0 = h[0]
    uniform = True
    for i in range(h.shape[0]):
        if h[i] != h0:
            uniform = False
    for jj in range(order.shape[0]):
        j = order[jj]
        if col_sq[j] <= 0 and l2[j] <= 0:
            continue
        start, end = indptr[j], indptr[j + 1]
        w_j = w[j]
        g = zero
        if uniform:
            for k in range(start, end):
                g += data[k] * q[indices[k]]
            g *= h0
        else:
            for k in range(start, end):
                g += h[indices[k]] * data[k] * q[indices[k]]
        g += col_sq[j] * w_j - delta * hx[j]
        new = coordinate(code, col_sq[j], g, l1[j], l2[j], gamma, lo[j], hi[j])
        dw = new - w_j
        if dw != 0:
            w[j] = new
            for k in range(start, end):
                q[indices[k]] -= dw * data[k]
            delta -= dw * xbar[j]
        max_dw = max(max_dw, abs(dw))
        max_w = max(max_w, abs(new))
        max_step = max(max_step, abs(dw) * (col_sq[j] + l2[j]))
    return max_dw, max_w, delta, max_step


@kernel
def column_moments_dense(X, h, center):
    """``(xbar, col_sq)``: h-weighted column means (0 unless ``center``) and
    ``sum_i h_i (x_ij - xbar_j)**2``, in two passes (no cancellation)."""
    p = X.shape[1]
    xbar = np.zeros(p, dtype=X.dtype)
    col_sq = np.zeros(p, dtype=X.dtype)
    column_moments_dense_at(X, h, center, np.arange(p), xbar, col_sq)
    return xbar, col_sq


@kernel
def column_moments_dense_at(X, h, center, order, xbar, col_sq):
    """:func:`column_moments_dense` for the columns ``order`` only, written in place
    into ``xbar`` and ``col_sq`` (the solvers compute the moments of a working set)."""
    n = X.shape[0]
    zero = np.zeros(1, dtype=X.dtype)[0]
    total = zero
    for i in range(n):
        total += h[i]
    n4 = n - n % 4
    for jj in range(order.shape[0]):
        j = order[jj]
        xb = zero
        if center and total > 0:
            for i in range(n):
                xb += h[i] * X[i, j]
            xb /= total
        a0 = zero
        a1 = zero
        a2 = zero
        a3 = zero
        for i in range(0, n4, 4):
            d0 = X[i, j] - xb
            d1 = X[i + 1, j] - xb
            d2 = X[i + 2, j] - xb
            d3 = X[i + 3, j] - xb
            a0 += h[i] * d0 * d0
            a1 += h[i + 1] * d1 * d1
            a2 += h[i + 2] * d2 * d2
            a3 += h[i + 3] * d3 * d3
        for i in range(n4, n):
            d0 = X[i, j] - xb
            a0 += h[i] * d0 * d0
        xbar[j] = xb
        col_sq[j] = (a0 + a1) + (a2 + a3)


@kernel
def column_moments_sparse(data, indices, indptr, h, n_features, center):
    """Same as :func:`column_moments_dense` for a CSC matrix (implicit zeros count)."""
    xbar = np.zeros(n_features, dtype=data.dtype)
    col_sq = np.zeros(n_features, dtype=data.dtype)
    column_moments_sparse_at(data, indices, indptr, h, center, np.arange(n_features), xbar, col_sq)
    return xbar, col_sq


@kernel
def column_moments_sparse_at(data, indices, indptr, h, center, order, xbar, col_sq):
    """:func:`column_moments_sparse` for the columns ``order`` only, in place."""
    zero = np.zeros(1, dtype=data.dtype)[0]
    total = zero
    for i in range(h.shape[0]):
        total += h[i]
    for jj in range(order.shape[0]):
        j = order[jj]
        xb = zero
        h_nz = zero
        if center and total > 0:
            for k in range(indptr[j], indptr[j + 1]):
                xb += h[indices[k]] * data[k]
                h_nz += h[indices[k]]
            xb /= total
        acc = zero
        for k in range(indptr[j], indptr[j + 1]):
            d = data[k] - xb
            acc += h[indices[k]] * d * d
        if center:
            acc += (total - h_nz) * xb * xb
        xbar[j] = xb
        col_sq[j] = acc
