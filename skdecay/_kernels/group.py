"""Block coordinate descent for the sparse-group lasso, whole solve per call.

Minimises, over ``w`` (p,) (the intercept is profiled out by centring)::

    1/2 * sum_i h_i (y_i - xc_i . w)**2
        + alpha * (tau * ||w||_1 + (1 - tau) * sum_g omega_g ||w_g||_2)

with ``h = sample_weight / sum(sample_weight)``, ``tau = l1_ratio`` and
``xc_i = x_i - mu`` the weighted-centred rows (``mu = 0`` without intercept).
Groups are given as ``order`` (the feature indices, group after group) and
``starts`` (``order[starts[g]:starts[g+1]]`` is group ``g``).

``X`` is never centred: the residual is kept as ``r + shift`` with ``r = y -
X w`` stored and the scalar ``shift = mu . w``, so a move costs the group's
columns only (their nonzeros for sparse CSC ``X``).  Dense and sparse ``X``
share every loop: both are read column by column from ``(data, indices,
indptr)``, a dense Fortran ``X`` as its raveled values with every row stored
(:func:`_row`).  The correlation of column
``j`` with the true residual is ``sum_i h_i x_ij r_i + shift * mu_j`` (because
``sum_i h_i x_ij = mu_j`` and the true residual has weighted mean 0).

One visit of group ``g`` is a proximal-gradient step with the block's
Lipschitz constant ``L_g`` (the largest eigenvalue of ``Xc_g' H Xc_g``,
:func:`block_lipschitz`):
``w_g <- prox(w_g + v_g / L_g)``, the sparse-group prox being the
soft-threshold at ``alpha tau / L_g`` followed by the block shrinkage at
``alpha (1 - tau) omega_g / L_g`` (:func:`sparse_group_prox`).

The duality gap at the dual point ``c * r`` is, with ``v = Xc' H r``,
``rho = sum h r**2`` and ``c = min(1, alpha / alpha_max(v))`` (the largest
scaling keeping ``c v`` in the dual ball, :func:`group_threshold` per group)::

    gap = penalty(w) - c v.w + (1 - c)**2 rho / 2   (>= 0, no cancellation of big terms)

Sums are accumulated in float64; ``w`` is float64 (the driver casts).
"""

import numpy as np

from . import kernel

KERNEL_STAMP = "0.1.0"


@kernel
def group_threshold(a, tau, omega):
    """Smallest ``t >= 0`` with ``||S_{t tau}(a)||_2 <= t * omega`` (``S`` the
    soft-threshold), i.e. the ``alpha`` at which a group with correlations
    ``a`` enters; ``inf`` when no ``t`` works (``tau = omega = 0``, ``a != 0``).

    ``||S_{t tau}(a)|| - t omega`` decreases in ``t``: closed forms at the ends
    (``tau = 0``: ``||a|| / omega``; ``omega = 0``: ``max|a| / tau``), bisection
    on ``[0, max|a| / tau]`` (80 halvings, ~1e-16 relative) otherwise."""
    m = a.shape[0]
    amax = 0.0
    sq = 0.0
    for i in range(m):
        v = abs(float(a[i]))
        sq += v * v
        if v > amax:
            amax = v
    if amax == 0.0:
        return 0.0
    if tau <= 0.0:
        if omega <= 0.0:
            return np.inf
        return np.sqrt(sq) / omega
    hi = amax / tau
    if omega <= 0.0:
        return hi
    lo = 0.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        s = 0.0
        thr = mid * tau
        for i in range(m):
            e = abs(float(a[i])) - thr
            if e > 0:
                s += e * e
        if np.sqrt(s) <= mid * omega:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-16 * hi:
            break
    return hi


@kernel
def sparse_group_prox(z, t1, t2, out):
    """``out = argmin_u 1/2 ||u - z||**2 + t1 ||u||_1 + t2 ||u||_2``: the
    soft-threshold at ``t1``, then ``max(1 - t2 / ||.||, 0)`` times it; returns
    ``||out||``."""
    m = z.shape[0]
    nrm = 0.0
    for i in range(m):
        v = float(z[i])
        e = abs(v) - t1
        if e > 0:
            out[i] = e if v > 0 else -e
            nrm += e * e
        else:
            out[i] = 0.0
    nrm = np.sqrt(nrm)
    scale = 0.0
    if nrm > t2:
        scale = 1.0 - t2 / nrm
    for i in range(m):
        out[i] *= scale
    return nrm * scale


