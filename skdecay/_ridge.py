"""Ridge solvers for dense ``X``: the direct (Cholesky) solve of the normal
equations and Jacobi-preconditioned conjugate gradients on them.

Both solve the problem of :class:`~skdecay.RidgeRegressor` as built by
:mod:`skdecay.linear_model` (sample weights ``pb.s`` summing to ``n``, per-feature
penalty ``n * alpha * pf``, unpenalised intercept) and return a
:class:`~skdecay.solvers.Result` carrying the true duality gap.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from .solvers import Problem, Result, _stalled, _stopping, duality_gap


def _ridge_direct(pb: Problem):
    """Closed-form ridge: normal equations, or the kernel form when ``n < p``."""
    X, y, s, n = pb.X, pb.Y[:, 0], pb.s, pb.n
    if pb.fit_intercept:
        xm = (s @ X) / n
        ym = float(s @ y) / n
        A, t = X - xm, y - ym
    else:
        xm, ym, A, t = np.zeros(X.shape[1], X.dtype), 0.0, X, y
    if np.any(s != s[0]):  # unweighted fits skip the row scaling (a copy of X)
        sq = np.sqrt(s)
        A = A * sq[:, None]
        t = t * sq
    elif s[0] != 1:
        A, t = A * np.sqrt(s[0]), t * np.sqrt(s[0])
    lam = (n * pb.alpha * pb.pf).astype(X.dtype)
    n_rows, p = A.shape
    if n_rows >= p or np.any(lam == 0):
        G = A.T @ A
        G[np.diag_indices_from(G)] += lam
        w = _spd_solve(G, A.T @ t)
    else:
        Ai = A / lam
        K = Ai @ A.T
        K[np.diag_indices_from(K)] += 1
        w = Ai.T @ _spd_solve(K, t)
    w = w.astype(X.dtype)
    b = np.array([ym - xm @ w], dtype=X.dtype)
    gap = duality_gap(pb, w[None, :], b)
    return Result(w[None, :], b, gap, gap, 1, True)


def _spd_solve(G, rhs):
    try:
        return scipy.linalg.solve(G, rhs, assume_a="pos", check_finite=False)
    except (np.linalg.LinAlgError, scipy.linalg.LinAlgError):
        return np.linalg.lstsq(G, rhs, rcond=None)[0]


# Rows per block of the fused product ``A^T (A v)`` (at least 256: thinner strided
# blocks are slow): about 1 MiB, which stays in L2 between its two uses, so one
# CG product reads X from memory once.  On this machine (X 20000 x 500 float64,
# one thread) the fused product takes 7.7-10 ms against 9.5-12 ms for ``X @ v``
# then ``X.T @ u`` (timings vary by +-20% from run to run).
_CG_BLOCK_BYTES = 1 << 20


def _cg_cap(pb: Problem, max_iter: int) -> int:
    """Iteration cap of conjugate gradients under ``solver="auto"`` (0: go direct).

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
    cap is therefore ``min(p // 50, 5 + p // 100)`` (5 at ``p = 250``, 10 at
    500, 15 at 1000, 25 at 2000): a CG attempt that runs into it costs 45-80%
    of the direct solve in the table.  CG gives up earlier
    (:func:`_cg_remaining`) as soon as the condition number seen so far (Ritz
    values) shows that even CG's optimistic bound misses the cap; on
    ill-conditioned test data (correlated columns, decaying spectrum) that
    happened after 3-7 iterations, 20-50% of the direct cost.  Below 5
    iterations (``p < 250``) CG rarely meets even the default ``tol``: such
    problems go direct, as do ``n < p`` (the kernel form is cheaper) and
    unpenalised features (no closed-form gap).  With several BLAS threads the
    Gram product speeds up more than the memory-bound CG passes, so the cap is
    generous there.
    """
    n, p = pb.X.shape
    if n < p or pb.alpha <= 0 or np.any(pb.pf <= 0):
        return 0
    cap = min(p // 50, 5 + p // 100, max_iter)
    return cap if cap >= 5 else 0


def _ridge_cg(pb: Problem, W=None, *, tol=1e-4, max_iter=1000, cap=None, callback=None):
    """Ridge by Jacobi-preconditioned conjugate gradients on the normal equations.

    Solves ``(A^T A + diag(lam)) w = A^T t`` with ``A = sqrt(s) (X - xm)``,
    ``t = sqrt(s) (y - ym)`` and ``lam = n alpha pf`` (the objective of
    :func:`_ridge_direct`) without forming ``A``: each iteration is one fused
    pass over ``X`` (:func:`_cg_product`).  The vectors of length ``p`` are kept
    in float64; the products run in the dtype of ``X``.

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
    X, n, p, dt = pb.X, pb.n, pb.X.shape[1], pb.dtype
    y = pb.Y[:, 0]
    s = None if np.all(pb.s == 1) else pb.s
    lam = n * pb.alpha * np.asarray(pb.pf, dtype=np.float64)
    free = lam <= 0  # unpenalised features: no closed-form gap for them
    block = max(256, _CG_BLOCK_BYTES // max(1, p * X.itemsize))
    sw = np.ones(n, dtype=dt) if s is None else s

    # one blocked pass: weighted column sums, A^T t and the Jacobi diagonal
    ym = _dot64(sw, y) / n if pb.fit_intercept else 0.0
    yc = y - ym  # a python float: stays in the dtype of y
    S2 = np.empty((n, 2), dtype=dt)
    S2[:, 0] = sw
    np.multiply(sw, yc, out=S2[:, 1])
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
        return _cg_product(X, v, xm, s, block) + lam * v

    def intercept(w):
        return np.array([ym - (float(xm @ w) if xm is not None else 0.0)], dtype=dt)

    def certificate(w):
        return duality_gap(pb, w.astype(dt)[None, :], intercept(w))

    if np.any(free):
        gap0 = None  # computed by _stopping (one more pass)
    else:
        gap0 = _ridge_cg_gap(np.zeros(p), rhs, lam, tt, rhs) / n
    gap0, target, primal0 = _stopping(pb, tol, True, gap0)

    w = np.zeros(p) if W is None else np.asarray(W[0], dtype=np.float64).copy()
    g = rhs - product(w) if np.any(w) else rhs.copy()
    z = g / diag
    direction = z.copy()
    gz = float(g @ z)
    it, settled, converged, gap, scale, previous = 0, True, False, None, 1.0, np.inf
    limit = max_iter if cap is None else min(cap, max_iter)
    lanczos = []  # (alpha_k, beta_k) of the current recurrence: its Ritz values
    while True:
        if np.any(free):  # the c = 1 gap of the penalised part, a Jacobi norm for the rest
            est = 0.5 * float(np.sum(g * g / np.where(free, diag, lam)))
        else:
            est = _ridge_cg_gap(w, g, lam, tt, rhs)
        est /= n
        if callback is not None:
            callback(it, w.astype(dt), intercept(w), est)
        if settled and est * scale <= target:
            gap = certificate(w)
            if gap <= target or _stalled(pb, gap, previous, primal0):
                converged = True
                break
            # the updated residual drifted (or the estimate is a proxy): trust the
            # estimate less, recompute the residual and restart the recurrence
            scale = max(scale, gap / max(est, np.finfo(np.float64).tiny))
            previous, gap = gap, None
            if it >= limit:
                break
            g = rhs - product(w)
            z = g / diag
            direction = z.copy()
            gz = float(g @ z)
            lanczos = []
        if it >= limit:
            break
        if cap is not None and len(lanczos) >= 3:
            if it + _cg_remaining(lanczos, est * scale / target) > limit:
                break  # even CG's optimistic bound misses the cap: go direct now
        Hd = product(direction) if gz > 0 else None
        curvature = float(direction @ Hd) if gz > 0 else 0.0
        if not curvature > 0:
            # g = 0 (to rounding; H is positive definite): w solves the equations
            # and the next step would be 0 (CG ends after at most p steps); or
            # non-finite numbers.  The certificate decides.
            if gap is None:
                gap = certificate(w)
            converged = gap <= target or _stalled(pb, gap, previous, primal0)
            break
        step = (gz / curvature) * direction
        w += step
        g -= (gz / curvature) * Hd
        it += 1
        settled = float(np.max(np.abs(step))) <= tol * float(np.max(np.abs(w)))
        z = g / diag
        gz, gz_old = float(g @ z), gz
        beta = gz / gz_old if gz_old > 0 else 0.0
        lanczos.append((gz_old / curvature, beta))
        direction *= beta
        direction += z
        if not np.all(np.isfinite(w)):
            break
    if cap is not None and not converged:
        return None
    if gap is None:
        gap = certificate(w)
    return Result(w.astype(dt)[None, :], intercept(w), gap, gap0, max(it, 1), converged)


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
    ritz = scipy.linalg.eigvalsh_tridiagonal(diag, off)
    if not ritz[0] > 0:
        return np.inf
    root = np.sqrt(ritz[-1] / ritz[0])
    rho = (root - 1) / (root + 1)  # error factor per iteration (energy norm)
    if rho <= 0:
        return 0.0
    # the gap is quadratic in the error: the error must shrink by sqrt(ratio)
    return float(np.log(2 * np.sqrt(ratio)) / -np.log(rho))


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
        Xb = X[i : i + block]
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
