"""The elastic-net penalty (``skdecay.penalties``) against hand-written formulas.

Penalty of coefficient ``j`` (``pf_j`` its penalty factor)::

    g_j(w) = alpha * pf_j * (l1_ratio * |w| + (1 - l1_ratio) / 2 * w**2)   (+ w >= 0 if positive)
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from skdecay import penalties as P

L1_RATIOS = [0.0, 0.5, 1.0]


def _pf(p, kind, rng):
    if kind == "ones":
        return np.ones(p)
    pf = rng.uniform(0.3, 2.5, p)
    if kind == "with_zeros":
        pf[::3] = 0.0
    return pf


def _ref_value(w, alpha, l1_ratio, pf):
    return alpha * np.sum(pf * (l1_ratio * np.abs(w) + 0.5 * (1 - l1_ratio) * w**2))


def _coord_obj(x, z, step, l1, l2):
    """Prox objective of one coordinate: (x - z)**2 / (2 step) + l1 |x| + l2/2 x**2."""
    return (x - z) ** 2 / (2 * step) + l1 * abs(x) + 0.5 * l2 * x * x


def _fenchel_young(w, v, alpha, l1_ratio, pf, positive=False, c=1.0):
    """``penalty_fenchel_young`` at dual scaling ``c`` (function-of-c or plain-value API)."""
    out = P.penalty_fenchel_young(w, v, alpha, l1_ratio, pf, positive)
    if callable(out):
        return out(c)
    assert c == 1.0
    return out


# ---------------------------------------------------------------------------
# value, per-coordinate weights, gradient


@pytest.mark.parametrize("l1_ratio", [0.0, 0.3, 1.0])
def test_coordinate_weights(l1_ratio, rng):
    pf = _pf(7, "with_zeros", rng)
    for dtype in (np.float64, np.float32):
        l1, l2 = P.coordinate_weights(0.7, l1_ratio, pf, dtype)
        assert l1.dtype == dtype and l2.dtype == dtype
        np.testing.assert_allclose(l1, 0.7 * l1_ratio * pf, rtol=1e-6)
        np.testing.assert_allclose(l2, 0.7 * (1 - l1_ratio) * pf, rtol=1e-6)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.3, 0.5, 1.0])
@pytest.mark.parametrize("pf_kind", ["ones", "random", "with_zeros"])
@pytest.mark.parametrize("shape", [(9,), (3, 9)])
def test_penalty_value_matches_formula(l1_ratio, pf_kind, shape, rng):
    w = rng.standard_normal(shape)
    w[..., 1] = 0.0
    pf = _pf(9, pf_kind, rng)
    for alpha in (0.0, 0.01, 2.5):
        got = P.penalty_value(w, alpha, l1_ratio, pf)
        assert got == pytest.approx(_ref_value(w, alpha, l1_ratio, pf), rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
@pytest.mark.parametrize("pf_kind", ["ones", "with_zeros"])
def test_penalty_gradient_matches_formula_and_finite_differences(l1_ratio, pf_kind, rng):
    w = rng.standard_normal(8) + np.sign(rng.standard_normal(8)) * 0.5  # away from 0
    pf = _pf(8, pf_kind, rng)
    alpha = 0.8
    grad = P.penalty_gradient(w, alpha, l1_ratio, pf)
    expected = alpha * pf * (l1_ratio * np.sign(w) + (1 - l1_ratio) * w)
    np.testing.assert_allclose(grad, expected, rtol=1e-13)
    eps = 1e-6
    fd = np.empty_like(w)
    for j in range(w.size):
        e = np.zeros_like(w)
        e[j] = eps
        fd[j] = (
            P.penalty_value(w + e, alpha, l1_ratio, pf)
            - P.penalty_value(w - e, alpha, l1_ratio, pf)
        ) / (2 * eps)
    np.testing.assert_allclose(grad, fd, rtol=1e-7, atol=1e-8)


def test_penalty_gradient_at_zero_and_dtype():
    w = np.array([0.0, 1.5, -2.0], dtype=np.float32)
    g = P.penalty_gradient(w, 1.0, 0.5, np.ones(3))
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, [0.0, 0.5 + 0.75, -0.5 - 1.0], rtol=1e-6)


# ---------------------------------------------------------------------------
# proximal operator


def _check_prox_optimality(out, z, step, l1, l2, positive, rtol=1e-10):
    """Subgradient optimality of ``out`` for the prox objective, coordinate by coordinate."""
    scale = 1 + np.abs(z) / step
    for x, zj, a, b in zip(np.ravel(out), np.ravel(z), np.ravel(l1), np.ravel(l2)):
        if positive:
            assert x >= 0
        if x != 0:
            resid = (x - zj) / step + a * np.sign(x) + b * x
            assert abs(resid) <= rtol * np.max(scale), (x, zj, a, b)
        elif positive:
            assert zj / step <= a * (1 + rtol) + rtol, (x, zj, a)
        else:
            assert abs(zj) / step <= a * (1 + rtol) + rtol, (x, zj, a)


@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("pf_kind", ["ones", "with_zeros"])
@pytest.mark.parametrize("step", [0.1, 1.0, 3.0])
def test_prox_is_the_argmin(l1_ratio, positive, pf_kind, step, rng):
    p = 12
    z = 2.0 * rng.standard_normal(p)
    z[0], z[1] = 0.0, 1e-3  # at and near the kink
    pf = _pf(p, pf_kind, rng)
    alpha = 0.9
    out = P.penalty_prox(z, step, alpha, l1_ratio, pf, positive=positive)
    assert out.shape == z.shape
    l1 = alpha * l1_ratio * pf
    l2 = alpha * (1 - l1_ratio) * pf
    _check_prox_optimality(out, z, step, l1, l2, positive)
    for j in range(p):
        lo, hi = min(z[j], 0.0), max(z[j], 0.0)  # the minimiser lies between 0 and z
        if positive:
            lo = max(lo, 0.0)
        if hi - lo < 1e-15:
            ref_x = lo
        else:
            res = minimize_scalar(
                _coord_obj,
                bounds=(lo, hi),
                args=(z[j], step, l1[j], l2[j]),
                method="bounded",
                options={"xatol": 1e-12},
            )
            ref_x = res.x
            for cand in (lo, hi):  # the bounded search never evaluates the endpoints
                if _coord_obj(cand, z[j], step, l1[j], l2[j]) < res.fun:
                    ref_x = cand
        ref_f = _coord_obj(ref_x, z[j], step, l1[j], l2[j])
        got_f = _coord_obj(out[j], z[j], step, l1[j], l2[j])
        assert got_f <= ref_f + 1e-12 * (1 + abs(ref_f))
        assert out[j] == pytest.approx(ref_x, abs=1e-6)


@pytest.mark.parametrize("positive", [False, True])
def test_prox_of_unpenalized_feature_is_identity_or_projection(positive):
    z = np.array([-2.0, 0.5, 3.0])
    out = P.penalty_prox(z, 0.7, 5.0, 0.5, np.zeros(3), positive=positive)
    np.testing.assert_array_equal(out, np.maximum(z, 0) if positive else z)


def test_prox_two_dimensional_and_float32(rng):
    z = rng.standard_normal((3, 5)).astype(np.float32)
    pf = np.array([1.0, 0.0, 2.0, 0.5, 1.0])
    out = P.penalty_prox(z, 0.5, 0.6, 0.5, pf)
    assert out.dtype == np.float32 and out.shape == (3, 5)
    l1 = np.broadcast_to(0.6 * 0.5 * pf, z.shape)
    l2 = np.broadcast_to(0.6 * 0.5 * pf, z.shape)
    _check_prox_optimality(
        out.astype(np.float64), z.astype(np.float64), 0.5, l1, l2, False, rtol=1e-6
    )


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    z=st.floats(-50, 50),
    step=st.floats(1e-3, 20),
    alpha=st.floats(0, 10),
    l1_ratio=st.floats(0, 1),
    pf=st.floats(0, 5),
    positive=st.booleans(),
)
def test_prox_optimality_property(z, step, alpha, l1_ratio, pf, positive):
    out = P.penalty_prox(np.array([z]), step, alpha, l1_ratio, np.array([pf]), positive)
    l1 = np.array([alpha * l1_ratio * pf])
    l2 = np.array([alpha * (1 - l1_ratio) * pf])
    _check_prox_optimality(out, np.array([z]), step, l1, l2, positive)


# ---------------------------------------------------------------------------
# conjugate, Fenchel-Young, dual scaling


@pytest.mark.parametrize("l1_ratio", [0.0, 0.4, 1.0])
@pytest.mark.parametrize("positive", [False, True])
def test_conjugate_matches_numerical_supremum(l1_ratio, positive, rng):
    alpha, pf = 1.3, np.array([1.0, 0.5, 2.0, 1.0, 1.0, 0.7])
    v = np.array([0.2, -0.4, 3.0, -2.5, 1.3 * l1_ratio, 0.0])
    got = P.penalty_conjugate(v, alpha, l1_ratio, pf, positive)
    l1 = alpha * l1_ratio * pf
    l2 = alpha * (1 - l1_ratio) * pf
    for j in range(v.size):
        if l2[j] == 0:  # indicator of |v| <= l1 (v <= l1 under positive)
            inside = (v[j] if positive else abs(v[j])) <= l1[j] * (1 + 1e-12)
            assert got[j] == (0.0 if inside else np.inf)
            continue
        # g*(v) = sup_w v w - g(w): maximise over a bracket wide enough for the optimum
        bound = (abs(v[j]) + l1[j]) / l2[j] + 1
        res = minimize_scalar(
            lambda x, j=j: -(v[j] * x - l1[j] * abs(x) - 0.5 * l2[j] * x * x),
            bounds=(0.0 if positive else -bound, bound),
            method="bounded",
            options={"xatol": 1e-12},
        )
        assert got[j] == pytest.approx(max(-res.fun, 0.0), rel=1e-8, abs=1e-12)


def _subgradient(w, alpha, l1_ratio, pf, positive, rng):
    """A random element of the subdifferential of the penalty at ``w``."""
    l1 = alpha * l1_ratio * pf
    l2 = alpha * (1 - l1_ratio) * pf
    u = rng.uniform(-1, 1, w.shape)
    if positive:  # at 0 the normal cone of w >= 0 adds (-inf, 0]
        at_zero = l1 * u - rng.uniform(0, 2, w.shape) * (pf > 0)
    else:
        at_zero = l1 * u
    v = np.where(w != 0, l1 * np.sign(w) + l2 * w, at_zero)
    return np.where(pf > 0, v, 0.0)  # an unpenalised coefficient's subgradient is {0}


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("positive", [False, True])
def test_fenchel_young_zero_on_the_subdifferential(l1_ratio, positive, rng):
    p = 10
    w = rng.standard_normal(p)
    w[::3] = 0.0
    if positive:
        w = np.abs(w)
    pf = _pf(p, "with_zeros", rng)
    v = _subgradient(w, 0.7, l1_ratio, pf, positive, rng)
    fy = _fenchel_young(w, v, 0.7, l1_ratio, pf, positive)
    scale = P.penalty_value(w, 0.7, l1_ratio, pf) + np.sum(np.abs(v * w))
    assert 0 <= fy <= 1e-14 * scale


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_fenchel_young_nonnegative_and_matches_formula(l1_ratio, positive, seed):
    rng = np.random.default_rng(seed)
    p = 12
    w = rng.standard_normal(p) * 2
    w[::4] = 0.0
    if positive:
        w = np.abs(w)
    pf = _pf(p, "with_zeros", rng)
    v = 1.5 * rng.standard_normal(p)
    v[pf == 0] = 0.0  # the conjugate of an unpenalised coefficient is finite only at 0
    alpha = 0.9
    fy = _fenchel_young(w, v, alpha, l1_ratio, pf, positive)
    l1 = alpha * l1_ratio * pf
    l2 = alpha * (1 - l1_ratio) * pf
    mag = np.maximum(v, 0) if positive else np.abs(v)
    if np.any((l2 == 0) & (l1 > 0) & (mag > l1)):
        assert fy == np.inf
        return
    conj = np.zeros(p)
    smooth = l2 > 0
    conj[smooth] = np.maximum(mag[smooth] - l1[smooth], 0) ** 2 / (2 * l2[smooth])
    expected = l1 @ np.abs(w) + 0.5 * l2 @ w**2 + conj.sum() - v @ w
    assert fy >= 0
    assert fy == pytest.approx(expected, rel=1e-10, abs=1e-12)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(
    w=st.lists(st.floats(-20, 20), min_size=1, max_size=6),
    v=st.lists(st.floats(-20, 20), min_size=6, max_size=6),
    alpha=st.floats(1e-3, 10),
    l1_ratio=st.floats(0, 1),
    positive=st.booleans(),
)
def test_fenchel_young_nonnegative_property(w, v, alpha, l1_ratio, positive):
    w = np.array(w)
    if positive:
        w = np.abs(w)
    v = np.array(v[: w.size])
    pf = np.linspace(0.5, 2.0, w.size)
    fy = _fenchel_young(w, v, alpha, l1_ratio, pf, positive)
    scale = 1 + P.penalty_value(w, alpha, l1_ratio, pf) + np.sum(np.abs(v * w))
    assert fy >= -1e-13 * scale


@pytest.mark.parametrize("eps", [1e-2, 1e-4, 1e-6, 1e-8])
def test_fenchel_young_resolves_small_gaps(eps):
    """Near the subdifferential the Fenchel-Young term is tiny and must be computed accurately.

    Ridge coordinates: ``g(w) = l2/2 w**2``, so ``g(w) + g*(v) - v w = (v - l2 w)**2 / (2 l2)``
    exactly.  The docstring promises the gap is "summed coefficient by coefficient,
    each term non-negative, so the gap is computed without cancelling the large primal
    and dual objectives", and the solvers' stopping floor (``100 * eps**2 * objective``)
    relies on it; so a term of relative size 1e-18 must still be resolved to ~1%.
    """
    rng = np.random.default_rng(3)
    w = 10 * rng.standard_normal(50)
    l2 = 1.0
    v = l2 * w + eps * rng.standard_normal(50)
    fy = _fenchel_young(w, v, 1.0, 0.0, np.ones(50), False)
    expected = np.sum((v - l2 * w) ** 2) / (2 * l2)
    assert fy == pytest.approx(expected, rel=1e-2, abs=0)


@pytest.mark.parametrize("positive", [False, True])
def test_dual_scaling(positive, rng):
    alpha, l1_ratio = 1.0, 1.0
    pf = np.array([1.0, 2.0, 0.5, 1.0, 0.0])
    l1 = alpha * l1_ratio * pf
    v = np.array([0.5, -3.0, 1.0, 0.2, 0.0])
    c = P.dual_scaling(v, alpha, l1_ratio, pf, positive)
    mag = np.maximum(v, 0) if positive else np.abs(v)
    ratios = [l1[j] / mag[j] for j in range(v.size) if l1[j] > 0 and mag[j] > l1[j]]
    expected = min(ratios) if ratios else 1.0
    assert c == pytest.approx(expected, rel=1e-14)
    assert 0 < c <= 1
    assert np.all(np.isfinite(P.penalty_conjugate(c * v, alpha, l1_ratio, pf, positive)))
    # c is the largest feasible scaling: a little more breaks feasibility (if c < 1)
    if c < 1:
        beyond = P.penalty_conjugate(c * 1.001 * v, alpha, l1_ratio, pf, positive)
        assert np.any(~np.isfinite(beyond))


def test_dual_scaling_is_one_when_feasible_or_smooth():
    v = np.array([0.1, -0.2])
    assert P.dual_scaling(v, 1.0, 1.0, np.ones(2)) == 1.0
    assert P.dual_scaling(10 * v, 1.0, 0.5, np.ones(2)) == 1.0  # l2 > 0: every v is feasible


# ---------------------------------------------------------------------------
# alpha_max


@pytest.mark.parametrize("l1_ratio", [0.25, 1.0])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("shape", [(7,), (3, 7)])
def test_alpha_max_from_gradient(l1_ratio, positive, shape, rng):
    grad = rng.standard_normal(shape)
    pf = _pf(7, "with_zeros", rng)
    got = P.alpha_max_from_gradient(grad, l1_ratio, pf, positive)
    g2 = np.atleast_2d(grad)
    mag = np.maximum(-g2, 0) if positive else np.abs(g2)
    pen = np.broadcast_to(pf > 0, g2.shape)
    ratio = mag[pen] / np.broadcast_to(pf, g2.shape)[pen]
    assert got == pytest.approx(ratio.max() / l1_ratio, rel=1e-14)
    # zero is optimal exactly from alpha_max on: |grad_j| <= alpha * l1_ratio * pf_j
    l1 = got * l1_ratio * np.broadcast_to(pf, g2.shape)
    assert np.all(mag[pen] <= l1[pen] * (1 + 1e-12))
    assert np.any(mag[pen] >= l1[pen] * (1 - 1e-12))


def test_alpha_max_from_gradient_edge_cases(rng):
    grad = rng.standard_normal(5)
    assert P.alpha_max_from_gradient(grad, 0.0, np.ones(5)) == np.inf  # ridge never zeroes
    assert P.alpha_max_from_gradient(grad, 1.0, np.zeros(5)) == 0.0  # nothing penalised
    assert P.alpha_max_from_gradient(np.zeros(5), 0.5, np.ones(5)) == 0.0
    # positive: only negative gradients (descent directions with w >= 0) matter
    assert P.alpha_max_from_gradient(np.abs(grad), 1.0, np.ones(5), positive=True) == 0.0
    assert P.alpha_max_from_gradient(
        np.array([3.0, -1.0]), 0.5, np.ones(2), positive=True
    ) == pytest.approx(2.0)


# ---------------------------------------------------------------------------
# ElasticNetPenalty (the object the solvers ask) against brute force: the prox,
# the conjugate and the KKT violation by scalar minimisation over the box


def _boxed_penalty(seed, l1_ratio, p=7):
    rng = np.random.default_rng(seed)
    pf = rng.uniform(0.3, 2.0, p)
    pf[1] = 0.0  # unpenalised
    lo = -rng.uniform(0.2, 2.0, p)
    hi = rng.uniform(0.2, 2.0, p)
    lo[2], hi[3] = -np.inf, np.inf  # open on one side
    lo[4], hi[4] = -np.inf, np.inf  # no box
    return P.ElasticNetPenalty(0.7, l1_ratio, pf, lower_bounds=lo, upper_bounds=hi), pf, lo, hi


def _coord_penalty(x, alpha, l1_ratio, pfj):
    return alpha * pfj * (l1_ratio * abs(x) + 0.5 * (1 - l1_ratio) * x * x)


@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
@pytest.mark.parametrize("seed", range(3))
def test_penalty_object_prox_is_the_boxed_minimiser(l1_ratio, seed):
    pen, pf, lo, hi = _boxed_penalty(seed, l1_ratio)
    z = np.random.default_rng(seed + 1).normal(0, 2, pf.shape)
    step = 0.8
    got = pen.prox(z, step)
    for j in range(z.size):
        f = lambda x, j=j: (x - z[j]) ** 2 / (2 * step) + _coord_penalty(x, 0.7, l1_ratio, pf[j])  # noqa: E731
        a, b = max(lo[j], -50.0), min(hi[j], 50.0)
        res = minimize_scalar(f, bounds=(a, b), method="bounded", options={"xatol": 1e-12})
        best = min([res.x, a, b, 0.0] if a <= 0 <= b else [res.x, a, b], key=f)
        assert f(got[j]) <= f(best) + 1e-10
        assert lo[j] <= got[j] <= hi[j]


@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
@pytest.mark.parametrize("seed", range(3))
def test_penalty_object_conjugate_is_the_boxed_supremum(l1_ratio, seed):
    pen, pf, lo, hi = _boxed_penalty(seed, l1_ratio)
    v = np.random.default_rng(seed + 2).normal(0, 2, pf.shape)
    got = pen.conjugate(v)
    for j in range(v.size):
        if np.isinf(got[j]):  # unbounded: the linear growth v w - g(w) is positive
            direction = 1.0 if v[j] > 0 else -1.0
            bound = hi[j] if direction > 0 else lo[j]
            assert np.isinf(bound)
            assert l1_ratio == 1.0 or pf[j] == 0
            assert abs(v[j]) > 0.7 * l1_ratio * pf[j]
            continue
        f = lambda x, j=j: -(v[j] * x - _coord_penalty(x, 0.7, l1_ratio, pf[j]))  # noqa: E731
        a, b = max(lo[j], -1e3), min(hi[j], 1e3)
        res = minimize_scalar(f, bounds=(a, b), method="bounded", options={"xatol": 1e-12})
        sup = max(-res.fun, -f(a), -f(b), -f(0.0))
        assert got[j] == pytest.approx(sup, rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
def test_penalty_object_fenchel_young_and_dual_scaling(l1_ratio):
    pen, pf, lo, hi = _boxed_penalty(0, l1_ratio)
    rng = np.random.default_rng(4)
    w = np.clip(rng.normal(0, 1, pf.shape), lo, hi)
    w[0] = 0.0
    v = rng.normal(0, 3, pf.shape)
    c = pen.dual_scaling(v)
    assert 0 <= c <= 1
    fy = pen.fenchel_young(w, c * v)
    long_way = pen.value(w) + pen.conjugate(c * v).sum() - float(np.dot(c * v, w))
    assert np.isfinite(fy) and fy >= 0
    assert fy == pytest.approx(long_way, rel=1e-10, abs=1e-12)
    if c < 1:  # maximal: a little more leaves the conjugate's domain
        assert not np.all(np.isfinite(pen.conjugate(1.001 * c * v)))
    # Fenchel-Young equality: v = -gradient of the penalty's subdifferential point
    w_opt = pen.prox(v, 1.0)  # minimiser of 1/2 |w - v|**2 + g: v - w_opt in dg(w_opt)
    assert pen.fenchel_young(w_opt, v - w_opt) == pytest.approx(0.0, abs=1e-12)
    assert pen.value(w_opt + 10 * (hi - lo + 1)) == np.inf


@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
def test_penalty_object_kkt_violation_vanishes_exactly_at_prox_fixed_points(l1_ratio):
    """For the quadratic ``1/2 |w - z|**2 + g(w)`` the optimum is ``prox(z)``: the
    violation with gradient ``w - z`` is 0 there and positive at perturbed points."""
    pen, pf, lo, hi = _boxed_penalty(1, l1_ratio)
    z = np.random.default_rng(7).normal(0, 2, pf.shape)
    w = pen.prox(z, 1.0)
    np.testing.assert_allclose(pen.kkt_violation(w, w - z), 0.0, atol=1e-12)
    for j in range(z.size):
        for d in (0.05, -0.05):
            w2 = w.copy()
            w2[j] = np.clip(w2[j] + d, lo[j], hi[j])
            if w2[j] == w[j]:
                continue
            assert pen.kkt_violation(w2, w2 - z)[j] > 1e-4


def test_penalty_object_alpha_max_gives_exact_zeros():
    """With the gradient at zero of a least-squares term, the prox-gradient fixed
    point is zero at alpha_max and moves just below it (bounds respected)."""
    rng = np.random.default_rng(0)
    p = 6
    G = rng.normal(0, 1, p)
    pf = rng.uniform(0.5, 2, p)
    lo = np.where(np.arange(p) % 2 == 0, 0.0, -np.inf)  # even features: positive only
    pen = P.ElasticNetPenalty(1.0, 0.5, pf, lower_bounds=lo)
    amax = pen.alpha_max(G)
    slope = np.maximum(-G, np.where(lo < 0, G, 0.0))
    assert amax == pytest.approx(np.max(slope / pf) / 0.5, rel=1e-14)
    at = pen.at(amax)
    np.testing.assert_array_equal(at.kkt_violation(np.zeros(p), G), 0.0)
    below = pen.at(amax * (1 - 1e-6))
    assert np.count_nonzero(below.kkt_violation(np.zeros(p), G) > 0) == 1
    assert P.ElasticNetPenalty(1.0, 0.0, pf).alpha_max(G) == np.inf
    # the previous functional API agrees without bounds
    assert P.ElasticNetPenalty(1.0, 0.5, pf).alpha_max(G) == pytest.approx(
        P.alpha_max_from_gradient(G, 0.5, pf), rel=1e-14
    )
    assert P.ElasticNetPenalty(1.0, 0.5, pf, positive=True).alpha_max(G) == pytest.approx(
        P.alpha_max_from_gradient(G, 0.5, pf, positive=True), rel=1e-14
    )


def test_penalty_object_matches_the_functional_api_without_bounds():
    rng = np.random.default_rng(2)
    pf = rng.uniform(0.3, 2, 5)
    w = rng.normal(0, 1, 5)
    v = rng.normal(0, 1, 5)
    for positive in (False, True):
        pen = P.ElasticNetPenalty(0.4, 0.5, pf, positive=positive)
        ww = np.maximum(w, 0) if positive else w
        assert pen.value(ww) == pytest.approx(P.penalty_value(ww, 0.4, 0.5, pf), rel=1e-14)
        np.testing.assert_allclose(
            pen.prox(v, 0.3), P.penalty_prox(v, 0.3, 0.4, 0.5, pf, positive), rtol=1e-14
        )
        np.testing.assert_allclose(
            pen.conjugate(v), P.penalty_conjugate(v, 0.4, 0.5, pf, positive), rtol=1e-12
        )


def test_penalty_object_exclusion_and_validation():
    pen = P.ElasticNetPenalty(1.0, 1.0, [1.0, np.inf, 0.0])
    assert pen.value([0.0, 0.0, 5.0]) == 0.0
    assert pen.value([0.0, 1e-3, 0.0]) == np.inf  # an excluded feature stays at 0
    np.testing.assert_array_equal(pen.prox(np.array([3.0, 3.0, 3.0])), [2.0, 0.0, 3.0])
    assert pen.kkt_violation(np.zeros(3), np.array([0.0, 5.0, 0.0]))[1] == 0.0
    code, l1, l2, lo, hi = pen.kernel_arguments(np.float32)
    assert code == P.PROX_ELASTIC_NET and l1.dtype == np.float32 and hi[1] == 0
    with pytest.raises(ValueError, match="contains 0"):
        P.ElasticNetPenalty(1.0, 1.0, np.ones(2), lower_bounds=0.5)
    with pytest.raises(ValueError, match="one value per feature"):
        P.ElasticNetPenalty(1.0, 1.0, np.ones(2), upper_bounds=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="non-negative"):
        P.ElasticNetPenalty(1.0, 1.0, [-1.0, 1.0])
