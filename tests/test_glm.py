"""GLM elastic nets (``loss="poisson" | "gamma" | "tweedie"``): estimators, paths, CV.

References: scikit-learn's ``PoissonRegressor`` / ``GammaRegressor`` /
``TweedieRegressor(link="log")`` at ``l1_ratio=0``, the optimality (KKT)
conditions written out here from the half-deviance's gradient, glum where it is
installed, and hand computations of the CV criterion.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import config_context
from sklearn.base import clone
from sklearn.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor
from sklearn.metrics import d2_tweedie_score, mean_tweedie_deviance
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skdecay import (
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    LassoRegressor,
    alpha_grid,
    alpha_max,
    enet_path,
)
from skdecay.solvers import make_problem, objective, problem_alpha_max

LOSSES = ["poisson", "gamma", "tweedie"]
POWER = {"poisson": 1.0, "gamma": 2.0, "tweedie": 1.5}
TIGHT = {"tol": 1e-12, "max_iter": 500}


def _data(loss, n=160, p=7, seed=0, exposure=False):
    """Standardised ``X``, a target of ``loss`` (log link) and exposures."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    k = min(p, 4)
    w[:k] = np.array([0.4, -0.3, 0.2, 0.1])[:k]
    e = rng.uniform(0.3, 3.0, size=n) if exposure else np.ones(n)
    mu = e * np.exp(0.2 + X @ w)
    if loss == "poisson":
        y = rng.poisson(mu).astype(float)
    elif loss == "gamma":
        y = rng.gamma(2.0, mu / 2.0)
    else:  # compound Poisson-gamma: exact zeros and positive amounts
        y = np.array([rng.gamma(2.0, 0.5, size=k).sum() for k in rng.poisson(mu)])
    return X, y, e


def _weights(n, seed=1):
    return np.random.default_rng(seed).uniform(0.2, 3.0, size=n)


def _sklearn(loss, alpha):
    kw = {"alpha": alpha, "tol": 1e-12, "max_iter": 1000, "solver": "newton-cholesky"}
    if loss == "poisson":
        return PoissonRegressor(**kw)
    if loss == "gamma":
        return GammaRegressor(**kw)
    return TweedieRegressor(power=1.5, link="log", **kw)


def _kkt(X, y, coef, intercept, alpha, l1_ratio, loss, s=None, offset=None):
    """Largest violation of the optimality conditions, written out by hand.

    With ``mu = exp(Xw + b + o)`` the per-sample half-deviance has derivative
    ``d/dz = mu**(2-p) - y mu**(1-p)`` (``p`` 1 Poisson, 2 Gamma, 1.5 Tweedie);
    ``g = X' (s d) / n`` with ``s`` summing to ``n``.  At the optimum:
    ``sum s d = 0`` (intercept), ``g_j + alpha (1-r) w_j + alpha r sign(w_j) = 0``
    for ``w_j != 0`` and ``|g_j| <= alpha r`` for ``w_j = 0``.
    """
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    s = np.ones(n) if s is None else np.asarray(s, dtype=np.float64) * n / np.sum(s)
    o = np.zeros(n) if offset is None else offset
    p = POWER[loss]
    z = X @ coef + intercept + o
    d = np.exp((2 - p) * z) - y * np.exp((1 - p) * z)
    g = X.T @ (s * d) / n
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    viol = np.where(
        coef != 0, np.abs(g + l2 * coef + l1 * np.sign(coef)), np.maximum(np.abs(g) - l1, 0.0)
    )
    return max(float(viol.max()), abs(float(np.mean(s * d))))


# ---------------------------------------------------------------------------
# l1_ratio = 0: scikit-learn's GLMs


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("sparse", [False, True])
def test_l2_equals_sklearn_glm(loss, sparse):
    X, y, _ = _data(loss)
    sw = _weights(len(y))
    ref = _sklearn(loss, 0.03).fit(X, y, sample_weight=sw)
    Xf = sp.csr_matrix(X) if sparse else X
    ours = ElasticNetRegressor(alpha=0.03, l1_ratio=0.0, loss=loss, **TIGHT)
    ours.fit(Xf, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-8, rtol=0)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-8)
    np.testing.assert_allclose(ours.predict(Xf), ref.predict(X), rtol=1e-8)
    assert ours.score(Xf, y, sample_weight=sw) == pytest.approx(
        ref.score(X, y, sample_weight=sw), abs=1e-10
    )
    expected = "kkt" if loss == "tweedie" else "duality_gap"
    assert ours.stopping_criterion_ == expected


