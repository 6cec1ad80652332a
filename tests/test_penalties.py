"""The penalty objects (``skdecay.penalties``) against hand-written formulas.

Penalty of coefficient ``j`` (``pf_j`` its penalty factor)::

    g_j(w) = alpha * pf_j * (l1_ratio * |w| + (1 - l1_ratio) / 2 * w**2)   (+ w >= 0 if positive)

The last section checks the protocol every penalty class answers (value, prox,
KKT violation, conjugate / Fenchel-Young, alpha_max) for each class against
brute force, and the fast formulas the elastic net picks without a box against
its general (boxed) ones.
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


def _en(alpha, l1_ratio, pf, positive=False):
    return P.ElasticNetPenalty(alpha, l1_ratio, pf, positive=positive)


def _fenchel_young(w, v, alpha, l1_ratio, pf, positive=False, c=1.0):
    """The elastic net's Fenchel-Young term along the dual scaling (the solvers'
    careful sum, :class:`~skdecay.penalties.FenchelYoungLine`) at ``c``."""
    l1, l2 = P.coordinate_weights(alpha, l1_ratio, pf)
    return P.FenchelYoungLine(np.asarray(w, float), np.asarray(v, float), l1, l2, positive)(c)


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
        ref = _ref_value(w, alpha, l1_ratio, pf)
        got = P.penalty_value(w, alpha, l1_ratio, pf)
        assert got == pytest.approx(ref, rel=1e-13, abs=1e-300)
        assert _en(alpha, l1_ratio, pf).value(w) == pytest.approx(ref, rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("l1_ratio", L1_RATIOS)
@pytest.mark.parametrize("pf_kind", ["ones", "with_zeros"])
def test_subgradient_matches_formula_and_finite_differences(l1_ratio, pf_kind, rng):
    """Away from 0 the subdifferential is the gradient: ``nearest_subgradient`` returns
    it whatever ``V``, equal to the formula and to central differences of ``value``."""
    w = rng.standard_normal(8) + np.sign(rng.standard_normal(8)) * 0.5  # away from 0
    pf = _pf(8, pf_kind, rng)
    alpha = 0.8
    pen = _en(alpha, l1_ratio, pf)
    grad = pen.nearest_subgradient(w, rng.standard_normal(8))
    expected = alpha * pf * (l1_ratio * np.sign(w) + (1 - l1_ratio) * w)
    np.testing.assert_allclose(grad, expected, rtol=1e-13)
    eps = 1e-6
    fd = np.empty_like(w)
    for j in range(w.size):
        e = np.zeros_like(w)
        e[j] = eps
        fd[j] = (pen.value(w + e) - pen.value(w - e)) / (2 * eps)
    np.testing.assert_allclose(grad, fd, rtol=1e-7, atol=1e-8)
    # at 0 the subdifferential is [-l1, l1]: V inside is its own nearest point
    V = np.full(8, 0.5) * alpha * l1_ratio * pf
    np.testing.assert_array_equal(pen.nearest_subgradient(np.zeros(8), V), V)


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
    out = _en(alpha, l1_ratio, pf, positive).prox(z, step)
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
    out = _en(5.0, 0.5, np.zeros(3), positive).prox(z, 0.7)
    np.testing.assert_array_equal(out, np.maximum(z, 0) if positive else z)


def test_prox_two_dimensional_and_float32(rng):
    z = rng.standard_normal((3, 5)).astype(np.float32)
    pf = np.array([1.0, 0.0, 2.0, 0.5, 1.0])
    out = _en(0.6, 0.5, pf).prox(z, 0.5)
    assert out.shape == (3, 5)
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
    out = _en(alpha, l1_ratio, np.array([pf]), positive).prox(np.array([z]), step)
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
    got = _en(alpha, l1_ratio, pf, positive).conjugate(v)
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
    pen = _en(alpha, l1_ratio, pf, positive)
    c = pen.dual_scaling(v)
    mag = np.maximum(v, 0) if positive else np.abs(v)
    ratios = [l1[j] / mag[j] for j in range(v.size) if l1[j] > 0 and mag[j] > l1[j]]
    expected = min(ratios) if ratios else 1.0
    assert c == pytest.approx(expected, rel=1e-14)
    assert 0 < c <= 1
    conj = pen.conjugate(c * v)
    assert np.all(np.isfinite(conj[pf > 0]))  # (an unpenalised v_j must vanish)
    # c is the largest feasible scaling: a little more breaks feasibility (if c < 1)
    if c < 1:
        beyond = pen.conjugate(c * 1.001 * v)
        assert np.any(~np.isfinite(beyond))


def test_dual_scaling_is_one_when_feasible_or_smooth():
    v = np.array([0.1, -0.2])
    assert _en(1.0, 1.0, np.ones(2)).dual_scaling(v) == 1.0
    assert _en(1.0, 0.5, np.ones(2)).dual_scaling(10 * v) == 1.0  # l2 > 0: all feasible


# ---------------------------------------------------------------------------
# alpha_max


@pytest.mark.parametrize("l1_ratio", [0.25, 1.0])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("shape", [(7,), (3, 7)])
def test_alpha_max_from_gradient(l1_ratio, positive, shape, rng):
    grad = rng.standard_normal(shape)
    pf = _pf(7, "with_zeros", rng)
    got = _en(123.0, l1_ratio, pf, positive).alpha_max(grad)  # whatever its own alpha
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
    assert _en(1.0, 0.0, np.ones(5)).alpha_max(grad) == np.inf  # ridge never zeroes
    assert _en(1.0, 1.0, np.zeros(5)).alpha_max(grad) == 0.0  # nothing penalised
    assert _en(1.0, 0.5, np.ones(5)).alpha_max(np.zeros(5)) == 0.0
    # positive: only negative gradients (descent directions with w >= 0) matter
    assert _en(1.0, 1.0, np.ones(5), True).alpha_max(np.abs(grad)) == 0.0
    assert _en(1.0, 0.5, np.ones(2), True).alpha_max(np.array([3.0, -1.0])) == pytest.approx(2.0)


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


def test_penalty_object_exclusion_and_validation():
    pen = P.ElasticNetPenalty(1.0, 1.0, [1.0, np.inf, 0.0])
    assert pen.value([0.0, 0.0, 5.0]) == 0.0
    assert pen.value([0.0, 1e-3, 0.0]) == np.inf  # an excluded feature stays at 0
    np.testing.assert_array_equal(pen.prox(np.array([3.0, 3.0, 3.0])), [2.0, 0.0, 3.0])
    assert pen.kkt_violation(np.zeros(3), np.array([0.0, 5.0, 0.0]))[1] == 0.0
    code, l1, l2, lo, hi, gamma = pen.kernel_arguments(np.float32)
    assert code == P.PROX_ELASTIC_NET and l1.dtype == np.float32 and hi[1] == 0
    assert gamma.dtype == np.float32
    assert pen.has_box() and not pen.unpenalized_mask()[1]  # excluded: fixed, not free
    with pytest.raises(ValueError, match="contains 0"):
        P.ElasticNetPenalty(1.0, 1.0, np.ones(2), lower_bounds=0.5)
    with pytest.raises(ValueError, match="one value per feature"):
        P.ElasticNetPenalty(1.0, 1.0, np.ones(2), upper_bounds=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="non-negative"):
        P.ElasticNetPenalty(1.0, 1.0, [-1.0, 1.0])


# ---------------------------------------------------------------------------
# The protocol, class by class: every penalty answers value, prox, KKT violation,
# conjugate / Fenchel-Young (or "not convex") and alpha_max, checked against
# hand formulas and brute force.

P_SEP = 6  # coefficients of the separable cases


def _separable(name):
    """``(penalty, rho)``: a separable penalty and its per-coefficient value written
    out by hand (``rho(j, x)``, ``inf`` outside the box)."""
    pf = np.array([1.0, 0.5, 2.0, 0.0, 1.0, 1.5])
    alpha, r = 0.6, 0.7
    lo = np.array([-np.inf, -1.0, 0.0, -np.inf, -0.3, -np.inf])
    hi = np.array([np.inf, 0.5, np.inf, np.inf, np.inf, 2.0])
    box = dict(lower_bounds=lo, upper_bounds=hi) if name.endswith("box") else {}
    positive = name == "en_positive"
    kind = name.split("_")[0]
    gamma = {"en": None, "mcp": 2.5, "scad": 3.2}[kind]
    pen = P.make_penalty(
        {"en": "elastic_net", "mcp": "mcp", "scad": "scad"}[kind],
        alpha, r, pf, gamma, positive=positive, **box,
    )  # fmt: skip
    lo_eff = np.maximum(lo, 0.0) if positive else (lo if box else np.full(P_SEP, -np.inf))
    hi_eff = hi if box else np.full(P_SEP, np.inf)

    def rho(j, x):
        if not lo_eff[j] <= x <= hi_eff[j]:
            return np.inf
        lam, l2, t = alpha * r * pf[j], alpha * (1 - r) * pf[j], abs(x)
        if kind == "en":
            core = lam * t
        elif kind == "mcp":
            core = lam * t - t * t / (2 * gamma) if t <= gamma * lam else gamma * lam**2 / 2
        elif t <= lam:
            core = lam * t
        elif t <= gamma * lam:
            core = (2 * gamma * lam * t - t * t - lam**2) / (2 * (gamma - 1))
        else:
            core = (gamma + 1) * lam**2 / 2
        return core + 0.5 * l2 * x * x

    return pen, rho


SEPARABLE = ["en", "en_positive", "en_box", "mcp", "mcp_box", "scad", "scad_box"]


def _scalar_argmin(f, lo, hi, z):
    """Brute-force minimiser of a 1-D function over ``[lo, hi]`` (clipped to +-50):
    a fine grid, then a bounded search in the best cell; end points and 0 included."""
    a, b = max(lo, -50.0), min(hi, 50.0)
    grid = np.unique(np.r_[np.linspace(a, b, 20001), [a, b, np.clip(0.0, a, b), np.clip(z, a, b)]])
    vals = np.array([f(x) for x in grid])
    k = int(np.argmin(vals))
    best_x, best_f = grid[k], vals[k]
    lo_c, hi_c = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    if hi_c > lo_c:
        res = minimize_scalar(f, bounds=(lo_c, hi_c), method="bounded", options={"xatol": 1e-13})
        if res.fun < best_f:
            best_x, best_f = res.x, res.fun
    return best_x, best_f


@pytest.mark.parametrize("name", SEPARABLE)
def test_protocol_separable_value_and_prox(name):
    pen, rho = _separable(name)
    rng = np.random.default_rng(11)
    lo, hi = pen.bounds
    w = np.clip(rng.normal(0, 1.5, P_SEP), lo, hi)
    assert pen.value(w) == pytest.approx(sum(rho(j, w[j]) for j in range(P_SEP)), rel=1e-13)
    if np.any(np.isfinite(hi)):
        assert pen.value(hi + 1.0) == np.inf
    for step in (0.4, 1.0, 4.0):  # 1/step above and below MCP's / SCAD's curvature limit
        z = rng.normal(0, 2.5, P_SEP)
        got = pen.prox(z, step)
        for j in range(P_SEP):
            f = lambda x, j=j: (x - z[j]) ** 2 / (2 * step) + rho(j, x)  # noqa: E731
            _, f_best = _scalar_argmin(f, lo[j], hi[j], z[j])
            assert f(got[j]) <= f_best + 1e-10 * (1 + abs(f_best)), (name, j, step)


@pytest.mark.parametrize("name", SEPARABLE)
def test_protocol_separable_kkt_zero_at_a_solved_point(name):
    """``w = prox(z)`` solves ``1/2 |w - z|**2 + g(w)``: the violation at gradient ``w - z``
    is zero there, positive at perturbed points of the box."""
    pen, _ = _separable(name)
    z = np.random.default_rng(3).normal(0, 2, P_SEP)
    w = pen.prox(z, 1.0)
    np.testing.assert_allclose(pen.kkt_violation(w, w - z), 0.0, atol=1e-12)
    lo, hi = pen.bounds
    for j in range(P_SEP):
        w2 = w.copy()
        w2[j] = np.clip(w[j] + 0.07, lo[j], hi[j])
        if w2[j] != w[j]:
            assert pen.kkt_violation(w2, w2 - z)[j] > 1e-4


@pytest.mark.parametrize("name", SEPARABLE)
def test_protocol_separable_dual_side(name):
    pen, rho = _separable(name)
    rng = np.random.default_rng(5)
    lo, hi = pen.bounds
    z = rng.normal(0, 2, P_SEP)
    if not pen.convex:  # no conjugate, no gap: the solvers use the KKT rule
        for ask in (pen.conjugate, pen.dual_scaling):
            with pytest.raises(NotImplementedError, match="not convex"):
                ask(z)
        with pytest.raises(NotImplementedError, match="not convex"):
            pen.fenchel_young_line(z, z)
        return
    # Fenchel-Young equality at a prox pair: z - prox(z) is in the subdifferential
    w = pen.prox(z, 1.0)
    v = z - w
    v[pen.unpenalized_mask()] = 0.0  # (its correlation is projected out by the solver)
    assert pen.fenchel_young(w, v) == pytest.approx(0.0, abs=1e-12)
    hi_c, line = pen.fenchel_young_line(w[None, :], v[None, :])
    assert line(min(1.0, hi_c)) == pytest.approx(0.0, abs=1e-12)
    # the conjugate is the supremum, by brute force (bounded coefficients only)
    conj = pen.conjugate(v)
    for j in range(P_SEP):
        if np.isfinite(conj[j]) and np.isfinite(lo[j]) and np.isfinite(hi[j]):
            _, f = _scalar_argmin(lambda x, j=j: rho(j, x) - v[j] * x, lo[j], hi[j], 0.0)
            assert conj[j] == pytest.approx(-f, rel=1e-8, abs=1e-10)
    # Fenchel-Young >= 0 at random feasible points and scaled dual points
    for _ in range(20):
        w = np.clip(rng.normal(0, 1.5, P_SEP), lo, hi)
        v = rng.normal(0, 2, P_SEP)
        v[pen.unpenalized_mask()] = 0.0
        c = pen.dual_scaling(v)
        assert 0 <= c <= 1
        fy = pen.fenchel_young(w, c * v)
        assert np.isfinite(fy) and fy >= 0
        hi_c, line = pen.fenchel_young_line(w, v)
        assert hi_c == c
        assert line(c) == pytest.approx(fy, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", SEPARABLE)
def test_protocol_separable_alpha_max_gives_the_zero_solution(name):
    pen, _ = _separable(name)
    G = np.random.default_rng(8).normal(0, 1, P_SEP)
    G[pen.unpenalized_mask()] = 0.0  # the unpenalised coefficients are optimal at 0
    amax = pen.alpha_max(G)
    assert 0 < amax < np.inf
    np.testing.assert_allclose(pen.at(amax).kkt_violation(np.zeros(P_SEP), G), 0.0, atol=1e-15)
    assert np.max(pen.at(0.99 * amax).kkt_violation(np.zeros(P_SEP), G)) > 0
    assert pen.at(amax).alpha == amax and pen.at(amax).dual_key()[0] is pen.dual_key()[0]


@pytest.mark.parametrize("name", SEPARABLE)
def test_protocol_kernel_arguments(name):
    pen, _ = _separable(name)
    code, l1, l2, lo, hi, gamma = pen.kernel_arguments(np.float32)
    expected = {"en": P.PROX_ELASTIC_NET, "mcp": P.PROX_MCP, "scad": P.PROX_SCAD}
    assert code == expected[name.split("_")[0]]
    assert {a.dtype for a in (l1, l2, lo, hi)} == {np.dtype(np.float32)}
    assert gamma.dtype == np.float32 and gamma == np.float32(getattr(pen, "gamma", 1.0))
    np.testing.assert_allclose(l1 + l2, 0.6 * np.array([1.0, 0.5, 2.0, 0.0, 1.0, 1.5]), rtol=1e-6)
    np.testing.assert_array_equal(lo, pen.bounds[0].astype(np.float32))
    # the non-convex family of the same weights and box, and back
    other = pen.as_kind("mcp", 2.5)
    assert isinstance(other, P.MCPPenalty) and other.gamma == 2.5
    back = other.as_kind("elastic_net")
    assert type(back) is P.ElasticNetPenalty and back.convex
    for a, b in zip(back.kernel_arguments()[1:5], pen.kernel_arguments()[1:5], strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="gamma"):
        pen.as_kind("scad", 1.5)


def _block_penalties():
    rng = np.random.default_rng(2)
    mt = P.MultiTaskElasticNetPenalty(0.5, 0.6, rng.uniform(0.5, 2.0, 4))
    labels = np.array([0, 0, 1, 2, 2, 2, 3])
    sg = P.SparseGroupPenalty(0.4, 0.3, labels, labels.size)
    return {"multitask": mt, "sparse_group": sg}


def _block_value(name, pen, W):
    """The block penalties written out by hand."""
    if name == "multitask":
        pf = np.asarray(pen.at(1.0).kernel_arguments()[1]) / pen.l1_ratio  # l1 = r pf
        nrm = np.linalg.norm(W, axis=0)
        return pen.alpha * np.sum(pf * (pen.l1_ratio * nrm + 0.5 * (1 - pen.l1_ratio) * nrm**2))
    w = np.ravel(W)
    groups = [[0, 1], [2], [3, 4, 5], [6]]
    gn = sum(np.sqrt(len(g)) * np.linalg.norm(w[g]) for g in groups)
    return pen.alpha * (pen.l1_ratio * np.abs(w).sum() + (1 - pen.l1_ratio) * gn)


@pytest.mark.parametrize("name", ["multitask", "sparse_group"])
def test_protocol_block_penalties(name):
    pen = _block_penalties()[name]
    rng = np.random.default_rng(9)
    shape = (3, 4) if name == "multitask" else (7,)
    W = rng.normal(0, 1, shape)
    assert pen.value(W) == pytest.approx(_block_value(name, pen, W), rel=1e-13)
    # prox: no random move lowers the prox objective (brute force), and the KKT
    # violation at gradient (w - z) / step is zero there
    step = 0.7
    Z = rng.normal(0, 1.2, shape)
    Wp = pen.prox(Z, step)

    def f(x):
        return np.sum((x - Z) ** 2) / (2 * step) + _block_value(name, pen, x)

    f0 = f(Wp)
    for scale in (1e-1, 1e-3, 1e-5):
        for _ in range(200):
            assert f0 <= f(Wp + scale * rng.normal(0, 1, shape)) + 1e-13
    np.testing.assert_allclose(pen.kkt_violation(Wp, (Wp - Z) / step), 0.0, atol=1e-12)
    # Fenchel-Young: zero at the prox pair, non-negative at scaled dual points
    assert pen.fenchel_young(Wp, (Z - Wp) / step) == pytest.approx(0.0, abs=1e-12)
    for _ in range(10):
        V = rng.normal(0, 2, shape)
        c = pen.dual_scaling(V)
        assert 0 <= c <= 1 and np.all(np.isfinite(pen.conjugate(c * V)))
        assert pen.fenchel_young(rng.normal(0, 1, shape), c * V) >= -1e-13
    # alpha_max: zero is optimal from it on, not below
    G = rng.normal(0, 1, shape)
    amax = pen.alpha_max(G)
    zero = np.zeros(shape)
    np.testing.assert_allclose(pen.at(amax).kkt_violation(zero, G), 0.0, atol=1e-9)
    assert np.max(pen.at(0.99 * amax).kkt_violation(zero, G)) > 1e-6
    assert pen.at(amax).alpha == amax


# ---------------------------------------------------------------------------
# The elastic net picks its fast formulas without a box (or with w >= 0 only):
# the same answers as its general ones (one excluded feature, fixed at 0 and
# contributing nothing, forces those)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [0.3, 1.0])
@pytest.mark.parametrize("p", [20, 300])  # 300: the compiled kernels
def test_fast_formulas_match_the_general_ones(positive, l1_ratio, p):
    rng = np.random.default_rng(p)
    pf = rng.uniform(0.3, 2.0, p)
    fast = P.ElasticNetPenalty(0.5, l1_ratio, pf, positive=positive)
    general = P.ElasticNetPenalty(0.5, l1_ratio, np.r_[pf, np.inf], positive=positive)
    assert not fast.has_box() and general.has_box()
    w = np.where(rng.random(p) < 0.5, rng.normal(0, 1, p), 0.0)
    w = np.abs(w) if positive else w
    V = rng.normal(0, 0.6, p)
    wg, Vg = np.r_[w, 0.0], np.r_[V, 5.0]
    np.testing.assert_allclose(
        fast.kkt_violation(w, -V), general.kkt_violation(wg, -Vg)[:p], rtol=1e-12, atol=1e-15
    )
    assert fast.dual_scaling(V) == pytest.approx(general.dual_scaling(Vg), rel=1e-14)
    hi_f, line_f = fast.fenchel_young_line(w[None, :], V[None, :])
    hi_g, line_g = general.fenchel_young_line(wg[None, :], Vg[None, :])
    assert line_f.piecewise and not line_g.piecewise
    assert hi_f == pytest.approx(hi_g, rel=1e-14)
    for c in (0.0, 0.3 * hi_f, hi_f):
        assert line_f(c) == pytest.approx(line_g(c), rel=1e-9, abs=1e-12)
    # the dual point's free coefficients at alpha = 0: all, or the nonzero ones
    # under w >= 0 (at zero the constraint is an inequality)
    free = fast.at(0.0).dual_free(w[None, :], None)
    np.testing.assert_array_equal(free, (w != 0) if positive else np.ones(p, bool))
