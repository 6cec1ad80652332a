"""The Jacobi-preconditioned CG loop shared by both ridge systems, its stopping rule
and its estimate of the iterations still needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import scipy.linalg

from ..solvers import Problem, Result
from ..solvers.gap import rounding_limited, stalled, stopping_rule


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
    every solver here (see :func:`ridge_cg`); ``None`` when ``cap`` is reached.
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