@pytest.mark.parametrize("loss", LOSSES)
def test_objective_is_the_mean_half_deviance(loss):
    """The convention of ``dual_gap_``: our objective is half of scikit-learn's
    mean deviance plus the penalty (zero deviance at ``mu = y``)."""
    X, y, _ = _data(loss)
    sw = _weights(len(y))
    alpha, r = 0.02, 0.6
    est = ElasticNetRegressor(alpha=alpha, l1_ratio=r, loss=loss, tol=1e-8).fit(X, y, sw)
    pb, _ = make_problem(X, y[:, None], sw, est._loss_entry().code, alpha, r, power=1.5)
    ours = objective(pb, est.coef_[None, :], np.array([est.intercept_]))
    mu = est.predict(X)
    by_hand = 0.5 * mean_tweedie_deviance(y, mu, sample_weight=sw, power=POWER[loss])
    by_hand += alpha * (r * np.abs(est.coef_).sum() + (1 - r) / 2 * est.coef_ @ est.coef_)
    assert ours == pytest.approx(by_hand, rel=1e-12)


@pytest.mark.parametrize("loss", ["poisson", "gamma"])
def test_dual_gap_certifies_the_objective(loss):
    """A loose fit's objective is within its ``dual_gap_`` of a tight fit's."""
    X, y, _ = _data(loss)
    kw = {"alpha": 0.01, "l1_ratio": 0.8, "loss": loss}
    loose = ElasticNetRegressor(tol=1e-2, **kw).fit(X, y)
    tight = ElasticNetRegressor(**TIGHT, **kw).fit(X, y)
    code = loose._loss_entry().code
    pb, _ = make_problem(X, y[:, None], None, code, kw["alpha"], kw["l1_ratio"])
    gap = objective(pb, loose.coef_[None, :], np.array([loose.intercept_])) - objective(
        pb, tight.coef_[None, :], np.array([tight.intercept_])
    )
    assert -1e-14 <= gap <= loose.dual_gap_ * (1 + 1e-9) + 1e-15
    assert loose.dual_gap_ > 0


# ---------------------------------------------------------------------------
# L1 and elastic net: KKT by hand, glum


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("sparse", [False, True])
def test_l1_and_enet_satisfy_kkt(loss, l1_ratio, sparse):
    X, y, e = _data(loss, exposure=True)
    sw = _weights(len(y))
    off = np.log(e)
    amax = alpha_max(X, y, loss=loss, l1_ratio=l1_ratio, offset=off, sample_weight=sw)
    alpha = 0.1 * amax
    Xf = sp.csc_matrix(X) if sparse else X
    est = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss, **TIGHT)
    est.fit(Xf, y, sample_weight=sw, offset=off)
    assert 0 < np.count_nonzero(est.coef_) < X.shape[1]  # a sparse, nontrivial solution
    viol = _kkt(X, y, est.coef_, est.intercept_, alpha, l1_ratio, loss, sw, off)
    assert viol < 1e-9


@pytest.mark.parametrize("loss", LOSSES)
def test_agrees_with_glum(loss):
    glum = pytest.importorskip("glum")
    X, y, e = _data(loss, exposure=True)
    sw = _weights(len(y))
    off = np.log(e)
    family = {"poisson": "poisson", "gamma": "gamma", "tweedie": glum.TweedieDistribution(1.5)}
    for l1_ratio in (1.0, 0.5):
        ref = glum.GeneralizedLinearRegressor(
            family=family[loss],
            link="log",
            alpha=0.01,
            l1_ratio=l1_ratio,
            gradient_tol=1e-12,
            max_iter=1000,
        ).fit(X, y, sample_weight=sw, offset=off)
        ours = ElasticNetRegressor(alpha=0.01, l1_ratio=l1_ratio, loss=loss, **TIGHT)
        ours.fit(X, y, sample_weight=sw, offset=off)
        np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-7)
        assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-7)
        assert np.array_equal(ours.coef_ == 0, ref.coef_ == 0)


