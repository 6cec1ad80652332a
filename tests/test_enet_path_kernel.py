"""The compiled squared-loss path (``skdecay._kernels.enet_path``) against references.

References: the Python working-set solver (``solve_path(..., compiled_path=False)``
and ``solve(..., compiled=False)``), the numpy duality gap of
:func:`skdecay.solvers.duality_gap`, numpy formulas for the kernels' building
blocks, and scikit-learn's ``ElasticNet``.
"""

import numpy as np
import pytest
from sklearn.linear_model import ElasticNet

import skdecay._enet_path as compiled
from skdecay import ElasticNetRegressor, enet_path
from skdecay._kernels.enet_path import _full_gradient, _gram_row, squared_gap
from skdecay._path_core import problem_grid, solve_path
from skdecay.solvers import duality_gap, linear_predictor, objective, solve
from skdecay.solvers.problem import regression_problem


def _problem(seed, n=60, p=15, *, weighted=False, factors=False, positive=False, intercept=True):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p) + rng.normal(0, 2, p)
    X[:, 1] = X[:, 0] + 0.1 * rng.standard_normal(n)  # correlated pair
    beta = np.zeros(p)
    beta[:5] = rng.standard_normal(5) * 3
    y = X @ beta + rng.standard_normal(n) + 4.0
    sw = rng.uniform(0.2, 3.0, n) if weighted else None
    pf = rng.uniform(0.3, 2.0, p) if factors else None
    return np.asfortranarray(X), y, sw, pf, positive, intercept


CASES = [
    {},
    {"intercept": False},
    {"weighted": True},
    {"factors": True},
    {"positive": True},
    {"weighted": True, "factors": True, "positive": True, "intercept": False},
    {"n": 30, "p": 80},  # wide: residual storage
]


@pytest.fixture(params=["gram", "residual"])
def storage(request, monkeypatch):
    """Force one storage mode of the kernel (the automatic choice depends on n, p)."""
    gram = request.param == "gram"
    monkeypatch.setattr(compiled, "use_gram", lambda n, p, m: gram)
    return request.param


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(c) or "plain")
@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
def test_compiled_path_equals_python_path(case, l1_ratio, storage):
    X, y, sw, pf, positive, intercept = _problem(0, **case)
    pb = regression_problem(X, y, l1_ratio, sw, pf, positive, intercept)
    alphas = problem_grid(pb, 25, 1e-2)  # (far below, the wide lasso interpolates: ill-posed)
    kw = {"tol": 1e-14, "max_iter": 100_000, "selection": "cyclic", "rng": None}
    got, failed = solve_path(pb, alphas, **kw)
    ref, failed_ref = solve_path(pb, alphas, **kw, compiled_path=False)
    assert failed == [] and failed_ref == []
    scale = np.abs(ref.coefs).max()
    np.testing.assert_allclose(got.coefs, ref.coefs, rtol=0, atol=1e-7 * scale)
    np.testing.assert_allclose(got.intercepts, ref.intercepts, rtol=1e-7, atol=1e-7 * scale)
    for i, alpha in enumerate(alphas):
        pa = pb.at(float(alpha))
        # the kernel's gap is the numpy gap at the returned point, and certifies it
        numpy_gap = duality_gap(pa, got.coefs[i], got.intercepts[i])
        assert got.dual_gaps[i] == pytest.approx(
            numpy_gap, rel=1e-6, abs=1e-13 * objective(pa, got.coefs[i] * 0, got.intercepts[i] * 0)
        )
        f_got = objective(pa, got.coefs[i], got.intercepts[i])
        f_ref = objective(pa, ref.coefs[i], ref.intercepts[i])
        assert f_got <= f_ref + ref.dual_gaps[i] + 1e-12 * abs(f_ref)
        assert f_ref <= f_got + got.dual_gaps[i] + 1e-12 * abs(f_ref)
    if positive:
        assert np.all(got.coefs >= 0)
    assert np.all(got.coefs[0] == 0) and got.n_iter[0] == 0  # alpha_max: closed form


