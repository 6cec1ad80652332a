"""The sparse-group lasso with the GLM losses and the multinomial classifier:
KKT per group written out by hand, alpha_max, paths, the lasso end, certificates
and a plain-numpy proximal-gradient reference (:mod:`skdecay.solvers.group_newton`)."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from skdecay import (
    ElasticNetClassifier,
    ElasticNetRegressor,
    LassoRegressor,
    alpha_grid,
    alpha_max,
    enet_path,
    logistic_path,
)

LABELS = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4])
GLM = [("poisson", 1.0), ("gamma", 2.0), ("tweedie", 1.5)]


def _glm_data(loss, n=150, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, LABELS.size)) / 2 + 0.3
    mu = np.exp(0.3 + 0.6 * X[:, 0] - 0.5 * X[:, 5] + 0.4 * X[:, 6])
    if loss == "gamma":
        y = rng.gamma(2.0, mu / 2.0)
    elif loss == "tweedie":  # compound Poisson-gamma: zeros and positive amounts
        y = np.array([rng.gamma(2.0, m / 2, size=k).sum() for m, k in zip(mu, rng.poisson(mu))])
    else:
        y = rng.poisson(mu).astype(float)
    return X, y


def _class_data(n=150, seed=1, n_classes=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, LABELS.size))
    B = np.zeros((n_classes, LABELS.size))
    B[:, :3] = rng.normal(size=(n_classes, 3)) * 1.5
    B[:, 5:7] = rng.normal(size=(n_classes, 2))
    y = np.argmax(X @ B.T + rng.gumbel(size=(n, n_classes)), axis=1)
    return X, y


def _glm_gradient(X, y, w, b, power, s):
    """Gradient of 1/n sum s_i unit_half_deviance(y_i, exp(x_i w + b)) in (w, b), by
    hand: d/dz = mu**(2-p) - y mu**(1-p) (Poisson p=1, Gamma p=2, Tweedie p)."""
    mu = np.exp(X @ w + b)
    d = s * (mu ** (2 - power) - y * mu ** (1 - power)) / y.size
    return X.T @ d, d.sum()


def _multinomial_gradient(X, Y, W, b, s):
    """Gradient of 1/n sum s_i (logsumexp(z_i) - y_i.z_i) in (W (K, p), b (K,))."""
    Z = X @ W.T + b
    P = np.exp(Z - Z.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    D = s[:, None] * (P - Y) / Y.shape[0]
    return D.T @ X, D.sum(0)


def _assert_group_kkt(G, W, alpha, t, omega, groups, atol):
    """The sparse-group optimality conditions, group by group (``G``, ``W`` of shape
    (K, p); a group is the block ``W[:, g]``): a zero block needs
    ``||S_{alpha t}(G_g)||_F <= alpha (1 - t) omega_g``; a nonzero block
    ``G_kj + alpha t sign(W_kj) + alpha (1 - t) omega_g W_kj / ||W_g||_F = 0`` on its
    nonzero entries and ``|G_kj| <= alpha t`` on its zero entries."""
    for g in np.unique(groups):
        idx = groups == g
        Wg, Gg = W[:, idx], G[:, idx]
        if not Wg.any():
            soft = np.maximum(np.abs(Gg) - alpha * t, 0)
            assert np.linalg.norm(soft) <= alpha * (1 - t) * omega[g] + atol
        else:
            nz = Wg != 0
            stat = (
                Gg + alpha * t * np.sign(Wg) + alpha * (1 - t) * omega[g] * Wg / np.linalg.norm(Wg)
            )
            assert np.abs(stat[nz]).max() < atol
            assert np.all(np.abs(Gg[~nz]) <= alpha * t + atol)


def _alpha_max_by_bisection(G, t):
    """The largest per-group root ``a`` of ``||S_{a t}(G[:, g])||_F = a (1 - t)
    sqrt(|g|)`` (``G`` of shape (K, p), the gradient at zero), by bisection."""
    roots = []
    for g in range(5):
        a = np.abs(G[:, LABELS == g])
        om = (1 - t) * np.sqrt((LABELS == g).sum())
        lo, hi = 0.0, a.max() / t
        for _ in range(200):
            mid = (lo + hi) / 2
            inside = np.linalg.norm(np.maximum(a - t * mid, 0)) <= om * mid
            lo, hi = (lo, mid) if inside else (mid, hi)
        roots.append(hi)
    return max(roots)


# -- GLM losses ------------------------------------------------------------------------
@pytest.mark.parametrize("loss,power", GLM)
@pytest.mark.parametrize("l1_ratio", [0.0, 0.4])
def test_glm_kkt_per_group(loss, power, l1_ratio):
    X, y = _glm_data(loss)
    s = np.random.default_rng(2).uniform(0.5, 2, size=y.size)
    sn = s * y.size / s.sum()
    kw = dict(l1_ratio=l1_ratio, loss=loss, groups=LABELS)
    alpha = 0.3 * alpha_max(X, y, sample_weight=s, **kw)
    est = ElasticNetRegressor(alpha=alpha, tol=1e-10, **kw)
    est.fit(X, y, sample_weight=s)
    w, b = est.coef_, est.intercept_
    assert 0 < np.count_nonzero(w) < LABELS.size
    G, gb = _glm_gradient(X, y, w, b, power, sn)
    assert abs(gb) < 1e-7  # the intercept is stationary
    omega = np.sqrt(np.bincount(LABELS))
    _assert_group_kkt(G[None], w[None], alpha, l1_ratio, omega, LABELS, atol=1e-6)
    expected = "kkt" if loss == "tweedie" else "duality_gap"  # a closed-form conjugate?
    assert est.stopping_criterion_ == expected
    assert 0 <= est.dual_gap_ < 1e-9


@pytest.mark.parametrize("loss,power", GLM)
def test_glm_alpha_max_zero_path_and_lasso_end(loss, power):
    X, y = _glm_data(loss, seed=3)
    kw = dict(l1_ratio=0.3, loss=loss, groups=LABELS)
    am = alpha_max(X, y, **kw)
    # by hand: the largest per-group root of ||S_{a t}(grad_g)|| = a (1 - t) omega_g at zero
    b0 = np.log(np.mean(y * 1.0))  # the optimal intercept of zero coefficients (log link)
    G, _ = _glm_gradient(X, y, np.zeros(12), b0, power, np.ones(y.size))
    assert am == pytest.approx(_alpha_max_by_bisection(G[None], 0.3), rel=1e-9)
    est = ElasticNetRegressor(alpha=am, **kw).fit(X, y)
    assert not est.coef_.any() and est.n_iter_ == 0
    assert not ElasticNetRegressor(alpha=am * 1.5, **kw).fit(X, y).coef_.any()
    assert ElasticNetRegressor(alpha=am * 0.97, **kw).fit(X, y).coef_.any()
    # the path equals single fits
    grid = alpha_grid(X, y, n_alphas=5, eps=0.05, **kw)
    np.testing.assert_allclose(grid, np.geomspace(am, am * 0.05, 5))
    path = enet_path(X, y, alphas=grid, tol=1e-10, **kw)
    assert path.coefs.shape == (5, 12) and path.intercepts.shape == (5,)
    assert not path.coefs[0].any()
    for k in (1, 4):
        est = ElasticNetRegressor(alpha=grid[k], tol=1e-10, **kw).fit(X, y)
        np.testing.assert_allclose(path.coefs[k], est.coef_, atol=1e-6)
        assert path.intercepts[k] == pytest.approx(est.intercept_, abs=1e-6)
    # l1_ratio = 1 is the GLM lasso
    one = dict(alpha=0.01, loss=loss, tol=1e-10)
    grouped = ElasticNetRegressor(l1_ratio=1.0, groups=LABELS, **one).fit(X, y)
    np.testing.assert_allclose(grouped.coef_, LassoRegressor(**one).fit(X, y).coef_, atol=1e-6)


@pytest.mark.parametrize("loss", ["poisson", "gamma", "multinomial"])
def test_gap_certifies_suboptimality(loss):
    """The reported duality gap bounds the objective's distance to the optimum
    (objectives written out here, up to constants)."""
    if loss == "multinomial":
        X, y = _class_data(seed=4)
        Y = np.eye(3)[y]
        model, kw = ElasticNetClassifier, dict(alpha=0.01, l1_ratio=0.2, groups=LABELS)
    else:
        X, y = _glm_data(loss, seed=4)
        model, kw = ElasticNetRegressor, dict(alpha=0.01, l1_ratio=0.2, loss=loss, groups=LABELS)

    def objective(est):
        W = np.atleast_2d(est.coef_)
        Z = X @ W.T + est.intercept_
        if loss == "poisson":
            data = np.mean(np.exp(Z[:, 0]) - y * Z[:, 0])
        elif loss == "gamma":
            data = np.mean(Z[:, 0] + y * np.exp(-Z[:, 0]))
        else:  # logsumexp(z) - y.z
            m = Z.max(1)
            data = np.mean(m + np.log(np.exp(Z - m[:, None]).sum(1)) - (Y * Z).sum(1))
        grp = sum(
            np.sqrt((LABELS == g).sum()) * np.linalg.norm(W[:, LABELS == g]) for g in range(5)
        )
        return data + 0.01 * (0.2 * np.abs(W).sum() + 0.8 * grp)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rough = model(max_iter=1, tol=1e-12, **kw).fit(X, y)
    best = model(tol=1e-12, **kw).fit(X, y)
    assert rough.stopping_criterion_ == "duality_gap"
    sub = objective(rough) - objective(best)
    assert sub > 1e-10  # one Newton step is not optimal ...
    assert sub <= rough.dual_gap_ * (1 + 1e-6) + 1e-13  # ... and its gap bounds it


def test_glm_sparse_float32_and_offset():
    X, y = _glm_data("poisson", seed=5)
    off = np.random.default_rng(0).uniform(-0.5, 0.5, size=y.size)
    kw = dict(alpha=0.01, l1_ratio=0.2, loss="poisson", groups=LABELS, tol=1e-10)
    dense = ElasticNetRegressor(**kw).fit(X, y, offset=off)
    sparse = ElasticNetRegressor(**kw).fit(sp.csr_matrix(X), y, offset=off)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-7)
    G, gb = _glm_gradient(X, y, dense.coef_, dense.intercept_ + off, 1.0, np.ones(y.size))
    assert abs(gb) < 1e-7
    _assert_group_kkt(
        G[None], dense.coef_[None], 0.01, 0.2, np.sqrt(np.bincount(LABELS)), LABELS, 1e-6
    )
    f32 = ElasticNetRegressor(**{**kw, "tol": 1e-6}).fit(X.astype(np.float32), y.astype(np.float32))
    assert f32.coef_.dtype == np.float32
    ref = ElasticNetRegressor(**kw).fit(X, y)
    np.testing.assert_allclose(f32.coef_, ref.coef_, atol=2e-3)


# -- the multinomial classifier -------------------------------------------------------
def _fista_reference(X, Y, alpha, t, omega, groups, n_iter=20000):
    """Plain proximal gradient (numpy, written out here) on the grouped multinomial
    objective with intercepts, step 1 / (||[X 1]||_2**2 / (2n))."""
    n, p = X.shape
    K = Y.shape[1]
    A = np.hstack([X, np.ones((n, 1))])
    L = np.linalg.norm(A, 2) ** 2 / (2 * n)
    W, b = np.zeros((K, p)), np.zeros(K)
    for _ in range(n_iter):
        GW, gb = _multinomial_gradient(X, Y, W, b, np.ones(n))
        U = W - GW / L
        U = np.sign(U) * np.maximum(np.abs(U) - alpha * t / L, 0)  # soft-threshold
        for g in np.unique(groups):  # then the block shrinkage, class-wide
            idx = groups == g
            nrm = np.linalg.norm(U[:, idx])
            U[:, idx] *= max(0.0, 1 - alpha * (1 - t) * omega[g] / L / nrm) if nrm > 0 else 0.0
        W, b = U, b - gb / L
    return W, b


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
def test_multinomial_kkt_per_group_and_reference(l1_ratio):
    X, y = _class_data()
    Y = np.eye(3)[y]
    s = np.random.default_rng(6).uniform(0.5, 2, size=y.size)
    sn = s * y.size / s.sum()
    alpha = 0.4 * alpha_max(X, y, loss="logistic", l1_ratio=l1_ratio, groups=LABELS)
    clf = ElasticNetClassifier(alpha=alpha, l1_ratio=l1_ratio, groups=LABELS, tol=1e-10)
    clf.fit(X, y, sample_weight=s)
    W, b = clf.coef_, clf.intercept_
    assert W.shape == (3, 12)
    G, gb = _multinomial_gradient(X, Y, W, b, sn)
    assert np.abs(gb).max() < 1e-7  # the intercepts are stationary
    omega = np.sqrt(np.bincount(LABELS))
    _assert_group_kkt(G, W, alpha, l1_ratio, omega, LABELS, atol=1e-6)
    zero_groups = [g for g in range(5) if not W[:, LABELS == g].any()]
    assert 0 < len(zero_groups) < 5  # some groups dropped for every class at once
    if l1_ratio == 0:  # the group lasso: a group is all zero or all nonzero
        for g in range(5):
            assert np.all(W[:, LABELS == g] != 0) or g in zero_groups
    assert clf.stopping_criterion_ == "duality_gap" and clf.dual_gap_ < 1e-8
    # against plain proximal gradient (unweighted problem)
    clf = ElasticNetClassifier(alpha=alpha, l1_ratio=l1_ratio, groups=LABELS, tol=1e-10).fit(X, y)
    Wr, br = _fista_reference(X, Y, alpha, l1_ratio, omega, LABELS, n_iter=6000)
    np.testing.assert_allclose(clf.coef_, Wr, atol=1e-5)
    np.testing.assert_allclose(clf.intercept_ - clf.intercept_.mean(), br - br.mean(), atol=1e-5)


def test_multinomial_alpha_max_path_and_lasso_end():
    X, y = _class_data(seed=2)
    Y = np.eye(3)[y]
    kw = dict(l1_ratio=0.2, groups=LABELS)
    am = alpha_max(X, y, loss="logistic", **kw)
    b0 = np.log(Y.mean(0))
    G, _ = _multinomial_gradient(X, Y, np.zeros((3, 12)), b0, np.ones(y.size))
    # the group spans the classes: ||S_{a t}(G[:, g])||_F = a (1 - t) omega_g
    assert am == pytest.approx(_alpha_max_by_bisection(G, 0.2), rel=1e-9)
    clf = ElasticNetClassifier(alpha=am, **kw).fit(X, y)
    assert not clf.coef_.any()
    assert ElasticNetClassifier(alpha=am * 0.97, **kw).fit(X, y).coef_.any()
    path = logistic_path(X, y, n_alphas=5, eps=0.05, tol=1e-10, **kw)
    np.testing.assert_allclose(path.alphas, np.geomspace(am, am * 0.05, 5))
    assert path.coefs.shape == (5, 3, 12) and path.intercepts.shape == (5, 3)
    assert not path.coefs[0].any()
    for k in (2, 4):
        clf = ElasticNetClassifier(alpha=path.alphas[k], tol=1e-10, **kw).fit(X, y)
        np.testing.assert_allclose(path.coefs[k], clf.coef_, atol=1e-6)
    # l1_ratio = 1: the multinomial lasso
    one = dict(alpha=0.02, l1_ratio=1.0, tol=1e-10)
    grouped = ElasticNetClassifier(groups=LABELS, **one).fit(X, y)
    np.testing.assert_allclose(
        grouped.coef_, ElasticNetClassifier(**one).fit(X, y).coef_, atol=1e-5
    )


def test_binary_logistic_path_with_groups():
    from sklearn.datasets import make_classification

    X, y = make_classification(150, 12, n_informative=4, random_state=0)
    path = logistic_path(X, y, l1_ratio=0.0, groups=LABELS, n_alphas=4, eps=0.1, tol=1e-10)
    assert path.coefs.shape == (4, 1, 12) and not path.coefs[0].any()
    clf = ElasticNetClassifier(alpha=path.alphas[3], l1_ratio=0.0, groups=LABELS, tol=1e-10)
    clf.fit(X, y)
    np.testing.assert_allclose(path.coefs[3], clf.coef_, atol=1e-6)
    assert clf.stopping_criterion_ == "duality_gap"


@pytest.mark.slow  # skglm compiles its jitclasses in every process (~30 s)
def test_poisson_group_lasso_equals_skglm():
    """skglm's GroupProxNewton on PoissonGroup + WeightedGroupL2 (no intercept)."""
    pytest.importorskip("skglm")
    from skglm.datafits import PoissonGroup
    from skglm.penalties import WeightedGroupL2
    from skglm.solvers import GroupProxNewton

    X, y = _glm_data("poisson", seed=7)
    alpha = 0.02
    sizes = np.bincount(LABELS)
    grp_indices = np.argsort(LABELS, kind="stable").astype(np.int32)
    grp_ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32)
    pen = WeightedGroupL2(alpha, np.sqrt(sizes.astype(float)), grp_ptr, grp_indices)
    datafit = PoissonGroup(grp_ptr, grp_indices)
    solver = GroupProxNewton(tol=1e-12, fit_intercept=False)
    ref = solver.solve(np.asfortranarray(X), y, datafit, pen)[0]
    est = ElasticNetRegressor(
        alpha=alpha, l1_ratio=0.0, loss="poisson", groups=LABELS, fit_intercept=False, tol=1e-12
    ).fit(X, y)
    assert 0 < np.count_nonzero(est.coef_) < 12
    np.testing.assert_allclose(est.coef_, ref, atol=1e-6)


