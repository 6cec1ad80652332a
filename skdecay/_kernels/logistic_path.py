"""A whole warm-started elastic-net path of the logistic losses in one compiled call.

For each ``alpha`` (decreasing), starting from the previous solution, minimise::

    1/n * sum_i s_i * loss(y_i, W x_i + b)
        + sum_{k,j} l1_j * |W_kj| + l2_j / 2 * W_kj**2

over the box ``lower_j <= W_kj <= upper_j`` (glmnet's limits; ``w >= 0`` under
``positive``) (``l1_j = alpha*l1_ratio*pf_j``, ``l2_j = alpha*(1-l1_ratio)*pf_j``,
intercept unpenalised) with the binary log-loss (``loss = 1``, one row ``K = 1``) or the
multinomial one (``loss = 2``, one-hot ``Y``, ``K`` rows) by proximal Newton:

* the quadratic model of the loss at ``Z = W X' + b`` uses the per-sample
  Hessian ``diag(p_i) - p_i p_i'`` (``p_i (1 - p_i)`` for the binary loss),
  jointly over all classes.  Coordinate descent minimises it over the
  coordinates ``(k, j)`` of a working set, keeping ``D = X dW' + db`` (n x K)
  and ``u_i = p_i . D_i``: the model gradient of ``(k, j)`` is
  ``sum_i s_i/n x_ij (g_ik + p_ik (D_ik - u_i))``, an O(n) loop.  Each
  coefficient moves along ``(w_kj, b_k)`` with the intercept following at
  ``-xbar_kj`` (``xbar`` the curvature-weighted column mean, as in ``cd.py``),
  every pass also updates each (unpenalised) intercept and moves each column
  ``W[:, j]`` exactly to its best shift common to all classes (the softmax's
  null direction, along which only the penalty varies and CD would crawl).
  The model is solved to ``eta`` times the largest optimality violation,
  ``eta = min(0.1, violation / first violation)`` (superlinear convergence);
* binary loss with at most ``_GRAM`` features in the working set: covariance
  mode, the model's Gram matrix is formed once per Newton step and a CD pass
  costs O(|ws|**2) instead of O(n |ws|);
* the step to the model's minimiser is damped by Armijo backtracking on the
  true objective, whose change is summed sample by sample
  (``log1p(sum_k p_k expm1(t D_k))``) and coefficient by coefficient: exact far
  below the objective's own rounding, so Newton keeps converging to the last
  digits of the intercepts (which the dual point's feasibility needs).  ``Z``
  is then recomputed from the coefficients, so every gap is that of ``(W, b)``;
* the working set is the support, the unpenalised features and the sequential
  strong rule ``max_k |V_kj| >= l1_ratio*pf_j*(2*alpha - alpha_prev)`` (``|V|``
  counted in the directions the box allows); every
  feature violating its optimality condition at the end of a Newton step joins
  it (the duality gap, computed over all features, certifies every stop);
* stop (per ``alpha``) on the duality gap of ``solvers.duality_gap``
  (:mod:`skdecay._kernels.logistic_gap`: the residual ``Y - P`` projected off
  the intercept and the unpenalised features, scaled by the best ``c in [0,
  c_max]``, summed as non-negative per-sample and per-coefficient terms).  The
  target is ``max(tol * gap0(alpha), 2 eps |loss at zero|)`` with ``gap0`` the
  gap of the zero coefficients with the optimal intercept; with ``settle`` the
  last step must also have moved no coefficient by more than
  ``max(tol, 100 eps) * max|W|``, or the largest violation of the optimality
  conditions must be within the rounding of the correlations (``100 eps
  max|X| |R0|_1 / n``, ``R0`` the residual at zero): just below ``alpha_max``
  the coefficients are tiny and the relative test alone is never met.  From
  ``alpha_max`` on the zero solution is returned as is;
* the softmax is invariant to a shift common to all classes: multinomial
  intercepts and coefficients of unpenalised features are centred over the
  classes (under ``positive``, such coefficients get a smallest value of 0).

Arrays are float64, every per-sample array is ``(K, n)`` (class-major).  The
design arrives as ``XR`` C-ordered in either layout (``rows``: ``X`` itself,
C-ordered; else ``X'``, the rows of ``XR`` the columns of a Fortran-ordered
``X``), so one compiled variant serves both and neither is copied.  Sweeps
over every feature (correlations, ``Z``) read ``XR`` in its own order; the
coordinate descent reads contiguous columns: the rows of ``X'``, or for a
C-ordered ``X`` a cache ``Xg`` of working-set columns (at most ``cap`` of
them, gathered once and kept while they stay in the working set; a larger
working set is visited in chunks of ``cap``).  Returns a status: 0, or 1 when a value
became non-finite (the driver raises ``FloatingPointError``).
"""

import numpy as np

from . import kernel
from .codes import GAMMA, LOGISTIC, MULTINOMIAL, POISSON, TWEEDIE
from .enet_path import _entry_slope
from .logistic_gap import correlate, dual_point, gap_search
from .prox import enet_coordinate_box

KERNEL_STAMP = "0.1.0"

_FAST = {"reassoc", "contract"}
_EPS = 2.220446049250313e-16
_GRAM = 64  # largest working set solved in covariance mode
_CHUNK_PASSES = 4  # most passes over a chunk of the working set per gathering
OK, NON_FINITE = 0, 1