@kernel
def penalty_value(w, order, starts, omega, alpha, tau):
    """``alpha * (tau ||w||_1 + (1 - tau) sum_g omega_g ||w_g||)``."""
    l1 = 0.0
    grp = 0.0
    for g in range(starts.shape[0] - 1):
        s = 0.0
        for k in range(starts[g], starts[g + 1]):
            v = float(w[order[k]])
            l1 += abs(v)
            s += v * v
        grp += omega[g] * np.sqrt(s)
    return alpha * (tau * l1 + (1.0 - tau) * grp)


@kernel
def scaled_alpha_max(v, order, starts, omega, tau, buf):
    """``max_g group_threshold(v_g, tau, (1 - tau) omega_g)``, the smallest
    ``alpha`` with ``v`` in its dual ball (``buf``: scratch of the largest
    group's size)."""
    best = 0.0
    for g in range(starts.shape[0] - 1):
        m = starts[g + 1] - starts[g]
        for k in range(m):
            buf[k] = v[order[starts[g] + k]]
        t = group_threshold(buf[:m], tau, (1.0 - tau) * omega[g])
        if t > best:
            best = t
    return best


@kernel
def gap_from_correlation(w, v, rho, order, starts, omega, alpha, tau, buf):
    """``penalty(w) - c v.w + (1 - c)**2 rho / 2`` with ``c = min(1, alpha /
    alpha_max(v))``; returns ``(gap, c)``."""
    amax = scaled_alpha_max(v, order, starts, omega, tau, buf)
    c = 1.0
    if amax > alpha:
        c = alpha / amax
    vw = 0.0
    for j in range(w.shape[0]):
        vw += float(v[j]) * float(w[j])
    pen = penalty_value(w, order, starts, omega, alpha, tau)
    return pen - c * vw + 0.5 * (1.0 - c) ** 2 * rho, c


@kernel
def _row(indices, dense, start, q):
    """Row of the ``q``-th stored entry of the column starting at ``start``."""
    if dense:
        return q
    return indices[start + q]


@kernel
def _corr(data, indices, indptr, dense, j, hr, shift, mu):
    """``sum_i x_ij h_i r_i + shift mu_j``: column ``j``'s correlation with the
    true residual (the column is ``data[indptr[j]:indptr[j+1]]``)."""
    s = 0.0
    a = indptr[j]
    for q in range(indptr[j + 1] - a):
        s += float(data[a + q]) * hr[_row(indices, dense, a, q)]
    return s + shift * mu[j]


@kernel
def _move(data, indices, indptr, dense, j, d, h, r, hr):
    """``r -= d x_j``, keeping ``hr = h r``."""
    a = indptr[j]
    for q in range(indptr[j + 1] - a):
        i = _row(indices, dense, a, q)
        r[i] -= float(data[a + q]) * d
        hr[i] = h[i] * r[i]


@kernel
def block_lipschitz(data, indices, indptr, dense, h, mu, order, starts, L, trace):
    """Per group ``g``: ``L[g]``, the largest eigenvalue of the weighted centred
    Gram matrix ``sum_i h_i (x_i - mu)_g (x_i - mu)_g'``, and ``trace[g]`` its
    trace (columns read as in :func:`solve`)."""
    n = h.shape[0]
    hx = np.zeros(n)
    for g in range(starts.shape[0] - 1):
        a, m = starts[g], starts[g + 1] - starts[g]
        gram = np.empty((m, m))
        for u in range(m):
            ju = order[a + u]
            c = indptr[ju]
            for q in range(indptr[ju + 1] - c):  # scatter h * x_u
                i = _row(indices, dense, c, q)
                hx[i] = h[i] * float(data[c + q])
            for q in range(u, m):
                jq = order[a + q]
                v = _corr(data, indices, indptr, dense, jq, hx, 0.0, mu) - mu[ju] * mu[jq]
                gram[u, q] = v
                gram[q, u] = v
            for q in range(indptr[ju + 1] - c):
                hx[_row(indices, dense, c, q)] = 0.0
        t = 0.0
        for u in range(m):
            t += gram[u, u]
        trace[g] = t
        L[g] = np.linalg.eigvalsh(gram)[m - 1]