# ---------------------------------------------------------------------------
# offsets


@pytest.mark.parametrize("sparse", [False, True])
def test_poisson_offset_is_rate_with_exposure_weights(sparse):
    """Poisson with offset ``log e`` on ``y`` is Poisson on ``y / e`` with weights
    ``e``: ``dev(y, e mu) = e dev(y/e, mu)``.  Weights are normalised to sum
    ``n``, so the weighted problem's alpha is ``alpha * n / sum(e)``."""
    X, y, e = _data("poisson", exposure=True)
    Xf = sp.csr_matrix(X) if sparse else X
    n = len(y)
    alpha = 0.02
    ours = ElasticNetRegressor(alpha=alpha, l1_ratio=0.0, loss="poisson", **TIGHT)
    ours.fit(Xf, y, offset=np.log(e))
    ref = PoissonRegressor(alpha=alpha * n / e.sum(), tol=1e-12, solver="newton-cholesky")
    ref.fit(X, y / e, sample_weight=e)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-8, rtol=0)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-8)
    # the L1 case: ours with offset equals ours on the rates with exposure weights
    alpha = 0.08
    l1 = ElasticNetRegressor(alpha=alpha, l1_ratio=1.0, loss="poisson", **TIGHT)
    l1.fit(Xf, y, offset=np.log(e))
    rate = clone(l1).set_params(alpha=alpha * n / e.sum()).fit(Xf, y / e, sample_weight=e)
    assert np.count_nonzero(l1.coef_) < X.shape[1]
    np.testing.assert_allclose(l1.coef_, rate.coef_, atol=1e-8, rtol=0)
    assert l1.intercept_ == pytest.approx(rate.intercept_, abs=1e-8)
    # predict: the rate without offset, the expected count with it
    np.testing.assert_allclose(l1.predict(Xf, offset=np.log(e)), e * l1.predict(Xf), rtol=1e-12)


def test_squared_offset_is_subtracted_from_y():
    X, y, e = _data("poisson")
    off = np.random.default_rng(3).normal(size=len(y))
    a = ElasticNetRegressor(alpha=0.05, tol=1e-10).fit(X, y, offset=off)
    b = ElasticNetRegressor(alpha=0.05, tol=1e-10).fit(X, y - off)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(a.predict(X, offset=off), b.predict(X) + off, rtol=1e-12)


def test_offset_errors():
    X, y, _ = _data("poisson")
    est = ElasticNetRegressor(loss="poisson")
    with pytest.raises(ValueError, match="offset has shape"):
        est.fit(X, y, offset=np.zeros(3))
    with pytest.raises(ValueError, match="NaN or infinity"):
        est.fit(X, y, offset=np.full(len(y), np.nan))
    est.fit(X, y)
    with pytest.raises(ValueError, match="offset has shape"):
        est.predict(X, offset=np.zeros(3))


# ---------------------------------------------------------------------------
# validation, predict, score, dtypes


@pytest.mark.parametrize(
    "loss, y_bad, match",
    [
        ("poisson", -1.0, "non-negative"),
        ("tweedie", -1.0, "non-negative"),
        ("gamma", 0.0, "positive targets"),
    ],
)
def test_targets_out_of_range_raise(loss, y_bad, match):
    X, y, _ = _data(loss)
    y = y.copy()
    y[0] = y_bad
    for est in (ElasticNetRegressor(loss=loss), ElasticNetRegressorCV(loss=loss, cv=2)):
        with pytest.raises(ValueError, match=match):
            est.fit(X, y)
    with pytest.raises(ValueError, match=match):
        enet_path(X, y, loss=loss, n_alphas=3)


def test_parameter_validation():
    X, y, _ = _data("poisson")
    with pytest.raises(InvalidParameterError, match="loss"):
        ElasticNetRegressor(loss="huber").fit(X, y)
    with pytest.raises(InvalidParameterError, match="power"):
        ElasticNetRegressor(loss="tweedie", power=2.5).fit(X, y)
    with pytest.raises(InvalidParameterError, match="loss"):
        ElasticNetRegressorCV(loss="logistic").fit(X, y)
    with pytest.raises(ValueError, match="loss must be one of"):
        alpha_max(X, y, loss="huber")
    with pytest.raises(ValueError, match="power"):
        enet_path(X, y, loss="tweedie", power=1.0)


