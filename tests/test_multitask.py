"""Multi-task elastic net: kernels against numpy, the penalty against hand formulas,
the estimators against scikit-learn's ``MultiTaskElasticNet`` / ``MultiTaskLasso`` /
``MultiTaskElasticNetCV`` and against their KKT conditions written out.

Objective (``B`` of shape (k, p), ``h = s / n``)::

    1/2 sum_i h_i ||y_i - B x_i - b||**2
        + alpha * sum_j pf_j (l1_ratio ||B_:j|| + (1 - l1_ratio) / 2 ||B_:j||**2)
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize, minimize_scalar
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import MultiTaskElasticNet, MultiTaskElasticNetCV, MultiTaskLasso
from sklearn.model_selection import KFold

from skdecay import (
    MultiTaskElasticNetRegressor,
    MultiTaskElasticNetRegressorCV,
    multitask_enet_path,
)
from skdecay._kernels import multitask as K
from skdecay.penalties import MultiTaskElasticNetPenalty

TIGHT = dict(tol=1e-15, max_iter=100_000)


def _data(n=50, p=10, k=3, seed=0, offset=2.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + offset
    B = np.zeros((k, p))
    B[:, :4] = rng.standard_normal((k, 4))
    Y = X @ B.T + 0.5 * rng.standard_normal((n, k)) + 3.0
    return np.asfortranarray(X), Y


def _sparse_data(n=80, p=15, k=3, seed=1):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=0.3, format="csc", random_state=seed, data_rvs=rng.standard_normal)
    X = sp.csc_matrix(X)
    X.sort_indices()
    Y = X @ rng.standard_normal((p, k)) + 1.0 + 0.3 * rng.standard_normal((n, k))
    return X, np.asarray(Y)


def _objective(X, Y, B, b, alpha, l1_ratio, sw=None, pf=None):
    n, p = X.shape
    s = np.ones(n) if sw is None else np.asarray(sw, float) * n / np.sum(sw)
    pf = np.ones(p) if pf is None else pf
    R = Y - np.asarray(X @ B.T) - b
    nrm = np.linalg.norm(B, axis=0)
    pen = alpha * np.sum(pf * (l1_ratio * nrm + 0.5 * (1 - l1_ratio) * nrm**2))
    return 0.5 / n * np.sum(s[:, None] * R**2) + pen


def _kkt(X, Y, model, alpha, l1_ratio, sw=None, pf=None):
    """Largest violation of the optimality conditions, block by block::

    B_:j != 0:  1/n sum_i s_i x_ij r_i = alpha pf_j (l1_ratio B_:j/||B_:j|| + (1-l1_ratio) B_:j)
    B_:j == 0:  ||1/n sum_i s_i x_ij r_i|| <= alpha pf_j l1_ratio
    intercept:  sum_i s_i r_i = 0
    """
    n, p = X.shape
    s = np.ones(n) if sw is None else np.asarray(sw, float) * n / np.sum(sw)
    pf = np.ones(p) if pf is None else pf
    B = model.coef_.astype(float)
    R = Y - np.asarray(X @ B.T) - model.intercept_
    fitted = getattr(model, "fit_intercept", True)
    worst = np.abs(s @ R).max() / n if fitted else 0.0  # the intercept's equation
    C = np.asarray(X.T @ (s[:, None] * R)).T / n  # (k, p): column j is feature j
    for j in range(p):
        bj, cj = B[:, j], C[:, j]
        l1, l2 = alpha * l1_ratio * pf[j], alpha * (1 - l1_ratio) * pf[j]
        if np.any(bj != 0):
            viol = np.linalg.norm(cj - l1 * bj / np.linalg.norm(bj) - l2 * bj)
        else:
            viol = max(np.linalg.norm(cj) - l1, 0.0)
        worst = max(worst, viol)
    return worst


def _close(ours, ref, rtol):
    scale = np.abs(ref.coef_).max()
    assert np.abs(ours.coef_ - ref.coef_).max() <= rtol * scale
    assert np.abs(ours.intercept_ - ref.intercept_).max() <= rtol * max(
        np.abs(ref.intercept_).max(), 1
    )


# ---------------------------------------------------------------------------
# kernels against numpy


def test_block_prox_kernel_matches_numpy(rng):
    for _ in range(20):
        k = int(rng.integers(1, 5))
        g = rng.standard_normal(k) * 3
        a, l1, l2 = rng.uniform(0, 2), rng.uniform(0, 3), rng.uniform(0, 1)
        out = np.empty(k)
        nrm = K.block_prox(g, a, l1, l2, out)
        ng = np.linalg.norm(g)
        expected = max(1 - l1 / ng, 0) * g / (a + l2)
        np.testing.assert_allclose(out, expected, rtol=1e-13, atol=1e-15)
        assert nrm == pytest.approx(np.linalg.norm(expected), rel=1e-13, abs=1e-15)
        # it minimises a/2 ||w||^2 - g.w + l1 ||w|| + l2/2 ||w||^2
        f = lambda w: 0.5 * (a + l2) * w @ w - g @ w + l1 * np.linalg.norm(w)  # noqa: E731
        for _ in range(5):
            assert f(out) <= f(out + 1e-3 * rng.standard_normal(k)) + 1e-12


def test_block_prox_kernel_keeps_float32():
    g = np.array([3.0, -4.0], dtype=np.float32)
    out = np.empty(2, dtype=np.float32)
    K.block_prox(g, np.float32(1.0), 1.0, 0.5, out)
    np.testing.assert_allclose(out, 0.8 * g / 1.5, rtol=1e-6)


def test_residual_moments_and_correlations_match_numpy(rng):
    n, p, k = 30, 6, 3
    X = np.asfortranarray(rng.standard_normal((n, p)))
    X[rng.random((n, p)) < 0.5] = 0.0
    R = rng.standard_normal((n, k)) + 1.0
    h = rng.uniform(0.1, 1, n) / n
    for fit_intercept in (True, False):
        rbar = np.zeros(k)
        rho, shift = K.residual_moments(R, h, fit_intercept, rbar)
        mean = h @ R / h.sum() if fit_intercept else np.zeros(k)
        np.testing.assert_allclose(rbar, mean, rtol=1e-13)
        assert rho == pytest.approx(np.sum(h[:, None] * (R - mean) ** 2), rel=1e-13)
        assert shift == pytest.approx(h.sum() * mean @ mean, rel=1e-13, abs=1e-300)
        expected = X.T @ (h[:, None] * (R - mean))
        V = np.zeros((p, k))
        K.correlation(X, None, None, None, np.asfortranarray(R), h, None, rbar, V)
        np.testing.assert_allclose(V, expected, rtol=1e-12, atol=1e-14)
        Xs = sp.csc_matrix(X)
        V2 = np.zeros((p, k))
        hx = Xs.T @ h
        parts = (Xs.data, Xs.indices.astype(np.int64), Xs.indptr.astype(np.int64))
        K.correlation(None, *parts, R, h, hx, rbar, V2)
        np.testing.assert_allclose(V2, expected, rtol=1e-12, atol=1e-14)


def _numpy_gap(c, W, V, rho, shift, pen):
    """``(1-c)^2 rho/2 + shift/2 + sum_j FY_j(c)`` from the penalty object."""
    return 0.5 * (1 - c) ** 2 * rho + 0.5 * shift + pen.fenchel_young(W.T, c * V.T)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.3, 1.0])
def test_dual_gap_kernel_minimises_the_numpy_gap(l1_ratio, rng):
    p, k = 8, 3
    pen = MultiTaskElasticNetPenalty(0.4, l1_ratio, rng.uniform(0.5, 2, p))
    _, l1, l2 = pen.kernel_arguments()
    for zero in (False, True):
        W = (
            np.zeros((p, k))
            if zero
            else rng.standard_normal((p, k)) * (rng.random(p) < 0.6)[:, None]
        )
        V = rng.standard_normal((p, k))
        rho, shift = 2.5, 1e-3
        gap, c = K.dual_gap(W, V, rho, shift, l1, l2)
        cmax = pen.dual_scaling(V.T)
        assert 0 <= c <= cmax * (1 + 1e-12)
        assert gap == pytest.approx(_numpy_gap(c, W, V, rho, shift, pen), rel=1e-12)
        best = minimize_scalar(
            lambda t: _numpy_gap(t, W, V, rho, shift, pen),
            bounds=(0, cmax),
            method="bounded",
            options={"xatol": 1e-12},
        )
        assert gap <= best.fun * (1 + 1e-10) + 1e-14
        grid = np.linspace(0, cmax, 201)
        assert gap <= min(_numpy_gap(t, W, V, rho, shift, pen) for t in grid) + 1e-12


@pytest.mark.parametrize("sparse", [False, True])
def test_gap_kernels_equal_primal_minus_dual(sparse):
    """The gap of the kernels equals P(B, b) - D(u) for the scaled dual point
    ``u = c (r - rbar)``, both objectives written out."""
    X, Y = _data(n=40, p=7, k=2)
    n, p = X.shape
    rng = np.random.default_rng(3)
    sw = rng.uniform(0.2, 2, n)
    h = sw / sw.sum()
    alpha, l1_ratio = 0.3, 0.6
    pen = MultiTaskElasticNetPenalty(alpha, l1_ratio, np.ones(p))
    _, l1, l2 = pen.kernel_arguments()
    W = rng.standard_normal((p, 2)) * 0.3
    b = rng.standard_normal(2)
    R = Y - X @ W - b
    R = np.ascontiguousarray(R) if sparse else np.asfortranarray(R)  # the kernels' layouts
    if sparse:
        Xs = sp.csc_matrix(X)
        args = (Xs.data, Xs.indices.astype(np.int64), Xs.indptr.astype(np.int64))
        gap, rho, c = K.duality_gap(None, *args, R, W, h, Xs.T @ h, True, l1, l2)
    else:
        gap, rho, c = K.duality_gap(X, None, None, None, R, W, h, None, True, l1, l2)
    primal = 0.5 * np.sum(h[:, None] * R**2) + pen.value(W.T)
    u = c * (R - h @ R / h.sum())
    V = X.T @ (h[:, None] * u)  # (p, k)
    dual = np.sum(h[:, None] * (u * Y - 0.5 * u**2)) - pen.conjugate(V.T).sum()
    assert gap == pytest.approx(primal - dual, rel=1e-10)
    assert gap > 0


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_solve_kernels_reach_a_kkt_point(sparse, fit_intercept):
    """One call of the compiled loop from zero, checked against numpy's KKT."""
    X, Y = _sparse_data() if sparse else _data()
    n, p = X.shape
    k = Y.shape[1]
    h = np.full(n, 1.0 / n)
    alpha, l1_ratio = 0.1, 0.7
    _, l1, l2 = MultiTaskElasticNetPenalty(alpha, l1_ratio, np.ones(p)).kernel_arguments()
    W = np.zeros((p, k))
    b = h @ Y if fit_intercept else np.zeros(k)
    R = np.ascontiguousarray(Y - b) if sparse else np.asfortranarray(Y - b)
    args = (fit_intercept, 10_000, 1e-12, 1e-14, 0.0, True, False, 0)
    if sparse:
        from skdecay._kernels.cd import column_moments_sparse

        parts = (X.data, X.indices.astype(np.int64), X.indptr.astype(np.int64))
        xbar, col_sq = column_moments_sparse(*parts, h, p, fit_intercept)
        delta = np.zeros(k)
        n_iter, gap, ok = K.solve(
            None, *parts, R, delta, W, h, X.T @ h, xbar, col_sq, l1, l2, *args
        )
        b = b + delta
    else:
        from skdecay._kernels.cd import column_moments_dense

        xbar, col_sq = column_moments_dense(X, h, fit_intercept)
        dense = (X, None, None, None)
        n_iter, gap, ok = K.solve(*dense, R, b, W, h, None, xbar, col_sq, l1, l2, *args)
    assert ok and gap <= 1e-14 and n_iter > 0

    class Fit:
        coef_, intercept_ = W.T, b

    Fit.fit_intercept = fit_intercept

    assert _kkt(X, Y, Fit, alpha, l1_ratio) < 1e-7
    np.testing.assert_allclose(R if not sparse else R - delta, Y - X @ W - b, atol=1e-10)