@kernel(error_model="numpy")
def _unit(loss, power, y, z):
    """``(l(y, z), -dl/dz, d2l/dz2, mean, log mean)`` of one sample, one output
    (every loss but the multinomial; ``losses.LOSSES`` is the reference).  The
    log-link losses drop the constant of the half deviance that depends on ``y``
    only; :func:`_unit_constant` adds it back for reporting."""
    if loss == LOGISTIC:
        e = np.exp(-abs(z))
        lg = np.log1p(e)
        if z >= 0:
            lp1 = -lg
            lp0 = -z - lg
            mu = 1.0 / (1.0 + e)
        else:
            lp1 = z - lg
            lp0 = -lg
            mu = e / (1.0 + e)
        return -(y * lp1 + (1.0 - y) * lp0), y - mu, mu * (1.0 - mu), mu, lp1
    mu = np.exp(z)
    if loss == POISSON:
        return mu - y * z, y - mu, mu, mu, z
    if loss == GAMMA:
        t = y / mu
        return z + t, t - 1.0, t, mu, z
    if loss != TWEEDIE:  # (1 < power < 2 below)
        raise ValueError("unknown loss code " + str(loss))
    a = np.exp((1.0 - power) * z)  # mu**(1-p)
    b = a * mu  # mu**(2-p)
    value = -y * a / (1.0 - power) + b / (2.0 - power)
    return value, y * a - b, (2.0 - power) * b - (1.0 - power) * y * a, mu, z


@kernel(error_model="numpy")
def _unit_change(loss, power, y, z, mu, d):
    """``(l(y, z + d) - l(y, z), size)``: the change summed from ``expm1`` terms
    (exact far below the loss's own rounding) and the magnitude of those terms."""
    if loss == LOGISTIC:
        dl = np.log1p(mu * np.expm1(d))
        return dl - y * d, abs(dl) + abs(y * d)
    if loss == POISSON:
        u = mu * np.expm1(d)
        return u - y * d, abs(u) + abs(y * d)
    if loss == GAMMA:
        u = (y / mu) * np.expm1(-d)
        return d + u, abs(d) + abs(u)
    if loss != TWEEDIE:
        raise ValueError("unknown loss code " + str(loss))
    a = np.exp((1.0 - power) * z)
    u = -y * a * np.expm1((1.0 - power) * d) / (1.0 - power)
    v = a * mu * np.expm1((2.0 - power) * d) / (2.0 - power)
    return u + v, abs(u) + abs(v)


@kernel(error_model="numpy")
def _evaluate(Z, Y, s, loss, power, P, LOGP, R, C):
    """Weighted mean loss at ``Z`` (K, n); fills ``P`` (the mean: probabilities or
    ``exp(z)``), ``LOGP`` (``[log p, log(1-p)]`` for the binary loss,
    log-softmax for the multinomial, ``z`` for the log link), the residual
    ``R = -dl/dz`` and the curvature ``C = d2l/dz2`` (the diagonal of the
    multinomial block)."""
    K, n = Z.shape
    total = 0.0
    if loss != MULTINOMIAL:
        for i in range(n):
            y = Y[0, i]
            value, r, c, mu, lm = _unit(loss, power, y, Z[0, i])
            P[0, i] = mu
            R[0, i] = r
            C[0, i] = c
            LOGP[0, i] = lm
            if loss == LOGISTIC:
                LOGP[1, i] = lm - Z[0, i]  # log(1 - p) = log p - z
            total += s[i] * value
        return total / n
    # class-major passes (rows of the (K, n) arrays are contiguous: a loop over the
    # classes of one sample would stride n floats per step)
    m = np.empty(n)
    acc = np.empty(n)
    for i in range(n):
        m[i] = Z[0, i]
        acc[i] = 0.0
    for k in range(1, K):
        for i in range(n):
            m[i] = max(m[i], Z[k, i])
    for k in range(K):
        for i in range(n):
            e = np.exp(Z[k, i] - m[i])
            P[k, i] = e
            acc[i] += e
    yz = np.empty(n)
    for i in range(n):
        m[i] += np.log(acc[i])  # now the log-sum-exp
        yz[i] = 0.0
    for k in range(K):
        for i in range(n):
            pk = P[k, i] / acc[i]
            P[k, i] = pk
            LOGP[k, i] = Z[k, i] - m[i]
            R[k, i] = Y[k, i] - pk
            C[k, i] = pk * (1.0 - pk)
            yz[i] += Y[k, i] * Z[k, i]
    for i in range(n):  # per sample: the loss lse - y.z does not cancel in the sum
        total += s[i] * (m[i] - yz[i])
    return total / n


@kernel
def _violation(v, w, l1, l2, lo, hi):
    """The distance from the correlation ``v`` (minus the data term's gradient) to
    the subdifferential of ``l1 |w| + l2/2 w**2`` plus the normal cone of the box
    ``[lo, hi]`` at ``w`` (``penalties.ElasticNetPenalty.kkt_violation``):
    ``|v - sign(w) l1 - l2 w|`` inside the box, ``(|v| - l1)+`` at an inner zero;
    at a bound only the part pushing further outward counts (``lo = 0, hi = inf``
    is ``positive``; a box ``[0, 0]`` fixes the coefficient: 0)."""
    if w != 0:
        sg = 1.0 if w > 0 else -1.0
        d = v - sg * l1 - l2 * w
        if w >= hi:  # the normal cone [0, inf) takes any v above the subgradient
            return max(-d, 0.0)
        if w <= lo:
            return max(d, 0.0)
        return abs(d)
    out = 0.0
    if hi > 0:
        out = max(out, v - l1)
    if lo < 0:
        out = max(out, -l1 - v)
    return out