@pytest.mark.parametrize("tol", [1e-4, 1e-8])
def test_compiled_path_meets_its_target_and_equals_single_fits(tol, storage):
    X, y, sw, pf, *_ = _problem(1, weighted=True, factors=True)
    pb = regression_problem(X, y, 0.7, sw, pf, False, True)
    alphas = problem_grid(pb, 30, 1e-3)
    out = compiled.enet_path_compiled(pb, alphas, tol=tol, max_iter=10_000, settle=False)
    assert out.converged.all()
    assert np.all(out.gaps <= np.maximum(tol * out.gaps0, 1e-20))
    for i in (5, 15, 29):
        est = ElasticNetRegressor(alpha=alphas[i], l1_ratio=0.7, penalty_factor=pf, tol=1e-12)
        est.fit(X, y, sample_weight=sw)
        scale = np.abs(est.coef_).max()
        # the path's coefficients are within sqrt(gap) of the optimum
        np.testing.assert_allclose(out.coefs[i, 0], est.coef_, atol=30 * np.sqrt(tol) * scale)


def test_single_fits_equal_python_solver_and_sklearn(diabetes):
    X, y = diabetes
    for alpha, l1_ratio in [(0.5, 0.5), (0.05, 1.0), (2.0, 0.2)]:
        pb = regression_problem(np.asfortranarray(X), y, l1_ratio, None, None, False, True)
        pa = pb.at(alpha)
        assert compiled.supports(pa, np.array([alpha]))
        got = solve(pa, tol=1e-12)
        ref = solve(pa, tol=1e-12, compiled=False)
        assert got.converged and ref.converged
        np.testing.assert_allclose(got.coef, ref.coef, atol=1e-6 * np.abs(ref.coef).max())
        sk = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=100_000).fit(X, y)
        np.testing.assert_allclose(got.coef[0], sk.coef_, atol=1e-6 * np.abs(sk.coef_).max())
        assert got.intercept[0] == pytest.approx(sk.intercept_, rel=1e-8)
        # settled as scikit-learn's rule asks, and certified
        assert got.dual_gap <= 1e-12 * got.gap_zero * (1 + 1e-9) or got.dual_gap < 1e-20


def test_warm_start_at_the_optimum_and_max_iter(diabetes):
    X, y = diabetes
    X = np.asfortranarray(X)
    pb = regression_problem(X, y, 0.5, None, None, False, True).at(0.1)
    res = solve(pb, tol=1e-10)
    again = solve(pb, res.coef, res.intercept, tol=1e-10)
    assert again.converged and again.n_iter == 1
    np.testing.assert_array_equal(again.coef, res.coef)
    short = solve(pb, tol=1e-14, max_iter=1, warn=False)
    assert not short.converged and short.n_iter == 1
    assert short.dual_gap == pytest.approx(duality_gap(pb, short.coef, short.intercept), rel=1e-6)
    with pytest.warns(Warning, match="not converged after 1 iterations"):
        solve(pb, tol=1e-14, max_iter=1)


def test_enet_path_warns_once_when_max_iter_is_too_small(diabetes):
    X, y = diabetes
    with pytest.warns(Warning, match="enet_path: .* of 20 fits did not reach"):
        enet_path(np.asfortranarray(X), y, l1_ratio=1.0, n_alphas=20, tol=1e-12, max_iter=2)


def test_huge_values_raise_instead_of_returning_garbage():
    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((40, 5)) * 1e160)
    y = rng.standard_normal(40) * 1e160
    # caught before the solver, as scikit-learn: a ValueError (the sums of squares overflow)
    with pytest.raises(ValueError, match="too large"):
        ElasticNetRegressor(alpha=1e-3).fit(X, y)


# ---------------------------------------------------------------------------
# building blocks against numpy


