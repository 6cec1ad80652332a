"""One coordinate-descent epoch for a weighted least-squares elastic net.

Each epoch minimises, coordinate by coordinate over ``order``,

    1/2 * sum_i h_i * (z_i - x_i @ w - b)**2
        + sum_j l1_j * |w_j| + l2_j / 2 * w_j**2

keeping the residual ``r = z - X @ w - b`` up to date in place.  The intercept
``b`` (an unpenalised coordinate whose column is all ones, so sparse ``X`` is
never centred) is updated at the end of the epoch when ``fit_intercept``.
Squared regression uses ``h = sample_weight / n``; the prox-Newton solver of the
logistic losses calls the same kernels on its quadratic model.

Dense ``X`` is expected in Fortran order; sparse ``X`` comes as the CSC triple
``(data, indices, indptr)``.  ``col_sq[j] = sum_i h_i * x_ij**2``.  Both return
``(max |dw|, max |w|)`` over the epoch, for the solver's stopping heuristics.
"""

import numpy as np

from . import kernel
from .prox import enet_coordinate

KERNEL_STAMP = "0.1.0"


@kernel
def _intercept_step(r, h, b, fit_intercept):
    if not fit_intercept:
        return b
    num = r[0] - r[0]
    den = h[0] - h[0]
    for i in range(r.shape[0]):
        num += h[i] * r[i]
        den += h[i]
    if den <= 0:
        return b
    db = num / den
    for i in range(r.shape[0]):
        r[i] -= db
    return b + db


@kernel
def cd_epoch_dense(X, w, r, h, b, col_sq, l1, l2, positive, order, fit_intercept):
    n = X.shape[0]
    zero = w[0] - w[0] if w.shape[0] > 0 else r[0] - r[0]
    max_dw = zero
    max_w = zero
    for jj in range(order.shape[0]):
        j = order[jj]
        if col_sq[j] <= 0 and l2[j] <= 0:
            continue
        w_j = w[j]
        g = zero
        for i in range(n):
            g += h[i] * X[i, j] * r[i]
        g += col_sq[j] * w_j
        new = enet_coordinate(col_sq[j], g, l1[j], l2[j], positive)
        dw = new - w_j
        if dw != 0:
            w[j] = new
            for i in range(n):
                r[i] -= dw * X[i, j]
        if abs(dw) > max_dw:
            max_dw = abs(dw)
        if abs(new) > max_w:
            max_w = abs(new)
    b = _intercept_step(r, h, b, fit_intercept)
    return max_dw, max_w, b


@kernel
def cd_epoch_sparse(
    data, indices, indptr, w, r, h, b, col_sq, l1, l2, positive, order, fit_intercept
):
    zero = r[0] - r[0]
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
            i = indices[k]
            g += h[i] * data[k] * r[i]
        g += col_sq[j] * w_j
        new = enet_coordinate(col_sq[j], g, l1[j], l2[j], positive)
        dw = new - w_j
        if dw != 0:
            w[j] = new
            for k in range(start, end):
                r[indices[k]] -= dw * data[k]
        if abs(dw) > max_dw:
            max_dw = abs(dw)
        if abs(new) > max_w:
            max_w = abs(new)
    b = _intercept_step(r, h, b, fit_intercept)
    return max_dw, max_w, b


@kernel
def weighted_col_sq_dense(X, h):
    out = np.zeros(X.shape[1], dtype=X.dtype)
    for j in range(X.shape[1]):
        acc = out[j]
        for i in range(X.shape[0]):
            acc += h[i] * X[i, j] * X[i, j]
        out[j] = acc
    return out


@kernel
def weighted_col_sq_sparse(data, indices, indptr, h, n_features):
    out = np.zeros(n_features, dtype=data.dtype)
    for j in range(n_features):
        acc = out[j]
        for k in range(indptr[j], indptr[j + 1]):
            acc += h[indices[k]] * data[k] * data[k]
        out[j] = acc
    return out
