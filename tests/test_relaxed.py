"""Relaxed fits (glmnet's ``relax=TRUE``): the penalised fit's active set refitted
without penalty, mixed with the penalised coefficients by ``relax_gamma``.

References: scikit-learn's unpenalised ``LinearRegression`` / ``LogisticRegression``
on the active columns, and the penalised fit itself at ``relax_gamma=1``.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LinearRegression, LogisticRegression

from skdecay import ElasticNetClassifier, ElasticNetRegressor, LassoRegressor


def _regression(seed=0, n=120, p=15):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X[:, :4] @ np.array([3.0, -2.0, 1.5, 1.0]) + 0.5 * rng.standard_normal(n) + 2.0
    sw = rng.uniform(0.2, 2.0, n)
    return X, y, sw


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_gamma_zero_is_the_unpenalised_refit_on_the_active_set(sparse, weighted):
    X, y, sw = _regression()
    sw = sw if weighted else None
    Xf = sp.csc_matrix(X) if sparse else X
    kw = dict(alpha=0.3, tol=1e-12, max_iter=100_000)
    lasso = LassoRegressor(**kw).fit(Xf, y, sample_weight=sw)
    active = np.flatnonzero(lasso.coef_)
    assert 0 < active.size < X.shape[1]
    relaxed = LassoRegressor(relax=True, **kw).fit(Xf, y, sample_weight=sw)
    ols = LinearRegression().fit(X[:, active], y, sample_weight=sw)
    np.testing.assert_allclose(relaxed.coef_[active], ols.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(relaxed.intercept_, ols.intercept_, rtol=1e-7)
    assert np.all(relaxed.coef_[np.setdiff1d(np.arange(X.shape[1]), active)] == 0)
    # the refit undoes the shrinkage: larger selected coefficients than the lasso's
    assert np.all(np.abs(relaxed.coef_[active]) > np.abs(lasso.coef_[active]))
    assert relaxed.relaxed_dual_gap_ >= 0 and relaxed.relaxed_n_iter_ > 0
    assert relaxed.dual_gap_ == pytest.approx(lasso.dual_gap_)  # the penalised fit's


def test_gamma_mixes_the_two_fits():
    X, y, _ = _regression(1)
    kw = dict(alpha=0.2, l1_ratio=0.8, tol=1e-12, max_iter=100_000)
    penalised = ElasticNetRegressor(**kw).fit(X, y)
    full = ElasticNetRegressor(relax=True, relax_gamma=0.0, **kw).fit(X, y)
    one = ElasticNetRegressor(relax=True, relax_gamma=1.0, **kw).fit(X, y)
    np.testing.assert_array_equal(one.coef_, penalised.coef_)
    assert one.intercept_ == penalised.intercept_
    quarter = ElasticNetRegressor(relax=True, relax_gamma=0.25, **kw).fit(X, y)
    expected = 0.25 * penalised.coef_ + 0.75 * full.coef_
    np.testing.assert_allclose(quarter.coef_, expected, rtol=1e-12, atol=1e-14)
    expected_b = 0.25 * penalised.intercept_ + 0.75 * full.intercept_
    assert quarter.intercept_ == pytest.approx(expected_b, rel=1e-12)


def test_relaxed_classifier_is_the_unpenalised_logistic_refit():
    rng = np.random.default_rng(3)
    n, p = 400, 12
    X = rng.standard_normal((n, p))
    logits = X[:, :3] @ np.array([1.5, -1.0, 0.8]) + 0.3
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logits))).astype(int)  # not separable
    kw = dict(alpha=0.05, l1_ratio=1.0, tol=1e-12, max_iter=1000)
    sparse_fit = ElasticNetClassifier(**kw).fit(X, y)
    active = np.flatnonzero(sparse_fit.coef_[0])
    assert 0 < active.size < p
    relaxed = ElasticNetClassifier(relax=True, **kw).fit(X, y)
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X[:, active], y)
    np.testing.assert_allclose(relaxed.coef_[0, active], ref.coef_[0], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(relaxed.intercept_, ref.intercept_, rtol=1e-6, atol=1e-8)


def test_relaxed_float32_stays_float32():
    X, y, _ = _regression(2)
    est = LassoRegressor(alpha=0.3, relax=True).fit(X.astype(np.float32), y.astype(np.float32))
    assert est.coef_.dtype == np.float32
    assert np.count_nonzero(est.coef_) == np.count_nonzero(
        LassoRegressor(alpha=0.3).fit(X.astype(np.float32), y.astype(np.float32)).coef_
    )


def test_no_active_feature_leaves_the_null_model():
    X, y, _ = _regression(4)
    est = LassoRegressor(alpha=1e6, relax=True).fit(X, y)
    assert not np.any(est.coef_) and est.intercept_ == pytest.approx(y.mean())


# ---------------------------------------------------------------------------
# cross-validated relaxed fits (glmnet's cv.glmnet(relax=TRUE))


def _folds(X, y=None, k=4, classifier=False):
    from sklearn.model_selection import KFold, StratifiedKFold

    splitter = (StratifiedKFold if classifier else KFold)(k, shuffle=True, random_state=0)
    return list(splitter.split(X, y))


@pytest.mark.parametrize("weighted", [False, True])
def test_cv_relaxed_scores_are_the_hand_relaxed_fits_on_the_folds(weighted):
    from skdecay import ElasticNetRegressorCV, enet_path

    X, y, sw = _regression(2, n=100, p=12)
    sw = sw if weighted else None
    folds = _folds(X)
    tight = dict(tol=1e-12, max_iter=100_000)
    gammas = [0.0, 0.5, 1.0]
    cv = ElasticNetRegressorCV(
        l1_ratio=1.0, relax=True, relax_gamma=gammas, alphas=10, eps=0.01, cv=folds, **tight
    ).fit(X, y, sample_weight=sw)
    assert cv.scores_path_.shape == (1, 3, 10, 4) and cv.mse_path_.shape == (3, 10, 4)
    plain = ElasticNetRegressorCV(l1_ratio=1.0, alphas=10, eps=0.01, cv=folds, **tight)
    plain.fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(cv.alphas_, plain.alphas_)
    # relax_gamma = 1: the plain lasso CV scores
    np.testing.assert_allclose(cv.scores_path_[0, 2], plain.scores_path_[0], rtol=1e-12)
    # relax_gamma = 0: least squares on each fold's active set; 0.5: the mix of both
    hand = np.empty((2, 10, 4))
    for f, (train, test) in enumerate(folds):
        w = None if sw is None else sw[train]
        path = enet_path(X[train], y[train], alphas=cv.alphas_, sample_weight=w, **tight)
        for i in range(10):
            active = np.flatnonzero(path.coefs[i])
            lasso = X[test] @ path.coefs[i] + path.intercepts[i]
            if active.size:
                ols = LinearRegression().fit(X[train][:, active], y[train], sample_weight=w)
                refit = ols.predict(X[test][:, active])
            else:
                refit = lasso
            for g, pred in enumerate([refit, 0.5 * lasso + 0.5 * refit]):
                err = (y[test] - pred) ** 2
                hand[g, i, f] = -np.average(err, weights=None if sw is None else sw[test])
    np.testing.assert_allclose(cv.scores_path_[0, :2], hand, rtol=1e-6)
    # the choice and the refit
    full = np.concatenate([hand, plain.scores_path_], axis=0).mean(axis=2)
    g, j = np.unravel_index(np.argmax(full), full.shape)
    assert (cv.relax_gamma_, cv.alpha_) == (gammas[g], cv.alphas_[j])
    single = LassoRegressor(alpha=cv.alpha_, relax=True, relax_gamma=cv.relax_gamma_, **tight)
    single.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(cv.coef_, single.coef_, rtol=1e-10, atol=1e-12)


def test_cv_relaxed_classifier_gamma_zero_is_the_unpenalised_logistic_refit():
    from sklearn.metrics import log_loss

    from skdecay import ElasticNetClassifierCV, logistic_path

    rng = np.random.default_rng(3)
    X = rng.standard_normal((150, 8))
    y = (X[:, 0] - X[:, 1] + 1.5 * rng.logistic(size=150) > 0).astype(int)
    folds = _folds(X, y, k=3, classifier=True)
    tight = dict(tol=1e-10, max_iter=1000)
    cv = ElasticNetClassifierCV(
        l1_ratio=1.0, relax=True, alphas=6, eps=0.05, cv=folds, scoring="neg_log_loss", **tight
    ).fit(X, y)
    assert cv.scores_path_.shape == (1, 5, 6, 3)  # the default relax_gamma
    plain = ElasticNetClassifierCV(
        l1_ratio=1.0, alphas=6, eps=0.05, cv=folds, scoring="neg_log_loss", **tight
    ).fit(X, y)
    np.testing.assert_allclose(cv.scores_path_[0, -1], plain.scores_path_[0], rtol=1e-12)
    for f, (train, test) in enumerate(folds):
        path = logistic_path(X[train], y[train], alphas=cv.alphas_, **tight)
        for i in range(6):
            active = np.flatnonzero(path.coefs[i][0])
            if not active.size:
                continue
            ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000)
            prob = ref.fit(X[train][:, active], y[train]).predict_proba(X[test][:, active])
            expected = -log_loss(y[test], prob, labels=[0, 1])
            assert cv.scores_path_[0, 0, i, f] == pytest.approx(expected, rel=1e-6)


def test_cv_score_display_draws_the_chosen_relax_gamma():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from skdecay import ElasticNetRegressorCV
    from skdecay.plotting import CVScoreDisplay

    X, y, _ = _regression(4, n=80, p=10)
    cv = ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], relax=True, alphas=6, cv=3).fit(X, y)
    disp = CVScoreDisplay.from_estimator(cv)
    r = [0.0, 0.25, 0.5, 0.75, 1.0].index(cv.relax_gamma_)
    assert len(disp.lines_) == 2  # one curve per l1_ratio
    for i, line in enumerate(disp.lines_):
        np.testing.assert_allclose(line.get_ydata(), cv.scores_path_[i, r].mean(axis=1))
    matplotlib.pyplot.close("all")
