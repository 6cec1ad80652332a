"""Box bounds (``lower_bounds`` / ``upper_bounds``, glmnet's limits) and excluded
features (``penalty_factor=inf``, glmnet's ``exclude``).

The optimality conditions are written out here by hand: with ``G`` the data
term's gradient, a coefficient strictly inside its box satisfies
``G + l2 w + l1 sign(w) = 0`` (``|G| <= l1`` at 0); one at its upper bound may
have the gradient push further up (``G + l2 w + l1 <= 0``), one at its lower
bound further down (``G + l2 w - l1 >= 0``).
"""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from skdecay import (
    ElasticNetClassifier,
    ElasticNetClassifierCV,
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    LassoRegressor,
    RidgeRegressor,
    alpha_max,
    enet_path,
    losses,
    solvers,
)


def _data(n=60, p=10, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 2] += 3.0  # a column with a large mean
    y = X @ rng.uniform(-2, 2, p) + 0.5 * rng.standard_normal(n) + 1.0
    return X.astype(dtype), y.astype(dtype)


LOWER = np.array([-0.5, -np.inf, -1.0, 0.0, -0.2, -np.inf, -0.3, 0.0, -0.6, -2.0])
UPPER = np.array([0.4, 0.5, np.inf, 0.8, 0.0, np.inf, 0.3, 0.0, 1.0, 2.0])


def _kkt_by_hand(W, G, l1, l2, lo, hi, atol):
    """The box-constrained elastic net's optimality conditions, coefficient by coefficient."""
    for w, g, a, b, L, H in np.broadcast(W, G, l1, l2, lo, hi):
        r = g + b * w
        if L == H:  # fixed at 0 (excluded): nothing to check
            assert w == 0
        elif w >= H:  # at the upper bound: the gradient pushes further up (or is 0)
            assert w == H and r + a <= atol
        elif w <= L:
            assert w == L and r - a >= -atol
        elif w == 0:
            assert abs(r) <= a + atol
        else:
            assert abs(r + a * np.sign(w)) <= atol


def _squared_gradient(X, y, coef, intercept, sw=None):
    n = X.shape[0]
    s = np.ones(n) if sw is None else sw * n / sw.sum()
    X64 = X.toarray() if sp.issparse(X) else X
    X64 = np.asarray(X64, dtype=np.float64)
    r = y - X64 @ np.asarray(coef, np.float64) - float(intercept)
    return -(X64.T @ (s * r)) / n, s, r


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_regressor_kkt_with_bounds_and_exclusion(sparse, dtype):
    X, y = _data(dtype=dtype)
    pf = np.ones(10)
    pf[5] = np.inf  # excluded
    pf[6] = 0.0  # unpenalised, boxed
    Xf = sp.csc_matrix(X) if sparse else X
    alpha, l1_ratio = 0.05, 0.7
    m = ElasticNetRegressor(
        alpha=alpha,
        l1_ratio=l1_ratio,
        penalty_factor=pf,
        lower_bounds=LOWER,
        upper_bounds=UPPER,
        tol=1e-10,
        max_iter=10000,
    ).fit(Xf, y)
    assert m.coef_.dtype == dtype
    assert m.coef_[5] == 0 and m.coef_[7] == 0
    assert np.all(m.coef_ >= LOWER.astype(dtype)) and np.all(m.coef_ <= UPPER.astype(dtype))
    G, *_ = _squared_gradient(X, y.astype(np.float64), m.coef_, m.intercept_)
    pf_fin = np.where(np.isinf(pf), 1.0, pf)
    lo = np.where(np.isinf(pf), 0.0, LOWER).astype(dtype)  # float32: the rounded box
    hi = np.where(np.isinf(pf), 0.0, UPPER).astype(dtype)
    atol = 1e-7 if dtype == np.float64 else 2e-4
    _kkt_by_hand(
        m.coef_, G, alpha * l1_ratio * pf_fin, alpha * (1 - l1_ratio) * pf_fin, lo, hi, atol
    )
    # several bounds are active, so the box matters
    assert np.sum((m.coef_ == lo) | (m.coef_ == hi)) >= 4
    assert 0 <= m.dual_gap_ <= 1e-8


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_logistic_kkt_with_bounds(sparse, dtype):
    X, y = _data(seed=1, dtype=dtype)
    yc = (y > np.median(y)).astype(int)
    Xf = sp.csc_matrix(X) if sparse else X
    alpha, l1_ratio = 0.01, 0.5
    lo, hi = (LOWER / 4).astype(dtype), (UPPER / 4).astype(dtype)
    m = ElasticNetClassifier(
        alpha=alpha, l1_ratio=l1_ratio, lower_bounds=lo, upper_bounds=hi, tol=1e-10
    ).fit(Xf, yc)
    assert m.coef_.dtype == dtype
    w = m.coef_[0].astype(np.float64)
    z = X.astype(np.float64) @ w + float(m.intercept_[0])
    G = X.astype(np.float64).T @ (1 / (1 + np.exp(-z)) - yc) / len(yc)
    atol = 1e-7 if dtype == np.float64 else 2e-5
    _kkt_by_hand(w, G, alpha * l1_ratio, alpha * (1 - l1_ratio), lo, hi, atol)
    assert np.sum((w == lo) | (w == hi)) >= 3


