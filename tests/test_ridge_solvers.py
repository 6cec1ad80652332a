"""RidgeRegressor's conjugate-gradient solver against the direct (Cholesky) solve.

``solver="cg"`` solves the ridge normal equations with X centred and weighted
implicitly; ``solver="auto"`` tries it (capped) on large dense tall problems and
falls back to Cholesky when it does not converge fast enough.
"""

import tracemalloc
import warnings
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

import skdecay._ridge as rd
import skdecay.linear_model as lm
from skdecay import RidgeRegressor, losses
from skdecay.solvers import duality_gap, gap_at_zero


def _data(n=300, p=40, seed=0, dtype=np.float64):
    """Tall regression with offset, unevenly scaled columns (Jacobi has work to do)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * np.logspace(-1, 1, p) + rng.uniform(-3, 3, p)
    y = X @ rng.standard_normal(p) + 5.0 + rng.standard_normal(n)
    return np.asfortranarray(X, dtype=dtype), y.astype(dtype)


def _exact(X, y, alpha, sw=None, pf=None, fit_intercept=True):
    """The ridge solution from the weighted normal equations, in float64."""
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n, p = X.shape
    sw = np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64)
    pf = np.ones(p) if pf is None else np.asarray(pf, dtype=np.float64)
    A = np.column_stack([X, np.ones(n)]) if fit_intercept else X
    D = np.diag(np.append(alpha * pf, 0.0) if fit_intercept else alpha * pf)
    beta = np.linalg.solve(A.T @ (sw[:, None] * A) + D, A.T @ (sw * y))
    return (beta[:-1], beta[-1]) if fit_intercept else (beta, 0.0)


def _problem(X, y, alpha, sw=None, pf=None, fit_intercept=True):
    """The solver's problem exactly as RidgeRegressor builds it."""
    pb, raw = lm._problem(X, y[:, None], sw, losses.SQUARED, 0.0, 0.0, pf, False, fit_intercept)
    return replace(pb, alpha=alpha / float(np.sum(raw, dtype=np.float64)))


def _rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


# ---------------------------------------------------------------------------
# cg equals the direct solve


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("penalty", ["none", "factors", "zero factor"])
def test_cg_matches_cholesky_float64(fit_intercept, weighted, penalty):
    X, y = _data()
    n, p = X.shape
    rng = np.random.default_rng(1)
    sw = rng.uniform(0.2, 3.0, n) if weighted else None
    pf = {
        "none": None,
        "factors": np.linspace(0.2, 4.0, p),
        "zero factor": np.r_[0.0, 0.0, np.linspace(0.5, 2.0, p - 2)],  # unpenalised features
    }[penalty]
    kw = {"alpha": 30.0, "fit_intercept": fit_intercept, "penalty_factor": pf}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        cg = RidgeRegressor(solver="cg", tol=1e-12, **kw).fit(X, y, sample_weight=sw)
    chol = RidgeRegressor(solver="cholesky", **kw).fit(X, y, sample_weight=sw)
    w, b = _exact(X, y, 30.0, sw, pf, fit_intercept)
    assert cg.n_iter_ > 1
    assert _rel(chol.coef_, w) <= 1e-10
    assert _rel(cg.coef_, chol.coef_) <= 1e-8
    assert cg.intercept_ == pytest.approx(chol.intercept_, rel=1e-8, abs=1e-10)
    assert cg.dual_gap_ <= 1e-12 * gap_at_zero(_problem(X, y, 30.0, sw, pf, fit_intercept))


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_cg_matches_cholesky_float32(fit_intercept, weighted):
    X, y = _data(dtype=np.float32)
    sw = np.random.default_rng(1).uniform(0.2, 3.0, X.shape[0]) if weighted else None
    kw = {"alpha": 30.0, "fit_intercept": fit_intercept}
    cg = RidgeRegressor(solver="cg", tol=1e-8, **kw).fit(X, y, sample_weight=sw)
    chol = RidgeRegressor(solver="cholesky", **kw).fit(X, y, sample_weight=sw)
    w, b = _exact(X, y, 30.0, sw, None, fit_intercept)
    assert cg.coef_.dtype == np.float32 and chol.coef_.dtype == np.float32
    assert np.asarray(cg.intercept_).dtype == np.float32
    assert cg.predict(X).dtype == np.float32
    # float32 rounding: both within ~1e-5 of the float64 solution
    assert _rel(cg.coef_, w) <= 2e-5
    assert _rel(cg.coef_, chol.coef_) <= 4e-5
    assert cg.intercept_ == pytest.approx(b, rel=1e-4, abs=1e-4)


