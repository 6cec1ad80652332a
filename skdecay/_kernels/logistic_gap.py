"""The duality gap of the logistic losses (``solvers.duality_gap``), compiled.

For coefficients ``W`` (K, p), intercepts ``b`` and probabilities ``P = p(Z)``
of ``Z = W X' + b`` the dual point is the residual ``theta = Y - P`` projected
(weighted by ``s``) off the intercept's ones column and the unpenalised
features, with ``V = X' (s theta) / n``, scaled by the ``c in [0, c_max]`` that
minimises the gap; ``c_max`` keeps pure-L1 coefficients (``c |V_kj| <= l1_j``)
and the dual probabilities ``Y - c theta`` feasible.  The gap is the sum of
non-negative per-sample Kullback-Leibler terms (``losses.fenchel_young``) and
per-coefficient Fenchel-Young terms (``penalties.FenchelYoungLine``), so it stays
accurate far below the objective's rounding.  Used by
:mod:`skdecay._kernels.logistic_path`; float64, per-sample arrays ``(K, n)``.

The design reaches the kernels as ``XR``, C-ordered in both layouts the
callers hold: ``X`` itself (``rows``: a C-ordered ``X``, read row by row) or
``X'`` (a Fortran-ordered ``X``, whose columns are ``XR``'s rows).  One
compiled variant serves both, and neither layout is copied.
"""

import numpy as np

from . import kernel
from .codes import GAMMA, LOGISTIC, MULTINOMIAL, POISSON
from .enet_path import _conj_argmax, _entry_slope, _fenchel_young

KERNEL_STAMP = "0.1.0"

_FAST = {"reassoc", "contract"}


@kernel(fastmath=_FAST, error_model="numpy")
def correlate(XR, rows, T, s, out):
    """``out = T diag(s) X / n`` (K, p): the correlations of the columns of ``X``
    with the weighted rows of ``T`` (K, n), in the layout's own order (a sweep
    over the rows of a C-ordered ``X``, column dot products of a Fortran one)."""
    K, n = T.shape
    p = out.shape[1]
    ST = np.empty((K, n))
    for k in range(K):
        for i in range(n):
            ST[k, i] = T[k, i] * s[i]
    if rows:
        for k in range(K):
            for j in range(p):
                out[k, j] = 0.0
        for i in range(n):
            for k in range(K):
                st = ST[k, i]
                if st != 0:
                    for j in range(p):
                        out[k, j] += XR[i, j] * st
        for k in range(K):
            for j in range(p):
                out[k, j] /= n
        return
    for j in range(p):
        for k in range(K):
            acc = 0.0
            for i in range(n):
                acc += XR[j, i] * ST[k, i]
            out[k, j] = acc / n


