"""The compiled logistic / multinomial path (``skdecay._logistic_path``) against the
Python prox-Newton solver, scikit-learn and the duality-gap certificate."""

from __future__ import annotations

import inspect
import warnings
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from skdecay import losses, solvers
from skdecay._logistic_path import logistic_path_compiled, supports
from skdecay._path_core import problem_grid, solve_path
from skdecay.path import _check_X
from skdecay.solvers.problem import logistic_problem

EPS = np.finfo(np.float64).eps


def _random(n, p, K, seed):
    """Uncentred, partly correlated features; labels drawn from a logistic model."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) + rng.normal(size=p)
    X[:, 1] += 0.8 * X[:, 0]
    Z = X @ rng.normal(size=(max(K, 1), p)).T
    if K == 1:
        y = (rng.random(n) < 1 / (1 + np.exp(-Z[:, 0]))).astype(int)
    else:
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        y = (rng.random(n)[:, None] > np.cumsum(P / P.sum(1, keepdims=True), 1)).sum(1)
    return np.asfortranarray(X), y


def _standardized(loader):
    X, y = loader(return_X_y=True)
    return np.asfortranarray(StandardScaler().fit_transform(X)), y


def _problem(X, y, l1_ratio, sample_weight=None, pf=None, positive=False, fit_intercept=True):
    pb, _ = logistic_problem(_check_X(X), y, l1_ratio, sample_weight, pf, positive, fit_intercept)
    return pb


def _python(function, flag):
    """``{flag: False}`` when ``function`` can route to the compiled path (the Python
    solver is the reference here), else no keyword."""
    return {flag: False} if flag in inspect.signature(function).parameters else {}


def _python_path(pb, alphas, tol):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path, _ = solve_path(
            pb,
            alphas,
            tol=tol,
            max_iter=200,
            selection="cyclic",
            rng=np.random.RandomState(0),
            **_python(solve_path, "compiled_path"),
        )
    return path


def _assert_certified(pb, alphas, coefs, intercepts, tol):
    """``solvers.duality_gap`` at every returned point is within the stopping target."""
    for i, a in enumerate(alphas):
        pa = pb.at(float(a))
        _, target, primal0 = solvers.stopping_rule(pa, tol)
        gap = solvers.duality_gap(pa, coefs[i], intercepts[i])
        assert gap <= target + 100 * EPS * abs(primal0), (i, a, gap, target)


CASES = [
    # (K, fit_intercept, sample_weight, zero penalty factor, positive)
    (1, True, False, False, False),
    (1, False, False, False, False),
    (1, True, True, True, False),
    (1, True, False, False, True),
    (1, False, True, True, True),
    (3, True, False, False, False),
    (3, False, False, False, False),
    (3, True, True, True, False),
    (3, True, False, False, True),
    (3, False, True, True, True),
]


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("K, fit_intercept, weighted, free, positive", CASES)
def test_matches_python_path(K, fit_intercept, weighted, free, positive, l1_ratio):
    X, y = _random(60, 6, K, seed=7)
    s = np.random.default_rng(3).uniform(0.2, 2.0, 60) if weighted else None
    pf = np.array([0.0, 1.0, 1.0, 2.0, 0.5, 1.0]) if free else None
    pb = _problem(X, y, l1_ratio, s, pf, positive, fit_intercept)
    alphas = problem_grid(pb, 6, 1e-2) if l1_ratio > 0 else np.geomspace(1.0, 1e-3, 6)
    tol = 1e-10
    coefs, intercepts, gaps, n_iter, converged = logistic_path_compiled(
        pb, alphas, tol=tol, max_iter=200, settle=False
    )
    assert converged.all() and coefs.shape == (6, K, 6) and intercepts.shape == (6, K)
    path = _python_path(pb, alphas, tol)
    _assert_certified(pb, alphas, coefs, intercepts, tol)
    old = path.coefs.copy()
    if K > 1:  # free columns are defined up to a shift (softmax): the kernel's choice
        unpenalized = pb.penalty.penalty_factor == 0
        free_cols = old[:, :, unpenalized]
        shift = free_cols.min if positive else free_cols.mean
        old[:, :, unpenalized] -= shift(axis=1, keepdims=True)
    compared = 0
    for i, a in enumerate(alphas):
        pa = pb.at(float(a))
        f_new = solvers.objective(pa, coefs[i], intercepts[i])
        f_old = solvers.objective(pa, old[i], path.intercepts[i])
        g_old = solvers.duality_gap(pa, old[i], path.intercepts[i])
        assert f_new <= f_old + gaps[i] + 1e-14, (i, f_new - f_old)  # never worse
        if g_old > solvers.stopping_rule(pa, tol)[1]:
            continue  # the Python solver stopped at max_iter
        compared += 1
        # both within their gaps of the same optimum
        assert abs(f_new - f_old) <= gaps[i] + g_old + 1e-14, (i, f_new - f_old)
        pf = pb.penalty.penalty_factor
        mu = a * (1 - l1_ratio) * pf[pf > 0].min()  # strong convexity of the penalty
        if mu > 0:  # |dW| <= sqrt(2 (gap + gap) / mu)
            bound = 3 * np.sqrt(2 * (gaps[i] + g_old) / mu) + 1e-6
            np.testing.assert_allclose(coefs[i], old[i], atol=bound)
        Z_new = solvers.linear_predictor(pb.X, coefs[i], intercepts[i])
        Z_old = solvers.linear_predictor(pb.X, old[i], path.intercepts[i])
        np.testing.assert_allclose(
            losses.predict_mean(pb.loss, Z_new), losses.predict_mean(pb.loss, Z_old), atol=1e-4
        )
    assert compared >= 4
    if positive:
        assert (coefs >= 0).all()
    if free and not positive:  # the unpenalised feature is fitted at every alpha
        assert np.all(coefs[:, :, 0] != 0)
    if K > 1 and fit_intercept:  # softmax shift invariance: centred intercepts
        np.testing.assert_allclose(intercepts.sum(axis=1), 0, atol=1e-12)


@pytest.mark.parametrize("loader", [load_breast_cancer, load_iris])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_own_gap_is_the_duality_gap(loader, l1_ratio):
    X, y = _standardized(loader)
    pb = _problem(X, y, l1_ratio)
    alphas = np.geomspace(0.1, 1e-3, 8)
    coefs, intercepts, gaps, _, converged = logistic_path_compiled(
        pb, alphas, tol=1e-6, max_iter=100, settle=False
    )
    assert converged.all()
    primal0 = solvers.zero_reference(pb.at(1.0))[1]
    for i, a in enumerate(alphas):
        expected = solvers.duality_gap(pb.at(float(a)), coefs[i], intercepts[i])
        # 1e-9 relative, up to the rounding of the per-sample sums themselves (the
        # class-mass matching of the dual point sums n terms in another order)
        slack = X.shape[0] * EPS * abs(primal0)
        assert abs(gaps[i] - expected) <= 1e-9 * expected + slack, (i, a)


def test_own_gap_with_unpenalized_features():
    X, y = _random(80, 5, 3, seed=2)
    pb = _problem(X, y, 0.5, pf=np.array([0.0, 1.0, 0.0, 1.0, 1.0]))
    alphas = np.geomspace(0.3, 3e-3, 5)
    coefs, intercepts, gaps, _, converged = logistic_path_compiled(
        pb, alphas, tol=1e-6, max_iter=100, settle=False
    )
    assert converged.all()
    for i, a in enumerate(alphas):
        expected = solvers.duality_gap(pb.at(float(a)), coefs[i], intercepts[i])
        assert abs(gaps[i] - expected) <= 1e-9 * expected + 1e-15, (i, gaps[i], expected)


@pytest.mark.parametrize("K", [1, 3])
def test_exact_zeros_from_alpha_max(K):
    X, y = _random(50, 4, K, seed=5)
    pb = _problem(X, y, 0.7)
    amax = solvers.problem_alpha_max(pb)
    alphas = np.array([4 * amax, amax, 0.5 * amax])
    coefs, intercepts, gaps, n_iter, converged = logistic_path_compiled(
        pb, alphas, tol=1e-8, max_iter=100, settle=False
    )
    b0 = losses.intercept_at_zero(pb.loss, pb.Y, pb.s)
    for i in range(2):
        assert not coefs[i].any() and n_iter[i] == 0 and converged[i]
        np.testing.assert_array_equal(intercepts[i], b0)
        assert gaps[i] == pytest.approx(solvers.gap_at_zero(pb.at(alphas[i])))
    assert coefs[2].any() and n_iter[2] > 0


def test_unpenalized_feature_is_fitted_above_alpha_max_of_the_others():
    X, y = _random(50, 4, 1, seed=6)
    pb = _problem(X, y, 1.0, pf=np.array([0.0, 1.0, 1.0, 1.0]))
    amax = solvers.problem_alpha_max(pb)
    coefs, intercepts, _, n_iter, converged = logistic_path_compiled(
        pb, np.array([2 * amax]), tol=1e-10, max_iter=100, settle=False
    )
    assert converged[0] and n_iter[0] > 0
    assert coefs[0, 0, 0] != 0 and not coefs[0, 0, 1:].any()
    _assert_certified(pb, [2 * amax], coefs, intercepts, 1e-10)


def test_alpha_zero_frees_every_feature():
    X, y = _random(200, 3, 1, seed=8)  # noisy labels: the unpenalised fit is finite
    pb = _problem(X, y, 0.5)
    coefs, intercepts, gaps, _, converged = logistic_path_compiled(
        pb, np.array([1e-2, 0.0]), tol=1e-10, max_iter=100, settle=False
    )
    assert converged.all()
    res = solvers.solve(
        pb.at(0.0),
        tol=1e-12,
        max_iter=200,
        warn=False,
        **_python(solvers.solve, "compiled"),
    )
    np.testing.assert_allclose(coefs[1], res.coef, rtol=1e-6, atol=1e-8)
    _assert_certified(pb, [1e-2, 0.0], coefs, intercepts, 1e-10)


def test_warm_start_at_the_solution():
    X, y = _standardized(load_breast_cancer)
    pb = _problem(X, y, 0.5)
    a = np.array([1e-2])
    coefs, intercepts, _, n_iter, _ = logistic_path_compiled(
        pb, a, tol=1e-8, max_iter=100, settle=True
    )
    again = logistic_path_compiled(
        pb, a, tol=1e-8, max_iter=100, settle=True, W0=coefs[0], b0=intercepts[0]
    )
    assert again[4][0] and again[3][0] < n_iter[0]
    np.testing.assert_allclose(again[0], coefs, atol=1e-7)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_binary_against_scikit_learn(l1_ratio):
    X, y = _standardized(load_breast_cancer)
    n, a = len(y), 1e-2
    pb = _problem(X, y, l1_ratio)
    coefs, intercepts, gaps, _, converged = logistic_path_compiled(
        pb, np.array([a]), tol=1e-10, max_iter=100, settle=True
    )
    kw = {"solver": "lbfgs"} if l1_ratio == 0 else {"solver": "saga", "l1_ratio": l1_ratio}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = LogisticRegression(C=1 / (n * a), tol=1e-10, max_iter=100_000, **kw).fit(X, y)
    pa = pb.at(a)
    assert converged[0]
    # ours is within its gap of the optimum, so never worse than scikit-learn's by more
    assert solvers.objective(pa, coefs[0], intercepts[0]) <= (
        solvers.objective(pa, sk.coef_, sk.intercept_) + gaps[0] + 1e-15
    )
    np.testing.assert_allclose(coefs[0], sk.coef_, atol=1e-5)
    np.testing.assert_allclose(intercepts[0], sk.intercept_, atol=1e-5)


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_multinomial_against_scikit_learn(l1_ratio):
    X, y = _standardized(load_iris)
    n, a = len(y), 1e-2
    pb = _problem(X, y, l1_ratio)
    coefs, intercepts, _, _, converged = logistic_path_compiled(
        pb, np.array([a]), tol=1e-10, max_iter=100, settle=True
    )
    kw = {"solver": "lbfgs"} if l1_ratio == 0 else {"solver": "saga", "l1_ratio": l1_ratio}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = LogisticRegression(C=1 / (n * a), tol=1e-10, max_iter=100_000, **kw).fit(X, y)
    assert converged[0]
    Z = solvers.linear_predictor(pb.X, coefs[0], intercepts[0])
    np.testing.assert_allclose(losses.predict_mean(pb.loss, Z), sk.predict_proba(X), atol=1e-5)
    np.testing.assert_allclose(coefs[0], sk.coef_, atol=1e-5)


def _multinomial_fits(loader):
    X, y = _standardized(loader)
    for l1_ratio in (0.0, 0.5, 1.0):
        pb = _problem(X, y, l1_ratio)
        for a in (1e-1, 1e-2, 1e-3, 1e-4):
            alphas = np.array([a])
            coefs, intercepts, gaps, n_iter, converged = logistic_path_compiled(
                pb, alphas, tol=1e-8, max_iter=100, settle=True
            )
            assert converged[0] and n_iter[0] <= 30, (l1_ratio, a, n_iter[0])
            _assert_certified(pb, alphas, coefs, intercepts, 1e-8)


@pytest.mark.parametrize("loader", [load_iris, load_wine])
def test_multinomial_converges_in_few_newton_steps(loader):
    _multinomial_fits(loader)


@pytest.mark.slow
def test_multinomial_converges_in_few_newton_steps_digits():
    _multinomial_fits(load_digits)


@pytest.mark.slow
def test_many_classes_take_no_more_newton_steps():
    rng = np.random.default_rng(0)
    steps = []
    for K in (10, 100):
        y = np.repeat(np.arange(K), 10)
        X = rng.normal(size=(K, 20))[y] + 2.0 * rng.normal(size=(10 * K, 20))
        pb = _problem(np.asfortranarray(StandardScaler().fit_transform(X)), y, 0.5)
        _, _, _, n_iter, converged = logistic_path_compiled(
            pb, np.array([1e-2, 1e-3]), tol=1e-8, max_iter=100, settle=True
        )
        assert converged.all()
        steps.append(n_iter.max())
    assert steps[1] <= max(2 * steps[0], 20), steps


def test_non_finite_iterates_raise():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    X[:, 0] *= 1e300
    pb = _problem(np.asfortranarray(X), (rng.random(30) > 0.5).astype(int), 0.0)
    with pytest.raises(FloatingPointError, match="non-finite"):
        logistic_path_compiled(pb, np.array([1e-3]), tol=1e-6, max_iter=50, settle=False)


def test_max_iter_reports_unconverged():
    X, y = _standardized(load_wine)
    pb = _problem(X, y, 0.5)
    *_, n_iter, converged = logistic_path_compiled(
        pb, np.array([1e-3]), tol=1e-12, max_iter=2, settle=True
    )
    assert n_iter[0] == 2 and not converged[0]


def test_supports():
    X, y = _random(30, 3, 1, seed=0)
    assert supports(_problem(X, y, 0.5))
    assert not supports(_problem(X.astype(np.float32), y, 0.5))
    assert not supports(_problem(sp.csc_matrix(X), y, 0.5))
    squared = replace(_problem(X, y, 0.5), loss=losses.SQUARED)
    assert not supports(squared)
    with pytest.raises(ValueError, match="dense float64"):
        logistic_path_compiled(squared, np.array([0.1]), tol=1e-4, max_iter=10, settle=False)


def test_own_gap_with_an_absent_class():
    # a class of ``classes`` missing from y (a CV fold): tiny probabilities, dual
    # probabilities clipped at 0 within the gap's rounding tolerance
    X, y = _random(80, 5, 3, seed=11)
    pb, _ = logistic_problem(_check_X(X), y, 0.5, None, None, False, True, np.arange(4))
    alphas = problem_grid(pb, 6, 1e-2)
    coefs, intercepts, gaps, _, converged = logistic_path_compiled(
        pb, alphas, tol=1e-8, max_iter=100, settle=False
    )
    assert converged.all() and intercepts[-1, 3] < -10
    for i, a in enumerate(alphas[1:], start=1):
        expected = solvers.duality_gap(pb.at(float(a)), coefs[i], intercepts[i])
        assert abs(gaps[i] - expected) <= 1e-6 * expected + 1e-15, (i, gaps[i], expected)


LAYOUT_CASES = [
    # (K, l1_ratio, zero penalty factor, positive)
    (1, 0.5, False, False),
    (1, 0.0, True, False),
    (3, 0.5, True, False),
    (3, 1.0, False, True),
    (3, 0.0, False, False),
]


@pytest.mark.parametrize("cache", [None, 3], ids=["cache-fits", "chunks-of-3"])
@pytest.mark.parametrize("K, l1_ratio, free, positive", LAYOUT_CASES)
def test_c_ordered_x_gives_the_fortran_solution(monkeypatch, K, l1_ratio, free, positive, cache):
    # a C-ordered X is read by rows, its working-set columns through a column cache
    # (chunked when the working set is larger); a Fortran one by columns
    from skdecay import _logistic_path

    X, y = _random(90, 12, K, seed=11)
    pf = np.r_[0.0, np.ones(11)] if free else None
    pb_f = _problem(X, y, l1_ratio, None, pf, positive)
    pb_c = replace(pb_f, X=np.ascontiguousarray(pb_f.X))
    assert pb_f.X.flags.f_contiguous and pb_c.X.flags.c_contiguous
    alphas = problem_grid(pb_f, 5, 1e-2) if l1_ratio > 0 else np.geomspace(0.5, 1e-3, 5)
    if cache is not None:
        monkeypatch.setattr(_logistic_path, "cache_columns", lambda p: cache)
    tol = 1e-12
    f = logistic_path_compiled(pb_f, alphas, tol=tol, max_iter=200, settle=True)
    c = logistic_path_compiled(pb_c, alphas, tol=tol, max_iter=200, settle=True)
    assert f[4].all() and c[4].all()
    _assert_certified(pb_c, alphas, c[0], c[1], tol)
    if cache is None:  # the same coordinate descent; only the sums' rounding differs
        np.testing.assert_allclose(c[0], f[0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(c[1], f[1], rtol=0, atol=1e-12)
    else:  # block coordinate descent: another route to the same optimum
        np.testing.assert_allclose(c[0], f[0], rtol=0, atol=1e-8)
        np.testing.assert_allclose(c[1], f[1], rtol=0, atol=1e-8)
    if positive:
        assert (c[0] >= 0).all()


# -- box bounds (lower_bounds / upper_bounds, excluded features) ----------------------

BOX_LOSSES = [losses.LOGISTIC, losses.POISSON, losses.GAMMA, losses.TWEEDIE]


def _glm_data(loss, seed=0, n=150, p=12):
    """Standardised features, a response of ``loss`` (0/1 labels, counts, amounts)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    X[:, 1] += 0.7 * X[:, 0]
    z = X @ rng.uniform(-0.6, 0.6, p)
    if loss == losses.LOGISTIC:
        y = (rng.random(n) < 1 / (1 + np.exp(-2 * z))).astype(float)
    elif loss == losses.POISSON:
        y = rng.poisson(np.exp(0.3 + z)).astype(float)
    else:  # gamma, tweedie: positive amounts
        y = rng.gamma(2.0, np.exp(z) / 2.0)
    return np.asfortranarray(X), y