def test_screen_kernel_matches_numpy_and_is_safe():
    """Gap-safe screening at a sub-optimal point: the mask is the numpy formula
    ``c ||V_j|| + sqrt(col_sq_j) sqrt(2 gap) < l1_j`` and every screened block is zero
    at the optimum (a tight fit)."""
    rng = np.random.default_rng(4)
    n, p, k = 40, 120, 3
    X = np.asfortranarray(rng.standard_normal((n, p)))
    Y = X[:, :3] @ rng.standard_normal((3, k)) + 0.3 * rng.standard_normal((n, k))
    alpha, l1_ratio = 0.15, 0.8
    best = MultiTaskElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, **TIGHT).fit(X, Y)
    h = np.full(n, 1.0 / n)
    xbar = X.mean(axis=0)
    col_sq = ((X - xbar) ** 2).mean(axis=0)
    _, l1, l2 = MultiTaskElasticNetPenalty(alpha, l1_ratio, np.ones(p)).kernel_arguments()
    W = best.coef_.T * 0.999  # near the optimum, not at it
    b = h @ (Y - X @ W)
    R = np.asfortranarray(Y - X @ W - b)
    V = np.zeros((p, k))
    gap, _, c = K.gap_into(X, None, None, None, R, W, h, None, True, l1, l2, V)
    active = np.ones(p, dtype=bool)
    n_active = K.screen(V, c, gap, col_sq, l1, 0.0, active)
    expected = c * np.linalg.norm(V, axis=1) + np.sqrt(col_sq) * np.sqrt(2 * gap) >= l1
    np.testing.assert_array_equal(active, expected)
    assert n_active == expected.sum() and 0 < n_active < p
    assert np.all(best.coef_[:, ~active] == 0)
    # a screened block whose correlation exceeds its threshold comes back
    active[:] = False
    K.screen(V * 0, 1.0, 0.0, col_sq, l1, 0.0, active)
    assert not active.any()
    K.screen(np.full((p, k), 10.0), 1.0, 0.0, col_sq, l1, 0.0, active)
    assert active.all()