def test_cg_wide_and_unregularised():
    """n < p and alpha = 0 work too (CG finds the minimum-norm-free least squares)."""
    rng = np.random.default_rng(3)
    X = np.asfortranarray(rng.standard_normal((50, 120)))
    y = X @ rng.standard_normal(120)
    cg = RidgeRegressor(alpha=2.0, solver="cg", tol=1e-12).fit(X, y)
    chol = RidgeRegressor(alpha=2.0, solver="cholesky").fit(X, y)
    assert _rel(cg.coef_, chol.coef_) <= 1e-8
    X, y = _data(n=200, p=10)
    cg = RidgeRegressor(alpha=0.0, solver="cg", tol=1e-12).fit(X, y)
    w, b = _exact(X, y, 0.0)
    assert _rel(cg.coef_, w) <= 1e-8
    assert cg.intercept_ == pytest.approx(b, rel=1e-8)


# ---------------------------------------------------------------------------
# the closed-form gap


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_closed_form_gap_equals_duality_gap(fit_intercept, weighted, dtype):
    X, y = _data(dtype=dtype)
    n, p = X.shape
    sw = np.random.default_rng(2).uniform(0.2, 3.0, n) if weighted else None
    pf = np.linspace(0.5, 2.0, p)
    pb = _problem(X, y, 10.0, sw, pf, fit_intercept)
    seen = []

    def check(k, w, b, estimate):
        assert w.dtype == dtype and b.dtype == dtype
        seen.append((k, estimate, duality_gap(pb, w[None, :], b)))

    res = rd._ridge_cg(pb, tol=1e-9, callback=check)
    assert res.converged
    rtol = 1e-9 if dtype == np.float64 else 2e-3
    early = [(k, e, g) for k, e, g in seen if k <= 6]
    assert len(early) == 7
    for k, estimate, gap in early:
        assert estimate == pytest.approx(gap, rel=rtol), k
    # the reference of tol: the closed form at zero equals the package's gap at zero
    assert seen[0][1] == pytest.approx(gap_at_zero(pb), rel=rtol)
    assert res.gap_zero == pytest.approx(gap_at_zero(pb), rel=rtol)
    assert res.dual_gap == pytest.approx(duality_gap(pb, res.coef, res.intercept), rel=1e-12)


@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-7, 1e-10])
@pytest.mark.parametrize("weighted", [False, True])
def test_gap_stopping_rule(tol, weighted):
    """dual_gap_ (the certificate) <= tol * gap at zero, and more iterations for smaller tol."""
    X, y = _data(n=400, p=60, seed=5)
    sw = np.random.default_rng(2).uniform(0.2, 3.0, X.shape[0]) if weighted else None
    est = RidgeRegressor(alpha=3.0, solver="cg", tol=tol).fit(X, y, sample_weight=sw)
    pb = _problem(X, y, 3.0, sw)
    assert est.dual_gap_ <= tol * gap_at_zero(pb)
    assert est.dual_gap_ == pytest.approx(
        duality_gap(pb, est.coef_[None, :], np.array([est.intercept_])), rel=1e-9
    )
    w, _ = _exact(X, y, 3.0, sw)
    # the gap is quadratic in the error: the error is about sqrt(tol) relative at most
    assert _rel(est.coef_, w) <= 30 * np.sqrt(tol)


def test_cg_not_converged_warns():
    X, y = _data(seed=4)
    with pytest.warns(ConvergenceWarning, match="not converged after 2 iterations"):
        est = RidgeRegressor(alpha=0.1, solver="cg", tol=1e-12, max_iter=2).fit(X, y)
    assert est.n_iter_ == 2


def test_cg_warm_start():
    X, y = _data(seed=6)
    est = RidgeRegressor(alpha=1.0, solver="cg", tol=1e-10, warm_start=True).fit(X, y)
    first = est.n_iter_
    est.fit(X, y)  # from the solution: nothing left to do
    assert first > 3 and est.n_iter_ == 1


# ---------------------------------------------------------------------------
# solver="auto"