@kernel(error_model="numpy")
def _kkt_violation(XR, rows, R, s, W, l1, l2, lo, hi, fit_intercept, G):
    """The largest violation of the optimality conditions at ``(W, b)`` from the
    residual ``R`` (one output): ``G = X' (s R) / n`` is minus the data term's
    gradient; per coefficient the distance from ``G_j`` to the subdifferential of
    the penalty plus the box's normal cone (:func:`_violation`), and the
    intercept's ``|sum s R| / n``.  The stopping rule of the losses without a
    closed-form conjugate (Tweedie)."""
    n = R.shape[1]
    p = W.shape[1]
    worst = 0.0
    if fit_intercept:
        acc = 0.0
        for i in range(n):
            acc += s[i] * R[0, i]
        worst = abs(acc) / n
    correlate(XR, rows, R, s, G)
    for j in range(p):
        worst = max(worst, _violation(G[0, j], W[0, j], l1[j], l2[j], lo[j], hi[j]))
    return worst


@kernel(error_model="numpy")
def _null_shift(w, l1, l2, positive):
    """The ``c`` minimising ``sum_k l1 |w_k - c| + l2/2 (w_k - c)**2`` (with every
    ``w_k - c >= 0`` under ``positive``): a convex piecewise quadratic, whose
    slope ``l2 (K c - sum w) + l1 (#{w_k < c} - #{w_k > c})`` is scanned over
    the sorted ``w``."""
    K = w.shape[0]
    s = np.empty(K)  # sorted copy (insertion sort: np.sort costs seconds to compile)
    for k in range(K):
        v = w[k]
        q = k
        while q > 0 and s[q - 1] > v:
            s[q] = s[q - 1]
            q -= 1
        s[q] = v
    total = 0.0
    for k in range(K):
        total += s[k]
    # the first breakpoint v where the slope to its right is >= 0: the minimiser is
    # v itself, or the zero of the (linear) slope just left of it
    c = (total - l1 * K / l2) / K if l2 > 0 else s[K - 1]  # right of every w_k
    below = 0  # values left of v
    i = 0
    while i < K:
        v = s[i]
        j = i
        while j < K and s[j] == v:
            j += 1
        lin = l2 * (K * v - total)
        if lin + l1 * (2 * j - K) >= 0:
            c = v
            if lin + l1 * (2 * below - K) > 0 and l2 > 0:
                c = (total - l1 * (2 * below - K) / l2) / K
                c = min(max(c, s[below - 1] if below > 0 else c), v)
            break
        below = j
        i = j
    if positive:
        c = min(c, s[0])
    return c


@kernel(error_model="numpy")
def _load_columns(XR, ws, order, c0, c1, Xg, slots, cix):
    """Make the columns ``ws[order[c0:c1]]`` of a C-ordered ``X`` (``XR``) rows
    of the column cache ``Xg`` (cap, n); ``cix[jj]`` receives the row of ``ws[jj]``.

    ``slots`` (2 p + cap + 1) holds the cache row of every column (-1: not
    cached), a mark per column, the column of every cache row (-1: free) and a
    counter.  Cached columns stay; the missing ones take the rows of columns
    outside ``order[c0:c1]`` and are gathered in one sweep over the rows of
    ``XR`` (in blocks of rows, so that the cache rows are written in runs)."""
    n, p = XR.shape
    cap = Xg.shape[0]
    tick = slots[2 * p + cap] + 1
    slots[2 * p + cap] = tick
    todo = np.empty(c1 - c0, dtype=np.int64)
    nmiss = 0
    for q in range(c0, c1):
        jj = order[q]
        j = ws[jj]
        slots[p + j] = tick
        if slots[j] >= 0:
            cix[jj] = slots[j]
        else:
            todo[nmiss] = jj
            nmiss += 1
    r = 0
    for q in range(nmiss):  # c1 - c0 <= cap: enough rows hold no needed column
        while slots[2 * p + r] >= 0 and slots[p + slots[2 * p + r]] == tick:
            r += 1
        old = slots[2 * p + r]
        if old >= 0:
            slots[old] = -1
        j = ws[todo[q]]
        slots[2 * p + r] = j
        slots[j] = r
        cix[todo[q]] = r
        r += 1
    for i0 in range(0, n if nmiss > 0 else 0, 64):
        i1 = min(n, i0 + 64)
        for q in range(nmiss):
            j = ws[todo[q]]
            r = cix[todo[q]]
            for i in range(i0, i1):
                Xg[r, i] = XR[i, j]