def test_poisson_group_cv_scores_the_group_path():
    from sklearn.metrics import mean_poisson_deviance
    from sklearn.model_selection import KFold

    from skdecay import ElasticNetRegressorCV

    X, y = _glm_data("poisson", seed=8)
    kw = dict(loss="poisson", l1_ratio=0.0, groups=LABELS)
    cv = KFold(3)
    est = ElasticNetRegressorCV(alphas=5, eps=0.05, cv=cv, tol=1e-10, **kw).fit(X, y)
    np.testing.assert_allclose(est.alphas_, alpha_grid(X, y, n_alphas=5, eps=0.05, **kw))
    train, test = next(cv.split(X))  # fold 0's held-out deviance, by hand
    path = enet_path(X[train], y[train], alphas=est.alphas_, tol=1e-10, **kw)
    mu = np.exp(X[test] @ path.coefs.T + path.intercepts)
    dev = [mean_poisson_deviance(y[test], mu[:, k]) for k in range(5)]
    np.testing.assert_allclose(est.deviance_path_[:, 0], dev, rtol=1e-6)
    ref = ElasticNetRegressor(alpha=est.alpha_, tol=1e-10, **kw).fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-8)


def test_multinomial_sparse_float32_and_warm_start():
    X, y = _class_data(seed=3)
    kw = dict(alpha=0.02, l1_ratio=0.3, groups=LABELS, tol=1e-10)
    dense = ElasticNetClassifier(**kw).fit(X, y)
    sparse = ElasticNetClassifier(**kw).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, atol=1e-9)
    f32 = ElasticNetClassifier(**{**kw, "tol": 1e-6}).fit(X.astype(np.float32), y)
    assert f32.coef_.dtype == np.float32
    np.testing.assert_allclose(f32.coef_, dense.coef_, atol=1e-4)
    warm = ElasticNetClassifier(warm_start=True, **kw).fit(X, y)
    assert warm.n_iter_ > 0
    assert warm.fit(X, y).n_iter_ == 0  # already optimal: the gap is checked first