def _box(p, active):
    """A box that binds several coefficients (``active``) or none; feature 3 is excluded
    (``penalty_factor=inf``) and feature 5 unpenalised (``pf = 0``, held by its box)."""
    pf = np.ones(p)
    pf[3], pf[5] = np.inf, 0.0
    if not active:
        return pf, np.full(p, -50.0), np.full(p, 50.0)
    lo, hi = np.full(p, -0.08), np.full(p, 0.1)
    lo[::4] = 0.0  # w >= 0 on some features
    hi[2] = np.inf
    lo[6] = -np.inf
    return pf, lo, hi


def _box_problem(loss, l1_ratio, active, alpha=0.01, seed=0):
    X, y = _glm_data(loss, seed)
    pf, lo, hi = _box(X.shape[1], active)
    pb, _ = solvers.make_problem(
        X, y[:, None], None, loss, alpha, l1_ratio, pf, lower_bounds=lo, upper_bounds=hi
    )
    return pb, lo, hi, pf


def _loss_gradient(pb, w, b):
    """The data term's gradient ``X' (s dl/dz) / n``, written out per loss."""
    X, y = pb.X, pb.Y[:, 0]
    z = X @ w + b
    if pb.loss == losses.LOGISTIC:
        dz = 1 / (1 + np.exp(-z)) - y
    elif pb.loss == losses.POISSON:
        dz = np.exp(z) - y
    elif pb.loss == losses.GAMMA:  # z + y exp(-z)
        dz = 1 - y * np.exp(-z)
    else:  # Tweedie: mu**(2-p)/(2-p) - y mu**(1-p)/(1-p)
        dz = np.exp((2 - pb.power) * z) - y * np.exp((1 - pb.power) * z)
    return X.T @ dz / len(y), float(dz.sum()) / len(y)