@pytest.mark.parametrize("loss", LOSSES)
def test_predict_is_the_mean_and_score_is_d2(loss):
    X, y, e = _data(loss, exposure=True)
    off = np.log(e)
    est = LassoRegressor(alpha=0.01, loss=loss).fit(X, y, offset=off)
    eta = X @ est.coef_ + est.intercept_
    np.testing.assert_allclose(est.predict(X), np.exp(eta), rtol=1e-12)
    np.testing.assert_allclose(est.predict(X, offset=off), np.exp(eta + off), rtol=1e-12)
    expected = d2_tweedie_score(y, np.exp(eta + off), power=POWER[loss])
    assert est.score(X, y, offset=off) == pytest.approx(expected, rel=1e-12)
    assert est.__sklearn_tags__().target_tags.positive_only
    assert not ElasticNetRegressor().__sklearn_tags__().target_tags.positive_only


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("sparse", [False, True])
def test_float32_stays_float32(loss, sparse):
    X, y, e = _data(loss, exposure=True)
    X32 = X.astype(np.float32)
    X32 = sp.csc_matrix(X32) if sparse else X32
    kw = {"alpha": 0.01, "l1_ratio": 0.7, "loss": loss, "tol": 1e-6}
    est = ElasticNetRegressor(**kw).fit(X32, y, offset=np.log(e))
    ref = ElasticNetRegressor(**kw).fit(X, y, offset=np.log(e))
    assert est.coef_.dtype == np.float32
    assert est.predict(X32).dtype == np.float32
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=2e-4)


# ---------------------------------------------------------------------------
# alpha_max and paths


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("sparse", [False, True])
def test_alpha_max_zero_then_one_nonzero(loss, sparse):
    X, y, e = _data(loss, exposure=True)
    sw = _weights(len(y))
    off = np.log(e)
    Xf = sp.csc_matrix(X) if sparse else X
    amax = alpha_max(Xf, y, loss=loss, l1_ratio=0.8, offset=off, sample_weight=sw)
    kw = {"l1_ratio": 0.8, "loss": loss}
    at = ElasticNetRegressor(alpha=amax, **kw).fit(Xf, y, sample_weight=sw, offset=off)
    assert np.all(at.coef_ == 0)
    below = ElasticNetRegressor(alpha=amax * (1 - 1e-4), **kw)
    below.fit(Xf, y, sample_weight=sw, offset=off)
    assert np.count_nonzero(below.coef_) == 1
    # the closed form: the largest |gradient| at zero (intercept optimal) over l1_ratio
    p = POWER[loss]
    s = sw * len(y) / sw.sum()
    b = at.intercept_
    d = np.exp((2 - p) * (b + off)) - y * np.exp((1 - p) * (b + off))
    assert abs(np.sum(s * d)) / len(y) < 1e-12  # the intercept is optimal
    assert amax == pytest.approx(np.max(np.abs(X.T @ (s * d))) / len(y) / 0.8, rel=1e-12)