def test_gram_row_and_full_gradient_equal_numpy():
    rng = np.random.default_rng(5)
    X = np.asfortranarray(rng.standard_normal((30, 7)) + 10.0)
    h = rng.uniform(0.1, 1.0, 30)
    h /= h.sum()
    xbar = h @ X
    Xc = X - xbar
    G = np.zeros((7, 7))
    for j in range(7):
        _gram_row(X, h, xbar, j, G)
    np.testing.assert_allclose(G, Xc.T @ (h[:, None] * Xc), rtol=1e-12, atol=1e-12)
    r = rng.standard_normal(30)
    grad = np.empty(7)
    rr = _full_gradient(X, h, xbar, r, grad)
    np.testing.assert_allclose(grad, Xc.T @ (h * r), rtol=1e-10, atol=1e-12)
    assert rr == pytest.approx(h @ r**2, rel=1e-13)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.3, 1.0])
@pytest.mark.parametrize("positive", [False, True, "box"])
def test_squared_gap_equals_numpy_duality_gap(l1_ratio, positive):
    rng = np.random.default_rng(7)
    X, y, *_ = _problem(3)
    p = X.shape[1]
    box = {}
    if positive == "box":  # finite, one-sided and fixed ([0, 0]) boxes, and free ones
        lo = np.tile([-0.3, -np.inf, 0.0, -1.0, 0.0], 3)[:p]
        hi = np.tile([0.5, 0.2, np.inf, 0.0, 0.0], 3)[:p]
        box = dict(lower_bounds=lo, upper_bounds=hi)
    pb = regression_problem(X, y, l1_ratio, None, None, positive is True, True, **box)
    pb = pb.at(0.3)
    _, l1, l2, lo, hi, _ = pb.penalty.kernel_arguments(np.float64)
    for scale in (0.0, 0.5, 1.0, 3.0):
        W = np.where(rng.random((1, p)) < 0.5, rng.standard_normal((1, p)), 0)
        W = np.clip(scale * W, lo, hi)  # feasible (at a bound when scaled up)
        b = np.array([y.mean() - (X.mean(axis=0) @ W[0])])
        r = y - linear_predictor(X, W, b)[:, 0]
        h = np.full(X.shape[0], 1 / X.shape[0])
        v = (X - X.mean(axis=0)).T @ (h * r)
        got = squared_gap(float(h @ r**2), W[0], v, l1, l2, lo, hi)
        # the Python gap: the exact piecewise-quadratic search, or under a box a
        # bounded scalar search (to ~1e-12 in c)
        rel = 1e-9 if positive != "box" else 1e-7
        assert got == pytest.approx(duality_gap(pb, W, b), rel=rel, abs=1e-12)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_compiled_grid_equals_alpha_grid(fit_intercept, diabetes, make_weights):
    from skdecay import alpha_grid

    X, y = diabetes
    sw = make_weights(X.shape[0])
    kw = {"l1_ratio": 0.3, "fit_intercept": fit_intercept, "sample_weight": sw}
    path = enet_path(X, y, n_alphas=15, eps=1e-2, **kw)
    np.testing.assert_allclose(
        path.alphas, alpha_grid(X, y, n_alphas=15, eps=1e-2, **kw), rtol=1e-12
    )
    if fit_intercept:  # constant y: alpha_max = 0, scikit-learn's grid of resolutions
        const = enet_path(X, np.full(X.shape[0], 3.0), n_alphas=4, **kw)
        np.testing.assert_array_equal(const.alphas, np.finfo(float).resolution)
        assert np.all(const.coefs == 0)


def test_positive_with_no_positive_correlation_gives_zero_and_the_sklearn_grid():
    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((50, 4)))
    y = -X @ np.array([1.0, 2.0, 0.5, 3.0]) + 0.01 * rng.standard_normal(50)
    from skdecay import alpha_grid

    path = enet_path(X, y, l1_ratio=0.5, positive=True, n_alphas=5)
    np.testing.assert_array_equal(
        path.alphas, alpha_grid(X, y, l1_ratio=0.5, positive=True, n_alphas=5)
    )
    assert np.all(path.coefs == 0)
    ridge = enet_path(X, y, l1_ratio=0.0, alphas=[1.0, 0.1])  # no alpha_max: solved
    assert np.all(ridge.coefs != 0) and np.all(ridge.n_iter > 0)