def test_wide_problem_with_screening_equals_sklearn():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((40, 300))
    Y = X[:, :4] @ rng.standard_normal((4, 3)) + 0.2 * rng.standard_normal((40, 3))
    for sparse in (False, True):
        Xf = sp.csc_matrix(X) if sparse else X
        ours = MultiTaskElasticNetRegressor(alpha=0.1, l1_ratio=0.9, **TIGHT).fit(Xf, Y)
        ref = MultiTaskElasticNet(alpha=0.1, l1_ratio=0.9, tol=1e-14, max_iter=100_000)
        _close(ours, ref.fit(Xf, Y), 1e-8)
        assert _kkt(Xf, Y, ours, 0.1, 0.9) < 1e-8


# ---------------------------------------------------------------------------
# the penalty object


def test_penalty_value_prox_kkt_and_conjugate(rng):
    p, k = 6, 3
    pf = rng.uniform(0.5, 2, p)
    pen = MultiTaskElasticNetPenalty(0.7, 0.4, pf)
    W = rng.standard_normal((k, p))
    nrm = np.linalg.norm(W, axis=0)
    assert pen.value(W) == pytest.approx(0.7 * np.sum(pf * (0.4 * nrm + 0.3 * nrm**2)))
    # prox: argmin 1/(2 step) ||X - Z||^2 + penalty(X), by a generic minimiser
    Z = rng.standard_normal((k, p)) * 2
    Z[:, 0] *= 0.01  # a block thresholded to zero
    step = 0.8
    P = pen.prox(Z, step)
    assert np.all(P[:, 0] == 0)
    obj = lambda x: np.sum((x.reshape(k, p) - Z) ** 2) / (2 * step) + pen.value(x.reshape(k, p))  # noqa: E731
    ref = minimize(obj, P.ravel() + 0.01, method="Powell", options={"xtol": 1e-10, "ftol": 1e-14})
    assert obj(P.ravel()) <= ref.fun + 1e-9
    # the prox point satisfies its optimality conditions: G = (P - Z) / step
    assert np.all(pen.kkt_violation(P, (P - Z) / step) < 1e-12)
    assert np.any(pen.kkt_violation(P + 0.1, (P - Z) / step) > 1e-3)
    # conjugate: sup_w v.w - g(w), numerically, for one block
    v = rng.standard_normal(k) * 2
    j = 1
    one = MultiTaskElasticNetPenalty(0.7, 0.4, pf[[j]])
    sup = -minimize(lambda w: -(v @ w - one.value(w[:, None])), np.zeros(k)).fun
    assert one.conjugate(v[:, None])[0] == pytest.approx(max(sup, 0.0), rel=1e-6, abs=1e-9)
    # Fenchel-Young: non-negative, zero exactly for v in the subdifferential
    V = rng.standard_normal((k, p))
    assert pen.fenchel_young(W, V) >= 0
    sub = 0.7 * pf * (0.4 * W / nrm + 0.6 * W)
    assert pen.fenchel_young(W, sub) == pytest.approx(0.0, abs=1e-12)
    direct = pen.value(W) + pen.conjugate(V).sum() - np.sum(V * W)
    assert pen.fenchel_young(W, V) == pytest.approx(direct, rel=1e-10)


