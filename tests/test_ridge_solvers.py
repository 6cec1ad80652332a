"""RidgeRegressor's conjugate-gradient solvers against the direct (Cholesky) solve.

``solver="cg"`` solves the ridge normal equations (``n >= p``) or the ``n x n``
kernel system (``n < p``, every feature penalised) with X centred and weighted
implicitly, dense or sparse; ``solver="auto"`` tries it (capped) on large dense
problems and on wide sparse ones, and falls back to the direct solve when it
does not converge fast enough.
"""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

import skdecay._ridge as rd
import skdecay._ridge._cg as rd_cg  # where the CG systems look their products up
import skdecay._ridge._problem as rd_problem
import skdecay.linear_model._ridge as lm  # where RidgeRegressor looks its solvers up
from skdecay import RidgeRegressor, losses
from skdecay.solvers import duality_gap, gap_at_zero, make_problem


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
    pb, raw = make_problem(
        X, y[:, None], sw, losses.SQUARED, 0.0, 0.0, pf, fit_intercept=fit_intercept
    )
    return pb.at(alpha / float(np.sum(raw, dtype=np.float64)))


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
    # float32 rounding: both within a few 1e-5 of the float64 solution (without
    # intercept the offset columns make the problem ill-conditioned: Cholesky's
    # error is 1.2e-5 there, CG's 2.6e-5 with OpenBLAS 0.3 on this machine)
    assert _rel(cg.coef_, w) <= 4e-5
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

    res = rd.ridge_cg(pb, tol=1e-9, callback=check)
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
    est.fit(X, y)  # from the solution: nothing left to do (0 iterations, as scikit-learn)
    assert first > 3 and est.n_iter_ == 0


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
    cap = rd.cg_cap(_problem(X, y, alpha), 1000)
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
    product = rd_cg._cg_product
    monkeypatch.setattr(rd_cg, "_cg_product", lambda *a: passes.append(1) or product(*a))
    cap = rd.cg_cap(_problem(X, y, 1e-6), 1000)
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
    assert rd.cg_cap(_problem(X, y, alpha, pf=pf), 1000) == 0


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
    # compiled code loaded first (not counted): numba's first load of a kernel
    # allocates ~16 MB of Python objects, which alone fails the bound (run alone)
    RidgeRegressor(alpha=alpha, solver=solver).fit(X, y, sample_weight=sw)
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


def test_cg_rejects_positive_and_cholesky_rejects_sparse():
    X, y = _data()
    with pytest.raises(ValueError, match="solver='cg' does not support positive=True"):
        RidgeRegressor(solver="cg", positive=True).fit(X, y)
    with pytest.raises(ValueError, match="solver='cholesky' does not support sparse X"):
        RidgeRegressor(solver="cholesky").fit(sp.csr_matrix(X), y)
    assert not RidgeRegressor(solver="cholesky").__sklearn_tags__().input_tags.sparse
    for solver in ("auto", "cg", "cd"):
        assert RidgeRegressor(solver=solver).__sklearn_tags__().input_tags.sparse


# ---------------------------------------------------------------------------
# the kernel system (n < p): sparse and dense X


def _wide_sparse(n=80, p=600, density=0.05, seed=0, dtype=np.float64, fmt="csr"):
    """Wide sparse regression, uniform entries with an offset (a mean to centre)."""
    X = sp.random(n, p, density=density, format=fmt, random_state=seed, dtype=np.float64)
    X.data = 2.0 + 3.0 * X.data
    rng = np.random.default_rng(seed)
    y = X @ rng.standard_normal(p) + 4.0 + rng.standard_normal(n)
    return X.astype(dtype), y.astype(dtype)


def _reference(X, y, alpha, sw, pf, fit_intercept):
    """The exact solution on the densified X, and ridge_direct's (the kernel form)."""
    Xd = np.asfortranarray(X.toarray()) if sp.issparse(X) else X
    w, b = _exact(Xd, y, alpha, sw, pf, fit_intercept)
    direct = rd.ridge_direct(_problem(Xd.astype(np.float64), y, alpha, sw, pf, fit_intercept))
    return w, b, direct