def _box_kkt_by_hand(pb, w, b, lo, hi, pf, l1_ratio, atol):
    """The boxed elastic net's optimality conditions, coefficient by coefficient (as
    ``tests/test_bounds.py``): inside the box ``G + l2 w + l1 sign(w) = 0`` (``|G| <= l1``
    at 0); at the upper bound the gradient pushes further up (``G + l2 w + l1 <= 0``),
    at the lower bound further down (``G + l2 w - l1 >= 0``); excluded: exactly 0;
    at 0 the subgradient is ``[-l1, l1]``, so a zero bound asks ``G + l1 >= 0`` (lower)
    or ``G - l1 <= 0`` (upper)."""
    G, g0 = _loss_gradient(pb, w, b)
    alpha = pb.penalty.alpha
    excluded = np.isinf(pf)
    f = np.where(excluded, 1.0, pf)
    l1, l2 = alpha * l1_ratio * f, alpha * (1 - l1_ratio) * f
    assert abs(g0) <= atol  # the intercept
    for j in range(w.size):
        r = G[j] + l2[j] * w[j]
        if excluded[j]:
            assert w[j] == 0
        elif w[j] >= hi[j]:
            s = np.sign(w[j]) if w[j] != 0 else -1.0  # the end of [-l1, l1] that binds
            assert w[j] == hi[j] and r + s * l1[j] <= atol, j
        elif w[j] <= lo[j]:
            s = np.sign(w[j]) if w[j] != 0 else 1.0
            assert w[j] == lo[j] and r + s * l1[j] >= -atol, j
        elif w[j] == 0:
            assert abs(r) <= l1[j] + atol, j
        else:
            assert abs(r + l1[j] * np.sign(w[j])) <= atol, j