def test_penalty_dual_scaling_and_alpha_max(rng):
    p, k = 5, 2
    pf = rng.uniform(0.5, 2, p)
    lasso = MultiTaskElasticNetPenalty(0.3, 1.0, pf)
    V = rng.standard_normal((k, p))
    c = lasso.dual_scaling(V)
    assert np.all(np.linalg.norm(c * V, axis=0) <= 0.3 * pf * (1 + 1e-12))
    assert np.isfinite(lasso.conjugate(c * V)).all()
    assert MultiTaskElasticNetPenalty(0.3, 0.5, pf).dual_scaling(V) == 1.0
    G = rng.standard_normal((k, p))
    amax = MultiTaskElasticNetPenalty(1.0, 0.5, pf).alpha_max(G)
    assert amax == pytest.approx(np.max(np.linalg.norm(G, axis=0) / pf) / 0.5)
    assert MultiTaskElasticNetPenalty(1.0, 0.0, pf).alpha_max(G) == np.inf
    assert lasso.at(0.6).alpha == 0.6 and lasso.at(0.6).value(V) == pytest.approx(
        2 * lasso.value(V)
    )
    with pytest.raises(ValueError, match="positive"):
        MultiTaskElasticNetPenalty(1.0, 0.5, [1.0, 0.0])