@kernel(fastmath=_FAST, error_model="numpy")
def dual_point(data, R, W, alpha, theta, V, basis):
    """``theta = R`` (the residual ``-dl/dz``: ``Y - P`` for the logistic losses)
    projected (s-weighted) off the ones column and the free
    features (``alpha*pf_j == 0``; under ``positive`` only those with a nonzero
    coefficient; under a box (``boxed``) those :func:`_box_free` keeps), and ``V =
    X' (s theta) / n`` (K, p); ``data = (XR, rows, Y, s, loss, pf, positive,
    fit_intercept, lo, hi, boxed)`` (``XR, rows`` as above; ``lo, hi`` the box,
    read when ``boxed``), ``basis = (Qb, bstate)``.

    The projection uses an s-orthonormal basis of those columns (rows of ``Qb``,
    twice-iterated modified Gram-Schmidt, numerically dependent columns
    dropped), rebuilt only when the set changes (``bstate = [size, valid, the
    set's mask (p)]``); without free features it subtracts the weighted mean, except
    for the logistic losses: there the intercept's constraint ``sum_i s_i theta_i =
    0`` is met by moving probability mass within each sample (:func:`_match_classes`),
    which keeps ``Y - theta`` valid probabilities.  A subtracted mean would make the
    small probabilities negative whenever the intercept is not yet optimal to the
    last digit, and the dual scaling that restores feasibility inflates the gap
    far above the point's suboptimality."""
    XR, rows, Y, s, loss, pf, positive, fit_intercept, lo, hi, boxed = data
    Qb, bstate = basis
    K, n = theta.shape
    p = V.shape[1]
    for k in range(K):
        for i in range(n):
            theta[k, i] = R[k, i]
    nfree = 0
    same = bstate[1] == 1
    for j in range(p):
        f = alpha * pf[j] == 0
        if f and boxed:
            f = _box_free(XR, rows, R, s, W, j, lo[j], hi[j], fit_intercept)
        elif f and positive:
            nz = False
            for k in range(K):
                if W[k, j] != 0:
                    nz = True
            f = nz
        if f:
            nfree += 1
        if f != (bstate[2 + j] == 1):
            same = False
        bstate[2 + j] = 1 if f else 0
    tot = 0.0
    for i in range(n):
        tot += s[i]
    if nfree > 0 and not same:  # build the basis
        m = 0
        if fit_intercept and tot > 0:
            r = 1.0 / np.sqrt(tot)
            for i in range(n):
                Qb[0, i] = r
            m = 1
        for j in range(p):
            if bstate[2 + j] == 0:
                continue
            if m >= Qb.shape[0]:
                break
            nrm0 = 0.0
            for i in range(n):
                x = XR[i, j] if rows else XR[j, i]
                Qb[m, i] = x
                nrm0 += s[i] * x * x
            if not nrm0 > 0:
                continue
            for _ in range(2):
                for q in range(m):
                    c = 0.0
                    for i in range(n):
                        c += s[i] * Qb[q, i] * Qb[m, i]
                    for i in range(n):
                        Qb[m, i] -= c * Qb[q, i]
            nrm = 0.0
            for i in range(n):
                nrm += s[i] * Qb[m, i] * Qb[m, i]
            if nrm > 1e-16 * nrm0:  # not (numerically) in the span of the previous ones
                r = 1.0 / np.sqrt(nrm)
                for i in range(n):
                    Qb[m, i] *= r
                m += 1
        bstate[0] = m
        bstate[1] = 1
    if nfree > 0:
        for k in range(K):
            for q in range(bstate[0]):
                c = 0.0
                for i in range(n):
                    c += s[i] * Qb[q, i] * theta[k, i]
                for i in range(n):
                    theta[k, i] -= c * Qb[q, i]
    elif fit_intercept and (loss == MULTINOMIAL or loss == LOGISTIC):
        _match_classes(Y, s, loss, theta)
    elif fit_intercept:
        for k in range(K):
            c = 0.0
            for i in range(n):
                c += s[i] * theta[k, i]
            c /= tot
            for i in range(n):
                theta[k, i] -= c
    correlate(XR, rows, theta, s, V)


@kernel(fastmath=_FAST, error_model="numpy")
def _box_free(XR, rows, R, s, W, j, lo, hi, fit_intercept):
    """Whether the unpenalised coefficient ``j`` under the box ``[lo, hi]`` is projected
    out of the dual point (``penalties.ElasticNetPenalty.dual_free``): never when
    the box is ``[0, 0]`` (excluded); at a bound, only when the correlation of
    ``x_j`` with the residual (its weighted mean removed with an intercept) does
    not push it outward, for every class (an active bound is left to the box's
    finite conjugate, ``v * bound``); strictly inside, always."""
    if not lo < hi:
        return False
    K, n = R.shape
    for k in range(K):
        w = W[k, j]
        if not (w <= lo or w >= hi):
            continue
        mean = 0.0
        if fit_intercept:
            tot = 0.0
            for i in range(n):
                mean += s[i] * R[k, i]
                tot += s[i]
            mean /= tot
        v = 0.0
        for i in range(n):
            x = XR[i, j] if rows else XR[j, i]
            v += x * s[i] * (R[k, i] - mean)
        if (w <= lo and v < 0) or (w >= hi and v > 0):
            return False
    return True


