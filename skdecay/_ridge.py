"""Ridge solvers for dense or sparse ``X``: direct (Cholesky) solves and
Jacobi-preconditioned conjugate gradients (CG).

All solve the problem of :class:`~skdecay.RidgeRegressor` as built by
:mod:`skdecay.linear_model` (sample weights ``pb.s`` summing to ``n``, per-feature
penalty ``lam = n * alpha * pf``, unpenalised intercept)::

    minimise  ||t - A w||^2 / 2 + sum_j lam_j w_j^2 / 2,
    A = sqrt(s) (X - 1 xm^T),  t = sqrt(s) (y - ym)

(``xm``, ``ym`` the weighted means; zero without intercept), either through the
normal equations ``(A^T A + D) w = A^T t`` (``D = diag(lam)``, ``p x p``) or, when
``n < p`` and every ``lam_j > 0``, through the kernel (dual) system
``(A D^-1 A^T + I) u = t`` (``n x n``), ``w = D^-1 A^T u``.  ``A`` is never
formed: sparse ``X`` is neither centred nor weighted nor densified (nor is
dense ``X`` in CG).  Centring and weights act on vectors (``A v = sqrt(s) P X v``
and ``A^T u = X^T P^T sqrt(s) u`` with ``P = I - 1 s^T / n``, since ``xm = X^T s
/ n``) or on the ``n x n`` kernel matrix of a direct solve.  Every solver
returns a :class:`~skdecay.solvers.Result` carrying the true duality gap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from .solvers import Problem, Result, duality_gap
from .solvers.gap import rounding_limited, stalled, stopping_rule


def _penalty(pb: Problem) -> np.ndarray:
    """``n l2_j``: the ridge weights of the normal equations (``l2_j = alpha pf_j``)."""
    return pb.n * pb.penalty.weights()[1]


def _weights(pb: Problem):
    """``s`` in the dtype of ``X``, or ``None`` when every weight is 1."""
    return None if np.all(pb.s == 1) else pb.s


def _centred_target(pb: Problem, s):
    """``(ym, y - ym)``; ``ym`` is a python float, so ``y - ym`` keeps the dtype of ``y``."""
    y = pb.Y[:, 0]
    ym = _dot64(pb.s, y) / pb.n if pb.fit_intercept else 0.0
    return ym, y - ym


# ---------------------------------------------------------------------------
# direct solves


def _ridge_direct(pb: Problem):
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


def _ridge_min_norm(pb: Problem, tol: float = 1e-4, max_iter: int = 1000):
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


# ---------------------------------------------------------------------------
# when solver="auto" tries CG


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


def _cg_cap(pb: Problem, max_iter: int) -> int:
    """Iteration cap of conjugate gradients under ``solver="auto"`` for dense ``X``
    (0: go direct).

    The Cholesky route costs ``~n p^2`` flops (compute bound: forming ``A^T A``),
    a CG iteration one fused pass over ``X`` (memory bound, ``~n p``): their
    ratio grows with ``p``.  Measured on this machine (one thread, n = 20000,
    float64, two runs agreeing within ~20%; ``chol`` is all of
    :func:`_ridge_direct`: centring copy, Gram, solve and gap; ``setup`` the
    first pass of :func:`_ridge_cg`; ``third``: CG iterations costing, with the
    setup, a third of ``chol``)::

        p          200    250    300    500    700    1000   2000
        CG it/ms   4.1    5.2    6.1    11     17     23     47-60
        setup/ms   5.6    9.5    11     15-18  26     34-35  89-128
        chol/ms    42     78     88     180    348    505    1840-1940
        chol/it    10     15     14     16-17  21     22     32-39
        third      2.0    3.2    3.0    4.1    5.3    6.0    9.2-10

    (the ratio grows less than ``p``: beyond ~100 MB, ``X`` no longer fits in
    the cache and each pass is slower).  A third of the direct cost buys about
    ``p / 120`` iterations, 4 at ``p = 500``: too few for any ``tol`` below
    ``1e-3`` even on well-conditioned data (``make_regression(20000, 500)``
    needs 6 iterations at ``tol=1e-4``, 8 at ``1e-6``, 10 at ``1e-7``).  The
    cap is therefore ``min(m // 50, 5 + m // 100)`` with ``m = min(n, p)`` (5 at
    ``m = 250``, 10 at 500, 15 at 1000, 25 at 2000): a CG attempt that runs
    into it costs 45-80% of the direct solve in the table.  Wide ``X``
    (``n < p``) is the same trade transposed: CG on the kernel system (one pass
    over ``X`` per iteration) against forming the ``n x n`` kernel matrix
    (``~n^2 p`` flops); measured, the direct solve costs 15 CG iterations at
    300 x 3000 and about 50 at 1000 x 10000, so the cap is, if anything,
    cautious there.  CG gives up earlier (:func:`_cg_remaining`) as soon as
    the condition number seen so far (Ritz values) shows that even CG's
    optimistic bound misses the cap; on ill-conditioned test data (correlated
    columns, decaying spectrum) that happened after 3-7 iterations, 20-50% of
    the direct cost.  Below 5 iterations (``m < 250``) CG rarely meets even the
    default ``tol``: such problems go direct, as do unpenalised features (no
    closed-form gap).  With several BLAS threads the Gram product speeds up
    more than the memory-bound CG passes, so the cap is generous there.
    """
    n, p = pb.X.shape
    if not np.all(pb.penalty.weights()[1] > 0):
        return 0
    m = min(n, p)
    cap = min(m // 50, 5 + m // 100, max_iter)
    return cap if cap >= 5 else 0


# Largest n of a direct kernel solve for sparse X under solver="auto" (its n x n
# float64 matrix takes 8 n^2 bytes: 200 MB at n = 5000).
_SPARSE_DIRECT_ROWS = 5000


def _sparse_cap(pb: Problem, max_iter: int) -> int | None:
    """Iteration cap of the kernel-system CG for wide sparse ``X`` under
    ``solver="auto"``, or ``None``: no direct fallback (CG runs to ``max_iter``).

    The direct kernel solve (:func:`_ridge_direct`) forms ``X D^-1 X^T`` by a
    sparse product and factors the dense ``n x n`` matrix; a CG iteration is two
    sparse products.  Measured (one thread, uniform entries, alpha = 1), the
    direct solve costs as much as 41 CG iterations at 1000 x 200000 (2e5
    nonzeros), 115 at 1000 x 20000, 207 at 2000 x 50000 and 863 at 5000 x
    100000, where CG needed 10-17 iterations to tol=1e-10.  The cap ``10 + n //
    25`` (50 at n = 1000, 210 at 5000) makes a CG attempt that runs into it
    cost 0.4-1.2 times the direct solve; CG gives up earlier when its Ritz
    values show the cap is out of reach (:func:`_cg_remaining`).  Beyond ``n =
    5000`` the ``n x n`` matrix (200 MB) is not formed: CG only.
    """
    if pb.n > _SPARSE_DIRECT_ROWS:
        return None
    return min(max_iter, 10 + pb.n // 25)


# ---------------------------------------------------------------------------
# conjugate gradients


class _System(NamedTuple):
    """A symmetric positive definite system ``H x = rhs`` whose solution gives the
    ridge coefficients, with its preconditioner ``precondition(g)``.
    ``product(v)`` returns ``(H v, d)``, ``d`` the change of the coefficients per
    unit of ``v`` (``None``: the coefficients are ``x``); ``estimate(x, g, w)`` is
    ``n`` times an estimate of the duality gap (``g = rhs - H x`` the residual,
    ``w`` the coefficients); ``certificate(w)`` the duality gap of
    :func:`duality_gap` at ``w`` and its intercept ``intercept(w)`` (both in the
    dtype of ``X``); ``gap0`` the gap at zero when known in closed form."""

    product: Callable
    rhs: np.ndarray
    precondition: Callable  # g -> z, the Jacobi step
    estimate: Callable
    intercept: Callable
    gap0: float | None
    certificate: Callable
    primal: bool  # the CG unknowns are the coefficients (product gives d = None)


def _ridge_cg(pb: Problem, W=None, *, tol=1e-4, max_iter=1000, cap=None, callback=None):
    """Ridge by Jacobi-preconditioned conjugate gradients on the normal equations.

    Solves ``(A^T A + diag(lam)) w = A^T t`` (the objective of
    :func:`_ridge_direct`) without forming ``A``: each iteration is one fused
    pass over dense ``X`` (:func:`_cg_product`) or two sparse products.  The
    vectors of length ``p`` are kept in float64; the products run in the dtype
    of ``X``.

    Stops, as every solver here, once the duality gap is at most ``tol`` times
    the gap at zero and the last step moved no coefficient by more than
    ``tol * max|w|``.  The gap at the residual dual point has a closed form in
    the normal-equation residual ``g`` that CG updates anyway
    (:func:`_ridge_cg_gap`), so the test costs nothing; when it passes, the
    certificate :func:`duality_gap` decides (rounding in the updated ``g`` may
    make the estimate optimistic: then ``g`` is recomputed and CG restarts).

    ``cap`` (``solver="auto"``): give up after that many iterations and return
    ``None``.  ``callback(k, w, b, gap_estimate)`` sees every iterate (tests).
    """
    system = _normal_system(pb)
    x = np.zeros(pb.X.shape[1]) if W is None else np.asarray(W[0], dtype=np.float64).copy()
    return _pcg(pb, system, x, tol, max_iter, cap, callback)


def _ridge_dual_cg(pb: Problem, W=None, *, tol=1e-4, max_iter=1000, cap=None, callback=None):
    """Ridge by Jacobi-preconditioned CG on the kernel system ``(A D^-1 A^T + I) u = t``.

    For ``n < p`` with every ``lam_j > 0``: the CG vectors have length ``n``; the
    coefficients ``w = D^-1 A^T u`` are updated from the product, whose first
    half ``D^-1 A^T d`` is the change of ``w`` along the search direction.  Each
    iteration is two products with ``X`` (sparse ``X`` as CSR: one pass over its
    rows each; dense ``X``: one fused pass over blocks of columns), centring and
    weights applied to the length-``n`` vectors.  One penalty for all features
    (``lam`` a scalar) solves the same system scaled by ``lam``, so that no
    vector of length ``p`` is ever rescaled.

    Stops by the rule of :func:`_ridge_cg`.  The gap estimate is ``sum_i K_ii
    r_i^2 / 2`` (the closed-form gap ``r^T K r / 2`` at the residual dual point,
    ``K`` replaced by its diagonal); the certificate is the duality gap of
    :func:`duality_gap`, evaluated by :func:`_kernel_gap`.  A warm start ``W``
    starts from its residual ``u = t - A w`` (the solution's ``u`` is its residual).
    """
    X, n, dt = pb.X, pb.n, pb.dtype
    Xk = _row_major(X)
    lam = _kernel_penalty(pb)  # a scalar when every penalty factor is the same
    il = 1 / lam
    s = _weights(pb)
    sw = pb.s.astype(np.float64)
    sq = None if s is None else np.sqrt(sw)
    intercept = pb.fit_intercept
    ym, yc = _centred_target(pb, s)
    t = np.asarray(yc, dtype=np.float64) if sq is None else yc * sq
    xm = _column_means(Xk, pb.s) if intercept else None

    def centre(e):  # P e = e - 1 s.e / n, in place
        if intercept:
            e -= (sw @ e) / n
        return e

    # With one penalty for all (lam a scalar) the system is scaled by lam:
    # (A A^T + lam I) v = t, u = lam v, w = A^T v, and no vector of length p is
    # ever scaled by 1 / lam (the same CG iterates, up to that scale).
    scalar = np.ndim(lam) == 0
    shift, spread = (lam, None) if scalar else (1.0, il)

    def product(u):
        v = u * sq if sq is not None else u
        if intercept:
            v = v - sw * (v.sum() / n)  # P^T v
        e, q = _dual_product(Xk, v, spread)
        return finish(u, e), q

    def finish(u, e):  # H u from e = X q
        e = centre(e)
        if sq is not None:
            e *= sq
        e += shift * u
        return e

    # Jacobi diagonal 1 + K_ii, K_ii = s_i ||x_i - xm||^2 over D
    kd = _row_norms(Xk, il)
    if intercept:
        kd += _weighted_dot(il, xm, xm)
        kd -= 2 * (_apply(Xk, xm) * il if scalar else _apply(Xk, xm * il))
    kd = np.maximum(kd, 0.0)
    if sq is not None:
        kd *= sw
    diag = shift * (kd + 1.0)

    # With an intercept K sqrt(s) = 0, and t, u and r stay orthogonal to sqrt(s):
    # the Jacobi step is taken within that complement, z = M^-1 r - c M^-1 sqrt(s)
    # with c making z orthogonal to sqrt(s) (symmetric, the inverse of M on the
    # complement).  A plain Jacobi step puts a component on the eigenvalue 1 of
    # K + I (two stalled iterations on 1000 x 200000); projecting it away
    # orthogonally is no inverse of M there (20 to 100 times more iterations on
    # rows scaled by e^N(0, 2)).
    if intercept:
        ones = np.ones(n) if sq is None else sq
        m1 = ones / diag
        m11 = float(ones @ m1)

    def precondition(r):
        z = r / diag
        if intercept:
            z -= (float(ones @ z) / m11) * m1
        return z

    # the gap at zero in closed form: the dual point t, V = A^T t = X^T (s yc)
    # (P^T drops out: s.yc = 0) and n gap(c) = (1 - c)^2 ||t||^2 / 2 + c^2 S / 2
    # with S = sum V^2 / lam, least at c = tt / (tt + S), where it is
    # tt S / (2 (tt + S)).  V has a product of its own (not a two-column one with
    # xm or the first CG step): its memory then holds the coefficients, where a
    # two-column result stays allocated beside them (on 1000 x 200000: ~800 more
    # page faults a fit, costing more than the pass it saves).
    V = np.asarray(Xk.T @ (pb.s * yc), dtype=np.float64)
    tt, S = float(t @ t), _weighted_dot(il, V, V)
    gap0 = 0.5 * tt * S / (tt + S) / n if tt + S > 0 else 0.0

    def estimate(u, r, w):
        return 0.5 * float(kd @ (r * r))

    def b_of(w):
        return np.array([ym - (float(xm @ w) if xm is not None else 0.0)], dtype=dt)

    def certificate(w):
        return _kernel_gap(pb, Xk, w.astype(dt, copy=False), b_of(w), lam)

    system = _System(product, t, precondition, estimate, b_of, gap0, certificate, False)
    if W is None:
        u = np.zeros(n)
    else:  # the residual of the warm start: u = t - A w
        e = centre(_apply(Xk, np.asarray(W[0], dtype=np.float64)))
        u = (t - (e if sq is None else e * sq)) / shift
    # V's memory becomes the coefficients (fresh memory costs page faults)
    return _pcg(pb, system, u, tol, max_iter, cap, callback, zeros=V)


def _kernel_penalty(pb: Problem):
    """``lam = n alpha pf``: a float when every factor is the same (no vector of
    length ``p`` to allocate and read), else the float64 array."""
    lam = _penalty(pb)
    if lam.size and lam.min() == lam.max():
        return np.float64(lam[0])
    return lam


def _weighted_dot(c, a, b) -> float:
    """``sum_j c_j a_j b_j``; ``c`` may be a scalar.  No temporary of length ``p``."""
    if np.ndim(c) == 0:
        return float(c) * float(a @ b)
    return float(np.einsum("i,i,i->", c, a, b))


def _normal_system(pb: Problem) -> _System:
    """The normal equations of :func:`_ridge_cg`, set up in one pass over ``X``:
    weighted column sums, ``A^T t`` and the Jacobi diagonal."""
    X, n, p, dt = pb.X, pb.n, pb.X.shape[1], pb.dtype
    s = _weights(pb)
    lam = _penalty(pb)
    free = lam <= 0  # unpenalised features: no closed-form gap for them
    sparse = sp.issparse(X)
    block = n if sparse else _row_block(X)
    sw = np.ones(n, dtype=dt) if s is None else s
    ym, yc = _centred_target(pb, s)
    S2 = np.empty((n, 2), dtype=dt)
    S2[:, 0] = sw
    np.multiply(sw, yc, out=S2[:, 1])
    if sparse:
        moments = np.asarray(X.T @ S2, dtype=np.float64)
        sq = np.asarray(_squares(X).T @ sw.astype(np.float64))
    else:
        moments = np.zeros((p, 2))
        sq = np.zeros(p)
        for i in range(0, n, block):
            Xb = X[i : i + block]
            moments += Xb.T @ S2[i : i + block]
            if s is None:
                sq += np.einsum("ij,ij->j", Xb, Xb)
            else:
                sq += np.einsum("ij,ij,i->j", Xb, Xb, s[i : i + block])
    tt = _dot64(S2[:, 1], yc)  # ||t||^2
    if pb.fit_intercept:
        xm = moments[:, 0] / n
        rhs = moments[:, 1] - xm * float(S2[:, 1].sum(dtype=np.float64))
        diag = np.maximum(sq - n * xm * xm, 0.0)
    else:
        xm, rhs, diag = None, moments[:, 1], sq
    del S2
    diag += lam
    diag[~(diag > 0)] = 1.0  # constant unpenalised column: any positive scale

    def product(v):
        return _cg_product(X, v, xm, s, block) + lam * v, None

    def estimate(w, g, _):
        if np.any(free):  # the c = 1 gap of the penalised part, a Jacobi norm for the rest
            return 0.5 * float(np.sum(g * g / np.where(free, diag, lam)))
        return _ridge_cg_gap(w, g, lam, tt, rhs)

    def intercept(w):
        return np.array([ym - (float(xm @ w) if xm is not None else 0.0)], dtype=dt)

    def certificate(w):
        return duality_gap(pb, w.astype(dt)[None, :], intercept(w))

    gap0 = None if np.any(free) else _ridge_cg_gap(np.zeros(p), rhs, lam, tt, rhs) / n

    def precondition(g):
        return g / diag

    return _System(product, rhs, precondition, estimate, intercept, gap0, certificate, True)


def _settled(last, w, tol) -> bool:
    """The last step ``a * d`` moved no coefficient by more than ``tol * max|w|``."""
    if last is None:
        return True
    a, d = last
    return abs(a) * _max_abs(d) <= tol * _max_abs(w)


def _max_abs(v) -> float:
    if not v.size:
        return 0.0
    if v.dtype == np.float64 and v.flags.c_contiguous:  # one pass, no temporary
        return abs(float(v[scipy.linalg.blas.idamax(v)]))
    return max(float(v.max()), -float(v.min()))


def _axpy(a, x, y):
    """``y += a x`` in place (float64), without a temporary."""
    scipy.linalg.blas.daxpy(x, y, a=a)


def _pcg(pb: Problem, system: _System, x, tol, max_iter, cap, callback, zeros=None):
    """Jacobi-preconditioned CG on ``system`` from ``x`` with the stopping rule of
    every solver here (see :func:`_ridge_cg`); ``None`` when ``cap`` is reached.
    ``zeros``: a spare vector of length ``p`` for the coefficients at ``x = 0``."""
    n, dt = pb.n, pb.dtype
    rhs, precondition = system.rhs, system.precondition

    certificate = system.certificate
    gap0, target, primal0 = stopping_rule(pb, tol, True, system.gap0)

    primal, p = system.primal, pb.X.shape[1]

    def restart(x):  # residual and coefficients recomputed from x
        if not np.any(x):
            if primal:
                return rhs.copy(), x
            if zeros is None:
                return rhs.copy(), np.zeros(p)
            zeros.fill(0.0)
            return rhs.copy(), zeros
        Hx, d = system.product(x)
        return rhs - Hx, (x if primal else d)

    g, w = restart(x)
    z = precondition(g)
    direction = z.copy()
    gz = float(g @ z)
    it, converged, gap, scale, previous = 0, False, None, 1.0, np.inf
    # at rounding level the steps need not settle (float32 with a tol below its
    # resolution): every 10 iterations the certificate checks for a stall
    rounding, checked = 10 * np.finfo(dt).eps * abs(primal0), 0
    last = None  # the last step of the coefficients, a * d as (a, d): the settled test
    limit = max_iter if cap is None else min(cap, max_iter)
    lanczos = []  # (alpha_k, beta_k) of the current recurrence: its Ritz values
    while True:
        est = float(system.estimate(x, g, w)) / n  # (a float32 estimate would overflow)
        if callback is not None:
            callback(it, w.astype(dt), system.intercept(w), est)
        near = est * scale <= target and _settled(last, w, tol)
        if near or (it >= checked + 10 and est * scale <= rounding):
            gap, checked = certificate(w), it
            if (near and gap <= target) or stalled(pb, gap, previous, primal0):
                converged = True
                break
            if primal and rounding_limited(
                pb, w[None, :], system.intercept(w), gap, previous, target
            ):
                converged = True  # float32: what is left is the coefficients' rounding
                break
            # the updated residual drifted (or the estimate is a proxy): trust the
            # estimate less, recompute the residual and restart the recurrence
            scale = max(scale, gap / max(est, np.finfo(np.float64).tiny))
            previous, gap = gap, None
            if it >= limit:
                break
            g, w = restart(x)
            z = precondition(g)
            direction = z.copy()
            gz = float(g @ z)
            lanczos = []
        if it >= limit:
            break
        if cap is not None and len(lanczos) >= 3:
            if it + _cg_remaining(lanczos, est * scale / target) > limit:
                break  # even CG's optimistic bound misses the cap: go direct now
        Hd, d = system.product(direction) if gz > 0 else (None, None)
        curvature = float(direction @ Hd) if gz > 0 else 0.0
        if not curvature > 0:
            # g = 0 (to rounding; H is positive definite): x solves the equations
            # and the next step would be 0 (CG ends after at most n or p steps);
            # or non-finite numbers.  The certificate decides.
            if gap is None:
                gap = certificate(w)
            # no progress is possible: rounding level suffices for a stall
            converged = gap <= target or stalled(pb, gap, min(previous, gap), primal0)
            break
        a = gz / curvature
        if primal:
            step = a * direction
            x += step
            last = (1.0, step)
        else:
            x += a * direction
            _axpy(a, d, w)  # w += a d in one pass
            last = (a, d)
        g -= a * Hd
        it += 1
        z = precondition(g)
        gz, gz_old = float(g @ z), gz
        beta = gz / gz_old if gz_old > 0 else 0.0
        lanczos.append((gz_old / curvature, beta))
        direction *= beta
        direction += z
        if not np.isfinite(gz):
            break
    if cap is not None and not converged:
        return None
    if gap is None:
        gap = certificate(w)
    b = system.intercept(w)  # from w in float64, as in the certificate
    w = w.astype(dt, copy=False)  # the solver's own vector: no copy needed
    return Result(w[None, :], b, gap, gap0, max(it, 1), converged)


def _cg_remaining(lanczos, ratio) -> float:
    """Iterations CG still needs to shrink the gap by ``ratio``, by the classical
    bound with the condition number of the Lanczos matrix of the iterations so
    far: its Ritz values lie inside the spectrum of the preconditioned normal
    matrix, so the estimate of the condition number (and of the iterations) is a
    lower bound; it grows as CG discovers the extreme eigenvalues."""
    if ratio <= 1:
        return 0.0
    a = np.array([c[0] for c in lanczos])
    b = np.array([c[1] for c in lanczos])
    diag = 1 / a
    diag[1:] += b[:-1] / a[:-1]
    off = np.sqrt(b[:-1]) / a[:-1]
    if diag.size <= 64:  # a dense eigensolve of the small matrix: less overhead
        T = np.diag(diag)
        T[np.arange(1, diag.size), np.arange(diag.size - 1)] = off
        ritz = np.linalg.eigvalsh(T)  # the lower triangle
    else:
        ritz = scipy.linalg.eigvalsh_tridiagonal(diag, off)
    if not ritz[0] > 0:
        return np.inf
    root = np.sqrt(ritz[-1] / ritz[0])
    rho = (root - 1) / (root + 1)  # error factor per iteration (energy norm)
    if rho <= 0:
        return 0.0
    # the gap is quadratic in the error: the error must shrink by sqrt(ratio)
    return float(np.log(2 * np.sqrt(ratio)) / -np.log(rho))


def _kernel_gap(pb: Problem, X, w, b, lam) -> float:
    """:func:`duality_gap` of ``pb`` at ``(w, b)`` when every ``lam_j > 0`` (pure L2),
    written out: the same dual point (the residual, projected onto the weighted
    zero-mean vectors with an intercept), scaled by the same best ``c`` in
    ``[0, 1]``, the same sums of non-negative terms.  ``X`` is ``pb.X`` possibly in
    another sparse format (CSR for the kernel system), ``w`` and ``b`` in its
    dtype, ``lam`` a scalar or one value per feature.

    ``duality_gap`` is written for every penalty: on 1000 x 200000 sparse ``X``
    it takes 40 ms (sorting 200000 L1 breakpoints, all zero here), more than the
    whole kernel-system CG; this takes two sparse products and a few passes
    over vectors of length ``p`` (about 1 ms).  With ``R = y - X w - b``,
    ``theta`` its projection and ``V = X^T (s theta)``::

        n gap(c) = 1/2 sum_i s_i (R_i - c theta_i)^2 + sum_j lam_j (w_j - c V_j / lam_j)^2 / 2

    a quadratic in ``c``, evaluated at its minimiser over ``[0, 1]``.
    """
    n, dt = pb.n, pb.dtype
    s = pb.s.astype(np.float64)
    Z = np.asarray(X @ w) + b  # as solvers.linear_predictor, in the dtype of X
    R = (pb.Y[:, 0] - Z).astype(np.float64)
    theta = R - (s @ R) / s.sum() if pb.fit_intercept else R
    st = theta * s
    V = np.asarray(X.T @ st.astype(dt), dtype=np.float64)
    w = w.astype(np.float64, copy=False)
    if np.ndim(lam) == 0:  # sum V^2 / lam, sum V w; then V / lam is scaled below
        VV, Vw, scale = float(V @ V) / lam, float(V @ w), -1 / lam
    else:
        V /= lam  # V_j / lam_j
        VV, Vw, scale = _weighted_dot(lam, V, V), _weighted_dot(lam, V, w), -1.0
    c, curvature = 1.0, float(st @ theta) + VV
    if curvature > 0:
        c = min(max((float(st @ R) + Vw) / curvature, 0.0), 1.0)
    # duality_gap takes the smaller of the gaps at c = 1 and at this minimiser:
    # the same number up to rounding (the two coincide when c = 1)
    d = R - c * theta
    V *= c * scale
    V += w  # w - c V / lam, in place: no other vector of length p
    best = 0.5 * float(s @ (d * d)) + 0.5 * _weighted_dot(lam, V, V)
    return max(best, 0.0) / n


def _ridge_cg_gap(w, g, lam, tt, rhs):
    """``n`` times the duality gap at ``w`` (every ``lam_j > 0``), from the residual
    ``g = A^T t - (A^T A + diag(lam)) w`` of the normal equations.

    With ``r = t - A w`` (the residual, the dual point of :func:`duality_gap`
    scaled by ``c``) and ``v = A^T r = lam w + g``, ``n`` times the gap is the
    quadratic ``f(c) = P - c r.t + c^2/2 (||r||^2 + sum v^2 / lam)`` with ``P =
    ||r||^2 / 2 + sum lam w^2 / 2``.  At ``c = 1`` it is ``G1 = sum g^2 / (2 lam)``
    and its slope is ``f'(1) = sum v g / lam``; :func:`duality_gap` takes the best
    ``c`` in ``[0, 1]``: ``G1 - f'(1)^2 / (2 Q)`` at ``c = 1 - f'(1) / Q`` (``Q =
    f''``).  ``||r||^2 = ||t||^2 - w.A^T t - w.g - sum lam w^2`` needs no pass over ``X``.
    """
    v = lam * w + g
    G1 = 0.5 * float(np.sum(g * g / lam))
    slope = float(np.sum(v * g / lam))
    if slope <= 0:
        return G1
    lw2 = float(np.sum(lam * w * w))
    rr = max(tt - float(w @ rhs) - float(w @ g) - lw2, 0.0)
    Q = rr + float(np.sum(v * v / lam))
    if slope >= Q:  # best c = 0: the primal objective itself
        return 0.5 * (rr + lw2)
    return max(G1 - slope * slope / (2 * Q), 0.0)


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