@kernel(fastmath=_FAST, error_model="numpy")
def _newton_direction(
    XR, rows, cache, ws, nws, W, Wn, b, bn, M, P, l1, l2, lo, hi, flags, tol_in, max_inner
):
    """Minimise the quadratic model over the working set from ``(W, b)``: the
    result in ``(Wn, bn)``, ``D = X (Wn - W)' + (bn - b)`` (K, n).  ``M`` (4, K, n)
    holds the model ``SG, SH, A`` (see ``logistic_path``) and receives ``D``.

    The model gradient of ``(k, j)`` is ``sum_i x_ij (SG_ki + SH_ki (D_ki - u_i))``
    (``u_i = sum_k P_ki D_ki``, multinomial only) and its curvature along the
    coupled direction ``(w_kj, b_k - xbar_kj)`` is ``sum_i A_ki (x_ij -
    xbar_kj)**2``.  Passes over the intercepts and the working set, each
    followed by passes over its nonzero coefficients, until a pass over the
    working set moves nothing by more than ``tol_in`` (largest ``|dw| *
    (curvature + l2)``), at most ``max_inner`` passes in all.

    Binary loss with a working set of at most ``_GRAM`` features: covariance
    mode (glmnet's), the model's Gram matrix ``H`` of the centred working-set
    columns is formed once and the passes update the model gradient ``r``, at
    O(|ws|) per coordinate instead of O(n).

    Column ``ws[jj]`` is read as the contiguous row ``Xc[cix[jj]]``: of ``X'``
    itself (a Fortran-ordered ``X``, ``Xc = XR``), or, for a C-ordered ``X``
    (``rows``), of the column cache ``Xg`` (``Xc`` its read-only view), filled
    by :func:`_load_columns`.  A working set larger than the cache is visited
    in chunks of ``cap`` columns (``order`` lists the visits of a pass).  ``cache =
    (Xg, Xc, slots, cix, order)`` and ``flags = (positive, fit_intercept, multi)``;
    every coordinate stays in its box ``[lo_j, hi_j]`` (``positive``: ``lo = 0``).
    The multinomial's null shift keeps only ``positive``: a box beyond it is for the
    other losses (the driver keeps boxed multinomial fits on proximal Newton)."""
    Xg, Xc, slots, cix, order = cache
    positive, fit_intercept, multi = flags
    SG, SH, A, D = M[0], M[1], M[2], M[3]
    K, n = D.shape
    cap = Xg.shape[0] if rows else nws
    cap = max(cap, 1)
    u = np.empty(n)
    for i in range(n):
        u[i] = 0.0
    col = np.empty(K)
    sumA = np.empty(K)
    xbar = np.empty((K, nws))
    csq = np.empty((K, nws))
    for k in range(K):  # explicit loops: slice assignments cost seconds of compilation
        bn[k] = b[k]
        for j in range(W.shape[1]):
            Wn[k, j] = W[k, j]
        for i in range(n):
            D[k, i] = 0.0
    for k in range(K):
        acc = 0.0
        for i in range(n):
            acc += A[k, i]
        sumA[k] = acc
    for jj in range(nws):
        order[jj] = jj
        if not rows:
            cix[jj] = ws[jj]
    nch = (nws + cap - 1) // cap
    for ci in range(nch):  # last chunk first: the first pass starts with chunk 0 cached
        c0 = (nch - 1 - ci) * cap
        c1 = min(nws, c0 + cap)
        if rows:
            _load_columns(XR, ws, order, c0, c1, Xg, slots, cix)
        for jj in range(c0, c1):
            x = Xc[cix[jj]]
            for k in range(K):
                xb = 0.0
                if fit_intercept and sumA[k] > 0:
                    for i in range(n):
                        xb += A[k, i] * x[i]
                    xb /= sumA[k]
                acc = 0.0
                for i in range(n):
                    dx = x[i] - xb
                    acc += A[k, i] * dx * dx
                xbar[k, jj] = xb
                csq[k, jj] = acc
    passes = 0
    if not multi and nws <= _GRAM and nws <= cap:  # (every column loaded above)
        H = np.empty((nws, nws))
        r = np.empty(nws)
        db = 0.0  # the intercept first; the coupled moves keep it optimal
        if fit_intercept and sumA[0] > 0:
            g = 0.0
            for i in range(n):
                g += SG[0, i]
            db = -g / sumA[0]
        for a in range(nws):
            xa = Xc[cix[a]]
            ma = xbar[0, a]
            acc = 0.0
            for i in range(n):
                acc += (xa[i] - ma) * (SG[0, i] + A[0, i] * db)
            r[a] = acc
            for c in range(a + 1):
                xc = Xc[cix[c]]
                mc = xbar[0, c]
                acc = 0.0
                for i in range(n):
                    acc += A[0, i] * (xa[i] - ma) * (xc[i] - mc)
                H[a, c] = acc
                H[c, a] = acc
        active = False
        while passes < max_inner:
            step = 0.0
            for a in range(nws):
                j = ws[a]
                w = Wn[0, j]
                c = H[a, a]
                if (active and w == 0) or not (c > 0 or l2[j] > 0):
                    continue
                new = enet_coordinate_box(c, c * w - r[a], l1[j], l2[j], lo[j], hi[j])
                d = new - w
                if d != 0:
                    Wn[0, j] = new
                    for q in range(nws):
                        r[q] += d * H[q, a]
                    step = max(step, abs(d) * (c + l2[j]))
            passes += 1
            if not step > tol_in:
                if not active:
                    break
                active = False
            else:
                active = True
        bn[0] = b[0] + db
        for i in range(n):
            D[0, i] = db
        for a in range(nws):
            d = Wn[0, ws[a]] - W[0, ws[a]]
            if d != 0:
                xa = Xc[cix[a]]
                ma = xbar[0, a]
                bn[0] -= d * ma
                for i in range(n):
                    D[0, i] += d * (xa[i] - ma)
        return passes
    active = False  # a pass over the nonzero coefficients only
    while passes < max_inner:
        step = 0.0
        if fit_intercept:
            for k in range(K):
                if not sumA[k] > 0:
                    continue
                g = 0.0
                if multi:
                    for i in range(n):
                        g += SG[k, i] + SH[k, i] * (D[k, i] - u[i])
                else:
                    for i in range(n):
                        g += SG[k, i] + SH[k, i] * D[k, i]
                d = -g / sumA[k]
                if d != 0:
                    bn[k] += d
                    for i in range(n):
                        D[k, i] += d
                    if multi:
                        for i in range(n):
                            u[i] += P[k, i] * d
                    step = max(step, abs(d) * sumA[k])
        m = 0  # the columns this pass visits (with a nonzero coefficient if active)
        for jj in range(nws):
            take = not active
            for k in range(K):
                take |= Wn[k, ws[jj]] != 0
            if take:
                order[m] = jj
                m += 1
        nch = (m + cap - 1) // cap
        for ci in range(nch):  # chunks in alternate directions: a pass starts with the
            c0 = (ci if passes % 2 == 0 else nch - 1 - ci) * cap  # one the last ended with
            c1 = min(m, c0 + cap)
            if rows:
                _load_columns(XR, ws, order, c0, c1, Xg, slots, cix)
            # a chunk (a working set larger than the cache) is passed over again while
            # its steps shrink fast (block coordinate descent): gathering it anew
            # costs a sweep over the rows of X, more than a pass over the chunk
            last = np.inf
            for rep in range(1 if c1 - c0 == m else _CHUNK_PASSES):
                cstep = 0.0
                for q in range(c0, c1):
                    jj = order[q]
                    j = ws[jj]
                    x = Xc[cix[jj]]
                    for k in range(K):
                        w = Wn[k, j]
                        if active and w == 0:
                            continue
                        c = csq[k, jj]
                        if not (c > 0 or l2[j] > 0):
                            continue
                        xb = xbar[k, jj]
                        g = 0.0
                        if multi:
                            for i in range(n):
                                g += (x[i] - xb) * (SG[k, i] + SH[k, i] * (D[k, i] - u[i]))
                        else:
                            for i in range(n):
                                g += (x[i] - xb) * (SG[k, i] + SH[k, i] * D[k, i])
                        new = enet_coordinate_box(c, c * w - g, l1[j], l2[j], lo[j], hi[j])
                        d = new - w
                        if d != 0:
                            Wn[k, j] = new
                            if fit_intercept:
                                bn[k] -= d * xb
                            if multi:
                                for i in range(n):
                                    dx = d * (x[i] - xb)
                                    D[k, i] += dx
                                    u[i] += P[k, i] * dx
                            else:
                                for i in range(n):
                                    D[k, i] += d * (x[i] - xb)
                            cstep = max(cstep, abs(d) * (c + l2[j]))
                # the softmax's null direction: W[:, j] - c for every class leaves the loss
                # as is; only the penalty decides, exactly (CD alone drifts along it).  A
                # column of zeros stays (c = 0): the columns of this chunk suffice
                for q in range(c0, c1 if multi else c0):
                    jj = order[q]
                    j = ws[jj]
                    if l1[j] == 0 and l2[j] == 0:
                        continue
                    for k in range(K):
                        col[k] = Wn[k, j]
                    c = _null_shift(col, l1[j], l2[j], positive)
                    if c != 0:
                        x = Xc[cix[jj]]
                        for k in range(K):
                            Wn[k, j] -= c
                            for i in range(n):
                                D[k, i] -= c * x[i]
                        for i in range(n):
                            u[i] -= c * x[i]
                if rep == 0:
                    step = max(step, cstep)
                if not (cstep > tol_in and cstep < 0.25 * last):
                    break
                last = cstep
        passes += 1
        if not step > tol_in:  # also stops on NaN
            if not active:
                break
            active = False
        else:
            active = True
    return passes


