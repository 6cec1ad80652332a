"""MCP and SCAD (``penalty="mcp" | "scad"``): kernels against numpy references,
stationarity written out by hand, limits, closed forms and skglm.

Breheny's parametrization (ncvreg, skglm), per coefficient with ``lam = alpha``::

    MCP(w)  = lam |w| - w**2 / (2 gamma)       if |w| <= gamma lam, gamma lam**2 / 2 beyond
    SCAD(w) = lam |w|                           if |w| <= lam
            = (2 gamma lam |w| - w**2 - lam**2) / (2 (gamma - 1))   if |w| <= gamma lam
            = (gamma + 1) lam**2 / 2            beyond

Their derivatives for ``w != 0`` (``t = |w|``): MCP ``sign(w) max(lam - t/gamma, 0)``,
SCAD ``sign(w) lam`` for ``t <= lam``, ``sign(w) max(gamma lam - t, 0) / (gamma - 1)``
beyond; at 0 the (Clarke) subdifferential is ``[-lam, lam]``.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from skdecay import ElasticNetClassifier, ElasticNetRegressor, LassoRegressor
from skdecay._kernels.cd import cd_epoch_dense, cd_epoch_sparse
from skdecay._kernels.codes import PROX_MCP, PROX_SCAD
from skdecay._kernels.prox import coordinate
from skdecay.penalties import MCPPenalty, SCADPenalty, make_penalty

CODES = {"mcp": PROX_MCP, "scad": PROX_SCAD}


def _rho(kind, t, lam, gamma):
    """The penalty of ``t = |w|``, from the formulas of the module docstring."""
    if kind == "mcp":
        return np.where(t <= gamma * lam, lam * t - t**2 / (2 * gamma), gamma * lam**2 / 2)
    mid = (2 * gamma * lam * t - t**2 - lam**2) / (2 * (gamma - 1))
    return np.where(t <= lam, lam * t, np.where(t <= gamma * lam, mid, (gamma + 1) * lam**2 / 2))


def _drho(kind, t, lam, gamma):
    """``d rho / dt`` for ``t > 0``."""
    if kind == "mcp":
        return np.maximum(lam - t / gamma, 0.0)
    return np.where(t <= lam, lam, np.maximum(gamma * lam - t, 0.0) / (gamma - 1))


def _kkt(kind, w, grad, lam, gamma, l2=0.0):
    """Largest stationarity violation: ``|grad + rho'(|w|) sign(w) + l2 w|`` where
    ``w != 0`` and ``max(|grad| - lam, 0)`` where ``w = 0``."""
    w, grad = np.asarray(w, float), np.asarray(grad, float)
    moving = np.abs(grad + np.sign(w) * _drho(kind, np.abs(w), lam, gamma) + l2 * w)
    at_zero = np.maximum(np.abs(grad) - lam, 0.0)
    return float(np.max(np.where(w != 0, moving, at_zero)))


# ---------------------------------------------------------------------------
# the scalar prox: kernel against numpy against a brute-force minimiser


@pytest.mark.parametrize("kind", ["mcp", "scad"])
def test_coordinate_kernel_matches_numpy_and_grid(kind):
    rng = np.random.default_rng(0)
    for _ in range(200):
        a = rng.choice([rng.uniform(0, 0.3), rng.uniform(0.3, 3)])  # both regimes
        l2 = rng.choice([0.0, rng.uniform(0, 0.5)])
        lam = rng.uniform(0, 1.5)
        gamma = rng.uniform(2.05, 6)
        g = rng.uniform(-8, 8)
        lo, hi = rng.choice([(-np.inf, np.inf), (0.0, np.inf), (-0.7, 1.3)])
        pen = make_penalty(kind, lam, 1.0, [1.0], gamma, lower_bounds=lo, upper_bounds=hi)
        got = coordinate(CODES[kind], a, g, lam, l2, gamma, lo, hi)
        # numpy (a pure MCP / SCAD: the ridge part only adds l2 to the curvature)
        ref = pen.coordinate(a + l2, np.array([g]))[0]
        # the brute-force minimiser over a fine grid of the box
        top = min(hi, 3 * abs(g) / max(a + l2, 1e-3) + 5)
        bottom = max(lo, -top)
        grid = np.linspace(bottom, top, 400001)
        f = 0.5 * (a + l2) * grid**2 - g * grid + _rho(kind, np.abs(grid), lam, gamma)
        f_ref = 0.5 * (a + l2) * ref**2 - g * ref + _rho(kind, abs(ref), lam, gamma)
        f_got = 0.5 * (a + l2) * got**2 - g * got + _rho(kind, abs(got), lam, gamma)
        assert f_ref <= f.min() + 1e-9
        assert f_got <= f_ref + 1e-12 * max(1.0, abs(f_ref))
        assert got == pytest.approx(ref, abs=1e-9)


@pytest.mark.parametrize("kind", ["mcp", "scad"])
def test_coordinate_closed_form_and_float32(kind):
    """Above the curvature limit the kernel's threshold is the textbook one (unit
    curvature: the firm / SCAD thresholds of Breheny & Huang 2011), float32 in and out."""
    lam, gamma = 1.0, 3.7
    for z in [-9.0, -3.0, -1.5, -0.5, 0.0, 0.9, 1.2, 2.5, 3.6, 5.0]:
        if kind == "mcp":
            want = np.sign(z) * max(abs(z) - lam, 0) / (1 - 1 / gamma) if abs(z) <= gamma else z
        elif abs(z) <= 2 * lam:
            want = np.sign(z) * max(abs(z) - lam, 0)
        elif abs(z) <= gamma * lam:
            want = ((gamma - 1) * z - np.sign(z) * gamma * lam) / (gamma - 2)
        else:
            want = z
        got = coordinate(CODES[kind], 1.0, z, lam, 0.0, gamma, -np.inf, np.inf)
        assert got == pytest.approx(want, abs=1e-12)
        f32 = np.float32
        got32 = coordinate(
            CODES[kind], f32(1), f32(z), f32(lam), f32(0), f32(gamma), f32(-np.inf), f32(np.inf)
        )
        assert float(np.float32(got32)) == got32  # a float32 value (no float64 arithmetic)
        assert got32 == pytest.approx(want, abs=1e-5)


@pytest.mark.parametrize("kind", ["mcp", "scad"])
@pytest.mark.parametrize("storage", ["dense", "sparse"])
def test_cd_epoch_with_nonconvex_code_matches_numpy(kind, storage):
    """One CD epoch (no intercept, uniform weights) against its numpy transcription."""
    rng = np.random.default_rng(3)
    n, p = 40, 7
    X = rng.standard_normal((n, p)) * (rng.uniform(size=(n, p)) < 0.7)
    z = rng.standard_normal(n) * 2
    h = np.full(n, 1.0 / n)
    lam, gamma = 0.2, 2.5
    pen = make_penalty(kind, lam, 1.0, [1.0], gamma)  # one coordinate at a time
    col_sq = (h[:, None] * X * X).sum(0) * np.array([1, 0.1, 1, 1, 0.2, 1, 1])  # varied a
    X = X * np.sqrt(col_sq / (h[:, None] * X * X).sum(0))  # columns with those curvatures
    w0 = rng.standard_normal(p) * 0.3
    order = np.array([3, 0, 6, 1, 5, 2, 4, 0], dtype=np.int64)
    # reference: exact coordinate minimisation, residual recomputed from scratch
    w_ref = w0.copy()
    for j in order:
        r = z - X @ w_ref
        g = h @ (X[:, j] * r) + col_sq[j] * w_ref[j]
        w_ref[j] = pen.coordinate(col_sq[j], np.array([g]))[0]
    w = w0.copy()
    q = z - X @ w0
    zeros = np.zeros(p)
    args = (np.ones(p) * lam, zeros, np.full(p, -np.inf), np.full(p, np.inf), order)
    if storage == "dense":
        cd_epoch_dense(np.asfortranarray(X), w, q, h, 0.0, col_sq, zeros, *args, CODES[kind], gamma)
    else:
        S = sp.csc_matrix(X)
        cd_epoch_sparse(
            S.data, S.indices, S.indptr, w, q, h, 0.0, col_sq, zeros, zeros, *args, CODES[kind],
            gamma,
        )  # fmt: skip
    np.testing.assert_allclose(w, w_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(q, z - X @ w, rtol=1e-10, atol=1e-12)


def test_penalty_objects():
    pen = MCPPenalty(0.5, 1.0, np.ones(3), 3.0)
    assert not pen.convex and pen.name == "mcp"
    w = np.array([0.0, 1.0, -4.0])
    assert pen.value(w) == pytest.approx(float(_rho("mcp", np.abs(w), 0.5, 3.0).sum()))
    assert pen.at(0.25).gamma == 3.0 and pen.at(0.25).alpha == 0.25
    assert pen.alpha_max(np.array([0.3, -0.8, 0.1])) == pytest.approx(0.8)
    scad = SCADPenalty(0.5, 1.0, np.ones(3), 3.7)
    assert scad.value(w) == pytest.approx(float(_rho("scad", np.abs(w), 0.5, 3.7).sum()))
    with pytest.raises(NotImplementedError, match="not convex"):
        pen.conjugate(w)
    with pytest.raises(ValueError, match="gamma must be > 2"):
        SCADPenalty(0.5, 1.0, np.ones(3), 1.5)
    with pytest.raises(ValueError, match="gamma must be > 1"):
        MCPPenalty(0.5, 1.0, np.ones(3), 1.0)
    # kkt_violation: the distance of the gradient to minus the Clarke subdifferential
    G = np.array([0.7, -0.2, 0.05])
    want = [0.2, abs(-0.2 + (0.5 - 1 / 3)), 0.05]
    np.testing.assert_allclose(pen.kkt_violation(w, G), want)


# ---------------------------------------------------------------------------
# the estimators


def _regression(n=120, p=15, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X = (X - X.mean(0)) / X.std(0)
    w = np.zeros(p)
    w[:4] = [3.0, -2.0, 1.0, 0.4]
    return X, X @ w + 0.5 * rng.standard_normal(n) + 1.0


def _classification(n=200, p=12, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:4] = [1.0, -1.0, 0.5, 0.3]
    return X, (X @ w + rng.logistic(size=n) > 0).astype(int)


@pytest.mark.parametrize("kind", ["mcp", "scad"])
@pytest.mark.parametrize("sparse", [False, True])
def test_regressor_is_stationary(kind, sparse):
    X, y = _regression()
    Xf = sp.csc_matrix(X) if sparse else X
    alpha, gamma, l1_ratio = 0.15, (2.5 if kind == "mcp" else 3.2), 0.8
    m = ElasticNetRegressor(
        alpha=alpha, l1_ratio=l1_ratio, penalty=kind, gamma=gamma, tol=1e-12, max_iter=10000
    ).fit(Xf, y)
    assert m.stopping_criterion_ == "kkt"
    r = y - X @ m.coef_ - m.intercept_
    assert abs(r.mean()) < 1e-10  # the intercept's condition
    grad = -X.T @ r / len(y)
    lam, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    assert _kkt(kind, m.coef_, grad, lam, gamma, l2) < 1e-8
    assert 0 < np.count_nonzero(m.coef_) < X.shape[1]
    assert m.dual_gap_ < 1e-8  # the reported violation


@pytest.mark.parametrize("kind", ["mcp", "scad"])
@pytest.mark.parametrize("sparse", [False, True])
def test_classifier_is_stationary(kind, sparse):
    X, y = _classification()
    Xf = sp.csc_matrix(X) if sparse else X
    alpha = 0.03
    m = ElasticNetClassifier(alpha=alpha, l1_ratio=1.0, penalty=kind, tol=1e-12, max_iter=500).fit(
        Xf, y
    )
    assert m.stopping_criterion_ == "kkt"
    gamma = 3.0 if kind == "mcp" else 3.7
    prob = 1 / (1 + np.exp(-(X @ m.coef_[0] + m.intercept_[0])))
    assert abs((prob - y).mean()) < 1e-8
    grad = X.T @ (prob - y) / len(y)
    assert _kkt(kind, m.coef_[0], grad, alpha, gamma) < 1e-8
    assert 0 < np.count_nonzero(m.coef_) < X.shape[1]


@pytest.mark.parametrize("kind", ["mcp", "scad"])
def test_gamma_to_infinity_is_the_lasso(kind):
    X, y = _regression()
    lasso = LassoRegressor(alpha=0.1, tol=1e-12).fit(X, y)
    ncv = LassoRegressor(alpha=0.1, penalty=kind, gamma=1e8, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(ncv.coef_, lasso.coef_, atol=1e-6)
    assert lasso.stopping_criterion_ == "duality_gap"
    Xc, yc = _classification()
    lasso = ElasticNetClassifier(alpha=0.02, l1_ratio=1.0, tol=1e-10).fit(Xc, yc)
    ncv = ElasticNetClassifier(alpha=0.02, l1_ratio=1.0, penalty=kind, gamma=1e8, tol=1e-10)
    np.testing.assert_allclose(ncv.fit(Xc, yc).coef_, lasso.coef_, atol=1e-6)


@pytest.mark.parametrize("kind", ["mcp", "scad"])
def test_orthogonal_design_is_the_threshold_of_least_squares(kind):
    """With ``X.T X / n = I`` the objective separates: each coefficient is the
    firm (MCP) or SCAD threshold of the least-squares coefficient ``z = X.T y / n``;
    MCP leaves every ``|z| > gamma alpha`` unshrunk (unbiased large coefficients)."""
    rng = np.random.default_rng(5)
    n, p = 60, 8
    Q = np.linalg.qr(rng.standard_normal((n, p)))[0] * np.sqrt(n)
    z_true = np.array([5.0, -4.0, 1.6, -1.2, 0.7, 0.3, -0.1, 0.0])
    y = Q @ z_true + 0.3 * rng.standard_normal(n)
    z = Q.T @ y / n
    alpha, gamma = 0.5, 3.0
    m = LassoRegressor(alpha=alpha, penalty=kind, gamma=gamma, fit_intercept=False, tol=1e-12)
    coef = m.fit(Q, y).coef_
    s, az = np.sign(z), np.abs(z)
    if kind == "mcp":
        want = np.where(az <= gamma * alpha, s * np.maximum(az - alpha, 0) / (1 - 1 / gamma), z)
        big = az > gamma * alpha
        assert big.sum() >= 2
        np.testing.assert_allclose(coef[big], z[big], rtol=1e-10)  # = least squares
    else:
        mid = ((gamma - 1) * z - s * gamma * alpha) / (gamma - 2)
        want = np.where(
            az <= 2 * alpha, s * np.maximum(az - alpha, 0), np.where(az <= gamma * alpha, mid, z)
        )
    np.testing.assert_allclose(coef, want, rtol=1e-9, atol=1e-12)


@pytest.mark.slow  # skglm compiles its numba solvers on first use
@pytest.mark.parametrize("kind", ["mcp", "scad"])
def test_agrees_with_skglm(kind):
    skglm = pytest.importorskip("skglm")
    from skglm.datafits import Logistic, Quadratic
    from skglm.penalties import SCAD, MCPenalty

    X, y = _regression()
    y = y - y.mean()
    alpha, gamma = 0.1, 3.0
    Pen = MCPenalty if kind == "mcp" else SCAD
    ref = skglm.GeneralizedLinearEstimator(
        Quadratic(), Pen(alpha, gamma), skglm.solvers.AndersonCD(tol=1e-12, fit_intercept=False)
    )
    with warnings.catch_warnings():  # skglm's own numba performance warnings
        warnings.simplefilter("ignore")
        ref.fit(X, y)  # skglm's Quadratic is 1/(2n) ||y - X w||**2, as ours
    ours = LassoRegressor(alpha=alpha, penalty=kind, gamma=gamma, fit_intercept=False, tol=1e-12)
    np.testing.assert_allclose(ours.fit(X, y).coef_, ref.coef_, atol=1e-7)
    Xc, yc = _classification()
    # the logistic curvature is ~0.2 here: with SCAD's concavity 1/(gamma - 1) above it
    # (gamma = 5) the objective has several stationary points (skglm's and ours are
    # both stationary to 1e-12, with objectives 2e-3 apart); gamma = 10 keeps one
    gamma = 10.0
    ref = skglm.GeneralizedLinearEstimator(
        Logistic(), Pen(0.03, gamma), skglm.solvers.ProxNewton(tol=1e-12, fit_intercept=False)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(Xc, 2.0 * yc - 1)  # skglm's Logistic: mean log(1 + exp(-y x w)), y in {-1, 1}
    ours = ElasticNetClassifier(
        alpha=0.03, l1_ratio=1.0, penalty=kind, gamma=gamma, fit_intercept=False, tol=1e-12
    )
    np.testing.assert_allclose(ours.fit(Xc, yc).coef_[0], ref.coef_.ravel(), atol=1e-6)


def test_parameter_validation_and_compiled_route():
    X, y = _regression()
    with pytest.raises(ValueError, match="penalty"):
        LassoRegressor(penalty="lasso").fit(X, y)
    with pytest.raises(ValueError, match="gamma must be > 2"):
        LassoRegressor(penalty="scad", gamma=1.5).fit(X, y)
    with pytest.raises(ValueError, match="squared error and the logistic"):
        LassoRegressor(penalty="mcp", loss="poisson").fit(X, np.abs(y))
    # the compiled (elastic-net only) path solvers decline a non-convex problem
    from dataclasses import replace

    from skdecay import losses
    from skdecay.solvers import make_problem, solve_compiled

    pb, _ = make_problem(np.asfortranarray(X), y[:, None], None, losses.SQUARED, 0.1, 1.0)
    assert solve_compiled(pb, np.array([0.1]), 1e-4, 100, False) is not None
    pb = replace(pb, penalty=pb.penalty.as_kind("mcp", 3.0))
    assert solve_compiled(pb, np.array([0.1]), 1e-4, 100, False) is None


@pytest.mark.parametrize("kind", ["mcp", "scad"])
def test_paths_are_warm_started_stationary_points(kind):
    from skdecay import enet_path, logistic_path

    X, y = _regression()
    path = enet_path(X, y, penalty=kind, n_alphas=8, eps=0.05, tol=1e-10)
    gamma = 3.0 if kind == "mcp" else 3.7
    assert not path.coefs[0].any()  # alpha_max: the lasso's
    for alpha, w, b in zip(path.alphas, path.coefs, path.intercepts):
        r = y - X @ w - b
        assert _kkt(kind, w, -X.T @ r / len(y), alpha, gamma) < 1e-8
    Xc, yc = _classification()
    path = logistic_path(Xc, yc, penalty=kind, gamma=6.0, n_alphas=5, eps=0.1, tol=1e-10)
    for alpha, W, b in zip(path.alphas, path.coefs, path.intercepts):
        prob = 1 / (1 + np.exp(-(Xc @ W[0] + b[0])))
        assert _kkt(kind, W[0], Xc.T @ (prob - yc) / len(yc), alpha, 6.0) < 1e-8


# ---------------------------------------------------------------------------
# cross-validation along MCP / SCAD paths (cv.ncvreg)


def _hand_cv_scores(path_of, X, y, folds, alphas, score):
    """``(n_alphas, n_folds)`` held-out scores of paths computed fold by fold."""
    out = np.empty((alphas.size, len(folds)))
    for f, (train, test) in enumerate(folds):
        path = path_of(X[train], y[train])
        for i in range(alphas.size):
            out[i, f] = score(np.atleast_2d(path.coefs[i]), np.ravel(path.intercepts[i]), test)
    return out


@pytest.mark.parametrize("kind", ["mcp", "scad"])
def test_regressor_cv_along_nonconvex_paths(kind):
    from sklearn.model_selection import KFold

    from skdecay import ElasticNetRegressorCV, enet_path

    X, y = _regression()
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    gammas = [2.5, 6.0] if kind == "mcp" else [3.0, 6.0]
    tight = dict(tol=1e-10, max_iter=10_000)
    cv = ElasticNetRegressorCV(
        l1_ratio=0.9, penalty=kind, gamma=gammas, alphas=12, eps=0.02, cv=folds, **tight
    ).fit(X, y)
    assert cv.scores_path_.shape == (1, 2, 12, 4)

    def mse(W, b, test):
        return -np.mean((y[test] - X[test] @ W[0] - b[0]) ** 2)

    hand = np.stack(
        [
            _hand_cv_scores(
                lambda Xt, yt, g=g: enet_path(
                    Xt, yt, l1_ratio=0.9, alphas=cv.alphas_, penalty=kind, gamma=g, **tight
                ),
                X,
                y,
                folds,
                cv.alphas_,
                mse,
            )  # fmt: skip
            for g in gammas
        ]
    )
    np.testing.assert_allclose(cv.scores_path_[0], hand, rtol=1e-6)
    k, j = np.unravel_index(np.argmax(hand.mean(axis=2)), hand.shape[:2])
    assert (cv.gamma_, cv.alpha_) == (gammas[k], cv.alphas_[j])
    # the refit is a stationary point at (alpha_, gamma_)
    r = y - X @ cv.coef_ - cv.intercept_
    assert abs(r.mean()) < 1e-8
    lam, l2 = cv.alpha_ * 0.9, cv.alpha_ * 0.1
    assert _kkt(kind, cv.coef_, -X.T @ r / len(y), lam, cv.gamma_, l2) < 1e-7
    assert cv.stopping_criterion_ == "kkt"


@pytest.mark.parametrize("kind", ["mcp", "scad"])
def test_classifier_cv_along_nonconvex_paths(kind):
    from sklearn.metrics import log_loss
    from sklearn.model_selection import StratifiedKFold

    from skdecay import ElasticNetClassifierCV, logistic_path

    X, y = _classification()
    folds = list(StratifiedKFold(3, shuffle=True, random_state=1).split(X, y))
    tight = dict(tol=1e-10, max_iter=500)
    cv = ElasticNetClassifierCV(
        l1_ratio=1.0, penalty=kind, alphas=10, eps=0.05, cv=folds, scoring="neg_log_loss", **tight
    ).fit(X, y)
    assert cv.scores_path_.shape == (1, 10, 3) and cv.gamma_ == (3.0 if kind == "mcp" else 3.7)

    def neg_log_loss(W, b, test):
        prob = 1 / (1 + np.exp(-(X[test] @ W[0] + b[0])))
        return -log_loss(y[test], prob, labels=[0, 1])

    hand = _hand_cv_scores(
        lambda Xt, yt: logistic_path(Xt, yt, alphas=cv.alphas_, penalty=kind, **tight),
        X, y, folds, cv.alphas_, neg_log_loss,
    )  # fmt: skip
    np.testing.assert_allclose(cv.scores_path_[0], hand, rtol=1e-6)
    assert cv.alpha_ == cv.alphas_[np.argmax(hand.mean(axis=1))]
    prob = 1 / (1 + np.exp(-(X @ cv.coef_[0] + cv.intercept_[0])))
    assert abs((prob - y).mean()) < 1e-8
    assert _kkt(kind, cv.coef_[0], X.T @ (prob - y) / len(y), cv.alpha_, cv.gamma_) < 1e-7


def test_nonconvex_cv_parameter_errors():
    from skdecay import ElasticNetRegressorCV

    X, y = _regression()
    with pytest.raises(ValueError, match="gamma must be > 2"):
        ElasticNetRegressorCV(penalty="scad", gamma=[1.5, 3.0], alphas=3).fit(X, y)
    with pytest.raises(ValueError, match="squared error and logistic"):
        ElasticNetRegressorCV(penalty="mcp", loss="poisson", alphas=3).fit(X, np.abs(y))
    with pytest.raises(ValueError, match="elastic_net"):
        ElasticNetRegressorCV(penalty="mcp", groups=[0, 0, 1] * 4, alphas=3).fit(X, y)
