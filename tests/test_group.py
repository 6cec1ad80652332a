"""The sparse-group lasso: penalty, kernels, solver and the ``groups`` parameter."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import brentq, minimize
from sklearn.exceptions import ConvergenceWarning

from skdecay import ElasticNetRegressor, LassoRegressor
from skdecay._kernels import group as kg
from skdecay.penalties import SparseGroupPenalty, check_groups

LABELS = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4])


def _data(n=80, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, LABELS.size)) + rng.normal(size=LABELS.size)  # non-zero means
    w = np.zeros(LABELS.size)
    w[:3] = [1.5, -2.0, 0.5]
    w[5:7] = [1.0, 0.7]
    y = X @ w + 3.0 + rng.normal(size=n)
    return X.astype(dtype), y.astype(dtype)


def _threshold(a, tau, omega):
    """Brute force: the root of ||S_{t tau}(a)|| - t omega by brentq."""
    a = np.abs(np.asarray(a, dtype=float))
    if not a.any():
        return 0.0
    if omega == 0:  # flat zero beyond the root: S_{t tau}(a) = 0 iff t tau >= max|a|
        return a.max() / tau
    f = lambda t: np.linalg.norm(np.maximum(a - t * tau, 0)) - t * omega  # noqa: E731
    return brentq(f, 0.0, np.linalg.norm(a) / max(omega, 1e-300) + a.max() / max(tau, 1e-300))


def _gradient(X, y, w, b, s=None):
    """Gradient of 1/(2n) sum s_i (y_i - x_i w - b)^2 in w, s rescaled to sum n."""
    n = X.shape[0]
    s = np.ones(n) if s is None else s * n / s.sum()
    r = y - X @ w - b
    return -np.asarray(X.T @ (s * r)).ravel() / n


def _check_kkt(X, y, est, s=None, atol=1e-7):
    """KKT per group, written out: a zero group has ||S_{a t}(G_g)|| <= a (1-t) omega_g,
    a nonzero one G_i + a t sign(w_i) + a (1-t) omega_g w_i/||w_g|| = 0 on its nonzero
    entries and |G_i| <= a t + ... on its zero entries; the intercept is optimal."""
    X = X.toarray() if sp.issparse(X) else X
    X, y = X.astype(float), y.astype(float)
    w, b = est.coef_.astype(float), float(est.intercept_)
    a, t = est.alpha, est.l1_ratio
    G = _gradient(X, y, w, b, s)
    n = X.shape[0]
    ss = np.ones(n) if s is None else s * n / s.sum()
    assert abs(np.dot(ss, y - X @ w - b) / n) < atol  # intercept stationary
    for g in np.unique(est.group_ids_):
        idx = np.flatnonzero(est.group_ids_ == g)
        om = est.group_weights_[g]
        wg, Gg = w[idx], G[idx]
        if not wg.any():
            soft = np.maximum(np.abs(Gg) - a * t, 0)
            assert np.linalg.norm(soft) <= a * (1 - t) * om + atol
        else:
            nz = wg != 0
            stat = Gg[nz] + a * t * np.sign(wg[nz]) + a * (1 - t) * om * wg[nz] / np.linalg.norm(wg)
            assert np.abs(stat).max() < atol
            assert np.all(np.abs(Gg[~nz]) <= a * t + atol)


# -- kernels against numpy ---------------------------------------------------------
@pytest.mark.parametrize("tau,omega", [(0.0, 1.3), (1.0, 0.0), (0.4, 1.7), (0.9, 0.2)])
def test_group_threshold_kernel(tau, omega):
    rng = np.random.default_rng(1)
    for _ in range(5):
        a = rng.normal(size=6)
        t = kg.group_threshold(a, tau, omega)
        assert t == pytest.approx(_threshold(a, tau, omega), rel=1e-10)
    assert kg.group_threshold(np.zeros(3), tau, omega) == 0.0


def test_sparse_group_prox_kernel():
    rng = np.random.default_rng(2)
    for _ in range(5):
        z = rng.normal(size=5) * 2
        t1, t2 = rng.uniform(0, 1, size=2)
        out = np.empty(5)
        nrm = kg.sparse_group_prox(z, t1, t2, out)
        obj = lambda u: 0.5 * ((u - z) ** 2).sum() + t1 * np.abs(u).sum() + t2 * np.linalg.norm(u)  # noqa: E731
        ref = minimize(obj, z, method="Powell", options={"xtol": 1e-10, "ftol": 1e-14}).x
        assert obj(out) <= obj(ref) + 1e-9
        assert nrm == pytest.approx(np.linalg.norm(out))
        # numpy: soft-threshold then block shrink
        u = np.sign(z) * np.maximum(np.abs(z) - t1, 0)
        nu = np.linalg.norm(u)
        np.testing.assert_allclose(out, u * max(1 - t2 / nu, 0) if nu > 0 else u, atol=1e-15)


def test_penalty_value_and_gap_kernels():
    rng = np.random.default_rng(3)
    pen = SparseGroupPenalty(0.3, 0.4, LABELS, LABELS.size)
    order, starts, omega, alpha, tau = pen.kernel_arguments()
    w = rng.normal(size=LABELS.size) * (rng.random(LABELS.size) < 0.6)
    ref = alpha * (
        tau * np.abs(w).sum()
        + (1 - tau)
        * sum(np.sqrt((LABELS == g).sum()) * np.linalg.norm(w[LABELS == g]) for g in range(5))
    )
    assert kg.penalty_value(w, order, starts, omega, alpha, tau) == pytest.approx(ref, rel=1e-14)
    assert pen.value(w) == pytest.approx(ref, rel=1e-14)
    # gap from a correlation: penalty - c v.w + (1-c)^2 rho/2 with c from brute force
    v = rng.normal(size=LABELS.size)
    rho = 2.3
    amax = max(
        _threshold(v[LABELS == g], tau, (1 - tau) * np.sqrt((LABELS == g).sum())) for g in range(5)
    )
    c = min(1.0, alpha / amax)
    gap, ck = kg.gap_from_correlation(w, v, rho, order, starts, omega, alpha, tau, np.empty(4))
    assert ck == pytest.approx(c, rel=1e-10)
    assert gap == pytest.approx(ref - c * v @ w + 0.5 * (1 - c) ** 2 * rho, rel=1e-10)
    assert kg.scaled_alpha_max(v, order, starts, omega, tau, np.empty(4)) == pytest.approx(
        amax, rel=1e-10
    )


@pytest.mark.parametrize("sparse", [False, True])
def test_solve_kernel_reaches_kkt(sparse):
    X, y = _data()
    h = np.full(X.shape[0], 1 / X.shape[0])
    mu = X.T @ h
    yc = y - h @ y
    pen = SparseGroupPenalty(0.2, 0.3, LABELS, LABELS.size)
    order, starts, omega, alpha, tau = pen.kernel_arguments()
    Xc = X - mu
    L = np.array(
        [
            np.linalg.eigvalsh(Xc[:, order[a:e]].T @ (h[:, None] * Xc[:, order[a:e]]))[-1]
            for a, e in zip(starts[:-1], starts[1:], strict=True)
        ]
    )
    w, r, state, v = np.zeros(X.shape[1]), yc.copy(), np.zeros(1), np.empty(X.shape[1])
    if sparse:  # CSC columns
        A = sp.csc_matrix(X)
        args = (A.data, A.indices.astype(np.int64), A.indptr.astype(np.int64), False)
    else:  # dense: every row of every column, Fortran order
        n, p = X.shape
        args = (np.asfortranarray(X).ravel(order="F"), np.zeros(1, np.int64),
                n * np.arange(p + 1, dtype=np.int64), True)  # fmt: skip
    it, gap, conv = kg.solve(*args, h, r, w, mu, order, starts, omega, L, alpha, tau,
                             1e-14, 0.0, 5000, 10, state, v)  # fmt: skip
    assert conv and it > 0 and gap >= -1e-15
    np.testing.assert_allclose(r + state[0], yc - Xc @ w, atol=1e-10)  # residual bookkeeping
    np.testing.assert_allclose(v, Xc.T @ (h * (yc - Xc @ w)), atol=1e-10)
    assert pen.kkt_violation(w, -v).max() < 1e-6


@pytest.mark.parametrize("sparse", [False, True])
def test_block_lipschitz_kernel(sparse):
    X, _ = _data()
    X[:, 10] = 2.5  # a constant column: zero variance
    h = np.random.default_rng(3).uniform(0.5, 2, size=X.shape[0])
    h /= h.sum()
    mu = X.T @ h
    pen = SparseGroupPenalty(1.0, 0.5, LABELS, LABELS.size)
    order, starts = pen.order, pen.starts
    if sparse:
        A = sp.csc_matrix(X)
        view = (A.data, A.indices.astype(np.int64), A.indptr.astype(np.int64), False)
    else:
        n, p = X.shape
        view = (X.ravel(order="F"), np.zeros(1, np.int64), n * np.arange(p + 1), True)
    L, trace = np.zeros(5), np.zeros(5)
    kg.block_lipschitz(*view, h, mu, order, starts, L, trace)
    for g, (a, e) in enumerate(zip(starts[:-1], starts[1:], strict=True)):
        Xc = X[:, order[a:e]] - mu[order[a:e]]
        gram = Xc.T @ (h[:, None] * Xc)  # the weighted centred Gram matrix, in numpy
        assert L[g] == pytest.approx(np.linalg.eigvalsh(gram)[-1], rel=1e-10, abs=1e-14)
        assert trace[g] == pytest.approx(np.trace(gram), rel=1e-10, abs=1e-14)


# -- the penalty object ----------------------------------------------------------
def test_check_groups():
    order, starts = check_groups(["b", "a", "b", "c"], 4)  # first appearance order
    assert [list(order[a:e]) for a, e in zip(starts[:-1], starts[1:], strict=True)] == [
        [0, 2],
        [1],
        [3],
    ]
    order, starts = check_groups([[3, 1], np.array([0])], 5)  # leftovers become singletons
    assert [list(order[a:e]) for a, e in zip(starts[:-1], starts[1:], strict=True)] == [
        [1, 3],
        [0],
        [2],
        [4],
    ]
    for bad, msg in [([[0, 1], [1, 2]], "twice"), ([[0, 7]], "out of range"), ([[]], "empty"),
                     ([0, 1], "labels")]:  # fmt: skip
        with pytest.raises(ValueError, match=msg):
            check_groups(bad, 4)
    with pytest.raises(ValueError, match="group_weights"):
        SparseGroupPenalty(1.0, 0.5, LABELS, LABELS.size, group_weights=np.ones(3))


def test_penalty_prox_conjugate_alpha_max():
    rng = np.random.default_rng(4)
    pen = SparseGroupPenalty(0.5, 0.3, LABELS, LABELS.size)
    z = rng.normal(size=LABELS.size) * 2
    u = pen.prox(z, 0.7)
    # optimality of the prox point: (z - u)/step is a subgradient, so KKT of
    # 1/(2 step)||u - z||^2 + penalty has zero violation per group
    assert pen.kkt_violation(u, (u - z) / 0.7).max() < 1e-12
    assert pen.at(0.1).alpha == 0.1 and pen.at(0.1).l1_ratio == 0.3
    # conjugate: 0 inside the dual ball (sup_w v.w - g(w) = 0), inf outside
    G = rng.normal(size=LABELS.size)
    am = pen.alpha_max(G)
    assert pen.at(am * 1.001).conjugate(G).max() == 0
    assert np.isinf(pen.at(am * 0.999).conjugate(G)).any()
    for _ in range(50):  # v.w <= g(w) for v in the ball
        w = rng.normal(size=LABELS.size)
        assert G @ w <= pen.at(am).value(w) * (1 + 1e-9)
    assert pen.dual_scaling(G) == pytest.approx(min(1.0, 0.5 / am))
    assert pen.fenchel_young(np.zeros(LABELS.size), G * pen.dual_scaling(G)) == pytest.approx(
        0.0, abs=1e-15
    )
    # the zero point is optimal exactly from alpha_max on: per-group KKT at zero
    assert pen.at(am).kkt_violation(np.zeros(LABELS.size), G).max() <= 1e-12
    assert pen.at(am * 0.99).kkt_violation(np.zeros(LABELS.size), G).max() > 0


# -- the estimator -----------------------------------------------------------------
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.4])
def test_kkt_per_group(sparse, l1_ratio):
    X, y = _data()
    s = np.random.default_rng(5).uniform(0.5, 2, size=y.size)
    Xf = sp.csc_matrix(X) if sparse else X
    est = ElasticNetRegressor(alpha=0.15, l1_ratio=l1_ratio, groups=LABELS, tol=1e-12).fit(
        Xf, y, sample_weight=s
    )
    assert 0 < np.count_nonzero(est.coef_) < LABELS.size
    _check_kkt(X, y, est, s)
    if l1_ratio == 0:  # group lasso: whole groups
        for g in range(5):
            assert np.all(est.coef_[LABELS == g] != 0) or np.all(est.coef_[LABELS == g] == 0)
    np.testing.assert_allclose(est.group_weights_, np.sqrt(np.bincount(LABELS)))
    X0, y0 = X.copy(), y.copy()
    ElasticNetRegressor(alpha=0.15, groups=LABELS).fit(X, y)
    np.testing.assert_array_equal(X, X0)  # caller's arrays untouched
    np.testing.assert_array_equal(y, y0)


def test_alpha_max_zero_and_entry():
    X, y = _data()
    pen = SparseGroupPenalty(1.0, 0.5, LABELS, LABELS.size)
    am = pen.alpha_max(_gradient(X, y, np.zeros(12), y.mean()))
    est = ElasticNetRegressor(alpha=am, l1_ratio=0.5, groups=LABELS, tol=1e-12).fit(X, y)
    assert not est.coef_.any() and est.intercept_ == pytest.approx(y.mean())
    est = ElasticNetRegressor(alpha=am * 0.995, l1_ratio=0.0, groups=LABELS, tol=1e-12)
    pen0 = SparseGroupPenalty(1.0, 0.0, LABELS, LABELS.size)
    am0 = pen0.alpha_max(_gradient(X, y, np.zeros(12), y.mean()))
    est.set_params(alpha=am0 * 0.995).fit(X, y)
    assert np.unique(LABELS[est.coef_ != 0]).size == 1  # exactly one group entered


def test_ends_lasso_and_singletons():
    X, y = _data()
    lasso = LassoRegressor(alpha=0.1, tol=1e-12).fit(X, y)
    sgl = ElasticNetRegressor(alpha=0.1, l1_ratio=1.0, groups=LABELS, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(sgl.coef_, lasso.coef_, atol=1e-8)
    assert sgl.intercept_ == pytest.approx(lasso.intercept_, abs=1e-8)
    # singleton groups (weights sqrt(1) = 1): the group lasso is the lasso
    single = ElasticNetRegressor(
        alpha=0.1, l1_ratio=0.0, groups=[[j] for j in range(12)], tol=1e-12
    )
    np.testing.assert_allclose(single.fit(X, y).coef_, lasso.coef_, atol=1e-8)
    # l1_ratio=0 is the group lasso: equal to the same fit with any l1-free scaling
    gl = ElasticNetRegressor(alpha=0.1, l1_ratio=0.0, groups=LABELS, tol=1e-12).fit(X, y)
    half = np.sqrt(np.bincount(LABELS)) / 2
    w2 = ElasticNetRegressor(alpha=0.2, l1_ratio=0.0, groups=LABELS, group_weights=half, tol=1e-12)
    w2.fit(X, y)
    np.testing.assert_allclose(gl.coef_, w2.coef_, atol=1e-8)


def test_duality_gap_brute_force():
    X, y = _data()
    est = ElasticNetRegressor(alpha=0.1, l1_ratio=0.3, groups=LABELS, tol=1e-3).fit(X, y)
    w, b = est.coef_, est.intercept_
    n = y.size
    pen = SparseGroupPenalty(0.1, 0.3, LABELS, 12)
    r = y - X @ w - b
    primal = 0.5 * np.mean(r**2) + pen.value(w)
    Xc = X - X.mean(0)
    v = Xc.T @ r / n
    c = min(
        1.0,
        0.1
        / max(
            _threshold(v[LABELS == g], 0.3, 0.7 * np.sqrt((LABELS == g).sum())) for g in range(5)
        ),
    )
    yc = y - y.mean()
    dual = 0.5 * np.mean(yc**2) - 0.5 * np.mean((yc - c * r) ** 2)
    assert est.dual_gap_ == pytest.approx(primal - dual, rel=1e-6, abs=1e-12)
    assert est.dual_gap_ <= 1e-3 * np.mean(yc**2)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_equals_skglm_group_lasso(fit_intercept):
    skglm = pytest.importorskip("skglm")
    X, y = _data()
    groups = [list(np.flatnonzero(LABELS == g)) for g in range(5)]
    weights = np.sqrt([len(g) for g in groups])
    ref = skglm.GroupLasso(
        groups, alpha=0.1, weights=weights, tol=1e-12, fit_intercept=fit_intercept
    ).fit(X, y)
    est = ElasticNetRegressor(
        alpha=0.1, l1_ratio=0.0, groups=groups, fit_intercept=fit_intercept, tol=1e-12
    )
    est.fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6)
    assert est.intercept_ == pytest.approx(ref.intercept_, abs=1e-6)


def test_float32_sparse_dense_weights():
    X, y = _data(dtype=np.float32)
    kw = dict(alpha=0.1, l1_ratio=0.2, groups=LABELS, tol=1e-8)
    e32 = ElasticNetRegressor(**kw).fit(X, y)
    e64 = ElasticNetRegressor(**kw).fit(X.astype(float), y.astype(float))
    assert e32.coef_.dtype == np.float32 and e32.predict(X).dtype == np.float32
    np.testing.assert_allclose(e32.coef_, e64.coef_, atol=1e-4)
    esp = ElasticNetRegressor(**kw).fit(sp.csr_matrix(X.astype(float)), y.astype(float))
    np.testing.assert_allclose(esp.coef_, e64.coef_, atol=1e-7)
    # integer sample weights equal repeated rows
    s = np.random.default_rng(6).integers(1, 4, size=y.size)
    ew = ElasticNetRegressor(**kw).fit(X.astype(float), y.astype(float), sample_weight=s)
    er = ElasticNetRegressor(**kw).fit(
        np.repeat(X.astype(float), s, 0), np.repeat(y.astype(float), s)
    )
    np.testing.assert_allclose(ew.coef_, er.coef_, atol=1e-6)


def test_warm_start_max_iter_callable_and_errors():
    X, y = _data()
    est = ElasticNetRegressor(
        alpha=0.05, l1_ratio=0.0, groups=LABELS, tol=1e-8, warm_start=True
    ).fit(X, y)
    assert est.fit(X, y).n_iter_ == 0  # already optimal
    with pytest.warns(ConvergenceWarning):
        ElasticNetRegressor(alpha=0.01, groups=LABELS, max_iter=1, tol=1e-12).fit(X, y)
    cal = ElasticNetRegressor(alpha=0.05, groups=lambda p: np.arange(p) // 3).fit(X, y)
    ref = ElasticNetRegressor(alpha=0.05, groups=np.arange(12) // 3).fit(X, y)
    np.testing.assert_array_equal(cal.coef_, ref.coef_)
    with pytest.raises(ValueError, match="penalty_factor"):
        ElasticNetRegressor(groups=LABELS, penalty_factor=np.arange(12) + 1.0).fit(X, y)
    with pytest.raises(ValueError, match="labels"):
        ElasticNetRegressor(groups=[0, 1]).fit(X, y)
    # relax=True: the unpenalised refit on the selected groups
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rel = ElasticNetRegressor(alpha=0.2, l1_ratio=0.0, groups=LABELS, relax=True).fit(X, y)
    act = rel.coef_ != 0
    ls = np.linalg.lstsq(np.c_[X[:, act], np.ones(y.size)], y, rcond=None)[0]
    np.testing.assert_allclose(rel.coef_[act], ls[:-1], atol=1e-4)


# -- paths and CV ----------------------------------------------------------------
def test_path_equals_single_fits_and_cv():
    from sklearn.model_selection import KFold

    from skdecay import ElasticNetRegressorCV, alpha_grid, alpha_max, enet_path

    X, y = _data()
    am = alpha_max(X, y, l1_ratio=0.0, groups=LABELS)
    pen = SparseGroupPenalty(1.0, 0.0, LABELS, 12)
    assert am == pytest.approx(pen.alpha_max(_gradient(X, y, np.zeros(12), y.mean())), rel=1e-12)
    grid = alpha_grid(X, y, l1_ratio=0.0, groups=LABELS, n_alphas=6, eps=0.05)
    np.testing.assert_allclose(grid, np.geomspace(am, am * 0.05, 6))
    path = enet_path(X, y, l1_ratio=0.0, groups=LABELS, alphas=grid, tol=1e-12)
    assert not path.coefs[0].any()
    for k in (1, 3, 5):
        est = ElasticNetRegressor(alpha=grid[k], l1_ratio=0.0, groups=LABELS, tol=1e-12).fit(X, y)
        # the path stops on the gap alone (no settle test): coefficients within
        # sqrt(gap / curvature) ~ 1e-6 of the single fit's
        np.testing.assert_allclose(path.coefs[k], est.coef_, atol=1e-5)
        assert path.intercepts[k] == pytest.approx(est.intercept_, abs=1e-5)
        assert path.dual_gaps[k] <= 1e-12 * np.var(y)
    cv = KFold(3)
    cvest = ElasticNetRegressorCV(l1_ratio=0.0, groups=LABELS, alphas=6, eps=0.05, cv=cv, tol=1e-10)
    cvest.fit(X, y)
    np.testing.assert_allclose(cvest.alphas_, grid)
    # held-out MSE of fold 0 by hand from the training path
    train, test = next(cv.split(X))
    p0 = enet_path(X[train], y[train], l1_ratio=0.0, groups=LABELS, alphas=grid, tol=1e-10)
    mse = ((X[test] @ p0.coefs.T + p0.intercepts - y[test][:, None]) ** 2).mean(0)
    np.testing.assert_allclose(cvest.mse_path_[:, 0], mse, rtol=1e-6)
    ref = ElasticNetRegressor(alpha=cvest.alpha_, l1_ratio=0.0, groups=LABELS, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(cvest.coef_, ref.coef_)


def test_path_display_colours_groups():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.colors import rgb_to_hsv, to_rgb

    from skdecay import enet_path
    from skdecay.plotting import RegularizationPathDisplay

    X, y = _data()
    est = ElasticNetRegressor(alpha=0.02, l1_ratio=0.0, groups=LABELS).fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(est, X, y, n_alphas=8, n_labels=12)
    path = enet_path(X, y, l1_ratio=0.0, groups=LABELS, n_alphas=8, tol=est.tol)
    np.testing.assert_allclose(disp.coefs, path.coefs)  # the group path itself
    assert disp.groups == [str(g) for g in LABELS]
    hue = {}
    for j, line in zip(disp.labelled_, disp.lines_, strict=True):
        h = rgb_to_hsv(to_rgb(line.get_color()))[0]
        hue.setdefault(LABELS[j], set()).add(round(float(h), 3))
    assert all(len(h) == 1 for h in hue.values())  # one hue per group
    assert len({next(iter(h)) for h in hue.values()}) == len(hue)  # distinct groups
    matplotlib.pyplot.close("all")


# -- prox-Newton: logistic and the GLM losses ----------------------------------------
def test_logistic_group_lasso_kkt_and_lasso_end():
    from sklearn.datasets import make_classification

    from skdecay import ElasticNetClassifier

    X, y = make_classification(200, 12, n_informative=4, random_state=0)
    s = np.random.default_rng(7).uniform(0.5, 2, size=y.size)
    for l1_ratio in (0.0, 0.5):
        clf = ElasticNetClassifier(alpha=0.03, l1_ratio=l1_ratio, groups=LABELS, tol=1e-8)
        clf.fit(X, y, sample_weight=s)
        w, b = clf.coef_[0], clf.intercept_[0]
        p = 1 / (1 + np.exp(-(X @ w + b)))
        sn = s / s.mean()
        G = X.T @ (sn * (p - y)) / y.size  # gradient of the mean weighted log-loss
        assert abs(np.mean(sn * (p - y))) < 1e-7  # intercept stationary
        for g in range(5):  # KKT per group, written out
            idx = LABELS == g
            om, a, t = np.sqrt(idx.sum()), 0.03, l1_ratio
            if not w[idx].any():
                soft = np.maximum(np.abs(G[idx]) - a * t, 0)
                assert np.linalg.norm(soft) <= a * (1 - t) * om + 1e-7
            else:
                wg, nz = w[idx], w[idx] != 0
                stat = (
                    G[idx][nz]
                    + a * t * np.sign(wg[nz])
                    + a * (1 - t) * om * wg[nz] / np.linalg.norm(wg)
                )
                assert np.abs(stat).max() < 1e-6
        assert 0 < np.count_nonzero(w) < 12
    lasso = ElasticNetClassifier(alpha=0.03, l1_ratio=1.0, tol=1e-8).fit(X, y)
    grouped = ElasticNetClassifier(alpha=0.03, l1_ratio=1.0, groups=LABELS, tol=1e-8).fit(X, y)
    np.testing.assert_allclose(grouped.coef_, lasso.coef_, atol=1e-6)
    assert grouped.stopping_criterion_ == "duality_gap"


def test_poisson_group_lasso_lasso_end():
    X, _ = _data()
    X = X / 4
    y = np.random.default_rng(8).poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 5]))
    kw = dict(alpha=0.01, loss="poisson", tol=1e-8)
    grouped = ElasticNetRegressor(l1_ratio=1.0, groups=LABELS, **kw).fit(X, y)
    np.testing.assert_allclose(grouped.coef_, LassoRegressor(**kw).fit(X, y).coef_, atol=1e-6)
    assert grouped.stopping_criterion_ == "duality_gap"  # Poisson's conjugate
    gl = ElasticNetRegressor(l1_ratio=0.0, groups=LABELS, **kw).fit(X, y)
    mu = np.exp(X @ gl.coef_ + gl.intercept_)
    G = X.T @ (mu - y) / y.size
    pen = SparseGroupPenalty(0.01, 0.0, LABELS, 12)
    assert pen.kkt_violation(gl.coef_, G).max() < 1e-6


def test_groups_refuse_the_nonconvex_penalties():
    from skdecay import ElasticNetRegressor, enet_path

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 6)), rng.standard_normal(40)
    groups = [0, 0, 1, 1, 2, 2]
    with pytest.raises(ValueError, match="penalty='elastic_net' only"):
        ElasticNetRegressor(alpha=0.1, groups=groups, penalty="mcp").fit(X, y)
    with pytest.raises(ValueError, match="penalty='elastic_net' only"):
        enet_path(X, y, groups=groups, penalty="scad", n_alphas=3)