@kernel(error_model="numpy")
def logistic_path(
    XR,
    rows,
    Xg,
    Xgr,
    Y,
    s,
    offset,
    pf,
    l1_ratio,
    alphas,
    positive,
    lower,
    upper,
    boxed,
    fit_intercept,
    loss,
    power,
    tol,
    max_iter,
    settle,
    max_inner,
    alpha_max,
    b_zero,
    W,
    b,
    coefs,
    intercepts,
    gaps,
    gaps0,
    n_iter,
    converged,
):
    """The path over ``alphas`` (decreasing) from ``(W, b)`` (updated in place).

    ``XR, rows``: the design (above); ``Xg`` (cap, n) the column cache of a
    C-ordered ``X`` (``cap >= min(p, _GRAM)``; unused otherwise) and ``Xgr`` a
    read-only view of it (the type of ``XR``: one compiled coordinate descent).
    ``Y`` (K, n): 0/1 (``loss = 1``, K = 1) or one-hot (``loss = 2``); ``s``
    sums to ``n``; ``lower, upper`` (p,) the box of every coefficient (``[0,
    inf)`` under ``positive``, ``[0, 0]`` for an excluded feature), with
    ``boxed`` when it goes beyond ``w >= 0`` (then ``positive`` is False, the dual
    point and the gap take the box: binary and log-link losses only);
    ``b_zero`` the optimal intercept of the zero coefficients
    (zeros without intercept); from ``alpha_max`` on the zero solution is
    returned as is.  Fills ``coefs`` (m, K, p), ``intercepts`` (m, K),
    ``gaps``, ``gaps0`` (the reference gap of the zero coefficients, or their
    KKT violation), ``n_iter`` and ``converged`` (m,); returns the status.  (The
    steps are written inline: every function a kernel calls is optimised again
    inside it, so small helpers cost compile time.)"""
    K, n = Y.shape
    p = pf.shape[0]
    multi = loss == MULTINOMIAL
    certified = loss != TWEEDIE  # a closed-form conjugate: the duality gap; else KKT
    Kc = K if multi else 2
    Z = np.empty((K, n))
    P = np.empty((K, n))
    LOGP = np.empty((Kc, n))
    theta = np.empty((K, n))
    R = np.empty((K, n))  # residual -dl/dz and curvature d2l/dz2 at Z
    ls_acc = np.empty(n)  # per-sample sums of the multinomial line search
    ls_yd = np.empty(n)
    C = np.empty((K, n))
    M = np.empty((4, K, n))  # the quadratic model and the Newton direction
    SG, SH, A, D = M[0], M[1], M[2], M[3]
    V = np.empty((K, p))  # allocations take few distinct forms: each costs a compile
    Wn = np.empty((K, p))
    bn = np.empty(K)
    Wz = np.empty((K, p))
    pen = np.empty((6, K * p))
    ws = np.empty(p, dtype=np.int64)
    cix = np.empty(p, dtype=np.int64)  # the row of Xc holding ws[jj]
    order = np.empty(p, dtype=np.int64)  # the visits of a coordinate descent pass
    slots = np.empty(2 * p + Xg.shape[0] + 1, dtype=np.int64)  # see _load_columns
    for j in range(p):
        slots[j] = -1
        slots[p + j] = 0
    for r in range(Xg.shape[0]):
        slots[2 * p + r] = -1
    slots[2 * p + Xg.shape[0]] = 0
    Xc = Xgr if rows else XR
    cache = (Xg, Xc, slots, cix, order)  # the column cache of _newton_direction
    inws = np.zeros(p, dtype=np.bool_)
    flags = (positive, fit_intercept, multi)
    l1 = np.empty(p)
    l2 = np.empty(p)
    nfree = 0
    for j in range(p):
        if pf[j] == 0:
            nfree += 1
    for a in range(alphas.shape[0]):
        if alphas[a] == 0:
            nfree = p
    Qb = np.empty((min(nfree + 1, n + 1), n))  # rank <= n, plus a row of scratch
    bstate = np.empty(p + 2, dtype=np.int64)
    for j in range(p + 2):
        bstate[j] = 0

    # The zero point (intercept optimal): its loss, dual point and, when the samples
    # of a class share them (no free feature: Z is constant), one row per class
    # with the class's weight for the reference gap gap0(alpha).
    P0 = np.empty((K, n))
    LOGP0 = np.empty((Kc, n))
    theta0 = np.empty((K, n))
    R0 = np.empty((K, n))
    V0 = np.empty((K, p))
    for k in range(K):
        for j in range(p):
            V[k, j] = 0.0
            Wz[k, j] = 0.0
            V0[k, j] = 0.0
    for k in range(K):
        for i in range(n):
            Z[k, i] = b_zero[k] + offset[i]
    primal0 = _evaluate(Z, Y, s, loss, power, P0, LOGP0, R0, C)
    data = (XR, rows, Y, s, loss, pf, positive, fit_intercept, lower, upper, boxed)
    box = (positive, lower, upper, boxed)  # what gap_search reads
    basis = (Qb, bstate)
    dual_point(data, R0, Wz, 1.0, theta0, V0, basis)
    floor = 2 * _EPS * abs(primal0)
    # the KKT rule's floor: rounding of the correlations, 100 eps max |X' s R0| / n
    floor_kkt = 0.0
    for k in range(XR.shape[0]):
        for ii in range(XR.shape[1]):
            floor_kkt = max(floor_kkt, abs(XR[k, ii]))
    acc0 = 0.0
    for ii in range(n):
        acc0 += s[ii] * abs(R0[0, ii])
    floor_kkt = 100 * _EPS * max(floor_kkt, 1.0) * acc0 / n
    ng = K if multi else 2
    first = np.empty(ng, dtype=np.int64)
    for g in range(ng):
        first[g] = -1
    label = np.empty(n, dtype=np.int64)
    grouped = True
    for i in range(n):
        g = 0
        if multi:
            for k in range(1, K):
                if Y[k, i] > Y[g, i]:
                    g = k
        elif Y[0, i] > 0.5:
            g = 1
        label[i] = g
        f = first[g]
        if f < 0:
            first[g] = i
            continue
        for k in range(Kc):
            if LOGP0[k, i] != LOGP0[k, f] or (
                k < K and (Y[k, i] != Y[k, f] or theta0[k, i] != theta0[k, f])
            ):
                grouped = False
    m0 = 0
    for g in range(ng):
        if first[g] >= 0:
            first[g] = m0  # now the group's row
            m0 += 1
    if not grouped:
        m0 = n
    Yc = np.empty((K, m0))
    Tc = np.empty((K, m0))
    LPc = np.empty((Kc, m0))
    wc = np.empty(m0)
    for r in range(m0):
        wc[r] = 0.0
    for i in range(n):
        r = first[label[i]] if grouped else i
        for k in range(Kc):
            LPc[k, r] = LOGP0[k, i]
            if k < K:
                Yc[k, r] = Y[k, i]
                Tc[k, r] = theta0[k, i]
        wc[r] += s[i]

    have_V = False
    exact = False  # Z, P and LOGP are computed from the current (W, b)
    c_gap = 1.0
    c_gap0 = 1.0
    settle_tol = max(tol, 100 * _EPS)
    for ia in range(alphas.shape[0]):
        alpha = alphas[ia]
        # unpenalised coefficients (alpha = 0 or pf = 0): dual_point projects their
        # correlations out of V, so vmax says nothing about them and cannot serve as
        # the settle test's floor
        free = False
        for j in range(p):
            l1[j] = (alpha * l1_ratio) * pf[j]
            l2[j] = (alpha * (1.0 - l1_ratio)) * pf[j]
            if l1[j] == 0.0 and l2[j] == 0.0:
                free = True
        # the reference gap at zero (its dual point frees every feature at alpha = 0)
        if not certified:  # the largest KKT violation of the zero coefficients
            gap0 = _kkt_violation(XR, rows, R0, s, Wz, l1, l2, lower, upper, fit_intercept, Wn)
        elif alpha == 0 and not positive:
            dual_point(data, R0, Wz, alpha, theta, V, basis)
            gap0, c_gap0 = gap_search(
                Y, theta, LOGP0, s, n, loss, V, Wz, l1, l2, box, 0.0, np.inf, c_gap0, pen
            )
            have_V = False
        else:
            gap0, c_gap0 = gap_search(
                Yc, Tc, LPc, wc, n, loss, V0, Wz, l1, l2, box, 0.0, np.inf, c_gap0, pen
            )
        target = max(tol * gap0, floor if certified else floor_kkt)
        gap = gap0
        it = 0
        conv = True
        max_it = 0
        stale = False  # V and the gap are not those of the current (W, b)
        if alpha >= alpha_max:  # zero is the exact solution
            for k in range(K):
                b[k] = b_zero[k]
                for j in range(p):
                    W[k, j] = 0.0
                    V[k, j] = V0[k, j]
            have_V = True
            exact = False
        else:
            max_it = max_iter
            conv = False
            gap = np.inf
            stale = True
            for j in range(p):
                inws[j] = False
        nws = p - p  # not a literal 0 (a literal argument compiles another variant)
        scale = 1.0
        vmax0 = 1.0
        t = 1.0
        settled = True
        # working set: support, unpenalised features and the sequential strong rule
        # max_k |V_kj| >= l1_ratio*pf_j*(2 alpha - alpha_prev) at the start; then the
        # KKT check (threshold alpha*l1_ratio*pf_j) after every Newton step
        thr = l1_ratio * (2 * alpha - (alphas[ia - 1] if ia > 0 else alpha))
        while True:
            if not exact:  # Z = W X' + b from the coefficients, and what depends on it
                for k in range(K):
                    for i in range(n):
                        Z[k, i] = b[k] + offset[i]
                nz = 0  # the columns with a nonzero coefficient, in increasing order
                for j in range(p):
                    for k in range(K):
                        if W[k, j] != 0 and (nz == 0 or order[nz - 1] != j):
                            order[nz] = j
                            nz += 1
                if rows:  # a sweep over the rows (the same sums as by columns)
                    for i in range(n):
                        for k in range(K):
                            acc = Z[k, i]
                            for q in range(nz):
                                w = W[k, order[q]]
                                if w != 0:
                                    acc += XR[i, order[q]] * w
                            Z[k, i] = acc
                else:
                    for q in range(nz):
                        x = XR[order[q]]
                        for k in range(K):
                            w = W[k, order[q]]
                            if w != 0:
                                for i in range(n):
                                    Z[k, i] += x[i] * w
                if not np.isfinite(_evaluate(Z, Y, s, loss, power, P, LOGP, R, C)):
                    return NON_FINITE
                exact = True
            if stale and (it > 0 or not have_V):
                dual_point(data, R, W, alpha, theta, V, basis)
                have_V = True
            # the largest violation of the optimality conditions at (W, b), from V
            vmax = 0.0
            for k in range(K):
                for j in range(p):
                    vmax = max(vmax, _violation(V[k, j], W[k, j], l1[j], l2[j], lower[j], upper[j]))
            if stale and it > 0:  # the duality gap (or KKT violation) after a Newton step
                if certified:
                    gap, c_gap = gap_search(
                        Y, theta, LOGP, s, n, loss, V, W, l1, l2, box, target, 10.0, c_gap, pen
                    )
                else:
                    gap = _kkt_violation(XR, rows, R, s, W, l1, l2, lower, upper, fit_intercept, Wn)
                stale = False
                if gap != gap:
                    return NON_FINITE
                # the relative settle test needs an absolute floor: just below
                # alpha_max max|W| is tiny and the model's own rounding moves the
                # coefficients by more than tol max|W| in every step; a point whose
                # violation is within the correlations' rounding has settled
                if gap <= target and (settled or (vmax <= floor_kkt and not free)):
                    conv = True
                    break
            if it >= max_it:
                break
            grown = nws
            for j in range(p):
                if inws[j]:
                    continue
                take = l1[j] <= 0
                mag = 0.0
                for k in range(K):
                    if W[k, j] != 0:
                        take = True
                    mag = max(mag, _entry_slope(V[k, j], lower[j], upper[j]))
                if take or mag >= thr * pf[j]:
                    ws[grown] = j
                    grown += 1
                    inws[j] = True
            thr = alpha * l1_ratio
            if t == 0 and grown == nws:  # no progress: a more exact model
                if scale < 1e-9:
                    break
                scale *= 1e-3
            nws = grown
            it += 1
            # the quadratic model at P (gradient SG, curvature A, Hessian weights SH)
            for k in range(K):
                for i in range(n):
                    sn = s[i] / n
                    SG[k, i] = -sn * R[k, i]
                    A[k, i] = sn * max(C[k, i], 1e-10)
                    SH[k, i] = sn * P[k, i] if multi else A[k, i]
            # the model is solved to eta x the largest violation, eta = min(0.1,
            # vmax / vmax at the first step): superlinear convergence near the optimum
            if it == 1:
                vmax0 = vmax
            eta = min(0.1, vmax / vmax0) if vmax0 > 0 else 0.1
            tol_in = eta * vmax * scale
            _newton_direction(
                XR,
                rows,
                cache,
                ws,
                nws,
                W,
                Wn,
                b,
                bn,
                M,
                P,
                l1,
                l2,
                lower,
                upper,
                flags,
                tol_in,
                max_inner,
            )
            changed = False
            slope = 0.0
            for k in range(K):
                if not np.isfinite(bn[k]):
                    return NON_FINITE
                changed |= bn[k] != b[k]
                for jj in range(nws):
                    v = Wn[k, ws[jj]]
                    if not np.isfinite(v):
                        return NON_FINITE
                    changed |= v != W[k, ws[jj]]
                for i in range(n):
                    slope += SG[k, i] * D[k, i]
            # Armijo backtracking on the true objective.  Its change is summed sample by
            # sample, lse(z + tD) - lse(z) = log1p(sum_k p_k expm1(t D_k)), and coefficient
            # by coefficient: exact far below the rounding of the objective itself, so
            # that Newton steps keep converging down to the intercepts' last digits.
            t = 0.0
            tt = 1.0
            for _ in range(40 if changed else 0):
                dloss = 0.0
                size = 0.0
                if multi:  # class-major passes into per-sample sums
                    for i in range(n):
                        ls_acc[i] = 0.0
                        ls_yd[i] = 0.0
                    for k in range(K):
                        for i in range(n):
                            dz = tt * D[k, i]
                            if P[k, i] > 0:
                                ls_acc[i] += P[k, i] * np.expm1(dz)
                            ls_yd[i] += Y[k, i] * dz
                    for i in range(n):
                        dl = np.log1p(ls_acc[i])
                        dloss += s[i] * (dl - ls_yd[i])
                        size += s[i] * (abs(dl) + abs(ls_yd[i]))
                else:
                    for i in range(n):
                        dl, sz = _unit_change(loss, power, Y[0, i], Z[0, i], P[0, i], tt * D[0, i])
                        dloss += s[i] * dl
                        size += s[i] * sz
                size /= n
                dpen = 0.0
                for k in range(K):
                    for jj in range(nws):
                        j = ws[jj]
                        w = W[k, j]
                        wt = Wn[k, j] if tt == 1.0 else w + tt * (Wn[k, j] - w)
                        dp = l1[j] * (abs(wt) - abs(w)) + 0.5 * l2[j] * (wt - w) * (wt + w)
                        dpen += dp
                        size += abs(dp)
                if tt == 1.0:
                    slope += dpen
                df = dloss / n + dpen
                if df <= 1e-4 * tt * min(slope, 0.0) + 10 * _EPS * size:
                    t = tt
                    break
                tt *= 0.5
            moved = 0.0
            if t > 0:
                for k in range(K):
                    for jj in range(nws):
                        j = ws[jj]
                        d = Wn[k, j] - W[k, j]
                        moved = max(moved, abs(t * d))
                        W[k, j] = Wn[k, j] if t == 1.0 else W[k, j] + t * d
                    b[k] += t * (bn[k] - b[k])
                exact = False
            stale = True
            # as in solvers.prox_newton, a single fit also waits for the coefficients to
            # settle: the last step moved none by more than max(tol, 100 eps) max|W|
            # (or the point is optimal to the rounding of the correlations, below)
            wmax = 0.0
            for k in range(K):
                for j in range(p):
                    wmax = max(wmax, abs(W[k, j]))
            settled = not settle or not moved > settle_tol * wmax
        if multi and max_it > 0:  # softmax is shift invariant: centre what is unpenalised
            exact = False
            if fit_intercept:
                mb = 0.0
                for k in range(K):
                    mb += b[k]
                mb /= K
                for k in range(K):
                    b[k] -= mb
            for j in range(p):  # (the smallest class at 0 under positive)
                if l1[j] == 0 and l2[j] == 0:
                    mb = 0.0
                    lo = W[0, j]
                    for k in range(K):
                        mb += W[k, j]
                        lo = min(lo, W[k, j])
                    mb = lo if positive else mb / K
                    for k in range(K):
                        W[k, j] -= mb
        for k in range(K):
            intercepts[ia, k] = b[k]
            for j in range(p):
                coefs[ia, k, j] = W[k, j]
        gaps[ia] = gap
        gaps0[ia] = gap0
        n_iter[ia] = it
        converged[ia] = conv
    return OK
