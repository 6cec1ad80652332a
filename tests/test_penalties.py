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