@pytest.mark.parametrize("p", [30, 1100])  # Gram matrix / Lanczos on the operator
@pytest.mark.parametrize("sparse", [False, True])
def test_fista_step_bound(p, sparse):
    from skdecay.solvers.group_newton import _lipschitz

    rng = np.random.default_rng(9)
    X = sp.random(120, p, density=0.1, random_state=1, format="csr") if sparse else None
    X = X if sparse else rng.normal(size=(120, p)) + 0.5
    w = rng.uniform(0.1, 1, size=120)
    for fit_intercept in (True, False):
        A = X.toarray() if sparse else X
        A = np.hstack([A, np.ones((120, 1))]) if fit_intercept else A
        top = np.linalg.eigvalsh(A.T @ (w[:, None] * A))[-1]
        got = _lipschitz(X, w, fit_intercept)
        assert top <= got <= 1.011 * top  # an upper bound (FISTA's step), and tight


@pytest.mark.parametrize("n_classes", [2, 4])
def test_inexact_newton_path_meets_its_certificate(n_classes):
    # the models of the path's Newton steps are solved loosely (a tenth of the current
    # gap): every returned fit must still have a duality gap, recomputed here, within
    # tol times the gap at zero; and collinear columns (make_classification's redundant
    # features) must not stall it.
    from sklearn.datasets import make_classification

    from skdecay._path_core import group_penalty
    from skdecay.solvers import group_newton as gn
    from skdecay.solvers.problem import logistic_problem

    X, y = make_classification(
        300, 12, n_informative=4, n_redundant=2, n_classes=n_classes, random_state=0
    )
    tol = 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        path = logistic_path(X, y, l1_ratio=0.5, groups=LABELS, n_alphas=8, tol=tol)
    pb = logistic_problem(X, y, 0.5, None, None, False, True, None)[0]
    K = pb.Y.shape[1]
    pen = gn.class_penalty(group_penalty(pb, LABELS, None, 1.0), K)
    W0, b0 = (a.astype(float) for a in gn.zero_point(pb))
    for k, alpha in enumerate(path.alphas[1:], start=1):
        ref = gn.group_gap(pb, pen.at(alpha), W0, b0, gn._predictor(pb, W0, b0))  # at zero
        W, b = path.coefs[k].astype(float), path.intercepts[k].astype(float)
        gap = gn.group_gap(pb, pen.at(alpha), W, b, gn._predictor(pb, W, b))
        assert gap <= tol * ref * (1 + 1e-6)
        assert gap == pytest.approx(path.dual_gaps[k], rel=1e-6, abs=1e-15)
    assert path.coefs[-1].any()


