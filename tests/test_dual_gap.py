"""The duality gap's dual scaling: the exact piecewise-quadratic minimiser.

For the squared loss the gap along the dual scaling ``c`` is a convex
piecewise quadratic; ``solvers.gap_and_correlation`` picks its exact
minimiser (``penalties.FenchelYoungLine.pieces`` and
``penalties.minimize_piecewise_quadratic``) instead of a scalar search.  The
references here: a bisection on the derivative written out coefficient by
coefficient, a dense grid and Brent's method on the evaluated gap, and the
former Brent-based computation written out in full (:func:`old_gap`).
"""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet

from skdecay import losses, penalties
from skdecay import solvers as S

SQ, LOG = losses.SQUARED, losses.LOGISTIC
L1_RATIOS = [0.0, 0.3, 1.0]


# ---------------------------------------------------------------------------
# the former computation, written out as the reference


def old_penalty_fenchel_young(w, v, alpha, l1_ratio, pf, positive=False):
    """The former ``penalties.penalty_fenchel_young``, verbatim."""
    w = np.asarray(w, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    pf = np.asarray(pf, dtype=np.float64)
    l1 = np.broadcast_to((alpha * l1_ratio) * pf, v.shape)
    l2 = np.broadcast_to((alpha * (1.0 - l1_ratio)) * pf, v.shape)
    aw = np.abs(w)
    sw = np.where(w != 0, np.sign(w), 1.0 if positive else np.sign(v))
    smooth = l2 > 0
    l2_safe = np.where(smooth, l2, 1.0)
    hard = (l1 > 0) & ~smooth

    def value(c):
        m = c * v
        excess = np.maximum(m - l1, 0) if positive else np.maximum(np.abs(m) - l1, 0)
        if np.any(excess[hard] > 1e-12 * l1[hard]):
            return np.inf
        aligned = sw * m - l1
        square = (excess - l2 * aw) ** 2 / (2 * l2_safe)
        pieces = aw * (l1 - sw * m) + 0.5 * l2 * aw * aw + excess**2 / (2 * l2_safe)
        terms = np.where(smooth & (aligned > 0), square, pieces)
        return float(np.sum(terms))

    return value


def hand(pb):
    """The penalty's parameters, for the formulas written out here."""
    pen = pb.penalty
    positive = bool(np.all(pen.bounds[0] == 0))
    return SimpleNamespace(
        alpha=pen.alpha, l1_ratio=pen.l1_ratio, pf=pen.penalty_factor, positive=positive
    )


def old_dual_point(pb, W, Z):
    """The former ``solvers.dual_point``: projection by least squares."""
    theta = losses.residual(pb.loss, pb.Y, Z).astype(np.float64)
    free = hand(pb).alpha * hand(pb).pf == 0
    if hand(pb).positive:
        free &= np.any(W != 0, axis=0)
    parts = [np.ones((pb.n, 1))] if pb.fit_intercept else []
    if np.any(free):
        parts.append(np.asarray(pb.X[:, np.flatnonzero(free)]))
    if parts:
        U = np.hstack(parts).astype(np.float64)
        sU = U * pb.s[:, None]
        coef = np.linalg.lstsq(sU.T @ U, sU.T @ theta, rcond=None)[0]
        theta -= U @ coef
    st = (theta * pb.s[:, None]).astype(pb.dtype)
    V = np.asarray(pb.X.T @ st, dtype=np.float64).T / pb.n
    return theta, V


def old_gap(pb, W, b):
    """The former ``duality_gap`` (``good_enough = 0``): Brent over ``c in [0, hi]``."""
    W = np.asarray(W, dtype=np.float64)
    Z = S.linear_predictor(pb.X, W, b)
    theta, V = old_dual_point(pb, W, Z)
    h = hand(pb)
    pf = np.asarray(h.pf, dtype=np.float64)
    l1 = h.alpha * h.l1_ratio * pf
    l2 = h.alpha * (1 - h.l1_ratio) * pf
    mag = np.maximum(V, 0) if h.positive else np.abs(V)
    hard = (l1 > 0) & (l2 == 0)
    over = (mag > l1) & hard
    hi = float(np.min((l1 / np.where(over, mag, 1.0))[over])) if np.any(over) else 1.0
    hi = min(hi, losses.dual_scale_limit(pb.loss, pb.Y, theta))
    keep = np.any(W != 0, axis=0) | np.any(mag * hi >= l1 * (1 - 1e-9), axis=0)
    keep |= l1 <= 0
    data_gap = losses.fenchel_young(pb.loss, pb.Y, Z, pb.s)
    pen_gap = old_penalty_fenchel_young(
        W[:, keep], V[:, keep], h.alpha, h.l1_ratio, h.pf[keep], h.positive
    )

    def gap(c):
        return data_gap(c * theta) + pen_gap(c)

    best = min(gap(hi), gap(0.0))
    if hi > 0:
        res = minimize_scalar(
            gap, bounds=(0.0, hi), method="bounded", options={"xatol": 1e-12 * hi}
        )
        best = min(best, float(res.fun))
    return max(best, 0.0)


# ---------------------------------------------------------------------------
# random problems and points


def make_problem(seed, l1_ratio, positive, *, loss=SQ, n=40, p=15, fit_intercept=True):
    rng = np.random.default_rng(seed)
    X = np.asfortranarray(rng.standard_normal((n, p)) * rng.uniform(0.5, 3, p))
    w_true = np.where(rng.random(p) < 0.4, rng.standard_normal(p), 0.0)
    z = X @ w_true + 0.5
    if loss == SQ:
        y = z + 0.5 * rng.standard_normal(n)
    else:
        y = (rng.random(n) < expit(z)).astype(float)
    s = rng.uniform(0.2, 2.0, n)
    s *= n / s.sum()
    pf = rng.uniform(0.3, 2.0, p)
    pf[rng.choice(p, 2, replace=False)] = 0.0  # unpenalised features
    pf[rng.choice(p, 1)] *= 10
    scale = np.max(np.abs(X.T @ (s * (y - np.average(y, weights=s))))) / n
    alpha = scale * rng.choice([0.02, 0.2, 0.7])
    penalty = penalties.ElasticNetPenalty(alpha, l1_ratio, pf, positive=positive)
    return S.Problem(X, y[:, None], s, loss, penalty, fit_intercept)


def points(pb, seed):
    """Points ``(W, b)`` to take gaps at: zero, random with zeros, near and at a solution."""
    rng = np.random.default_rng(seed + 1000)
    p = pb.X.shape[1]
    W0, b0 = S.zero_point(pb)
    out = [(W0, b0)]
    W = np.where(rng.random((1, p)) < 0.5, rng.standard_normal((1, p)), 0.0)
    out.append((np.abs(W) if hand(pb).positive else W, np.array([rng.standard_normal()])))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = S.solve(pb, tol=1e-10, max_iter=5000, warn=False)
    out.append((res.coef, res.intercept))
    Wp = res.coef * (1 + 1e-3 * rng.standard_normal(res.coef.shape))
    out.append((Wp, res.intercept + 1e-3))
    return out


def gap_parts(pb, W, b):
    """The squared-loss gap along ``c`` as the solver builds it, plus what the
    brute force needs: ``(gap(c), hi, theta, V, R)``."""
    W = np.asarray(W, dtype=np.float64)
    Z = S.linear_predictor(pb.X, W, b)
    theta, V = S.dual_point(pb, W, b, Z)
    hi, pen = pb.penalty.fenchel_young_line(W, V)
    assert pen.piecewise
    data, slope, curv = losses.squared_gap_line(pb.Y, Z, pb.s, theta)

    def gap(c):
        return data(c) + pen(c)

    pen_slope, t, q, r = pen.pieces(hi)
    c = penalties.minimize_piecewise_quadratic(slope + pen_slope, curv, t, q, r, hi)
    return gap, c, hi, theta, V, pb.Y - Z


def derivative(pb, W, theta, V, R, c):
    """d gap / dc written out coefficient by coefficient (Python loop)."""
    s, n, h = pb.s, pb.n, hand(pb)
    d = -np.dot(s, R[:, 0] * theta[:, 0]) / n + c * np.dot(s, theta[:, 0] ** 2) / n
    for j in range(V.shape[1]):
        v, w = V[0, j], W[0, j]
        l1 = h.alpha * h.l1_ratio * h.pf[j]
        l2 = h.alpha * (1 - h.l1_ratio) * h.pf[j]
        a = max(v, 0.0) if h.positive else abs(v)
        d -= v * w
        if c * a > l1:
            d += a * (c * a - l1) / (l2 if l2 > 0 else 1.0)
    return d


def bisect_root(f, lo, hi, iters=200):
    """The minimiser over ``[lo, hi]`` of a convex function with derivative ``f``."""
    if f(lo) >= 0:
        return lo
    if f(hi) <= 0:
        return hi
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
    return 0.5 * (lo + hi)


CASES = [
    (seed, l1_ratio, positive)
    for seed in range(4)
    for l1_ratio in L1_RATIOS
    for positive in (False, True)
]


# ---------------------------------------------------------------------------
# the closed-form dual scaling


@pytest.mark.parametrize("seed, l1_ratio, positive", CASES)
def test_closed_form_scaling_matches_brute_force(seed, l1_ratio, positive):
    pb = make_problem(seed, l1_ratio, positive, fit_intercept=seed % 2 == 0)
    # at a solution the gap is rounding noise (its unpenalised terms may be
    # -1e-17): compare values up to that noise
    noise = 1e-14 * S.zero_reference(pb)[1]
    for W, b in points(pb, seed):
        gap, c, hi, theta, V, R = gap_parts(pb, W, b)
        W = np.asarray(W, dtype=np.float64)
        assert 0 <= c <= hi
        # exact minimiser: the root of the derivative, by bisection
        c_ref = bisect_root(lambda x: derivative(pb, W, theta, V, R, x), 0.0, hi)
        assert c == pytest.approx(c_ref, rel=1e-9, abs=1e-9 * hi)
        # and no better value on a dense grid or by Brent's method
        grid = np.linspace(0.0, hi, 2001)
        g_grid = min(gap(x) for x in grid)
        res = minimize_scalar(gap, bounds=(0.0, hi), method="bounded", options={"xatol": 1e-14})
        g_best = min(g_grid, float(res.fun))
        assert gap(c) <= g_best + 1e-9 * abs(g_best) + noise


def test_closed_form_crosses_breakpoints():
    """Far from the optimum many coordinates are past their L1 breakpoint inside (0, hi)."""
    found = False
    for seed in range(6):
        pb = make_problem(seed, 0.3, False, n=30, p=40)
        W = np.zeros((1, 40))
        gap, c, hi, theta, V, R = gap_parts(pb, W, np.array([0.0]))
        t = hand(pb).alpha * hand(pb).l1_ratio * hand(pb).pf / np.maximum(np.abs(V[0]), 1e-300)
        below = np.sum((t > 0) & (t < c))
        found |= below > 0 and np.sum((t > c) & (t < hi)) > 0
        c_ref = bisect_root(lambda x: derivative(pb, W, theta, V, R, x), 0.0, hi)
        assert c == pytest.approx(c_ref, rel=1e-9, abs=1e-9 * hi)
    assert found


def test_minimize_piecewise_quadratic_edge_cases():
    mpq = penalties.minimize_piecewise_quadratic
    none = np.empty(0)
    assert mpq(-1.0, 2.0, none, none, none, 1.0) == 0.5  # plain quadratic
    assert mpq(-3.0, 2.0, none, none, none, 1.0) == 1.0  # decreasing: the upper end
    assert mpq(1.0, 2.0, none, none, none, 1.0) == 0.0  # increasing: zero
    assert mpq(-1.0, 2.0, none, none, none, 0.0) == 0.0  # empty interval
    assert mpq(-1.0, 0.0, none, none, none, 2.0) == 2.0  # linear, decreasing
    # one piece entering at 0.25 with q = 4: f' = -1 + 4 (c - 0.25) past it
    t, q, r = np.array([0.25]), np.array([4.0]), np.array([1.0])
    assert mpq(-1.0, 0.0, t, q, r, 1.0) == pytest.approx(0.5)
    # a breakpoint beyond hi is ignored; one at 0 is active from the start
    t, q, r = np.array([0.0, 5.0]), np.array([2.0, 100.0]), np.array([0.0, 500.0])
    assert mpq(-1.0, 0.0, t, q, r, 1.0) == pytest.approx(0.5)
    # derivative exactly zero on a flat stretch: the left end
    assert mpq(0.0, 0.0, np.array([0.5]), np.array([1.0]), np.array([0.5]), 1.0) == 0.0


# ---------------------------------------------------------------------------
# the gap itself: equal to the former value, non-negative, zero at a solution


@pytest.mark.parametrize("seed, l1_ratio, positive", CASES)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gap_matches_former_brent_value(seed, l1_ratio, positive, fit_intercept):
    pb = make_problem(seed, l1_ratio, positive, fit_intercept=fit_intercept)
    for W, b in points(pb, seed):
        new = S.duality_gap(pb, W, b)
        old = old_gap(pb, W, b)
        assert new >= 0
        assert new == pytest.approx(old, rel=1e-8, abs=1e-14 * S.zero_reference(pb)[1])
        assert new <= old * (1 + 1e-9) + 1e-15 * S.zero_reference(pb)[1]


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
def test_logistic_gap_unchanged(seed, l1_ratio):
    """The logistic losses keep the scalar search: same value as before."""
    pb = make_problem(seed, l1_ratio, seed == 1, loss=LOG)
    for W, b in points(pb, seed)[:2]:
        assert S.duality_gap(pb, W, b) == pytest.approx(old_gap(pb, W, b), rel=1e-8, abs=1e-15)


@pytest.mark.parametrize("seed, l1_ratio, positive", CASES)
def test_penalty_line_matches_former_sum(seed, l1_ratio, positive):
    """The evaluated penalty part is the former careful sum, to rounding."""
    rng = np.random.default_rng(seed)
    p = 25
    w = np.where(rng.random(p) < 0.5, 2 * rng.standard_normal(p), 0.0)
    w = np.abs(w) if positive else w
    v = 1.5 * rng.standard_normal(p)
    pf = rng.uniform(0.2, 2.0, p)
    pf[:3] = 0.0
    v[:3] = 1e-17 * rng.standard_normal(3)  # projected: rounding-level only
    l1, l2 = penalties.coordinate_weights(0.8, l1_ratio, pf)
    new = penalties.FenchelYoungLine(w, v, l1, l2, positive)
    old = old_penalty_fenchel_young(w, v, 0.8, l1_ratio, pf, positive)
    for c in [0.0, 0.1, 0.37, 0.5, 1.0]:
        assert new(c) == pytest.approx(old(c), rel=1e-14, abs=1e-300)
    W2, V2 = np.vstack([w, w[::-1]]), np.vstack([v, -v])  # (K, p) inputs too
    new = penalties.FenchelYoungLine(W2, V2, l1, l2, positive)
    old = old_penalty_fenchel_young(W2, V2, 0.8, l1_ratio, pf, positive)
    assert new(0.3) == pytest.approx(old(0.3), rel=1e-14)


@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
@pytest.mark.parametrize("positive", [False, True])
def test_gap_vanishes_at_sklearn_solution(l1_ratio, positive, diabetes):
    X, y = diabetes
    n = X.shape[0]
    alpha = 0.05 if l1_ratio > 0 else 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ElasticNet(
            alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000, positive=positive
        ).fit(X, y)
    penalty = penalties.ElasticNetPenalty(alpha, l1_ratio, np.ones(10), positive=positive)
    pb = S.Problem(X, y[:, None].astype(float), np.ones(n), SQ, penalty)
    gap = S.duality_gap(pb, ref.coef_[None, :], np.array([ref.intercept_]))
    gap0, primal0 = S.zero_reference(pb)
    assert 0 <= gap <= 1e-10 * primal0
    assert gap <= 1e-9 * gap0
    # a perturbed point has a clearly positive gap
    W = ref.coef_[None, :] + 0.1
    assert S.duality_gap(pb, W, np.array([ref.intercept_])) > 1e-6 * primal0