@kernel(error_model="numpy")
def _match_classes(Y, s, loss, theta):
    """Make ``A = Y - theta`` (rows: class probabilities; binary: ``[a, 1 - a]``)
    meet ``sum_i s_i A_i = sum_i s_i Y_i`` by moving mass within rows: every class
    with too much mass gives the same fraction of each of its entries, and each
    row spreads what it gave over the classes that lack mass, in proportion to
    their lack.  Rows stay distributions; ``theta = Y - A`` is updated in place."""
    K, n = theta.shape
    Kc = K if loss == MULTINOMIAL else 2
    have = np.empty(Kc)
    want = np.empty(Kc)
    for k in range(Kc):
        have[k] = 0.0
        want[k] = 0.0
    for k in range(K):
        for i in range(n):
            a = Y[k, i] - theta[k, i]
            have[k] += s[i] * a
            want[k] += s[i] * Y[k, i]
    if loss != MULTINOMIAL:  # the second class of the binary loss: 1 - a
        tot = 0.0
        for i in range(n):
            tot += s[i]
        have[1] = tot - have[0]
        want[1] = tot - want[0]
    lack_total = 0.0
    for k in range(Kc):  # have[k] becomes the fraction class k gives (or 0)
        r = want[k] - have[k]
        if r < 0 and have[k] > 0:
            have[k] = -r / have[k]
            want[k] = 0.0
        else:
            have[k] = 0.0
            want[k] = max(r, 0.0)
            lack_total += want[k]
    if not lack_total > 0:
        return
    for i in range(n):
        given = 0.0
        for k in range(Kc):
            if have[k] > 0:
                a = Y[k, i] - theta[k, i] if k < K else 1.0 - (Y[0, i] - theta[0, i])
                given += a * have[k]
        for k in range(K):
            a = Y[k, i] - theta[k, i]
            a = a - a * have[k] + given * want[k] / lack_total
            theta[k, i] = Y[k, i] - a
        # (binary: the second class's entry follows as 1 - a)


