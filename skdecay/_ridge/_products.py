"""Products with ``X`` for the ridge solvers, centred and weighted implicitly (``X`` is
never copied or densified), blocked so that dense ``X`` is read once per product.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

# Rows (columns) per block of the fused dense products (at least 256: thinner
# strided blocks are slow): about 1 MiB, which stays in L2 between its two uses,
# so one CG product reads X from memory once.  On this machine (X 20000 x 500
# float64, one thread) the fused product takes 7.7-10 ms against 9.5-12 ms for
# ``X @ v`` then ``X.T @ u`` (timings vary by +-20% from run to run).
_CG_BLOCK_BYTES = 1 << 20


def _row_block(X) -> int:
    return max(256, _CG_BLOCK_BYTES // max(1, X.shape[1] * X.itemsize))


def _column_block(X) -> int:
    return max(256, _CG_BLOCK_BYTES // max(1, X.shape[0] * X.itemsize))


def _weighted_dot(c, a, b) -> float:
    """``sum_j c_j a_j b_j``; ``c`` may be a scalar.  No temporary of length ``p``."""
    if np.ndim(c) == 0:
        return float(c) * float(a @ b)
    return float(np.einsum("i,i,i->", c, a, b))


def _dot64(a, b) -> float:
    return float(np.dot(a.astype(np.float64, copy=False), b.astype(np.float64, copy=False)))


def _row_major(X):
    """Sparse ``X`` as CSR (a copy of its structure if CSC), dense ``X`` as is.

    The kernel system multiplies by ``X`` and ``X^T`` with ``n < p``: CSR loops
    over the ``n`` rows both ways, CSC over the ``p`` columns (on 1000 x 200000
    with 200000 nonzeros: 0.3-0.4 ms against 1.5 ms per product)."""
    if sp.issparse(X) and X.format != "csr":
        return sp.csr_matrix(X)
    return X


def _column_means(X, s) -> np.ndarray:
    """``xm = X^T s / n`` in float64 (``s`` in the dtype of ``X``)."""
    xm = np.asarray(X.T @ s, dtype=np.float64)
    xm /= X.shape[0]
    return xm


def _squares(X):
    """Sparse ``X`` with its entries squared, in float64 (same structure)."""
    return type(X)((X.data.astype(np.float64) ** 2, X.indices, X.indptr), shape=X.shape)


def _row_norms(X, il) -> np.ndarray:
    """``sum_j x_ij^2 il_j`` for every row (float64; ``il`` a scalar or an array)."""
    scalar = np.ndim(il) == 0
    if sp.issparse(X):
        if not scalar:
            return np.asarray(_squares(X) @ il)
        sq = X.data.astype(np.float64)  # a copy: squared in place
        np.square(sq, out=sq)
        out = np.zeros(X.shape[0])
        rows = np.diff(X.indptr) > 0
        if sq.size:
            out[rows] = np.add.reduceat(sq, X.indptr[:-1][rows])
        return out * il
    out = np.zeros(X.shape[0])
    step = _column_block(X)
    for j in range(0, X.shape[1], step):
        Xb = X[:, j : j + step]
        if scalar:
            out += np.einsum("ij,ij->i", Xb, Xb)
        else:
            out += np.einsum("ij,ij,j->i", Xb, Xb, il[j : j + step].astype(X.dtype))
    return out * il if scalar else out


def _apply(X, v) -> np.ndarray:
    """``X v`` in the dtype of ``X``, returned in float64."""
    return np.asarray(X @ v.astype(X.dtype, copy=False), dtype=np.float64)


def _dual_product(X, v, il):
    """``(X q, q)`` with ``q = D^-1 X^T v`` (``il = 1 / lam`` an array, or ``None``:
    ``q = X^T v``), float64 results.

    Dense ``X`` (Fortran order): one fused pass over blocks of columns, each read
    twice while it is in the cache; sparse ``X`` (CSR): two sparse products."""
    vv = v.astype(X.dtype)
    if sp.issparse(X):
        q = np.asarray(X.T @ vv, dtype=np.float64)
        if il is not None:
            q *= il
        return np.asarray(X @ q.astype(X.dtype, copy=False), dtype=np.float64), q
    p = X.shape[1]
    step = _column_block(X)
    q = np.empty(p)
    e = np.zeros(X.shape[0])
    for j in range(0, p, step):
        Xb = X[:, j : j + step]
        qb = q[j : j + step]
        if il is None:
            qb[:] = Xb.T @ vv
        else:
            np.multiply(Xb.T @ vv, il[j : j + step], out=qb)
        e += Xb @ qb.astype(X.dtype, copy=False)
    return e, q


def _cg_product(X, v, xm, s, block):
    """``A^T A v`` for ``A = sqrt(s) (X - xm)`` (``xm`` or ``s`` may be ``None``), in
    one pass over ``X`` by row blocks: ``X_b.T @ (s_b (X_b v - xm.v))`` summed,
    minus ``xm`` times the sum of the weighted centred products.  Runs in the
    dtype of ``X`` (``v`` is cast; a python-float offset keeps float32 float32)."""
    n = X.shape[0]
    vv = v.astype(X.dtype)
    c = float(xm @ v) if xm is not None else 0.0
    acc = np.zeros(X.shape[1])
    total = 0.0
    for i in range(0, n, block):
        Xb = X if block >= n else X[i : i + block]  # sparse X: one product each way
        u = Xb @ vv
        if xm is not None:
            u -= c
        if s is not None:
            u *= s[i : i + block]
        acc += Xb.T @ u
        if xm is not None:
            total += float(u.sum())
    if xm is not None:
        acc -= xm * total
    return acc