def _tall(n=8000, p=300, seed=0):
    """Tall, well conditioned (p / n small, alpha ~ n): CG meets tol=1e-4 in ~5 steps."""
    rng = np.random.default_rng(seed)
    X = np.asfortranarray(rng.standard_normal((n, p)) + 2.0)
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    return X, y, float(n)


def test_auto_uses_cg_on_well_conditioned_tall_data():
    X, y, alpha = _tall()
    cap = rd._cg_cap(_problem(X, y, alpha), 1000)
    assert cap >= 5
    auto = RidgeRegressor(alpha=alpha).fit(X, y)  # tol=1e-4
    assert 1 < auto.n_iter_ <= cap  # CG, not the direct solve
    pb = _problem(X, y, alpha)
    assert auto.dual_gap_ <= 1e-4 * gap_at_zero(pb)
    w, b = _exact(X, y, alpha)
    assert _rel(auto.coef_, w) <= 1e-4
    assert auto.intercept_ == pytest.approx(b, rel=1e-4)
    # a tol CG cannot meet within the cap: the direct solve, exact
    tight = RidgeRegressor(alpha=alpha, tol=1e-12).fit(X, y)
    assert tight.n_iter_ == 1
    assert _rel(tight.coef_, w) <= 1e-10


def test_auto_falls_back_to_cholesky_on_ill_conditioned_data(monkeypatch):
    rng = np.random.default_rng(0)
    n, p = 1200, 300
    X = rng.standard_normal((n, 8)) @ rng.standard_normal((8, p))
    X = np.asfortranarray(X + 1e-3 * rng.standard_normal((n, p)))  # nearly rank 8
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    passes = []
    product = rd._cg_product
    monkeypatch.setattr(rd, "_cg_product", lambda *a: passes.append(1) or product(*a))
    cap = rd._cg_cap(_problem(X, y, 1e-6), 1000)
    auto = RidgeRegressor(alpha=1e-6, tol=1e-8).fit(X, y)
    assert 0 < len(passes) <= cap  # CG was tried, and given up within the cap
    chol = RidgeRegressor(alpha=1e-6, solver="cholesky").fit(X, y)
    assert auto.n_iter_ == 1
    np.testing.assert_array_equal(auto.coef_, chol.coef_)
    w, b = _exact(X, y, 1e-6)
    assert _rel(auto.coef_, w) <= 1e-6
    assert auto.intercept_ == pytest.approx(b, rel=1e-6)


@pytest.mark.parametrize(
    "X, pf, alpha",
    [
        (np.ones((400, 100)), None, 1.0),  # small p: the direct solve is cheap
        (np.ones((200, 400)), None, 1.0),  # wide: the kernel form
        (np.ones((800, 300)), np.r_[0.0, np.ones(299)], 1.0),  # unpenalised feature
        (np.ones((800, 300)), None, 0.0),  # least squares
    ],
)
def test_auto_goes_direct(X, pf, alpha):
    y = np.zeros(X.shape[0])
    assert rd._cg_cap(_problem(X, y, alpha, pf=pf), 1000) == 0


# ---------------------------------------------------------------------------
# inputs are respected


@pytest.mark.parametrize("solver", ["cg", "auto"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_X_is_neither_modified_nor_copied(solver, dtype):
    X, y, alpha = _tall()
    X, y = np.asfortranarray(X, dtype=dtype), y.astype(dtype)
    sw = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0])
    X0, y0, sw0 = X.copy(), y.copy(), sw.copy()
    est = RidgeRegressor(alpha=alpha, solver=solver)
    tracemalloc.start()
    try:
        est.fit(X, y, sample_weight=sw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert est.n_iter_ > 1  # auto chose CG
    assert peak < 0.25 * X.nbytes  # neither centred nor weighted copies of X
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(sw, sw0)
    assert est.coef_.dtype == dtype


def test_cg_rejects_sparse_and_positive():
    X, y = _data()
    with pytest.raises(ValueError, match="solver='cg' does not support sparse X"):
        RidgeRegressor(solver="cg").fit(sp.csc_matrix(X), y)
    with pytest.raises(ValueError, match="solver='cg' does not support sparse X"):
        RidgeRegressor(solver="cg", positive=True).fit(X, y)


@parametrize_with_checks([RidgeRegressor(solver="cg"), RidgeRegressor(solver="cholesky")])
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        check(estimator)