def test_multinomial_bounds_shared_by_classes():
    X, y = _data(seed=2)
    yk = np.digitize(y, np.quantile(y, [0.33, 0.66]))
    m = ElasticNetClassifier(alpha=0.01, upper_bounds=0.3, lower_bounds=-0.2, tol=1e-8).fit(X, yk)
    assert m.coef_.shape == (3, 10)
    assert m.coef_.max() == pytest.approx(0.3) and m.coef_.min() == pytest.approx(-0.2)
    assert 0 <= m.dual_gap_ <= 1e-6


def test_poisson_problem_with_bounds_satisfies_kkt():
    X, y = _data(seed=3)
    X = X / 4
    rng = np.random.default_rng(3)
    counts = rng.poisson(np.exp(0.3 * X[:, 0] - 0.4 * X[:, 1] + 0.2 * X[:, 3])).astype(float)
    lo, hi = np.full(10, -0.1), np.full(10, 0.15)
    pb, _ = solvers.make_problem(
        X, counts[:, None], None, losses.POISSON, 0.005, 0.5, lower_bounds=lo, upper_bounds=hi
    )
    res = solvers.solve(pb, tol=1e-10, max_iter=200)
    assert res.converged
    w, b = res.coef[0], float(res.intercept[0])
    G = X.T @ (np.exp(X @ w + b) - counts) / len(counts)  # the half-deviance's gradient
    _kkt_by_hand(w, G, 0.0025, 0.0025, lo, hi, 1e-7)
    assert np.any(w == hi) or np.any(w == lo)


def test_lower_bounds_zero_is_positive():
    X, y = _data(seed=4)
    a = ElasticNetRegressor(alpha=0.1, positive=True, tol=1e-10).fit(X, y)
    b = ElasticNetRegressor(alpha=0.1, lower_bounds=0.0, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-8, atol=1e-10)
    assert np.any(a.coef_ == 0)
    yc = (y > np.median(y)).astype(int)
    a = ElasticNetClassifier(alpha=0.01, positive=True, tol=1e-10).fit(X, yc)
    b = ElasticNetClassifier(alpha=0.01, lower_bounds=np.zeros(10), tol=1e-10).fit(X, yc)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("sparse", [False, True])