@pytest.mark.parametrize("active", [True, False], ids=["active", "inactive"])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("loss", BOX_LOSSES, ids=["logistic", "poisson", "gamma", "tweedie"])
def test_boxed_fit_equals_prox_newton(loss, l1_ratio, active):
    """A boxed binary / log-link fit runs the compiled kernel and lands where the Python
    proximal Newton driver does; the box conditions hold, written out by hand."""
    pb, lo, hi, pf = _box_problem(loss, l1_ratio, active)
    assert supports(pb) and pb.penalty.has_box()
    fast = solvers.solve(pb, tol=1e-10, max_iter=500)
    slow = solvers.solve(pb, tol=1e-10, max_iter=500, compiled=False)
    assert fast.converged and slow.converged
    np.testing.assert_allclose(fast.coef, slow.coef, rtol=0, atol=1e-8)
    np.testing.assert_allclose(fast.intercept, slow.intercept, rtol=0, atol=1e-8)
    w, b = fast.coef[0], float(fast.intercept[0])
    assert np.all((w >= lo) & (w <= hi))
    _box_kkt_by_hand(pb, w, b, lo, hi, pf, l1_ratio, 1e-7)
    bound = (w == lo) | (w == hi)
    bound[3] = False  # the excluded feature sits at its [0, 0] box either way
    if active:
        assert bound.sum() >= 3  # the box matters
        assert w[5] in (lo[5], hi[5])  # the unpenalised feature is held by its box
    else:
        assert not bound.any()
    if loss != losses.TWEEDIE:  # the certificate, from the Python side's formula
        assert 0 <= fast.dual_gap <= 1e-12
        assert solvers.duality_gap(pb, fast.coef, fast.intercept) <= 1e-12


