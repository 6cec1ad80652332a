"""Ridge by conjugate gradients: the normal-equation and kernel (dual) systems."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..solvers import Problem, duality_gap
from ._pcg import _pcg, _System
from ._problem import (
    _centred_target,
    _kernel_gap,
    _kernel_penalty,
    _penalty,
    _ridge_cg_gap,
    _weights,
)
from ._products import (
    _apply,
    _cg_product,
    _column_means,
    _dot64,
    _dual_product,
    _row_block,
    _row_major,
    _row_norms,
    _squares,
    _weighted_dot,
)


def ridge_cg(pb: Problem, W=None, *, tol=1e-4, max_iter=1000, cap=None, callback=None):
    """Ridge by Jacobi-preconditioned conjugate gradients on the normal equations.

    Solves ``(A^T A + diag(lam)) w = A^T t`` (the objective of
    :func:`ridge_direct`) without forming ``A``: each iteration is one fused
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


def ridge_dual_cg(pb: Problem, W=None, *, tol=1e-4, max_iter=1000, cap=None, callback=None):
    """Ridge by Jacobi-preconditioned CG on the kernel system ``(A D^-1 A^T + I) u = t``.

    For ``n < p`` with every ``lam_j > 0``: the CG vectors have length ``n``; the
    coefficients ``w = D^-1 A^T u`` are updated from the product, whose first
    half ``D^-1 A^T d`` is the change of ``w`` along the search direction.  Each
    iteration is two products with ``X`` (sparse ``X`` as CSR: one pass over its
    rows each; dense ``X``: one fused pass over blocks of columns), centring and
    weights applied to the length-``n`` vectors.  One penalty for all features
    (``lam`` a scalar) solves the same system scaled by ``lam``, so that no
    vector of length ``p`` is ever rescaled.

    Stops by the rule of :func:`ridge_cg`.  The gap estimate is ``sum_i K_ii
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


def _normal_system(pb: Problem) -> _System:
    """The normal equations of :func:`ridge_cg`, set up in one pass over ``X``:
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