@pytest.mark.parametrize("fmt", ["csr", "csc", "dense"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("factors", [False, True])
def test_kernel_cg_matches_direct(fmt, fit_intercept, weighted, factors):
    X, y = _wide_sparse(fmt="csr" if fmt == "dense" else fmt)
    if fmt == "dense":
        X = np.asfortranarray(X.toarray())
    n, p = X.shape
    rng = np.random.default_rng(1)
    sw = rng.uniform(0.2, 3.0, n) if weighted else None
    pf = np.linspace(0.2, 4.0, p) if factors else None
    w, b, direct = _reference(X, y, 5.0, sw, pf, fit_intercept)
    assert _rel(direct.coef[0], w) <= 1e-10
    kw = {"alpha": 5.0, "fit_intercept": fit_intercept, "penalty_factor": pf, "tol": 1e-12}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        cg = RidgeRegressor(solver="cg", **kw).fit(X, y, sample_weight=sw)
        auto = RidgeRegressor(**kw).fit(X, y, sample_weight=sw)
    assert cg.n_iter_ > 1  # CG on the kernel system, not a direct solve
    for est in (cg, auto):  # auto: CG, or the direct kernel solve past its cap
        assert _rel(est.coef_, w) <= 1e-8
        assert est.intercept_ == pytest.approx(b, rel=1e-8, abs=1e-10)
        if not fit_intercept:
            assert est.intercept_ == 0
    pb = _problem(X, y, 5.0, sw, pf, fit_intercept)
    assert cg.dual_gap_ <= 1e-12 * gap_at_zero(pb)
    assert cg.dual_gap_ == pytest.approx(
        duality_gap(pb, cg.coef_[None, :], np.array([cg.intercept_])), rel=1e-6, abs=1e-20
    )


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dense", [False, True])
def test_kernel_gap_equals_duality_gap(fit_intercept, weighted, dense):
    """The certificate of the kernel CG and the gap at zero are those of duality_gap,
    at every iterate (the estimate only decides when to ask)."""
    X, y = _wide_sparse(seed=3)
    X = np.asfortranarray(X.toarray()) if dense else X
    n, p = X.shape
    sw = np.random.default_rng(2).uniform(0.2, 3.0, n) if weighted else None
    pb = _problem(X, y, 2.0, sw, np.linspace(0.5, 2.0, p), fit_intercept)
    lam = rd_problem._penalty(pb)
    seen = []

    def check(k, w, b, estimate):
        assert w.dtype == np.float64 and b.dtype == np.float64
        seen.append((rd_problem._kernel_gap(pb, pb.X, w, b, lam), duality_gap(pb, w[None, :], b)))

    res = rd.ridge_dual_cg(pb, tol=1e-10, callback=check)
    assert res.converged and res.n_iter > 5
    for mine, theirs in seen:
        assert mine == pytest.approx(theirs, rel=1e-9)
    assert res.gap_zero == pytest.approx(gap_at_zero(pb), rel=1e-10)
    assert res.dual_gap == pytest.approx(duality_gap(pb, res.coef, res.intercept), rel=1e-9)
    assert res.dual_gap <= 1e-10 * gap_at_zero(pb)


@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-7])
def test_kernel_stopping_rule(tol):
    """dual_gap_ <= tol * gap at zero, the last step settled, more iterations for smaller tol."""
    X, y = _wide_sparse(seed=4)
    sw = np.random.default_rng(5).uniform(0.2, 3.0, X.shape[0])
    iterates = []
    pb = _problem(X, y, 3.0, sw)
    res = rd.ridge_dual_cg(pb, tol=tol, callback=lambda k, w, b, e: iterates.append(w))
    assert res.converged
    assert res.dual_gap <= tol * gap_at_zero(pb)
    step = np.max(np.abs(iterates[-1] - iterates[-2]))
    assert step <= tol * np.max(np.abs(iterates[-1]))
    w, _ = _exact(X.toarray(), y, 3.0, sw)
    assert _rel(res.coef[0], w) <= 30 * np.sqrt(tol)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_kernel_cg_float32(fit_intercept, fmt):
    X, y = _wide_sparse(dtype=np.float32, fmt=fmt)
    sw = np.random.default_rng(1).uniform(0.2, 3.0, X.shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # float32 resolution is met
        for tol in (1e-6, 1e-12):  # 1e-12: below float32 resolution, ends as a stall
            est = RidgeRegressor(alpha=5.0, solver="cg", tol=tol, fit_intercept=fit_intercept)
            est.fit(X, y, sample_weight=sw)
            assert est.n_iter_ > 1
            assert est.coef_.dtype == np.float32
            assert np.asarray(est.intercept_).dtype == np.float32
            assert est.predict(X).dtype == np.float32
            w, b = _exact(X.toarray(), y, 5.0, sw, None, fit_intercept)
            assert _rel(est.coef_, w) <= 2e-5  # float32 rounding
            assert est.intercept_ == pytest.approx(b, rel=1e-4, abs=1e-4)


def test_kernel_cg_float32_unreachable_tol_warns():
    """A tol the iterations cannot meet warns (here: max_iter too small)."""
    X, y = _wide_sparse(dtype=np.float32)
    with pytest.warns(ConvergenceWarning, match="not converged after 2 iterations"):
        RidgeRegressor(alpha=0.01, solver="cg", tol=1e-6, max_iter=2).fit(X, y)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_X_is_neither_modified_nor_densified(fmt, dtype):
    X, y = _wide_sparse(n=100, p=20000, density=2e-3, dtype=dtype, fmt=fmt)
    sw = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0])
    X0, y0, sw0 = X.copy(), y.copy(), sw.copy()
    est = RidgeRegressor(alpha=1.0)
    tracemalloc.start()
    try:
        est.fit(X, y, sample_weight=sw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert est.n_iter_ > 1  # auto chose the kernel CG
    assert peak < 0.25 * X.shape[0] * X.shape[1] * X.dtype.itemsize  # no dense copy
    assert X.format == fmt
    for a, b in ((X.data, X0.data), (X.indices, X0.indices), (X.indptr, X0.indptr)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(sw, sw0)
    assert est.coef_.dtype == dtype


def test_fit_keeps_csr_for_the_kernel_system(monkeypatch):
    """CSR X bound for the kernel CG reaches it as CSR (no round trip through CSC)."""
    X, y = _wide_sparse()
    formats = []
    solver = rd.ridge_dual_cg
    monkeypatch.setattr(
        lm, "ridge_dual_cg", lambda pb, *a, **k: formats.append(pb.X.format) or solver(pb, *a, **k)
    )
    RidgeRegressor(alpha=1.0).fit(X, y)
    RidgeRegressor(alpha=1.0).fit(X.tocsc(), y)
    assert formats == ["csr", "csc"]


def test_auto_sparse_falls_back_to_direct_on_ill_conditioned_data(monkeypatch):
    """Wide sparse, tiny alpha: the capped kernel CG gives up, the direct kernel solve
    (exact) takes over."""
    X, y = _wide_sparse(n=60, p=400, density=0.2)
    passes, calls = [], []
    product, direct = rd_cg._dual_product, rd.ridge_direct
    monkeypatch.setattr(rd_cg, "_dual_product", lambda *a: passes.append(1) or product(*a))
    monkeypatch.setattr(lm, "ridge_direct", lambda pb: calls.append(pb) or direct(pb))
    cap = rd.sparse_cap(_problem(X, y, 1e-3), 1000)
    auto = RidgeRegressor(alpha=1e-3, tol=1e-10).fit(X, y)
    assert 0 < len(passes) <= cap + 1 and len(calls) == 1  # CG tried, then direct
    assert auto.n_iter_ == 1
    np.testing.assert_array_equal(auto.coef_, direct(calls[0]).coef[0])
    w, b = _exact(X.toarray(), y, 1e-3)
    assert _rel(auto.coef_, w) <= 1e-7
    assert auto.intercept_ == pytest.approx(b, rel=1e-7)


@pytest.mark.parametrize(
    "kw",
    [
        {"positive": True},
        {"penalty_factor": np.r_[0.0, np.ones(59)]},
        {"alpha": 0.0, "max_iter": 20},  # least squares with p > n: CD converges slowly
    ],
)
def test_auto_sparse_uses_cd_when_the_kernel_system_does_not_apply(kw):
    X, y = _wide_sparse(n=30, p=60, density=0.2)
    kw = {"alpha": 1.0, "tol": 1e-6, **kw}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        auto = RidgeRegressor(**kw).fit(X, y)
        cd = RidgeRegressor(solver="cd", **kw).fit(sp.csc_matrix(X), y)
    np.testing.assert_array_equal(auto.coef_, cd.coef_)
    assert auto.n_iter_ == cd.n_iter_


def test_auto_uses_kernel_cg_on_wide_sparse_data(monkeypatch):
    X, y = _wide_sparse(n=100, p=5000, density=0.01)
    monkeypatch.setattr(lm, "ridge_direct", None)  # never called
    auto = RidgeRegressor(alpha=1.0).fit(X, y)  # tol=1e-4
    assert auto.n_iter_ > 1
    assert auto.dual_gap_ <= 1e-4 * gap_at_zero(_problem(X, y, 1.0))
    exact = rd.ridge_direct(_problem(np.asfortranarray(X.toarray()), y, 1.0))
    assert _rel(auto.coef_, exact.coef[0]) <= 1e-3


def test_kernel_cg_warm_start():
    X, y = _wide_sparse(seed=6)
    est = RidgeRegressor(alpha=1.0, solver="cg", tol=1e-10, warm_start=True).fit(X, y)
    first = est.n_iter_
    est.fit(X, y)  # from the solution: its residual is the kernel system's solution
    assert first > 3 and est.n_iter_ == 0


def test_sparse_tall_and_unpenalised_cg():
    """solver="cg" on sparse X through the normal equations (tall, or a free feature)."""
    X, y = _wide_sparse(n=400, p=60, density=0.2, fmt="csc")
    pf = np.r_[0.0, np.linspace(0.5, 2.0, 59)]
    sw = np.random.default_rng(3).uniform(0.2, 3.0, 400)
    for fit_intercept in (True, False):
        est = RidgeRegressor(alpha=2.0, solver="cg", tol=1e-12, penalty_factor=pf)
        est.set_params(fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
        w, b = _exact(X.toarray(), y, 2.0, sw, pf, fit_intercept)
        assert _rel(est.coef_, w) <= 1e-8
        assert est.intercept_ == pytest.approx(b, rel=1e-8, abs=1e-10)


@parametrize_with_checks([RidgeRegressor(solver="cg"), RidgeRegressor(solver="cholesky")])
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        check(estimator)