@pytest.mark.parametrize("loss", BOX_LOSSES[:3], ids=["logistic", "poisson", "gamma"])
def test_boxed_gap_bounds_the_suboptimality(loss):
    """Along a path stopped early (``tol=1e-2``) every reported gap is at least the true
    suboptimality (against a tight Python solve) and equals the Python side's gap at
    the same point (its penalty conjugate includes the box's indicator)."""
    pb, lo, hi, pf = _box_problem(loss, 0.7, True)
    alphas = problem_grid(pb, 6, 0.05)
    coefs, intercepts, gaps, _, converged = logistic_path_compiled(
        pb, alphas, tol=1e-2, max_iter=100, settle=False, offset=pb.offset, power=pb.power
    )
    assert converged.all()
    for i, a in enumerate(alphas):
        pa = pb.at(float(a))
        ref = solvers.solve(pa, tol=1e-12, max_iter=500, compiled=False, warn=False)
        sub = solvers.objective(pa, coefs[i], intercepts[i]) - solvers.objective(
            pa, ref.coef, ref.intercept
        )
        assert gaps[i] >= sub - 1e-14, (i, gaps[i], sub)
        python_gap = solvers.duality_gap(pa, coefs[i], intercepts[i])
        assert gaps[i] == pytest.approx(python_gap, rel=1e-6, abs=1e-15)
        assert np.all((coefs[i] >= lo) & (coefs[i] <= hi)) and np.all(coefs[i][:, 3] == 0)
    assert np.any(gaps[1:] > 1e-9)  # stopped early: the gaps are not all rounding