def test_inactive_bounds_give_the_unbounded_solution(sparse):
    X, y = _data(seed=5)
    Xf = sp.csc_matrix(X) if sparse else X
    free = LassoRegressor(alpha=0.05, tol=1e-12).fit(Xf, y)
    wide = 1.0 + 2 * np.abs(free.coef_)
    boxed = LassoRegressor(alpha=0.05, lower_bounds=-wide, upper_bounds=wide, tol=1e-12).fit(Xf, y)
    np.testing.assert_allclose(boxed.coef_, free.coef_, rtol=1e-8, atol=1e-9)
    assert boxed.intercept_ == pytest.approx(free.intercept_, rel=1e-9)


@pytest.mark.parametrize(
    "make",
    [
        lambda pf: ElasticNetRegressor(alpha=0.05, penalty_factor=pf, tol=1e-12),
        lambda pf: RidgeRegressor(alpha=3.0, penalty_factor=pf, tol=1e-12),
        lambda pf: ElasticNetClassifier(alpha=0.01, penalty_factor=pf, tol=1e-12),
    ],
    ids=["enet", "ridge", "logistic"],
)
def test_infinite_penalty_factor_excludes_the_feature(make):
    X, y = _data(seed=6)
    classifier = "Classifier" in type(make(None)).__name__
    if classifier:
        y = (y > np.median(y)).astype(int)
    pf = np.linspace(0.5, 1.5, 10)
    pf[[3, 7]] = np.inf
    keep = np.setdiff1d(np.arange(10), [3, 7])
    full = make(pf).fit(X, y)
    coef = np.atleast_2d(full.coef_)
    assert np.all(coef[:, [3, 7]] == 0)
    reduced = make(pf[keep]).fit(X[:, keep], y)
    np.testing.assert_allclose(coef[:, keep], np.atleast_2d(reduced.coef_), rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(full.intercept_, reduced.intercept_, rtol=1e-8, atol=1e-8)


def _brute_force_gap(X, y, coef, intercept, alpha, l1_ratio, lo, hi):
    """``min_c P(w, b) - D(c theta)`` on a fine grid of ``c``: the squared loss's dual
    ``D(theta) = 1/n sum (y_i theta_i - theta_i**2 / 2) - sum_j g_j*(X_j' theta / n)`` with
    the penalty's boxed conjugate, ``theta`` the centred residual."""
    from skdecay.penalties import ElasticNetPenalty

    n = len(y)
    pen = ElasticNetPenalty(alpha, l1_ratio, np.ones(X.shape[1]), lower_bounds=lo, upper_bounds=hi)
    r = y - X @ coef - intercept
    primal = 0.5 * np.mean(r * r) + pen.value(coef)
    theta = r - r.mean()
    v = X.T @ theta / n
    c = np.linspace(0, 1, 200001)
    conj = pen.conjugate(c[:, None] * v).sum(axis=1)  # inf where c v is infeasible
    dual = c * np.mean(y * theta) - 0.5 * c**2 * np.mean(theta * theta) - conj
    return float(np.min(primal - dual))


def test_duality_gap_matches_brute_force_and_certifies():
    X, y = _data(seed=7)
    alpha, l1_ratio = 0.2, 0.8
    m = ElasticNetRegressor(
        alpha=alpha, l1_ratio=l1_ratio, lower_bounds=LOWER, upper_bounds=UPPER, tol=1e-12
    ).fit(X, y)
    assert 0 <= m.dual_gap_ <= 1e-10
    # a feasible point away from the optimum: the certificate equals the brute-force gap
    w = np.clip(m.coef_ + 0.1 * np.sin(np.arange(10)), LOWER, UPPER)
    b = float(m.intercept_) + 0.05
    pb, _ = solvers.make_problem(
        X, y[:, None], None, losses.SQUARED, alpha, l1_ratio, lower_bounds=LOWER, upper_bounds=UPPER
    )
    gap = solvers.duality_gap(pb, w[None, :], np.array([b]))
    brute = _brute_force_gap(X, y, w, b, alpha, l1_ratio, LOWER, UPPER)
    assert gap > 1e-4
    assert gap == pytest.approx(brute, rel=1e-6)
    # and the gap bounds the suboptimality
    r = y - X @ w - b
    primal = 0.5 * np.mean(r * r) + pb.penalty.value(w)
    r0 = y - X @ m.coef_ - m.intercept_
    optimum = 0.5 * np.mean(r0 * r0) + pb.penalty.value(m.coef_)
    assert primal - optimum <= gap * (1 + 1e-9)


def test_alpha_max_with_bounds():
    X, y = _data(seed=8)
    Xc, yc = X - X.mean(0), y - y.mean()
    corr = Xc.T @ yc / len(y)
    top = int(np.argmax(corr))  # the largest positive correlation: it would enter first
    assert corr[top] > 0 and corr[top] == np.abs(corr).max()
    upper = np.full(10, np.inf)
    upper[top] = 0.0  # it may only decrease: the gradient pushes it up, it cannot enter
    amax = alpha_max(X, y, upper_bounds=upper)
    others = np.abs(np.delete(corr, top)).max()
    assert amax == pytest.approx(others, rel=1e-10)
    assert alpha_max(X, y) == pytest.approx(corr[top], rel=1e-10)
    at = LassoRegressor(alpha=amax, upper_bounds=upper, tol=1e-10).fit(X, y)
    assert np.all(at.coef_ == 0)
    below = LassoRegressor(alpha=amax * (1 - 1e-3), upper_bounds=upper, tol=1e-10).fit(X, y)
    assert np.count_nonzero(below.coef_) == 1 and below.coef_[top] == 0


def test_path_and_cv_with_bounds():
    X, y = _data(seed=9)
    box = dict(lower_bounds=LOWER, upper_bounds=UPPER)
    path = enet_path(X, y, l1_ratio=0.9, n_alphas=8, tol=1e-10, **box)
    coefs = path.coefs
    assert np.all(coefs >= LOWER) and np.all(coefs <= UPPER)
    i = 5
    single = ElasticNetRegressor(
        alpha=path.alphas[i], l1_ratio=0.9, lower_bounds=LOWER, upper_bounds=UPPER, tol=1e-10
    ).fit(X, y)
    np.testing.assert_allclose(coefs[i], single.coef_, atol=1e-6)
    cv = ElasticNetRegressorCV(cv=3, alphas=5, lower_bounds=LOWER, upper_bounds=UPPER).fit(X, y)
    assert np.all(cv.coef_ >= LOWER) and np.all(cv.coef_ <= UPPER)
    yc = (y > np.median(y)).astype(int)
    cvc = ElasticNetClassifierCV(cv=3, alphas=4, upper_bounds=0.1).fit(X, yc)
    assert cvc.coef_.max() <= 0.1


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(lower_bounds=0.5), "contains 0"),
        (dict(upper_bounds=-1.0), "contains 0"),
        (dict(upper_bounds=[1.0, 2.0]), "one value per"),
        (dict(lower_bounds=np.full(10, np.nan)), "NaN"),
        (dict(penalty_factor=np.full(10, -np.inf)), "non-negative"),
    ],
)
def test_bad_bounds_raise(kw, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        ElasticNetRegressor(**kw).fit(X, y)


def test_ridge_exclusion_needs_cd_and_bounds_do_not_mutate_inputs():
    X, y = _data()
    pf = np.ones(10)
    pf[0] = np.inf
    with pytest.raises(ValueError, match="penalty_factor=inf"):
        RidgeRegressor(solver="cholesky", penalty_factor=pf).fit(X, y)
    lo, hi = LOWER.copy(), UPPER.copy()
    m = ElasticNetRegressor(lower_bounds=lo, upper_bounds=hi, penalty_factor=pf).fit(X, y)
    np.testing.assert_array_equal(lo, LOWER)
    np.testing.assert_array_equal(hi, UPPER)
    assert m.get_params()["lower_bounds"] is lo
    np.testing.assert_array_equal(clone(m).get_params()["upper_bounds"], UPPER)


def test_glmnet_limits_agree():
    """python-glmnet's ``lower_limits`` / ``upper_limits``: glmnet's gaussian family
    scales ``lambda`` by the standard deviation of ``y`` for ``alpha < 1``, so ``y``
    is standardised (then ``lambda`` is our ``alpha``, glmnet's ``alpha`` our
    ``l1_ratio``)."""
    glmnet = pytest.importorskip("glmnet")
    X, y = _data(n=100, seed=10)
    X = (X - X.mean(0)) / X.std(0)
    y = (y - y.mean()) / y.std()
    lo, hi = np.full(10, -0.5), np.full(10, 0.3)
    for l1_ratio in (1.0, 0.5):
        g = glmnet.ElasticNet(
            alpha=l1_ratio, lambda_path=[0.05], standardize=False, tol=1e-14, n_splits=0,
            lower_limits=lo, upper_limits=hi, max_iter=100000,
        ).fit(X, y)  # fmt: skip
        m = ElasticNetRegressor(
            alpha=0.05, l1_ratio=l1_ratio, lower_bounds=lo, upper_bounds=hi, tol=1e-14
        ).fit(X, y)
        np.testing.assert_allclose(m.coef_, g.coef_path_[:, 0], atol=1e-8)
    yc = (y > np.median(y)).astype(int)
    lo, hi = np.full(10, -0.3), np.full(10, 0.4)
    g = glmnet.LogitNet(
        alpha=0.5, lambda_path=[0.01], standardize=False, tol=1e-14, n_splits=0,
        lower_limits=lo, upper_limits=hi, max_iter=100000,
    ).fit(X, yc)  # fmt: skip
    m = ElasticNetClassifier(
        alpha=0.01, l1_ratio=0.5, lower_bounds=lo, upper_bounds=hi, tol=1e-14
    ).fit(X, yc)
    np.testing.assert_allclose(m.coef_[0], g.coef_path_[0, :, 0], atol=1e-8)


@pytest.mark.parametrize("n_alphas", [1, 6])
def test_compiled_path_with_boxes_equals_the_python_drivers(n_alphas):
    """Dense float64 squared-loss problems with a box (and an excluded feature) run
    the compiled whole-path solver: it agrees with the Python drivers."""
    from skdecay._path_core import problem_grid, solve_path
    from skdecay.solvers.problem import regression_problem

    X, y = _data(n=80, seed=11)  # n >= p: with several alphas, the Gram (covariance) mode
    pf = np.ones(10)
    pf[4] = np.inf
    pb = regression_problem(
        X, y, 0.8, None, pf, False, True, lower_bounds=LOWER, upper_bounds=UPPER
    )
    assert solvers.solve_compiled(pb, np.ones(n_alphas), 1e-4, 10, False) is not None
    alphas = problem_grid(pb, n_alphas, 1e-2) if n_alphas > 1 else np.array([0.05])
    kw = dict(tol=1e-12, max_iter=10000, selection="cyclic", rng=None)
    fast, _ = solve_path(pb, alphas, **kw)
    slow, _ = solve_path(pb, alphas, compiled_path=False, **kw)
    np.testing.assert_allclose(fast.coefs, slow.coefs, atol=1e-8)
    assert np.all(fast.coefs[:, 0, 4] == 0)
    assert np.all(fast.coefs >= LOWER) and np.all(fast.coefs <= UPPER)
    assert np.all((fast.dual_gaps >= 0) & (fast.dual_gaps <= 1e-10))


def test_warm_start_outside_new_bounds_starts_clipped():
    X, y = _data(seed=12)
    for Xf in (X, sp.csc_matrix(X)):
        m = ElasticNetRegressor(alpha=0.05, warm_start=True, tol=1e-10).fit(Xf, y)
        assert np.abs(m.coef_).max() > 0.6
        m.set_params(lower_bounds=-0.3, upper_bounds=0.3).fit(Xf, y)
        cold = ElasticNetRegressor(alpha=0.05, lower_bounds=-0.3, upper_bounds=0.3, tol=1e-10)
        np.testing.assert_allclose(m.coef_, cold.fit(Xf, y).coef_, atol=1e-8)
        assert 0 <= m.dual_gap_ <= 1e-8


def test_multinomial_unpenalised_feature_at_a_bound_in_some_classes():
    """An unpenalised feature inside its box for one class and at a bound for the others:
    the dual point is projected class by class, so the gap certifies the optimum."""
    X, y = _data(seed=13)
    yk = np.digitize(y, np.quantile(y, [0.33, 0.66]))
    pf = np.ones(10)
    pf[[0, 1]] = 0.0
    alpha, lo, hi = 0.01, -0.4, 0.4
    m = ElasticNetClassifier(
        alpha=alpha, l1_ratio=0.5, penalty_factor=pf, lower_bounds=lo, upper_bounds=hi, tol=1e-10
    ).fit(X, yk)
    assert 0 <= m.dual_gap_ <= 1e-8
    W, b = m.coef_, m.intercept_
    Z = X @ W.T + b
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    G = (P - np.eye(3)[yk]).T @ X / len(yk)  # (K, p)
    _kkt_by_hand(W, G, alpha * 0.5 * pf, alpha * 0.5 * pf, lo, hi, 1e-6)
    assert np.any(np.abs(W[:, :2]) == hi)


@pytest.mark.parametrize(
    "make, kind",
    [
        (lambda **kw: ElasticNetClassifier(alpha=0.01, l1_ratio=0.5, tol=1e-10, **kw), "binary"),
        (lambda **kw: ElasticNetRegressor(alpha=0.01, loss="poisson", tol=1e-10, **kw), "counts"),
        (lambda **kw: ElasticNetRegressor(alpha=0.01, loss="gamma", tol=1e-10, **kw), "amounts"),
    ],
    ids=["logistic", "poisson", "gamma"],
)
def test_boxed_binary_and_glm_fits_run_compiled(monkeypatch, make, kind):
    """A boxed binary classifier or log-link regressor (dense float64) runs the compiled
    whole-path kernel, never the Python proximal Newton driver, and equals that
    driver's fit (forced by turning the compiled path away) to 1e-8; an excluded
    feature (``penalty_factor=inf``) stays exactly 0."""
    import skdecay._logistic_path as compiled

    X, y = _data(n=120, seed=14)
    X = (X - X.mean(0)) / X.std(0)
    rng = np.random.default_rng(14)
    if kind == "binary":
        y = (y > np.median(y)).astype(int)
    elif kind == "counts":
        y = rng.poisson(np.exp(0.4 * X[:, 0] - 0.3 * X[:, 1] + 0.2)).astype(float)
    else:
        y = rng.gamma(2.0, np.exp(0.3 * X[:, 0] + 0.2 * X[:, 4]) / 2.0)
    pf = np.ones(10)
    pf[[5, 7]] = np.inf  # (5: unbounded otherwise)
    box = dict(lower_bounds=LOWER / 8, upper_bounds=UPPER / 8, penalty_factor=pf)

    def boom(*args, **kwargs):
        raise AssertionError("the Python proximal Newton driver ran")

    with monkeypatch.context() as m:
        m.setattr(solvers, "prox_newton", boom)
        fast = make(**box).fit(X, y)
    with monkeypatch.context() as m:
        m.setattr(compiled, "supports", lambda pb: False)
        slow = make(**box).fit(X, y)
    np.testing.assert_allclose(fast.coef_, slow.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(fast.intercept_, slow.intercept_, rtol=0, atol=1e-8)
    coef = np.ravel(fast.coef_)
    assert coef[5] == 0 and coef[7] == 0  # excluded
    assert np.all(coef >= LOWER / 8) and np.all(coef <= UPPER / 8)
    assert np.sum((coef == LOWER / 8) | (coef == UPPER / 8)) >= 4  # active bounds
    assert 0 <= fast.dual_gap_ <= 1e-10