# ---------------------------------------------------------------------------
# the estimator against scikit-learn


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [0.3, 1.0])
def test_equals_sklearn_multitask_elastic_net(sparse, fit_intercept, l1_ratio):
    X, Y = _sparse_data() if sparse else _data()
    for alpha in (0.02, 0.2):
        kw = dict(alpha=alpha, fit_intercept=fit_intercept)
        ours = MultiTaskElasticNetRegressor(l1_ratio=l1_ratio, **kw, **TIGHT).fit(X, Y)
        if l1_ratio == 1.0:
            ref = MultiTaskLasso(**kw, tol=1e-16, max_iter=100_000).fit(X, Y)
        else:
            ref = MultiTaskElasticNet(l1_ratio=l1_ratio, **kw, tol=1e-16, max_iter=100_000)
            ref.fit(X, Y)
        _close(ours, ref, 1e-8)
        assert ours.coef_.shape == (Y.shape[1], X.shape[1]) and ours.intercept_.shape == (3,)
        assert _kkt(X, Y, ours, alpha, l1_ratio) < 1e-7
        assert 0 <= ours.dual_gap_ < 1e-12
        # the dual gap bounds the sub-optimality of both solutions
        p_ours = _objective(X, Y, ours.coef_, ours.intercept_, alpha, l1_ratio)
        p_ref = _objective(X, Y, ref.coef_, ref.intercept_, alpha, l1_ratio)
        assert p_ours <= p_ref + ours.dual_gap_ + 1e-13
        np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8, atol=1e-8)