def test_boxed_path_equals_the_python_path():
    """A whole warm-started boxed path (the strong rule under a box) agrees with the
    Python loop: both objectives within their certified gaps of each other, the
    coefficients within the penalty's strong convexity bound; excluded features stay
    exactly 0.  (A path stops on the gap alone, no settling: hence no 1e-8 here.)"""
    tol, l1_ratio = 1e-10, 0.5
    pb, lo, hi, _ = _box_problem(losses.LOGISTIC, l1_ratio, True)
    alphas = problem_grid(pb, 12, 1e-3)
    fast = solvers.solve_compiled(pb, alphas, tol, 200, False)
    slow = _python_path(pb, alphas, tol)
    assert np.all(fast.converged)
    _assert_certified(pb, alphas, fast.coefs, fast.intercepts, tol)
    for i, a in enumerate(alphas):
        pa = pb.at(float(a))
        f_new = solvers.objective(pa, fast.coefs[i], fast.intercepts[i])
        f_old = solvers.objective(pa, slow.coefs[i], slow.intercepts[i])
        g_old = solvers.duality_gap(pa, slow.coefs[i], slow.intercepts[i])
        assert abs(f_new - f_old) <= fast.gaps[i] + g_old + 1e-14, (i, f_new - f_old)
        mu = a * (1 - l1_ratio)  # |dW| <= sqrt(2 (gap + gap) / mu)
        bound = 3 * np.sqrt(2 * (fast.gaps[i] + g_old) / mu) + 1e-9
        np.testing.assert_allclose(fast.coefs[i], slow.coefs[i], rtol=0, atol=bound)
    assert np.all(fast.coefs[:, 0, 3] == 0)
    assert np.all((fast.coefs >= lo) & (fast.coefs <= hi))
    assert np.sum((fast.coefs[-1, 0] == lo) | (fast.coefs[-1, 0] == hi)) >= 4


