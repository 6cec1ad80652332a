"""Solver drivers: duality gap, alpha_max, stopping rule and results.

The references are scikit-learn's solvers and hand formulas; problems are
built here directly (sample weights rescaled to sum to ``n``) so that the
estimators' own preprocessing is not part of the reference.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import nnls
from scipy.special import logsumexp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, LogisticRegression

import skdecay
from skdecay import (
    ElasticNetClassifier,
    ElasticNetRegressor,
    LassoRegressor,
    RidgeRegressor,
    losses,
)
from skdecay.penalties import ElasticNetPenalty
from skdecay.solvers import Problem, duality_gap, gap_at_zero, problem_alpha_max, solve

SQ, LOG, MULTI = losses.SQUARED, losses.LOGISTIC, losses.MULTINOMIAL


def make_problem(
    X, y, loss, alpha, l1_ratio, *, pf=None, sw=None, positive=False, fit_intercept=True
):
    n, p = X.shape
    if loss == SQ:
        Y = np.asarray(y, dtype=float)[:, None]
    elif loss == LOG:
        Y = (np.asarray(y) == np.unique(y)[1]).astype(float)[:, None]
    else:
        Y = (np.asarray(y)[:, None] == np.unique(y)[None, :]).astype(float)
    s = np.ones(n) if sw is None else np.asarray(sw, float) * n / np.sum(sw)
    pf = np.ones(p) if pf is None else np.asarray(pf, float)
    dt = X.dtype
    penalty = ElasticNetPenalty(alpha, l1_ratio, pf, positive=positive)
    return Problem(X, Y.astype(dt), s.astype(dt), loss, penalty, fit_intercept)


def primal(pb, W, b):
    """The objective written out here (independent of ``solvers.objective``)."""
    W = np.atleast_2d(np.asarray(W, dtype=float))
    Z = np.asarray(pb.X @ W.T, dtype=float) + np.asarray(b, dtype=float)
    Y, s, n = pb.Y.astype(float), pb.s.astype(float), pb.n
    if pb.loss == SQ:
        data = 0.5 * np.dot(s, (Y[:, 0] - Z[:, 0]) ** 2) / n
    elif pb.loss == LOG:
        data = np.dot(s, np.logaddexp(0, Z[:, 0]) - Y[:, 0] * Z[:, 0]) / n
    else:
        data = np.dot(s, logsumexp(Z, axis=1) - np.sum(Y * Z, axis=1)) / n
    alpha, r, pf = pb.penalty.alpha, pb.penalty.l1_ratio, pb.penalty.penalty_factor
    pen = alpha * np.sum(pf * (r * np.abs(W) + 0.5 * (1 - r) * W**2))
    return data + pen


def ref_alpha_max(X, y, loss, l1_ratio, *, sw=None, pf=None, fit_intercept=True, positive=False):
    """alpha_max by hand: the data gradient at zero coefficients, intercept optimal."""
    n, p = X.shape
    s = np.ones(n) if sw is None else sw * n / sw.sum()
    pf = np.ones(p) if pf is None else pf
    if loss == SQ:
        R = (y - (np.dot(s, y) / n if fit_intercept else 0.0))[:, None]
    elif loss == LOG:
        yy = (y == np.unique(y)[1]).astype(float)
        R = (yy - (np.dot(s, yy) / n if fit_intercept else 0.5))[:, None]
    else:
        Y = (y[:, None] == np.unique(y)[None, :]).astype(float)
        R = Y - (s @ Y / n if fit_intercept else 1.0 / Y.shape[1])
    G = np.asarray(X.T @ (s[:, None] * R)).T / n  # minus the gradient, (K, p)
    mag = np.maximum(G, 0) if positive else np.abs(G)
    return np.max(mag / pf) / l1_ratio, G


# ---------------------------------------------------------------------------
# the duality gap


def _classification(data, loss):
    X, y = data
    return X[:150], y[:150]


CASES = [
    ("squared", 0.0),
    ("squared", 0.5),
    ("squared", 1.0),
    ("logistic", 0.0),
    ("logistic", 0.5),
    ("logistic", 1.0),
    ("multinomial", 0.5),
    ("multinomial", 1.0),
]


@pytest.mark.parametrize("loss_name,l1_ratio", CASES)
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gap_is_nonnegative_and_bounds_suboptimality(
    loss_name, l1_ratio, positive, fit_intercept, diabetes, breast_cancer, wine, make_weights
):
    """Weak duality: ``gap(A) >= P(A) - P* >= P(A) - P(B)`` for any feasible ``A``, ``B``."""
    if loss_name == "squared":
        X, y = diabetes
        loss, alpha = SQ, 0.5
    elif loss_name == "logistic":
        X, y = breast_cancer
        loss, alpha = LOG, 0.02
    else:
        X, y = wine
        loss, alpha = MULTI, 0.02
    X = np.asfortranarray(X[:150, :10])
    y = y[:150]
    pf = np.ones(X.shape[1])
    pf[[0, 3]] = [0.0, 2.0]
    pb = make_problem(
        X,
        y,
        loss,
        alpha,
        l1_ratio,
        pf=pf,
        sw=make_weights(150),
        positive=positive,
        fit_intercept=fit_intercept,
    )
    best = solve(pb, tol=1e-10, max_iter=500, warn=False)
    P_best = primal(pb, best.coef, best.intercept)
    rng = np.random.default_rng(0)
    for scale in (0.0, 1e-3, 0.1, 1.0):
        for _ in range(3):
            W = best.coef + scale * rng.standard_normal(best.coef.shape)
            b = best.intercept + scale * rng.standard_normal(best.intercept.shape)
            if not fit_intercept:
                b = np.zeros_like(b)
            if positive:
                W = np.abs(W)
            gap = duality_gap(pb, W, b)
            P_A = primal(pb, W, b)
            assert np.isfinite(gap) and gap >= 0
            assert gap >= P_A - P_best - 1e-12 * abs(P_best), (scale, gap, P_A - P_best)
    # zero coefficients with optimal intercept: gap_at_zero bounds P(0) - P*
    W0 = np.zeros_like(best.coef)
    b0 = np.asarray(losses.intercept_at_zero(loss, pb.Y, pb.s)) if fit_intercept else 0 * b
    assert gap_at_zero(pb) >= primal(pb, W0, b0) - P_best - 1e-12 * abs(P_best)


@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_gap_vanishes_at_sklearn_elasticnet_optimum(
    l1_ratio, fit_intercept, weighted, diabetes, make_weights
):
    X, y = diabetes
    sw = make_weights(X.shape[0]) if weighted else None
    alpha = 3.0
    sk = ElasticNet(
        alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-14, max_iter=10**6
    ).fit(X, y, sample_weight=sw)
    assert 0 < np.count_nonzero(sk.coef_) < X.shape[1]
    pb = make_problem(X, y, SQ, alpha, l1_ratio, sw=sw, fit_intercept=fit_intercept)
    gap = duality_gap(pb, sk.coef_[None, :], np.array([sk.intercept_]))
    assert 0 <= gap <= 1e-10 * gap_at_zero(pb)


@pytest.mark.parametrize("dataset", ["breast_cancer", "wine"])
@pytest.mark.parametrize("l1_ratio,solver", [(0.0, "newton-cg"), (0.5, "saga"), (1.0, "saga")])
def test_gap_vanishes_at_sklearn_logistic_optimum(dataset, l1_ratio, solver, request):
    X, y = request.getfixturevalue(dataset)
    n = X.shape[0]
    alpha = 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = LogisticRegression(
            C=1 / (n * alpha), l1_ratio=l1_ratio, solver=solver, tol=1e-14, max_iter=5000
        ).fit(X, y)
    loss = LOG if dataset == "breast_cancer" else MULTI
    pb = make_problem(X, y, loss, alpha, l1_ratio)
    gap = duality_gap(pb, sk.coef_, sk.intercept_)
    # saga is first order: with an L1 part its iterate is ~1e-10 off, and an L1 gap is
    # linear (not quadratic) in that distance
    rel = 1e-10 if solver == "newton-cg" else 1e-8
    assert 0 <= gap <= rel * gap_at_zero(pb)


@pytest.mark.parametrize("dataset", ["diabetes", "wide_regression"])
@pytest.mark.parametrize("delta", [1e-3, 1e-5, 1e-7, 1e-9])
def test_gap_certifies_suboptimality_near_the_optimum(dataset, delta, request):
    """Ridge (no intercept): ``P(w* + d) - P* = d @ H @ d / 2`` exactly, with no cancellation.

    The gap must stay an upper bound of it (up to the solvers' own rounding floor
    ``100 * eps**2 * P(0)``), also for tiny perturbations: this is what makes
    ``dual_gap_`` a certificate and the stopping rule trustworthy at tight ``tol``.
    """
    X, y = request.getfixturevalue(dataset)
    n, p = X.shape
    l2 = 1.0
    H = X.T @ X / n + l2 * np.eye(p)
    w_star = np.linalg.solve(H, X.T @ y / n)
    pb = make_problem(X, y, SQ, l2, 0.0, fit_intercept=False)
    floor = 100 * np.finfo(float).eps ** 2 * 0.5 * np.mean(y**2)
    rng = np.random.default_rng(1)
    for _ in range(3):
        d = delta * rng.standard_normal(p)
        subopt = 0.5 * d @ H @ d
        gap = duality_gap(pb, (w_star + d)[None, :], np.zeros(1))
        assert gap >= subopt - floor, (gap, subopt)


# ---------------------------------------------------------------------------
# alpha_max


@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("positive", [False, True])
def test_alpha_max_regression(l1_ratio, fit_intercept, weighted, positive, diabetes, make_weights):
    X, y = diabetes
    sw = make_weights(X.shape[0]) if weighted else None
    amax, _ = ref_alpha_max(
        X, y, SQ, l1_ratio, sw=sw, fit_intercept=fit_intercept, positive=positive
    )
    got = skdecay.alpha_max(
        X, y, l1_ratio=l1_ratio, fit_intercept=fit_intercept, sample_weight=sw, positive=positive
    )
    assert got == pytest.approx(amax, rel=1e-10)
    pb = make_problem(
        X, y, SQ, 1.0, l1_ratio, sw=sw, fit_intercept=fit_intercept, positive=positive
    )
    assert problem_alpha_max(pb) == pytest.approx(amax, rel=1e-10)

    est = ElasticNetRegressor(
        alpha=amax * (1 + 1e-9), l1_ratio=l1_ratio, fit_intercept=fit_intercept, positive=positive
    )
    est.fit(X, y, sample_weight=sw)
    assert np.all(est.coef_ == 0)
    assert est.n_iter_ == 1
    s = np.ones(X.shape[0]) if sw is None else sw
    expected_b = np.dot(s, y) / s.sum() if fit_intercept else 0.0
    assert est.intercept_ == pytest.approx(expected_b, rel=1e-12, abs=1e-12)
    if l1_ratio == 1.0:
        las = LassoRegressor(
            alpha=amax * (1 + 1e-9), fit_intercept=fit_intercept, positive=positive
        ).fit(X, y, sample_weight=sw)
        assert np.all(las.coef_ == 0) and las.n_iter_ == 1
    # just below: something enters
    est.set_params(alpha=0.99 * amax).fit(X, y, sample_weight=sw)
    assert np.count_nonzero(est.coef_) >= 1


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_just_below_alpha_max_one_lasso_coefficient(fit_intercept, diabetes):
    X, y = diabetes
    amax, G = ref_alpha_max(X, y, SQ, 1.0, fit_intercept=fit_intercept)
    est = LassoRegressor(alpha=0.99 * amax, fit_intercept=fit_intercept, tol=1e-10).fit(X, y)
    nz = np.flatnonzero(est.coef_)
    j = np.argmax(np.abs(G[0]))
    assert nz.tolist() == [j]
    assert np.sign(est.coef_[j]) == np.sign(G[0, j])


@pytest.mark.parametrize("dataset", ["breast_cancer", "wine"])
@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_alpha_max_classifier(dataset, l1_ratio, fit_intercept, weighted, request, make_weights):
    X, y = request.getfixturevalue(dataset)
    loss = LOG if dataset == "breast_cancer" else MULTI
    sw = make_weights(X.shape[0]) if weighted else None
    amax, G = ref_alpha_max(X, y, loss, l1_ratio, sw=sw, fit_intercept=fit_intercept)
    got = skdecay.alpha_max(
        X, y, l1_ratio=l1_ratio, loss="logistic", fit_intercept=fit_intercept, sample_weight=sw
    )
    assert got == pytest.approx(amax, rel=1e-10)
    clf = ElasticNetClassifier(
        alpha=amax * (1 + 1e-9), l1_ratio=l1_ratio, fit_intercept=fit_intercept
    ).fit(X, y, sample_weight=sw)
    assert np.all(clf.coef_ == 0)
    assert clf.n_iter_ == 1
    if loss == LOG and l1_ratio == 1.0:
        clf.set_params(alpha=0.99 * amax, tol=1e-10).fit(X, y, sample_weight=sw)
        assert np.flatnonzero(clf.coef_[0]).tolist() == [np.argmax(np.abs(G[0]))]


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    loss=st.sampled_from([SQ, LOG, MULTI]),
    l1_ratio=st.floats(0.05, 1.0),
    factor=st.floats(1.0 + 1e-9, 100.0),
    fit_intercept=st.booleans(),
    positive=st.booleans(),
    sparse=st.booleans(),
)
def test_alpha_at_least_alpha_max_gives_zero_property(
    seed, loss, l1_ratio, factor, fit_intercept, positive, sparse
):
    rng = np.random.default_rng(seed)
    n, p = 30, 6
    X = rng.standard_normal((n, p)) * rng.uniform(0.1, 3, p)
    if loss == SQ:
        y = X @ rng.standard_normal(p) + rng.standard_normal(n) + 2
    else:
        y = np.arange(n) % (2 if loss == LOG else 3)
        rng.shuffle(y)
        X[:, 0] += 0.8 * y  # some signal
    sw = rng.uniform(0.2, 3, n)
    amax, _ = ref_alpha_max(
        X, y, loss, l1_ratio, sw=sw, fit_intercept=fit_intercept, positive=positive
    )
    if amax == 0:
        return
    Xin = sp.csc_matrix(X) if sparse else np.asfortranarray(X)
    pb = make_problem(
        Xin, y, loss, amax * factor, l1_ratio, sw=sw, positive=positive, fit_intercept=fit_intercept
    )
    res = solve(pb, tol=1e-6, max_iter=100)
    assert np.all(res.coef == 0)
    assert res.n_iter == 1 and res.converged


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_classifier_above_alpha_max_stops_at_once(n_classes, seed):
    """Zero is optimal from alpha_max on: the first gap check must certify it (n_iter_ 1),
    also when the optimal intercept is exactly 0 (balanced classes)."""
    rng = np.random.default_rng(seed)
    n, p = 30, 6
    X = rng.standard_normal((n, p))
    y = np.arange(n) % n_classes
    rng.shuffle(y)
    X[:, 0] += 0.8 * y
    amax, _ = ref_alpha_max(X, y, LOG if n_classes == 2 else MULTI, 1.0)
    clf = ElasticNetClassifier(alpha=2 * amax, l1_ratio=1.0).fit(X, y)
    assert np.all(clf.coef_ == 0)
    assert clf.n_iter_ == 1


@pytest.mark.parametrize("positive", [False, True])
def test_alpha_max_with_unpenalized_features(positive, diabetes):
    """Unpenalised features are fitted first; alpha_max is the gradient at that fit.

    Under ``positive`` the unpenalised fit is a non-negative least squares (feature 1
    has a negative effect, so its constraint is active) and only positive gradients count.
    """
    X, y = diabetes
    free = [1, 2, 3, 8]
    pf = np.ones(X.shape[1])
    pf[free] = 0.0
    Xc, yc = X[:, free] - X[:, free].mean(0), y - y.mean()  # the intercept is free
    if positive:
        beta = nnls(Xc, yc)[0]
        assert beta[0] == 0
    else:
        beta = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    r = yc - Xc @ beta
    G = X.T @ r / len(y)
    amax = np.max((np.maximum(G, 0) if positive else np.abs(G))[pf > 0])
    got = skdecay.alpha_max(X, y, penalty_factor=pf, positive=positive)
    assert got == pytest.approx(amax, rel=1e-8)
    est = LassoRegressor(
        alpha=amax * (1 + 1e-7), penalty_factor=pf, positive=positive, tol=1e-12
    ).fit(X, y)
    assert np.all(est.coef_[pf > 0] == 0)
    np.testing.assert_allclose(est.coef_[free], beta, rtol=1e-7, atol=1e-9)
    below = clone(est).set_params(alpha=0.98 * amax).fit(X, y)
    assert np.any(below.coef_[pf > 0] != 0)


# ---------------------------------------------------------------------------
# the stopping rule and the result


def _fitted_problem(est, X, y, sw):
    """Rebuild the problem an estimator solved, from its documented objective."""
    n, p = X.shape
    params = est.get_params()
    pf = params.get("penalty_factor")
    if isinstance(est, ElasticNetClassifier):
        loss = LOG if len(np.unique(y)) == 2 else MULTI
        alpha, l1_ratio = est.alpha, est.l1_ratio
    elif isinstance(est, RidgeRegressor):
        loss, l1_ratio = SQ, 0.0
        alpha = est.alpha / (n if sw is None else np.sum(sw))
    else:
        loss = SQ
        alpha = est.alpha
        l1_ratio = 1.0 if isinstance(est, LassoRegressor) else est.l1_ratio
    return make_problem(
        X,
        y,
        loss,
        alpha,
        l1_ratio,
        pf=pf,
        sw=sw,
        positive=est.positive,
        fit_intercept=est.fit_intercept,
    )


FITTED = [
    ("diabetes", ElasticNetRegressor(alpha=0.3, l1_ratio=0.5)),
    ("diabetes", LassoRegressor(alpha=0.5)),
    ("diabetes", RidgeRegressor(alpha=10.0, solver="cd")),
    ("wide_regression", LassoRegressor(alpha=1.0)),
    ("sparse_regression", ElasticNetRegressor(alpha=0.01, l1_ratio=0.7)),
    ("sparse_regression", RidgeRegressor(alpha=1.0, solver="cd", fit_intercept=False)),
    ("breast_cancer", ElasticNetClassifier(alpha=0.01, l1_ratio=0.5)),
    ("wine", ElasticNetClassifier(alpha=0.01, l1_ratio=1.0)),
]


@pytest.mark.parametrize(
    "dataset,est", FITTED, ids=lambda v: type(v).__name__ if not isinstance(v, str) else v
)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("tol", [1e-4, 1e-8])
def test_fitted_dual_gap_within_tolerance(dataset, est, weighted, tol, request, make_weights):
    X, y = request.getfixturevalue(dataset)
    sw = make_weights(X.shape[0]) if weighted else None
    est = est.set_params(tol=tol)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y, sample_weight=sw)
    pb = _fitted_problem(est, X, y, sw)
    gap0 = gap_at_zero(pb)
    assert 0 <= est.dual_gap_ <= tol * gap0
    W = np.atleast_2d(est.coef_)
    b = np.atleast_1d(est.intercept_)
    assert duality_gap(pb, W, b) <= tol * gap0 * (1 + 1e-6)
    assert est.n_iter_ >= 1


@pytest.mark.parametrize("loss_name", ["squared", "logistic", "multinomial"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_solve_result(loss_name, dtype, diabetes, breast_cancer, wine):
    X, y = {"squared": diabetes, "logistic": breast_cancer, "multinomial": wine}[loss_name]
    loss = {"squared": SQ, "logistic": LOG, "multinomial": MULTI}[loss_name]
    alpha = {"squared": 0.5, "logistic": 0.01, "multinomial": 0.01}[loss_name]
    X = np.asfortranarray(X, dtype=dtype)
    pb = make_problem(X, y, loss, alpha, 0.5)
    tol = 1e-6
    res = solve(pb, tol=tol, max_iter=500)
    K = pb.Y.shape[1]
    assert res.coef.shape == (K, X.shape[1]) and res.intercept.shape == (K,)
    assert res.coef.dtype == dtype and res.intercept.dtype == dtype
    assert res.converged
    assert res.gap_zero == pytest.approx(gap_at_zero(pb), rel=1e-10)
    assert 0 <= res.dual_gap <= tol * res.gap_zero
    if loss == MULTI:
        assert abs(res.intercept.sum()) <= 1e-6 * np.abs(res.intercept).max()
    # the objective went down from the starting point (zero coefficients)
    W0 = np.zeros_like(res.coef, dtype=float)
    b0 = losses.intercept_at_zero(loss, pb.Y.astype(float), pb.s.astype(float))
    assert primal(pb, res.coef, res.intercept) < primal(pb, W0, b0)


def test_solve_sparse_equals_dense(sparse_regression):
    X, y = sparse_regression
    Xd = np.asfortranarray(X.toarray())
    res_s = solve(make_problem(X, y, SQ, 0.02, 0.8), tol=1e-12, max_iter=5000)
    res_d = solve(make_problem(Xd, y, SQ, 0.02, 0.8), tol=1e-12, max_iter=5000)
    np.testing.assert_allclose(res_s.coef, res_d.coef, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(res_s.intercept, res_d.intercept, rtol=1e-8, atol=1e-10)
    assert sp.issparse(X)


def test_not_converged_warns(wide_regression):
    X, y = wide_regression
    with pytest.warns(ConvergenceWarning, match="not converged"):
        est = LassoRegressor(alpha=0.1, tol=1e-12, max_iter=1).fit(X, y)
    assert est.n_iter_ == 1
    pb = make_problem(X, y, SQ, 0.1, 1.0)
    res = solve(pb, tol=1e-12, max_iter=1, warn=False)
    assert not res.converged and res.n_iter == 1 and res.dual_gap > 1e-12 * res.gap_zero


@pytest.mark.parametrize(
    "est,dtype,tol",
    [
        (LassoRegressor(alpha=0.5), np.float64, 0.0),
        (ElasticNetRegressor(alpha=0.5), np.float64, 0.0),
        (LassoRegressor(alpha=0.5), np.float32, 1e-8),
    ],
    ids=["lasso-float64-tol0", "enet-float64-tol0", "lasso-float32-tol1e-8"],
)
def test_tiny_tol_stops_at_the_rounding_floor(est, dtype, tol, diabetes):
    """``tol=0`` is allowed; the module promises a target "never below a rounding floor
    of the working precision", so the solver must converge instead of running to max_iter
    (likewise a float32 fit asking for more than float32 can resolve)."""
    X, y = diabetes
    est.set_params(tol=tol, max_iter=300)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X.astype(dtype), y)
    assert est.n_iter_ < 300


# ---------------------------------------------------------------------------
# working sets, Anderson extrapolation, the path cache


def _wide_problem(seed=0, n=50, p=400):
    rng = np.random.default_rng(seed)
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = X[:, :8] @ rng.standard_normal(8) + 0.1 * rng.standard_normal(n)
    return X, y


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
def test_working_set_cd_matches_sklearn_and_full_cd(sparse, l1_ratio):
    """p >> working-set start: the working-set solver agrees with scikit-learn (run
    tight) and with plain CD over every coordinate, and its certificate holds."""
    X, y = _wide_problem()
    Xs = sp.csc_matrix(X) if sparse else X
    amax = np.max(np.abs(X.T @ (y - y.mean()))) / (X.shape[0] * l1_ratio)
    pb = make_problem(Xs, y, SQ, amax / 30, l1_ratio)
    W0 = np.zeros((1, X.shape[1]))
    b0 = np.array([y.mean()])
    ws = skdecay.solvers.coordinate_descent(pb, W0, b0, tol=1e-10, max_iter=20000)
    full = skdecay.solvers.coordinate_descent(
        pb, W0, b0, tol=1e-10, max_iter=20000, working_set=False, anderson=0
    )
    sk = ElasticNet(alpha=amax / 30, l1_ratio=l1_ratio, tol=1e-14, max_iter=100_000).fit(X, y)
    assert ws.converged and full.converged
    assert 0 < np.count_nonzero(ws.coef) < 100  # sparse solution: the set mattered
    np.testing.assert_allclose(ws.coef[0], sk.coef_, atol=1e-6)
    np.testing.assert_allclose(ws.coef, full.coef, atol=1e-6)
    assert ws.intercept[0] == pytest.approx(sk.intercept_, abs=1e-6)
    assert duality_gap(pb, ws.coef, ws.intercept) <= 1e-10 * ws.gap_zero * (1 + 1e-6)
    assert primal(pb, ws.coef, ws.intercept) <= primal(pb, sk.coef_, sk.intercept_) + 1e-12


def test_anderson_extrapolation_recovers_an_affine_fixed_point():
    """For iterates of an affine map x -> A x + c, Anderson's combination of k + 1
    iterates with k > dim is the fixed point (numpy reference: a linear solve): k
    differences in dim < k dimensions combine to zero."""
    rng = np.random.default_rng(0)
    d = 4
    A = rng.standard_normal((d, d))
    A *= 0.9 / np.max(np.abs(np.linalg.eigvals(A)))
    c = rng.standard_normal(d)
    fixed = np.linalg.solve(np.eye(d) - A, c)
    acc = skdecay.solvers.cd._Anderson(d + 1, d, np.zeros(3))
    x = np.zeros(d)
    full = False
    for k in range(d + 2):
        full = acc.push(x, np.full(3, float(k)), float(k))
        x = A @ x + c
    assert full
    w_e, q_e, d_e = acc.extrapolate()
    np.testing.assert_allclose(w_e, fixed, rtol=1e-8, atol=1e-10)
    # the residual and the intercept shift are combined with the same affine weights
    assert q_e == pytest.approx(np.full(3, d_e)) and np.isfinite(d_e)


def test_working_set_ranking():
    V = np.array([0.5, 0.9, 0.1, 0.95, 0.2, 0.0])
    w = np.array([0.0, 0.0, 1.0, 0.0, 0.0, 0.0])
    l1 = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0])  # the last one is unpenalised
    free = ElasticNetPenalty(1.0, 1.0, l1)
    ws = skdecay.solvers.cd.rank_working_set(free.entry_slope(V), w, l1, 3)
    assert list(ws) == [2, 3, 5]  # nonzero, unpenalised, then the largest |V_j| / l1_j
    ws = skdecay.solvers.cd.rank_working_set(free.entry_slope(V), w, l1, 4)
    assert list(ws) == [1, 2, 3, 5]
    positive = ElasticNetPenalty(1.0, 1.0, l1, positive=True)
    mag = positive.entry_slope(-V)  # positive: only V_j > 0 help
    np.testing.assert_array_equal(mag, 0.0)
    ws = skdecay.solvers.cd.rank_working_set(mag, w, l1, 3)
    assert set(ws) >= {2, 5}


def test_prox_newton_working_set_matches_full_and_sklearn():
    X, y = _wide_problem(seed=1, n=80, p=300)
    yb = (y > np.median(y)).astype(float)
    pb = make_problem(X, yb, LOG, 0.02, 1.0, fit_intercept=False)
    W0, b0 = np.zeros((1, X.shape[1])), np.zeros(1)
    ws = skdecay.solvers.prox_newton(pb, W0, b0, tol=1e-10, max_iter=200)
    full = skdecay.solvers.prox_newton(pb, W0, b0, tol=1e-10, max_iter=200, working_set=False)
    sk = LogisticRegression(
        C=1 / (80 * 0.02),
        l1_ratio=1.0,
        solver="liblinear",
        fit_intercept=False,
        tol=1e-12,
        max_iter=100_000,
    ).fit(X, yb)
    assert ws.converged and full.converged
    np.testing.assert_allclose(ws.coef, full.coef, atol=1e-6)
    np.testing.assert_allclose(ws.coef[0], sk.coef_[0], atol=1e-4)
    assert duality_gap(pb, ws.coef, ws.intercept) <= 1e-10 * ws.gap_zero * (1 + 1e-6)


def test_path_cache_is_shared_and_tied_to_the_arrays():
    """``pb.at(alpha)`` shares the cache (warm-started path); a problem on
    other arrays never reuses its entries; results equal cache-free solves."""
    from dataclasses import replace

    X, y = _wide_problem(seed=2)
    pb = make_problem(X, y, SQ, 0.05, 1.0)
    py = {"tol": 1e-9, "compiled": False}  # the cache belongs to the Python solver
    res = solve(pb, **py)
    assert pb.cache  # moments, the zero dual point and the last residual
    pb2 = pb.at(0.03)
    assert pb2.cache is pb.cache
    warm = solve(pb2, res.coef, res.intercept, **py)
    cold = solve(make_problem(X, y, SQ, 0.03, 1.0), res.coef, res.intercept, **py)
    np.testing.assert_allclose(warm.coef, cold.coef, atol=1e-8)
    assert warm.gap_zero == pytest.approx(cold.gap_zero, rel=1e-12)
    # same cache, different X (e.g. a CV fold): nothing stale is used
    X3 = np.asfortranarray(X * 2.0)
    pb3 = replace(pb, X=X3)
    got = solve(pb3, res.coef, res.intercept, **py)
    ref = solve(make_problem(X3, y, SQ, 0.05, 1.0), **py)
    np.testing.assert_allclose(got.coef, ref.coef, atol=1e-8)


def test_extrapolated_start_caches_the_exact_residual_and_lowers_the_objective():
    """The secant warm start of a path: signs kept, objective lowered at the new alpha,
    and the residual it caches for the solver is the true ``y - X w - b``."""

    from skdecay.solvers import extrapolated_start, objective

    rng = np.random.default_rng(3)
    X = np.asfortranarray(rng.standard_normal((80, 40)))
    y = X[:, :6] @ rng.standard_normal(6) + 0.1 * rng.standard_normal(80) + 3.0
    pb = make_problem(X, y, SQ, 1.0, 0.7)
    amax = problem_alpha_max(pb)
    alphas = amax * np.array([0.3, 0.3 * 0.8, 0.3 * 0.8**2])
    py = {"tol": 1e-12, "compiled": False}  # the residual cache of the Python solver
    r0 = solve(pb.at(alphas[0]), **py)
    r1 = solve(pb.at(alphas[1]), r0.coef, r0.intercept, **py)
    pb2 = pb.at(alphas[2])
    W, b = extrapolated_start(pb2, r1.coef, r1.intercept, r0.coef, 1.0)
    assert not np.array_equal(W, r1.coef)
    assert np.all((np.sign(W) == np.sign(r1.coef)) | (W == 0))
    assert objective(pb2, W, b) < objective(pb2, r1.coef, r1.intercept)
    cached = pb.cache.get(pb, "cd_residual", (True,))
    np.testing.assert_array_equal(cached[0], W[0])
    np.testing.assert_allclose(cached[2], y - X @ W[0] - b[0], rtol=0, atol=1e-12)
    # the solve from there reaches the same solution as from the plain warm start
    ref = solve(pb2, r1.coef, r1.intercept, **py)
    got = solve(pb2, W, b, **py)
    np.testing.assert_allclose(got.coef, ref.coef, atol=1e-9)
    # next step: the residual comes from the two cached ones (affine in w, b), with
    # clipped coordinates put back; it must still be the true residual
    pb3 = pb.at(alphas[2] * 0.8)
    W3, b3 = extrapolated_start(pb3, got.coef, got.intercept, r1.coef, 1.0)
    assert not np.array_equal(W3, got.coef)
    cached = pb.cache.get(pb, "cd_residual", (True,))
    np.testing.assert_array_equal(cached[0], W3[0])
    np.testing.assert_allclose(cached[2], y - X @ W3[0] - b3[0], rtol=0, atol=1e-11)