def test_sample_weight_equals_sklearn_and_repeated_rows():
    X, Y = _data(n=40)
    rng = np.random.default_rng(5)
    sw = rng.integers(0, 4, X.shape[0]).astype(float)
    sw[0] = 1.0
    kw = dict(alpha=0.05, l1_ratio=0.6)
    ours = MultiTaskElasticNetRegressor(**kw, **TIGHT).fit(X, Y, sample_weight=sw)
    ref = MultiTaskElasticNet(**kw, tol=1e-16, max_iter=100_000).fit(X, Y, sample_weight=sw)
    _close(ours, ref, 1e-8)
    idx = np.repeat(np.arange(X.shape[0]), sw.astype(int))
    rep = MultiTaskElasticNetRegressor(**kw, **TIGHT).fit(X[idx], Y[idx])
    _close(ours, rep, 1e-8)
    assert _kkt(X, Y, ours, 0.05, 0.6, sw=sw) < 1e-8
    # sparse X with the same weights
    sps = MultiTaskElasticNetRegressor(**kw, **TIGHT).fit(sp.csr_matrix(X), Y, sample_weight=sw)
    _close(sps, ours, 1e-8)
    # scaling every weight changes nothing (rescaled to sum n)
    scaled = MultiTaskElasticNetRegressor(**kw, **TIGHT).fit(X, Y, sample_weight=3 * sw)
    _close(scaled, ours, 1e-10)


@pytest.mark.parametrize("sparse", [False, True])
def test_float32_stays_float32_and_matches_float64(sparse):
    X, Y = _sparse_data() if sparse else _data()
    X32 = X.astype(np.float32)
    ours = MultiTaskElasticNetRegressor(alpha=0.05, tol=1e-8).fit(X32, Y.astype(np.float32))
    assert ours.coef_.dtype == np.float32 and ours.intercept_.dtype == np.float32
    assert ours.predict(X32).dtype == np.float32
    ref = MultiTaskElasticNet(alpha=0.05, tol=1e-14, max_iter=100_000).fit(X, Y)
    _close(ours, ref, 1e-4)


def test_penalty_factor_equals_rescaled_features():
    """Multi-task lasso: penalty factor ``f_j`` is feature ``j`` divided by ``f_j``."""
    X, Y = _data()
    pf = np.linspace(0.5, 2.0, X.shape[1])
    ours = MultiTaskElasticNetRegressor(alpha=0.05, l1_ratio=1.0, penalty_factor=pf, **TIGHT)
    ours.fit(X, Y)
    ref = MultiTaskLasso(alpha=0.05, tol=1e-16, max_iter=100_000).fit(X / pf, Y)
    np.testing.assert_allclose(ours.coef_ * pf, ref.coef_, rtol=1e-7, atol=1e-9)
    assert _kkt(X, Y, ours, 0.05, 1.0, pf=pf) < 1e-8
    with pytest.raises(ValueError, match="positive"):
        MultiTaskElasticNetRegressor(penalty_factor=np.r_[0.0, pf[1:]]).fit(X, Y)