def test_boxed_multinomial_stays_on_prox_newton():
    """The multinomial's shifts common to all classes leave a box: not compiled (``w >=
    0`` alone still is)."""
    X, y = _random(40, 4, 3, seed=1)
    assert supports(_problem(X, y, 0.5, positive=True))
    pb, _ = logistic_problem(_check_X(X), y, 0.5, None, None, False, True, lower_bounds=-0.1)
    assert pb.loss == losses.MULTINOMIAL and not supports(pb)
    pf = np.array([1.0, np.inf, 1.0, 1.0])
    assert not supports(_problem(X, y, 0.5, pf=pf))
    Xb, yb = _random(40, 4, 1, seed=1)
    assert supports(_problem(Xb, yb, 0.5, pf=pf))


def test_violation_kernel_matches_the_penalty():
    """``_violation`` (the kernel's strong-rule / KKT measure) against the penalty's
    numpy ``kkt_violation`` at points inside, on and at the bounds of a box."""
    from skdecay._kernels.logistic_path import _violation
    from skdecay.penalties import ElasticNetPenalty

    rng = np.random.default_rng(0)
    p = 400
    lo = np.where(rng.random(p) < 0.3, 0.0, -rng.uniform(0.1, 1, p))
    hi = np.where(rng.random(p) < 0.3, np.inf, rng.uniform(0.1, 1, p))
    lo[:5] = hi[:5] = 0.0  # excluded
    pen = ElasticNetPenalty(0.3, 0.6, rng.uniform(0, 2, p), lower_bounds=lo, upper_bounds=hi)
    lo, hi = pen.bounds
    pick = rng.integers(0, 4, p)
    w = np.where(pick == 0, lo, np.where(pick == 1, np.minimum(hi, 5.0), 0.0))
    w = np.where(pick == 3, np.clip(rng.normal(size=p), lo, hi), w)
    w = np.where(np.isfinite(w), w, 0.0)
    V = rng.normal(scale=0.5, size=p)
    l1, l2 = pen.weights()
    ref = pen.kkt_violation(w, -V)
    got = [_violation(V[j], w[j], l1[j], l2[j], lo[j], hi[j]) for j in range(p)]
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)
    assert np.sum(np.array(got) > 0) > p // 4 and np.sum(np.array(got) == 0) > p // 10