def test_warm_start_at_alpha_max_returns_the_certified_zero():
    # from any start, alpha >= alpha_max returns the exact zero with its (rounding-level)
    # certificate and no Newton step; it used to iterate against tol times a zero gap
    from skdecay._path_core import group_penalty
    from skdecay.solvers import bcd
    from skdecay.solvers import group_newton as gn
    from skdecay.solvers.problem import logistic_problem

    X, y = _class_data(seed=5, n_classes=2)
    pb = logistic_problem(X, y, 0.3, None, None, False, True, None)[0]
    pen = group_penalty(pb, LABELS, None, 1.0)
    am = bcd.problem_group_alpha_max(pb, pen)
    start = bcd.group_fit(pb, pen.at(0.3 * am), tol=1e-10)
    assert start.coef.any()
    for alpha in (am, 2 * am):
        res = bcd.group_fit(pb, pen.at(alpha), start.coef, start.intercept, tol=1e-10)
        assert res.converged and res.n_iter == 0 and not res.coef.any()
        W, b = res.coef.astype(float), res.intercept.astype(float)
        gap = gn.group_gap(pb, pen.at(alpha), W, b, gn._predictor(pb, W, b))
        assert res.dual_gap == pytest.approx(gap, abs=1e-15) and gap <= 1e-12
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = ElasticNetClassifier(alpha=am, l1_ratio=0.3, groups=LABELS, warm_start=True)
        est.set_params(alpha=0.3 * am).fit(X, y)
        est.set_params(alpha=am).fit(X, y)
    assert not est.coef_.any() and est.n_iter_ == 0