@kernel
def _sweep(
    data, indices, indptr, dense, h, r, w, mu, order, starts, omega, L, alpha, tau, state, z, u
):
    """One cyclic pass over the groups; ``state[0]`` is ``shift``; returns the
    largest coefficient move."""
    n = r.shape[0]
    shift = state[0]
    hr = np.empty(n)
    for i in range(n):
        hr[i] = h[i] * r[i]
    dmax = 0.0
    for g in range(starts.shape[0] - 1):
        if L[g] <= 0:
            continue
        a, e = starts[g], starts[g + 1]
        m = e - a
        for k in range(m):
            j = order[a + k]
            z[k] = w[j] + _corr(data, indices, indptr, dense, j, hr, shift, mu) / L[g]
        sparse_group_prox(z[:m], alpha * tau / L[g], alpha * (1.0 - tau) * omega[g] / L[g], u[:m])
        for k in range(m):
            j = order[a + k]
            d = u[k] - w[j]
            if d == 0.0:
                continue
            if abs(d) > dmax:
                dmax = abs(d)
            w[j] = u[k]
            shift += mu[j] * d
            _move(data, indices, indptr, dense, j, d, h, r, hr)
    state[0] = shift
    return dmax


@kernel
def _gap(
    data, indices, indptr, dense, h, r, w, mu, order, starts, omega, alpha, tau, shift, v, buf
):
    n = r.shape[0]
    hr = np.empty(n)
    rho = 0.0
    for i in range(n):
        t = r[i] + shift
        hr[i] = h[i] * r[i]
        rho += h[i] * t * t
    for j in range(w.shape[0]):
        v[j] = _corr(data, indices, indptr, dense, j, hr, shift, mu)
    return gap_from_correlation(w, v, rho, order, starts, omega, alpha, tau, buf)


@kernel
def solve(
    data, indices, indptr, dense, h, r, w, mu, order, starts, omega, L, alpha, tau,
    tol_gap, tol_move, max_iter, gap_every, state, v,
):  # fmt: skip
    """Block CD from ``w`` (updated in place, ``r = y - X w`` and ``state[0] =
    mu . w`` on entry) until the gap is at most ``tol_gap`` and the last pass
    moved no coefficient by more than ``tol_move`` times the largest (0 turns
    the settle test off).  ``X`` is given by columns: column ``j`` is
    ``data[indptr[j]:indptr[j+1]]`` with rows ``indices[...]`` (CSC), or, when
    ``dense``, every row in order (``data`` the Fortran-ordered ``X`` raveled,
    ``indptr = n * arange(p + 1)``, ``indices`` unused): one code path for both.
    ``v`` receives the last correlation.  Returns ``(n_iter, gap, converged)``;
    the gap is checked before the first pass (``n_iter = 0`` at the optimum)."""
    msize = 1
    for g in range(starts.shape[0] - 1):
        msize = max(msize, starts[g + 1] - starts[g])
    z = np.empty(msize)
    u = np.empty(msize)
    buf = np.empty(msize)
    it = 0
    gap = np.inf
    check, settled = True, True
    while True:
        if check:
            gap, _ = _gap(
                data, indices, indptr, dense, h, r, w, mu, order, starts, omega, alpha, tau,
                state[0], v, buf,
            )  # fmt: skip
            if gap <= tol_gap and settled:
                return it, gap, True
        if it >= max_iter:
            return it, gap, False
        it += 1
        dmax = _sweep(
            data, indices, indptr, dense, h, r, w, mu, order, starts, omega, L, alpha, tau,
            state, z, u,
        )  # fmt: skip
        wmax = 0.0
        for j in range(w.shape[0]):
            wmax = max(wmax, abs(w[j]))
        settled = dmax <= tol_move * wmax or tol_move <= 0
        check = settled or it % gap_every == 0 or it == max_iter