@pytest.mark.parametrize("compiled", [True, False], ids=["kernel", "prox_newton"])
def test_boxed_unpenalized_feature_with_an_open_side(compiled):
    """An unpenalised feature unbounded on one or both sides, the others boxed: its
    correlation is projected out of the dual point (zero up to rounding), so the gap
    certifies the optimum (the KKT conditions, by hand) instead of stalling -- in
    the kernel and in the Python driver (the penalty's conjugate and dual scaling)."""
    rng = np.random.default_rng(0)
    n, p = 150, 8
    X = np.asfortranarray(rng.normal(size=(n, p)))
    y = (rng.random(n) < 1 / (1 + np.exp(-X @ rng.uniform(-1, 1, p)))).astype(float)
    pf = np.ones(p)
    pf[[2, 5]] = 0.0
    lo, hi = np.full(p, -0.1), np.full(p, 0.1)
    lo[5], hi[5], lo[2], hi[2] = -np.inf, np.inf, -0.05, np.inf
    pb, _ = solvers.make_problem(
        X, y[:, None], None, losses.LOGISTIC, 0.01, 1.0, pf, lower_bounds=lo, upper_bounds=hi
    )
    res = solvers.solve(pb, tol=1e-10, max_iter=100, compiled=compiled)
    assert res.converged and 0 <= res.dual_gap <= 1e-14
    w, b = res.coef[0], float(res.intercept[0])
    _box_kkt_by_hand(pb, w, b, lo, hi, pf, 1.0, 1e-9)
    assert abs(w[5]) > 0.2 and np.sum((w == lo) | (w == hi)) >= 4


@pytest.mark.parametrize("boxed", [False, True])
@pytest.mark.parametrize("loss", BOX_LOSSES, ids=["logistic", "poisson", "gamma", "tweedie"])
def test_reported_gap_at_zero_is_the_python_one(loss, boxed):
    """The kernel reports its reference gap (``gaps0``, the tolerance's reference that
    ``solvers.solve`` keeps as ``gap_zero``): it is :func:`solvers.gap_at_zero`; for
    Tweedie (no conjugate) the zero point's largest KKT violation, the unpenalised
    feature's included (``gap_at_zero`` takes it from the projected dual point)."""
    pb, *_ = _box_problem(loss, 0.5, True, alpha=0.02)
    if not boxed:  # the same problem without the box
        pf = np.linspace(0.5, 1.5, pb.X.shape[1])
        pb = replace(pb, penalty=type(pb.penalty)(0.02, 0.5, pf))
    assert supports(pb) and pb.penalty.has_box() == boxed
    alphas = np.array([0.05, 0.02, 0.005])
    out = solvers.solve_compiled(pb, alphas, 1e-6, 100, True)
    for i, a in enumerate(alphas):
        pa = pb.at(float(a))
        if loss == losses.TWEEDIE:  # the KKT rule: the zero point's largest violation
            ref = solvers.gap.kkt_violation(pa, *solvers.zero_point(pa))[0]
        else:
            ref = solvers.gap_at_zero(pa)
        assert out.gaps0[i] == pytest.approx(ref, rel=1e-7, abs=1e-15), (i, out.gaps0[i], ref)
    res = solvers.solve(pb.at(0.005), tol=1e-6)
    assert res.gap_zero == pytest.approx(out.gaps0[2], rel=1e-9)


def test_unpenalised_fit_settles_to_the_optimum():
    """The settle test's absolute floor reads the violations from the dual point,
    which projects unpenalised coefficients out: with alpha = 0 (or pf = 0) the
    floor must not end the fit before its coefficients settle (the relaxed refits
    rely on it).  Reference: scikit-learn's unpenalised logistic regression."""
    from sklearn.linear_model import LogisticRegression

    from skdecay import ElasticNetClassifier

    rng = np.random.default_rng(3)
    X = rng.standard_normal((100, 3))
    y = (X[:, 0] - X[:, 1] + 1.5 * rng.logistic(size=100) > 0).astype(int)
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    ours = ElasticNetClassifier(alpha=0.0, tol=1e-4).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-7)
