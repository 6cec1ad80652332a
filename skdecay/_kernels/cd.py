"""One coordinate-descent epoch for a weighted least-squares elastic net.

Each epoch minimises, coordinate by coordinate over ``order``,

    1/2 * sum_i h_i * (z_i - x_i @ w - b)**2
        + sum_j l1_j * |w_j| + l2_j / 2 * w_j**2

where the intercept ``b`` (unpenalised) is kept at its optimum for the
current ``w`` after every coordinate move: moving ``w_j`` by ``dw`` moves the
optimal ``b`` by ``-dw * xbar_j`` (``xbar_j = sum_i h_i x_ij / sum_i h_i``).
This is exact minimisation along the coupled direction ``(w_j, b)`` (the
curvature is ``col_sq[j] = sum_i h_i (x_ij - xbar_j)**2``), converges like CD on
centred data, and never touches ``X``: sparse columns are neither centred nor
densified.  The residual is stored as ``q = z - X @ w - b0`` plus the scalar
intercept shift ``delta`` (``b = b0 + delta``, true residual ``q - delta``), so a
sparse column update costs only its nonzeros.  Without an intercept pass
``xbar = 0`` and ``delta = 0``.

Squared regression uses ``h = sample_weight / n``; the prox-Newton solver of the
logistic losses calls the same kernels on its quadratic model.  Dense ``X`` is
expected in Fortran order; sparse ``X`` comes as the CSC triple
``(data, indices, indptr)``.  Epochs return ``(max |dw|, max |w|, delta)``.
"""

import numpy as np

from . import kernel
from .prox import enet_coordinate

KERNEL_STAMP = "0.1.0"


@kernel
def cd_epoch_dense(X, w, q, h, delta, col_sq, hx, xbar, l1, l2, positive, order):
    n = X.shape[0]
    zero = np.zeros(1, dtype=q.dtype)[0]
    max_dw = zero
    max_w = zero
    for jj in range(order.shape[0]):
        j = order[jj]
        if col_sq[j] <= 0 and l2[j] <= 0:
            continue
        w_j = w[j]
        g = zero
        for i in range(n):
            g += h[i] * X[i, j] * q[i]
        g += col_sq[j] * w_j - delta * hx[j]
        new = enet_coordinate(col_sq[j], g, l1[j], l2[j], positive)
        dw = new - w_j
        if dw != 0:
            w[j] = new
            for i in range(n):
                q[i] -= dw * X[i, j]
            delta -= dw * xbar[j]
        max_dw = max(max_dw, abs(dw))
        max_w = max(max_w, abs(new))
    return max_dw, max_w, delta


@kernel
def cd_epoch_sparse(
    data, indices, indptr, w, q, h, delta, col_sq, hx, xbar, l1, l2, positive, order
):
    zero = np.zeros(1, dtype=q.dtype)[0]
    max_dw = zero
    max_w = zero
    for jj in range(order.shape[0]):
        j = order[jj]
        if col_sq[j] <= 0 and l2[j] <= 0:
            continue
        start, end = indptr[j], indptr[j + 1]
        w_j = w[j]
        g = zero
        for k in range(start, end):
            g += h[indices[k]] * data[k] * q[indices[k]]
        g += col_sq[j] * w_j - delta * hx[j]
        new = enet_coordinate(col_sq[j], g, l1[j], l2[j], positive)
        dw = new - w_j
        if dw != 0:
            w[j] = new
            for k in range(start, end):
                q[indices[k]] -= dw * data[k]
            delta -= dw * xbar[j]
        max_dw = max(max_dw, abs(dw))
        max_w = max(max_w, abs(new))
    return max_dw, max_w, delta


@kernel
def column_moments_dense(X, h):
    """``(sum_i h_i x_ij, sum_i h_i x_ij**2)`` for every column ``j``."""
    p = X.shape[1]
    hx = np.zeros(p, dtype=X.dtype)
    hxx = np.zeros(p, dtype=X.dtype)
    for j in range(p):
        a = hx[j]
        b = hxx[j]
        for i in range(X.shape[0]):
            t = h[i] * X[i, j]
            a += t
            b += t * X[i, j]
        hx[j] = a
        hxx[j] = b
    return hx, hxx


@kernel
def column_moments_sparse(data, indices, indptr, h, n_features):
    """Same as :func:`column_moments_dense` for a CSC matrix."""
    hx = np.zeros(n_features, dtype=data.dtype)
    hxx = np.zeros(n_features, dtype=data.dtype)
    for j in range(n_features):
        a = hx[j]
        b = hxx[j]
        for k in range(indptr[j], indptr[j + 1]):
            t = h[indices[k]] * data[k]
            a += t
            b += t * data[k]
        hx[j] = a
        hxx[j] = b
    return hx, hxx
