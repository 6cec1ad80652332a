"""Direct ridge solves: Cholesky on the normal equations or the kernel system, and the
minimum-norm least-squares solution at ``alpha = 0``.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from ..solvers import Problem, Result, duality_gap
from ._problem import (
    _centred_target,
    _kernel_gap,
    _penalty,
    _weights,
)
from ._products import (
    _column_block,
    _column_means,
    _dot64,
    _row_major,
)


def ridge_direct(pb: Problem):
    """Closed-form ridge: the normal equations, or the kernel form when ``n < p``.

    The normal equations (dense ``X`` only) use a centred, weighted copy of
    ``X``; the kernel matrix (dense or sparse ``X``, every ``lam_j > 0``) is built
    without one (:func:`_kernel_matrix`).
    """
    X, n, p = pb.X, pb.n, pb.X.shape[1]
    lam = _penalty(pb)
    s = _weights(pb)
    ym, yc = _centred_target(pb, s)
    xm = _column_means(X, pb.s) if pb.fit_intercept else None
    kernel = n < p and not np.any(lam <= 0)
    if kernel:
        Xk = _row_major(X)
        K, t, sq = _kernel_matrix(Xk, pb.s, s, xm, yc, lam)
        K[np.diag_indices_from(K)] += 1
        u = _spd_solve(K, t)
        w = _kernel_coef(Xk, u, pb.s, sq, 1 / lam, pb.fit_intercept)
    else:
        w = _gram_solve(pb, lam, s, xm, yc)
    w = np.asarray(w).astype(X.dtype)
    b = np.array([ym - (_dot64(xm, w) if xm is not None else 0.0)], dtype=X.dtype)
    if kernel:  # the same gap without duality_gap's cost at large p
        gap = _kernel_gap(pb, Xk, w, b, lam)
    else:
        gap = duality_gap(pb, w[None, :], b)
    return Result(w[None, :], b, gap, gap, 1, True)


def ridge_min_norm(pb: Problem, tol: float = 1e-4, max_iter: int = 1000):
    """Unpenalised least squares (``alpha = 0``): the minimum-norm solution.

    With ``alpha = 0`` a wide or rank-deficient ``X`` has a whole affine set of
    minimisers; scikit-learn's ``Ridge`` returns the one of least norm (the
    limit of the ridge solution as ``alpha -> 0``), and so does this: an SVD
    least-squares solve (``gelsd``) of the centred, weighted dense ``X`` in
    float64, or LSQR started at zero on sparse ``X`` (centred and weighted
    implicitly), whose iterates stay in the row space and so converge to the
    minimum-norm solution.  ``tol`` bounds LSQR's relative residual tests
    (``atol = btol = min(tol, 1e-6)``); ``max_iter`` its iterations (at least
    ``2 * min(n, p)``).
    """
    from scipy.sparse.linalg import LinearOperator, lsqr

    X, n, p = pb.X, pb.n, pb.X.shape[1]
    s = np.asarray(pb.s, dtype=np.float64)
    sq = np.sqrt(s)
    ym, yc = _centred_target(pb, pb.s)
    t = np.asarray(yc, dtype=np.float64) * sq
    xm = _column_means(X, pb.s) if pb.fit_intercept else np.zeros(p)
    n_iter = 1
    if sp.issparse(X):
        Xd = X.astype(np.float64)
        XT = Xd.T.tocsr()

        def matvec(v):  # A v = sqrt(s) (X v - xm.v)
            return sq * (np.asarray(Xd @ v).ravel() - xm @ v)

        def rmatvec(u):  # A^T u = X^T (sqrt(s) u) - xm sum(sqrt(s) u)
            su = sq * u
            return np.asarray(XT @ su).ravel() - xm * su.sum()

        A = LinearOperator((n, p), matvec=matvec, rmatvec=rmatvec, dtype=np.float64)
        eps = min(tol, 1e-6)
        out = lsqr(A, t, atol=eps, btol=eps, iter_lim=max(max_iter, 2 * min(n, p)))
        w, n_iter = out[0], int(out[2])
    else:
        A = (np.asarray(X, dtype=np.float64) - xm) * sq[:, None]
        w = scipy.linalg.lstsq(A, t, lapack_driver="gelsd")[0]
    w = w.astype(X.dtype)
    b = np.array([ym - float(xm @ w.astype(np.float64))], dtype=X.dtype)
    gap = duality_gap(pb, w[None, :], b)
    return Result(w[None, :], b, gap, gap, n_iter, True)


def _gram_solve(pb: Problem, lam, s, xm, yc):
    """``(A^T A + D) w = A^T t``, ``A = sqrt(s) (X - xm)``, for dense ``X`` (in its dtype).

    ``A^T A`` and ``A^T t`` are accumulated over blocks of rows, each centred and
    weighted as a small copy (at most 16 MiB and an eighth of ``X``): no copy of
    ``X`` is made (centring ``X`` as a whole would add its full size to the peak
    memory), and the Gram matrix is still formed from centred columns, so large
    column means cause no cancellation."""
    X, dt = pb.X, pb.X.dtype
    p = X.shape[1]
    c = xm.astype(dt) if xm is not None else None
    sq = np.sqrt(s) if s is not None else None
    t = yc if sq is None else yc * sq
    G = np.zeros((p, p), dtype=dt)
    rhs = np.zeros(p, dtype=dt)
    # at most 16 MiB (float64) and an eighth of X per block, at least 256 rows
    step = max(256, min((1 << 21) // max(p, 1), -(-X.shape[0] // 8)))
    for i in range(0, X.shape[0], step):
        B = X[i : i + step]
        B = B - c if c is not None else np.array(B)  # a C-ordered block
        if sq is not None:
            B *= sq[i : i + step, None]
        G += B.T @ B
        rhs += B.T @ t[i : i + step]
    G[np.diag_indices_from(G)] += lam.astype(dt)
    return _spd_solve(G, rhs)


def _kernel_matrix(X, s_all, s, xm, yc, lam):
    """``K = A D^-1 A^T`` (float64, ``n x n``), ``t`` and ``sqrt(s)`` (or ``None``).

    Dense ``X`` (Fortran order): accumulated over blocks of columns, each centred
    and scaled as a small copy (``B B^T`` with ``B = (X_b - xm_b) / sqrt(lam_b)``).
    Sparse ``X`` (CSR): ``M = X D^-1 X^T`` by a sparse product, then centred as a
    matrix, ``K = P M P^T`` (``P = I - 1 s^T / n``: ``M - m 1^T - 1 m^T + c``
    with ``m = M s / n`` and ``c = s.m / n``).
    """
    n = X.shape[0]
    if sp.issparse(X):
        X64 = X.astype(np.float64)
        M = (X64 @ sp.diags(1 / lam) @ X64.T).toarray()
        if xm is not None:
            sw = s_all.astype(np.float64)
            m = M @ sw / n
            M -= m[:, None]
            M -= m[None, :]
            M += float(sw @ m) / n
        K = M
    else:
        K = np.zeros((n, n))
        root = np.sqrt(lam)
        step = _column_block(X)
        for j in range(0, X.shape[1], step):
            B = X[:, j : j + step]
            if xm is not None:
                B = B - xm[j : j + step].astype(X.dtype)
            B = B / root[j : j + step].astype(X.dtype)
            K += B @ B.T
    t = np.asarray(yc, dtype=np.float64)
    sq = None
    if s is not None:
        sq = np.sqrt(s.astype(np.float64))
        K *= sq[:, None]
        K *= sq[None, :]
        t = t * sq
    return K, t, sq


def _kernel_coef(X, u, s_all, sq, il, fit_intercept):
    """``w = D^-1 A^T u = D^-1 X^T P^T sqrt(s) u`` (float64)."""
    v = u * sq if sq is not None else np.array(u, dtype=np.float64)
    if fit_intercept:
        v -= s_all * (v.sum() / X.shape[0])
    return np.asarray(X.T @ v.astype(X.dtype), dtype=np.float64) * il


def _spd_solve(G, rhs):
    try:
        return scipy.linalg.solve(G, rhs, assume_a="pos", check_finite=False)
    except (np.linalg.LinAlgError, scipy.linalg.LinAlgError):
        return np.linalg.lstsq(G, rhs, rcond=None)[0]