@pytest.mark.parametrize("sparse", [False, True])
def test_alpha_max_gives_exact_zeros(sparse):
    X, Y = _sparse_data() if sparse else _data()
    n = X.shape[0]
    for l1_ratio in (0.5, 1.0):
        Yc = Y - Y.mean(axis=0)
        amax = np.max(np.linalg.norm(np.asarray(X.T @ Yc), axis=1)) / (n * l1_ratio)
        # (1 + 1e-12: the rounding of this formula against the solver's)
        model = MultiTaskElasticNetRegressor(alpha=amax * (1 + 1e-12), l1_ratio=l1_ratio)
        model.fit(X, Y)
        assert np.all(model.coef_ == 0) and model.n_iter_ == 0
        np.testing.assert_allclose(model.intercept_, Y.mean(axis=0))
        below = MultiTaskElasticNetRegressor(alpha=0.99 * amax, l1_ratio=l1_ratio, **TIGHT)
        below.fit(X, Y)
        assert np.count_nonzero(np.linalg.norm(below.coef_, axis=0)) == 1
        path = multitask_enet_path(X, Y, l1_ratio=l1_ratio, n_alphas=3)
        assert path.alphas[0] == pytest.approx(amax, rel=1e-10)


def test_warm_start_random_selection_and_max_iter():
    X, Y = _data()
    model = MultiTaskElasticNetRegressor(alpha=0.05, **TIGHT).fit(X, Y)
    again = clone(model).set_params(warm_start=True)
    again.coef_ = model.coef_.copy()
    again.fit(X, Y)
    assert again.n_iter_ == 0  # already optimal
    rand = MultiTaskElasticNetRegressor(alpha=0.05, selection="random", random_state=0, **TIGHT)
    _close(rand.fit(X, Y), model, 1e-8)
    with pytest.warns(ConvergenceWarning, match="not converged"):
        MultiTaskElasticNetRegressor(alpha=0.01, tol=1e-15, max_iter=2).fit(X, Y)
    with pytest.warns(ConvergenceWarning):
        zero = MultiTaskElasticNetRegressor(alpha=0.01, max_iter=0).fit(X, Y)
    assert np.all(zero.coef_ == 0) and zero.n_iter_ == 0


def test_bad_input_and_caller_arrays_untouched():
    X, Y = _data()
    with pytest.raises(ValueError, match="mono-task"):
        MultiTaskElasticNetRegressor().fit(X, Y[:, 0])
    with pytest.raises(ValueError):
        MultiTaskElasticNetRegressor().fit(X, Y[:-1])
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MultiTaskElasticNetRegressor().fit(Xn, Y)
    Yn = Y.copy()
    Yn[1, 1] = np.inf
    with pytest.raises(ValueError, match="infinity|inf"):
        MultiTaskElasticNetRegressor().fit(X, Yn)
    with pytest.raises(ValueError, match="Negative"):
        MultiTaskElasticNetRegressor().fit(X, Y, sample_weight=-np.ones(X.shape[0]))
    with pytest.raises(ValueError, match="alpha"):
        MultiTaskElasticNetRegressor(alpha=-1.0).fit(X, Y)
    Xc, Yc = X.copy(), Y.copy()
    Xs = sp.csr_matrix(X)
    data = Xs.data.copy()
    MultiTaskElasticNetRegressor(alpha=0.1).fit(X, Y).predict(X)
    MultiTaskElasticNetRegressor(alpha=0.1).fit(Xs, Y).predict(Xs)
    assert np.array_equal(X, Xc) and np.array_equal(Y, Yc) and np.array_equal(Xs.data, data)


# ---------------------------------------------------------------------------
# paths and cross-validation