@kernel(fastmath=_FAST, error_model="numpy")
def gap_search(Yr, Tr, LPr, wr, n, loss, V, W, l1, l2, box, good, within, c0, pen):
    """``(gap, c)``: the duality gap of ``solvers.duality_gap`` at the dual point
    ``(Tr, V)`` and the primal ``W``, and the dual scaling ``c`` it was taken at.

    The rows ``Yr, Tr`` (K, m) and ``LPr`` (log-probabilities) with weights
    ``wr`` are the samples, or groups of identical samples.  ``c_max`` keeps
    pure-L1 coefficients and the dual probabilities feasible.  As in
    ``solvers._gap_and_correlation`` the gap at ``c_max`` is returned as is
    when it is above ``within * good`` (far from the target); otherwise the convex
    gap is minimised over ``[0, c_max]`` by Newton steps on its derivative
    (from ``c0``, or from ``c_max``) safeguarded by bisection, until convexity
    bounds the remaining decrease by ``1e-10`` times the gap (a point each side
    of the minimiser, close enough) or the bracket is at rounding level.  The
    value returned is the smallest gap evaluated: a certificate, never below the
    minimum.  ``pen`` (6, K*p) is scratch space for the coefficients that can
    contribute.  ``box = (positive, lo, hi, boxed)``: without ``boxed`` the
    elastic net (``w >= 0`` under ``positive``; ``lo, hi`` unread), with it the
    penalty ``l1 |w| + l2/2 w**2`` plus the indicator of ``[lo_j, hi_j]``, whose
    conjugate is finite wherever the box is (``_kernels.enet_path._fenchel_young``,
    the same terms as ``penalties.ElasticNetPenalty.fenchel_young``): ``c_max``
    then only keeps pure-L1 coefficients within their threshold in the
    directions their box leaves open.

    The data term per loss (``losses.LOSSES[loss].fenchel_young``): the
    Kullback-Leibler divergence of the dual probabilities ``Y - c T`` to the
    model's (logistic, multinomial; ``LPr`` the log-probabilities), the
    generalized KL of ``q = y - c T`` to ``mu = exp(LPr)`` (Poisson) and of
    ``r = 1 + c T`` to ``y / mu`` (Gamma); any other loss code raises ``ValueError``."""
    if loss != LOGISTIC and loss != MULTINOMIAL and loss != POISSON and loss != GAMMA:
        raise ValueError("unknown loss code " + str(loss))  # (or one without a conjugate)
    positive, blo, bhi, boxed = box
    multi = loss == MULTINOMIAL
    K, p = V.shape
    klv = np.empty(wr.shape[0] if multi else 1)
    hi = 1.0
    for j in range(p):
        if l1[j] > 0 and l2[j] == 0:
            for k in range(K):
                v = V[k, j]
                if boxed:  # only the directions the box leaves open
                    mag = v if (v > 0 and bhi[j] == np.inf) else 0.0
                    mag = -v if (v < 0 and blo[j] == -np.inf) else mag
                else:
                    mag = max(v, 0.0) if positive else abs(v)
                if mag > l1[j]:
                    hi = min(hi, l1[j] / mag)
    lim = np.inf
    m = wr.shape[0]
    for k in range(Tr.shape[0]):
        for i in range(m):
            t = Tr[k, i]
            if loss == GAMMA:  # r = 1 + c t >= 0
                if t < 0:
                    lim = min(lim, (1.0 + 1e-13) / -t)
            elif loss == POISSON:  # q = y - c t >= 0
                if t > 0:
                    lim = min(lim, (Yr[k, i] + 1e-13 * max(1.0, Yr[k, i])) / t)
            elif t > 0:
                lim = min(lim, (Yr[k, i] + 1e-13) / t)
            elif t < 0 and loss == LOGISTIC:
                lim = min(lim, (1.0 - Yr[k, i] + 1e-13) / -t)
    hi = min(hi, max(lim, 0.0))
    # the coefficients that can contribute for c in [0, hi] (the others add 0):
    # a = |v| (max(v, 0) under positive), |w|, sign(w) v, v w, l1, l2
    # (boxed: v, w, l1, l2, lo, hi)
    npen = 0
    for k in range(K):
        for j in range(p):
            w = W[k, j]
            v = V[k, j]
            if boxed:
                a = _entry_slope(v, blo[j], bhi[j])
                if w != 0 or a * hi >= l1[j] * (1 - 1e-9) or l1[j] <= 0:
                    pen[0, npen] = v
                    pen[1, npen] = w
                    pen[2, npen] = l1[j]
                    pen[3, npen] = l2[j]
                    pen[4, npen] = blo[j]
                    pen[5, npen] = bhi[j]
                    npen += 1
                continue
            a = max(v, 0.0) if positive else abs(v)
            if w != 0 or a * hi >= l1[j] * (1 - 1e-9) or l1[j] <= 0:
                pen[0, npen] = a
                pen[1, npen] = abs(w)
                if w > 0:
                    pen[2, npen] = v
                elif w < 0:
                    pen[2, npen] = -v
                else:
                    pen[2, npen] = v if positive else a
                pen[3, npen] = v * w
                pen[4, npen] = l1[j]
                pen[5, npen] = l2[j]
                npen += 1
    best = np.inf
    cbest = hi
    lo = 0.0
    up = hi
    c = hi
    step = hi
    probes = 0
    phase = 0  # 0: at hi, 1: Newton search, 2: last evaluation
    for _ in range(100):
        # the gap at c (inf outside the dual domain), its first two derivatives
        pv = 0.0
        d1 = 0.0
        d2 = 0.0
        feasible = True
        for jq in range(npen if boxed else 0):  # the same under the box
            v = pen[0, jq]
            w = pen[1, jq]
            l1q = pen[2, jq]
            l2q = pen[3, jq]
            loq = pen[4, jq]
            hiq = pen[5, jq]
            cv = c * v
            if l1q > 0 and l2q == 0:  # beyond a pure-L1 threshold, in an open direction
                if (hiq == np.inf and cv - l1q > 1e-12 * l1q) or (
                    loq == -np.inf and -cv - l1q > 1e-12 * l1q
                ):
                    feasible = False
            pv += _fenchel_young(cv, w, l1q, l2q, loq, hiq)
            u = _conj_argmax(cv, l1q, l2q, loq, hiq)  # the conjugate's slope is v u
            d1 += v * (u - w)
            if l2q > 0 and u != 0 and loq < u < hiq:
                d2 += v * v / l2q
        for jq in range(0 if boxed else npen):  # g(w) + g*(c v) - c v w, as FenchelYoungLine
            a = pen[0, jq]
            l1q = pen[4, jq]
            l2q = pen[5, jq]
            ca = c * a
            if l1q > 0 and l2q == 0 and ca - l1q > 1e-12 * l1q:
                feasible = False  # beyond a pure-L1 threshold
            ex = max(ca - l1q, 0.0)
            L = l2q if l2q > 0 else 1.0
            aw = pen[1, jq]
            below = l1q - c * pen[2, jq]
            l2aw = l2q * aw
            if below < 0 and l2q > 0:  # aligned: the completed square
                pv += (ex - l2aw) ** 2 / (2.0 * L)
            else:
                pv += aw * below + 0.5 * l2aw * aw + ex * ex / (2.0 * L)
            d1 += a * ex / L - pen[3, jq]
            if ex > 0:
                d2 += a * a / L
        data = 0.0
        e1 = 0.0
        e2 = 0.0
        if multi:  # class-major passes (contiguous rows), per-sample KL sums in klv
            for i in range(m):
                klv[i] = 0.0
            for k in range(K):
                for i in range(m):
                    T = Tr[k, i]
                    qk = Yr[k, i] - c * T
                    if qk < -1e-12 or qk > 1.0 + 1e-12:
                        feasible = False  # not a probability
                    qk = min(max(qk, 0.0), 1.0)
                    if qk > 0:  # (a vanishing probability adds 0: a flat piece)
                        logq = np.log(qk)
                        klv[i] += qk * (logq - LPr[k, i])
                        if T != 0:
                            e1 -= wr[i] * T * (logq + 1.0 - LPr[k, i])
                            e2 += wr[i] * T * T / qk
            for i in range(m):
                data += wr[i] * max(klv[i], 0.0)
        for i in range(0 if multi else m):  # KL(Y - c T || P) per sample (binary, GLMs)
            kl = 0.0
            gi = 0.0
            hh = 0.0
            if loss == POISSON or loss == GAMMA:
                T = Tr[0, i]
                y = Yr[0, i]
                if loss == POISSON:  # q log(q / mu) - q + mu, dq/dc = -T
                    q = y - c * T
                    lm = LPr[0, i]
                    mref = np.exp(lm)
                    if q < -1e-12 * max(1.0, y):
                        feasible = False
                    sgn = -1.0
                else:  # r log(r / t) - r + t, t = y / mu, dr/dc = T
                    q = 1.0 + c * T
                    lm = np.log(y) - LPr[0, i]
                    mref = np.exp(lm)
                    if q < -1e-12:
                        feasible = False
                    sgn = 1.0
                q = max(q, 0.0)
                if q > 0:
                    lq = np.log(q)
                    kl = q * (lq - lm) - q + mref
                    gi = sgn * T * (lq - lm)
                    hh = T * T / q
                else:
                    kl = mref
                data += wr[i] * max(kl, 0.0)
                e1 += wr[i] * gi
                e2 += wr[i] * hh
                continue
            for k in range(2):  # binary: (y, 1 - y), (T, -T)
                if k == 0:
                    T = Tr[0, i]
                    qk = Yr[0, i] - c * T
                else:
                    T = -Tr[0, i]
                    qk = (1.0 - Yr[0, i]) - c * T
                if qk < -1e-12 or qk > 1.0 + 1e-12:
                    feasible = False  # not a probability
                qk = min(max(qk, 0.0), 1.0)
                logq = np.log(qk)
                kl += (qk * logq if qk > 0 else 0.0) - qk * LPr[k, i]
                if T != 0 and qk > 0:  # (clipped at 0: a flat piece, as evaluated)
                    gi -= T * (logq + 1.0 - LPr[k, i])
                    hh += T * T / qk
            data += wr[i] * max(kl, 0.0)
            e1 += wr[i] * gi
            e2 += wr[i] * hh
        if feasible:
            g = data / n + pv
            d = e1 / n + d1
            dd = e2 / n + d2
        else:
            g = np.inf
            d = np.inf
            dd = np.inf
        if g < best:
            best = g
            cbest = c
        if phase == 0:
            if g > within * good or not hi > 0 or d <= 0:
                break  # too far from the target to matter, or decreasing up to hi
            phase = 1
            cn = hi - d / dd if dd > 0 else -1.0  # Newton from hi
            c = c0 if 0.5 * hi < c0 < hi else (cn if 0 < cn < hi else 0.5 * hi)
            continue
        if phase == 2:
            break
        if d < 0:
            lo = c
        elif d > 0 or d != d:
            up = c
        # convexity: gap(c) - min <= |d| * (up - lo)
        if not abs(d) * (up - lo) > 1e-10 * best:
            break
        cn = c - d / dd if dd > 0 else -1.0  # Newton's point
        dn = abs(cn - c) if dd > 0 else np.inf
        if dn <= 1e-10 * hi or d * d <= 1e-11 * g * dd:
            # converged for the local model; but the curvature blows up where a dual
            # probability vanishes, so the model may be wrong: certify by a probe
            # across its minimiser (the convexity bound above then ends the search)
            if probes == 3:
                break
            probes += 1
            cn = c - (1.0 if d > 0 else -1.0) * max(2 * dn, 1e-12 * hi)
            if not lo < cn < up:
                cn = 0.5 * (lo + up)
            step = abs(cn - c)
        elif lo < cn < up and dn <= 0.5 * step:
            step = dn  # a Newton step, converging
        else:  # out of the bracket or too slow: bisection
            cn = 0.5 * (lo + up)
            step = up - lo
            if step <= 1e-14 * hi:
                phase = 2
        c = cn
    return max(best, 0.0), cbest