@settings(max_examples=12, deadline=None, derandomize=True, database=None)
@given(
    loss=st.sampled_from(LOSSES),
    seed=st.integers(0, 2**31 - 1),
    l1_ratio=st.sampled_from([1.0, 0.5]),
    factor=st.floats(1.0, 30.0),
)
def test_glm_zero_from_alpha_max(loss, seed, l1_ratio, factor):
    """Property: from alpha_max on every coefficient is exactly zero (random data,
    weights and offsets), and the intercept makes the intercept's gradient vanish."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(15, 60))
    X, y, e = _data(loss, n=n, p=int(rng.integers(2, 6)), seed=seed, exposure=True)
    if not np.any(y > 0):
        y[0] = 1.0
    sw, off = _weights(n, seed), np.log(e)
    amax = alpha_max(X, y, loss=loss, l1_ratio=l1_ratio, offset=off, sample_weight=sw)
    est = ElasticNetRegressor(alpha=amax * factor, l1_ratio=l1_ratio, loss=loss)
    est.fit(X, y, sample_weight=sw, offset=off)
    assert np.all(est.coef_ == 0)
    assert _kkt(X, y, est.coef_, est.intercept_, amax * factor, l1_ratio, loss, sw, off) < 1e-9


@pytest.mark.parametrize("loss", LOSSES)
def test_problem_alpha_max_agrees_with_the_compiled_path(loss):
    """``solvers.problem_alpha_max`` and the compiled GLM path's own alpha_max
    (its gradient at zero with the offset) agree: from alpha_max on the compiled
    path returns exact zeros without iterating, just below it iterates."""
    from skdecay import _logistic_path

    X, y, e = _data(loss, exposure=True)
    code = ElasticNetRegressor(loss=loss)._loss_entry().code
    pb, _ = make_problem(X, y[:, None], _weights(len(y)), code, 1.0, 0.9, offset=np.log(e))
    amax = problem_alpha_max(pb)
    alphas = np.array([amax * (1 + 1e-12), amax * (1 - 1e-6)])
    coefs, _, _, n_iter, converged = _logistic_path.logistic_path_compiled(
        pb, alphas, tol=1e-8, max_iter=100, settle=False, offset=pb.offset, power=pb.power
    )
    assert n_iter[0] == 0 and np.all(coefs[0] == 0)
    assert n_iter[1] > 0 and np.count_nonzero(coefs[1]) == 1 and converged.all()


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("sparse", [False, True])
def test_path_equals_single_fits(loss, sparse):
    X, y, e = _data(loss, exposure=True)
    off = np.log(e)
    sw = _weights(len(y))
    Xf = sp.csc_matrix(X) if sparse else X
    path = enet_path(
        Xf, y, loss=loss, offset=off, sample_weight=sw, l1_ratio=0.7, n_alphas=6, tol=1e-10
    )
    grid = alpha_grid(X, y, loss=loss, offset=off, sample_weight=sw, l1_ratio=0.7, n_alphas=6)
    np.testing.assert_allclose(path.alphas, grid, rtol=1e-12)
    assert np.all(path.coefs[0] == 0)
    for i in (2, 5):
        est = ElasticNetRegressor(alpha=path.alphas[i], l1_ratio=0.7, loss=loss, tol=1e-10)
        est.fit(Xf, y, sample_weight=sw, offset=off)
        np.testing.assert_allclose(path.coefs[i], est.coef_, atol=1e-7)
        assert path.intercepts[i] == pytest.approx(est.intercept_, abs=1e-7)


# ---------------------------------------------------------------------------
# cross-validation and metadata routing


@pytest.mark.parametrize("loss", ["poisson", "tweedie"])
def test_cv_picks_the_alpha_of_least_mean_deviance(loss):
    X, y, e = _data(loss, exposure=True)
    off, sw = np.log(e), _weights(len(y))
    cv = KFold(3, shuffle=True, random_state=0)
    est = ElasticNetRegressorCV(loss=loss, l1_ratio=1.0, alphas=6, cv=cv, tol=1e-10)
    est.fit(X, y, sample_weight=sw, offset=off)
    dev = np.empty((6, 3))
    for f, (tr, te) in enumerate(cv.split(X)):
        for i, a in enumerate(est.alphas_):
            fit = LassoRegressor(alpha=a, loss=loss, tol=1e-10)
            fit.fit(X[tr], y[tr], sample_weight=sw[tr], offset=off[tr])
            mu = fit.predict(X[te], offset=off[te])
            dev[i, f] = mean_tweedie_deviance(y[te], mu, sample_weight=sw[te], power=POWER[loss])
    np.testing.assert_allclose(est.deviance_path_, dev, rtol=1e-6)
    np.testing.assert_array_equal(est.scores_path_[0], -est.deviance_path_)
    assert est.alpha_ == est.alphas_[np.argmin(dev.mean(axis=1))]
    assert not hasattr(est, "mse_path_")
    ref = LassoRegressor(alpha=est.alpha_, loss=loss).fit(X, y, sample_weight=sw, offset=off)
    np.testing.assert_allclose(est.coef_, ref.coef_)
    assert est.stopping_criterion_ == ref.stopping_criterion_


def test_cv_squared_keeps_mse_path():
    X, y, _ = _data("gamma")
    est = ElasticNetRegressorCV(l1_ratio=1.0, alphas=4, cv=3).fit(X, y)
    assert est.mse_path_ is est.deviance_path_


@pytest.mark.slow
def test_pipeline_gridsearch_with_routed_offset():
    X, y, e = _data("poisson", exposure=True)
    off = np.log(e)
    cv = KFold(3, shuffle=True, random_state=0)
    with config_context(enable_metadata_routing=True):
        glm = ElasticNetRegressor(loss="poisson", l1_ratio=1.0, tol=1e-10)
        glm.set_fit_request(offset=True).set_score_request(offset=True)
        glm.set_predict_request(offset=True)
        pipe = make_pipeline(StandardScaler(), glm)
        grid = {"elasticnetregressor__alpha": [0.001, 0.01, 0.1]}
        search = GridSearchCV(pipe, grid, cv=cv).fit(X, y, offset=off)
        # the same folds by hand: fit with the training offsets, D2 with the test ones
        for k, a in enumerate(grid["elasticnetregressor__alpha"]):
            scores = []
            for tr, te in cv.split(X):
                sc = StandardScaler().fit(X[tr])
                m = ElasticNetRegressor(alpha=a, loss="poisson", l1_ratio=1.0, tol=1e-10)
                m.fit(sc.transform(X[tr]), y[tr], offset=off[tr])
                scores.append(m.score(sc.transform(X[te]), y[te], offset=off[te]))
            assert search.cv_results_["mean_test_score"][k] == pytest.approx(np.mean(scores))
        best = search.best_estimator_  # a Pipeline: predict routes the offset
        np.testing.assert_allclose(best.predict(X, offset=off), e * best.predict(X), rtol=1e-12)
        res = cross_validate(pipe, X, y, cv=cv, params={"offset": off})
        assert res["test_score"].shape == (3,)
        # the CV estimator takes the routed offset too and slices it per fold
        cv_est = ElasticNetRegressorCV(loss="poisson", l1_ratio=1.0, alphas=4, cv=cv)
        cv_est.set_fit_request(offset=True)
        fitted = make_pipeline(StandardScaler(), cv_est).fit(X, y, offset=off)
    direct = ElasticNetRegressorCV(loss="poisson", l1_ratio=1.0, alphas=4, cv=cv)
    direct.fit(StandardScaler().fit_transform(X), y, offset=off)
    np.testing.assert_allclose(fitted[-1].coef_, direct.coef_)


def test_onnx_export_applies_the_exp():
    pytest.importorskip("skl2onnx")
    ort = pytest.importorskip("onnxruntime")
    from skdecay import to_onnx

    X, y, _ = _data("poisson")
    est = ElasticNetRegressor(alpha=0.01, loss="poisson").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        onx = to_onnx(est, X[:2].astype(np.float64))
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    out = sess.run(None, {sess.get_inputs()[0].name: X})[0].ravel()
    np.testing.assert_allclose(out, est.predict(X), rtol=1e-10)
    # the Poisson MLP regressor shares the converter: its export applies the exp too
    from skdecay import ElasticNetMLPRegressor

    mlp = ElasticNetMLPRegressor(hidden_layer_sizes=(4,), loss="poisson", max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(X, y)
        onx = to_onnx(mlp, X[:2])
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    out = sess.run(None, {sess.get_inputs()[0].name: X})[0].ravel()
    np.testing.assert_allclose(out, mlp.predict(X), rtol=1e-10)


def test_relaxed_poisson_refits_the_active_set_with_the_offset():
    """``relax=True`` with a GLM loss: the fully relaxed coefficients are the
    unpenalised Poisson fit on the active set (with the offset: the rate form)."""
    X, y, e = _data("poisson", exposure=True)
    est = LassoRegressor(alpha=0.05, loss="poisson", relax=True, **TIGHT)
    est.fit(X, y, offset=np.log(e))
    active = np.flatnonzero(est.coef_)
    assert 0 < active.size < X.shape[1]
    ref = PoissonRegressor(alpha=0.0, tol=1e-12, solver="newton-cholesky")
    ref.fit(X[:, active], y / e, sample_weight=e)
    np.testing.assert_allclose(est.coef_[active], ref.coef_, atol=1e-8)
    assert est.intercept_ == pytest.approx(ref.intercept_, abs=1e-8)