def test_path_equals_single_fits():
    X, Y = _data()
    path = multitask_enet_path(X, Y, l1_ratio=0.7, n_alphas=8, eps=1e-2, **TIGHT)
    assert path.coefs.shape == (8, 3, X.shape[1]) and path.intercepts.shape == (8, 3)
    assert np.all(np.diff(path.alphas) < 0)
    for i in (0, 3, 7):
        single = MultiTaskElasticNetRegressor(alpha=path.alphas[i], l1_ratio=0.7, **TIGHT)
        single.fit(X, Y)
        np.testing.assert_allclose(path.coefs[i], single.coef_, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(path.intercepts[i], single.intercept_, rtol=1e-7, atol=1e-9)
    explicit = multitask_enet_path(X, Y, l1_ratio=0.7, alphas=path.alphas[::-1], **TIGHT)
    np.testing.assert_allclose(explicit.coefs, path.coefs, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("sparse", [False, True])
def test_cv_picks_the_alpha_of_sklearn(sparse):
    X, Y = _sparse_data(n=90) if sparse else _data(n=60, offset=0.0)
    cv = KFold(3, shuffle=True, random_state=0)
    kw = dict(l1_ratio=[0.5, 1.0], alphas=12, eps=1e-2, cv=cv)
    ours = MultiTaskElasticNetRegressorCV(**kw, tol=1e-12, max_iter=100_000).fit(X, Y)
    ref = MultiTaskElasticNetCV(**kw, tol=1e-14, max_iter=100_000).fit(X, Y)
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert ours.l1_ratio_ == ref.l1_ratio_
    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    _close(ours, ref, 1e-5)


def test_cv_with_weights_threads_and_explicit_grid():
    X, Y = _data(n=45)
    sw = np.random.default_rng(2).uniform(0.5, 2, X.shape[0])
    kw = dict(alphas=[0.3, 0.1, 0.03, 0.01], cv=3)
    one = MultiTaskElasticNetRegressorCV(**kw).fit(X, Y, sample_weight=sw)
    two = MultiTaskElasticNetRegressorCV(**kw, n_jobs=2).fit(X, Y, sample_weight=sw)
    assert one.alpha_ == two.alpha_ and np.array_equal(one.mse_path_, two.mse_path_)
    assert one.mse_path_.shape == (4, 3) and one.alphas_.shape == (4,)
    # the held-out errors by hand, for the first fold
    train, test = next(KFold(3).split(X))
    fit = MultiTaskElasticNetRegressor(alpha=0.3).fit(X[train], Y[train], sample_weight=sw[train])
    err = np.average((fit.predict(X[test]) - Y[test]) ** 2, axis=0, weights=sw[test]).mean()
    assert one.mse_path_[0, 0] == pytest.approx(err, rel=1e-3)
    refit = MultiTaskElasticNetRegressor(alpha=one.alpha_).fit(X, Y, sample_weight=sw)
    np.testing.assert_allclose(one.coef_, refit.coef_, rtol=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MultiTaskElasticNetRegressorCV(alphas=3, cv=2).fit(X, Y)


def test_cv_routes_groups_to_the_splitter():
    import sklearn
    from sklearn.model_selection import GroupKFold

    X, Y = _data(n=48)
    groups = np.repeat(np.arange(6), 8)
    kw = dict(alphas=[0.3, 0.1, 0.03], cv=GroupKFold(3))
    plain = MultiTaskElasticNetRegressorCV(**kw).fit(X, Y, groups=groups)
    by_hand = [
        np.average(
            [
                np.mean(
                    (MultiTaskElasticNetRegressor(alpha=a).fit(X[tr], Y[tr]).predict(X[te]) - Y[te])
                    ** 2
                )
                for tr, te in GroupKFold(3).split(X, Y, groups)
            ]
        )
        for a in kw["alphas"]
    ]
    np.testing.assert_allclose(plain.mse_path_.mean(axis=1), by_hand, rtol=1e-3)
    with sklearn.config_context(enable_metadata_routing=True):
        routed = MultiTaskElasticNetRegressorCV(**kw).fit(X, Y, groups=groups)
    assert routed.alpha_ == plain.alpha_
    np.testing.assert_array_equal(routed.mse_path_, plain.mse_path_)
