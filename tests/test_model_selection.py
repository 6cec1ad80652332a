"""Cross-validated estimators against scikit-learn's ``ElasticNetCV`` / ``GridSearchCV``.

``ElasticNetRegressorCV`` must make the choice of ``ElasticNetCV`` on the
same folds and grid (both solved to ~1e-12 so that the held-out errors agree
far below their differences between alphas).  ``ElasticNetClassifierCV`` is
checked against an explicit ``GridSearchCV`` over ``ElasticNetClassifier``
(the selection logic verified independently of the path machinery) and, where
the mapping ``C = 1/(n_train * alpha)`` is exact, against ``LogisticRegressionCV``.
"""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNetCV, LogisticRegressionCV
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, StratifiedKFold

from skdecay import (
    ElasticNetClassifier,
    ElasticNetClassifierCV,
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    enet_path,
)

OURS_TIGHT = {"tol": 1e-13, "max_iter": 20_000}
SK_TIGHT = {"tol": 1e-12, "max_iter": 1_000_000}


@pytest.fixture(scope="module")
def synthetic():
    """make_regression 150 x 30 (8 informative, noisy) for the comparison with ElasticNetCV."""
    X, y = make_regression(
        n_samples=150, n_features=30, n_informative=8, noise=30.0, random_state=3
    )
    return np.asfortranarray(X), y


# ---------------------------------------------------------------------------
# ElasticNetRegressorCV against ElasticNetCV


@pytest.mark.parametrize(
    "dataset, l1_ratio, weighted, sparse",
    [
        ("diabetes", 0.5, False, False),
        ("diabetes", [0.2, 0.7, 1.0], False, False),
        ("diabetes", [0.5, 0.9], True, False),
        ("synthetic", 1.0, False, False),
        ("synthetic", [0.3, 0.8], False, True),
    ],
)
def test_regressor_cv_matches_elasticnetcv(dataset, l1_ratio, weighted, sparse, request):
    X, y = request.getfixturevalue(dataset)
    sw = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0]) if weighted else None
    Xf = sp.csc_matrix(X) if sparse else X
    cv = KFold(4, shuffle=True, random_state=0)
    kw = {"l1_ratio": l1_ratio, "alphas": 20, "eps": 1e-3, "cv": cv}
    ours = ElasticNetRegressorCV(**kw, **OURS_TIGHT).fit(Xf, y, sample_weight=sw)
    ref = ElasticNetCV(**kw, **SK_TIGHT).fit(Xf, y, sample_weight=sw)

    np.testing.assert_allclose(ours.alphas_, ref.alphas_, rtol=1e-12)
    assert ours.alphas_.shape == ref.alphas_.shape
    assert ours.mse_path_.shape == ref.mse_path_.shape
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    # the same grid point (the grids agree to rounding, see above)
    assert ours.l1_ratio_ == ref.l1_ratio_
    assert ours.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    i = list(np.atleast_1d(l1_ratio)).index(ours.l1_ratio_)
    grid = np.atleast_2d(ref.alphas_)[i]
    assert np.argmin(np.abs(grid - ours.alpha_)) == np.argmin(np.abs(grid - ref.alpha_))
    scale = np.max(np.abs(ref.coef_))
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-6 * scale)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-6 * scale)
    n_l1 = np.size(l1_ratio)
    assert ours.scores_path_.shape == (n_l1, 20, 4)
    np.testing.assert_array_equal(ours.scores_path_.reshape(-1), -ours.mse_path_.reshape(-1))


def test_regressor_cv_explicit_alphas_and_n_alphas_alias(diabetes):
    X, y = diabetes
    cv = KFold(3, shuffle=True, random_state=1)
    grid = [0.05, 1.0, 0.3, 3.0]  # unsorted on purpose
    ours = ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=grid, cv=cv, **OURS_TIGHT).fit(X, y)
    ref = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=grid, cv=cv, **SK_TIGHT).fit(X, y)
    np.testing.assert_array_equal(ours.alphas_, [3.0, 1.0, 0.3, 0.05])
    np.testing.assert_array_equal(ours.alphas_, ref.alphas_)
    np.testing.assert_allclose(ours.mse_path_, ref.mse_path_, rtol=1e-6)
    assert (ours.alpha_, ours.l1_ratio_) == (ref.alpha_, ref.l1_ratio_)

    a = ElasticNetRegressorCV(alphas=6, cv=cv).fit(X, y)
    b = ElasticNetRegressorCV(n_alphas=6, cv=cv).fit(X, y)
    np.testing.assert_array_equal(a.alphas_, b.alphas_)
    np.testing.assert_array_equal(a.mse_path_, b.mse_path_)
    with pytest.raises(ValueError, match="not both"):
        ElasticNetRegressorCV(alphas=grid, n_alphas=6).fit(X, y)


def test_regressor_cv_scorer_on_held_out_folds(diabetes, make_weights):
    """A scorer string: each entry equals the score of the path's fit on that fold."""
    X, y = diabetes
    sw = make_weights(X.shape[0])
    folds = list(KFold(3, shuffle=True, random_state=2).split(X))
    est = ElasticNetRegressorCV(l1_ratio=0.8, alphas=5, cv=folds, scoring="r2", tol=1e-10)
    est.fit(X, y, sample_weight=sw)
    assert not hasattr(est, "mse_path_")
    assert est.scores_path_.shape == (1, 5, 3)
    for f, (train, test) in enumerate(folds):
        path = enet_path(X[train], y[train], l1_ratio=0.8, alphas=est.alphas_, tol=1e-10,
                         sample_weight=sw[train])  # fmt: skip
        pred = X[test] @ path.coefs.T + path.intercepts
        want = [r2_score(y[test], pred[:, i], sample_weight=sw[test]) for i in range(5)]
        np.testing.assert_allclose(est.scores_path_[0, :, f], want, rtol=1e-10)
    best = np.argmax(est.scores_path_[0].mean(axis=1))
    assert est.alpha_ == est.alphas_[best]
    ref = ElasticNetRegressor(alpha=est.alpha_, l1_ratio=0.8, tol=1e-10).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-8)


def test_groups_are_passed_to_the_splitter(diabetes):
    X, y = diabetes
    groups = np.arange(X.shape[0]) % 7
    est = ElasticNetRegressorCV(alphas=5, cv=GroupKFold(3)).fit(X, y, groups=groups)
    folds = list(GroupKFold(3).split(X, y, groups))
    ref = ElasticNetRegressorCV(alphas=5, cv=folds).fit(X, y)
    np.testing.assert_array_equal(est.mse_path_, ref.mse_path_)


# ---------------------------------------------------------------------------
# ElasticNetClassifierCV


def test_classifier_cv_matches_grid_search(breast_cancer):
    X, y = breast_cancer
    X, y = X[::4], y[::4]
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    grid = np.geomspace(0.1, 3e-3, 3)
    ours = ElasticNetClassifierCV(
        l1_ratio=[0.5, 1.0], alphas=grid, cv=cv, scoring="neg_log_loss", tol=1e-9
    ).fit(X, y)
    search = GridSearchCV(
        ElasticNetClassifier(tol=1e-9),
        {"l1_ratio": [0.5, 1.0], "alpha": grid},
        cv=cv,
        scoring="neg_log_loss",
    ).fit(X, y)
    # ParameterGrid sorts the keys: alpha outer, l1_ratio inner
    mean = search.cv_results_["mean_test_score"].reshape(3, 2).T
    np.testing.assert_allclose(ours.scores_path_.mean(axis=2), mean, rtol=1e-6)
    assert ours.alpha_ == pytest.approx(search.best_params_["alpha"], rel=1e-12)
    assert ours.l1_ratio_ == search.best_params_["l1_ratio"]
    best = search.best_estimator_
    np.testing.assert_allclose(ours.coef_, best.coef_, atol=1e-6)
    np.testing.assert_array_equal(ours.predict(X), best.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), best.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(ours.decision_function(X), best.decision_function(X), atol=1e-6)


def test_classifier_cv_against_logistic_regression_cv(breast_cancer):
    """``C = 1/(n_train * alpha)`` maps the two searches exactly only when every
    training fold has the same size (then one C is one alpha in every fold); with
    unequal folds the same C is a different alpha per fold, so LogisticRegressionCV
    searches a different family and only GridSearchCV is a fair reference.
    Here 300 rows in 5 folds: 240 training rows each; pure L2 (Newton-Cholesky)."""
    X, y = breast_cancer
    X, y = X[:300], y[:300]
    folds = list(KFold(5, shuffle=True, random_state=0).split(X))
    assert {len(train) for train, _ in folds} == {240}
    alphas = np.geomspace(0.3, 1e-2, 4)
    ours = ElasticNetClassifierCV(
        l1_ratio=0.0, alphas=alphas, cv=folds, scoring="neg_log_loss", tol=1e-10
    ).fit(X, y)
    ref = LogisticRegressionCV(
        Cs=1 / (240 * alphas),
        l1_ratios=(0.0,),
        solver="newton-cholesky",
        cv=folds,
        scoring="neg_log_loss",
        tol=1e-10,
        max_iter=10_000,
        use_legacy_attributes=False,
    ).fit(X, y)
    # ref.scores_: (n_folds, n_l1_ratios, n_Cs), Cs in the order given (alpha decreasing)
    np.testing.assert_allclose(ours.scores_path_[0], ref.scores_[:, 0, :].T, rtol=1e-6)
    assert ours.alpha_ == pytest.approx(1 / (240 * ref.C_), rel=1e-12)


def test_classifier_cv_default_scoring_is_accuracy_and_multiclass(wine):
    X, y = wine
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    est = ElasticNetClassifierCV(l1_ratio=0.9, alphas=4, eps=0.05, cv=cv).fit(X, y)
    assert est.coef_.shape == (3, X.shape[1]) and est.intercept_.shape == (3,)
    assert est.predict_proba(X).shape == (len(y), 3)
    for f, (train, test) in enumerate(cv.split(X, y)):
        i = 2
        clf = ElasticNetClassifier(alpha=est.alphas_[i], l1_ratio=0.9, tol=1e-4)
        clf.fit(X[train], y[train])
        acc = np.mean(clf.predict(X[test]) == y[test])
        assert est.scores_path_[0, i, f] == pytest.approx(acc, abs=1.5 / len(test))
    assert np.all((est.scores_path_ >= 0) & (est.scores_path_ <= 1))


# ---------------------------------------------------------------------------
# parallelism, randomness, dtypes, warnings


def test_n_jobs_gives_the_same_result(diabetes, breast_cancer):
    X, y = diabetes
    kw = {"l1_ratio": [0.5, 1.0], "alphas": 8, "cv": 3, "selection": "random", "random_state": 0}
    one = ElasticNetRegressorCV(n_jobs=1, **kw).fit(X, y)
    two = ElasticNetRegressorCV(n_jobs=2, **kw).fit(X, y)
    np.testing.assert_array_equal(one.mse_path_, two.mse_path_)
    assert (one.alpha_, one.l1_ratio_) == (two.alpha_, two.l1_ratio_)
    np.testing.assert_array_equal(one.coef_, two.coef_)
    Xc, yc = breast_cancer
    kw = {"alphas": 3, "eps": 0.05, "cv": 2, "scoring": "neg_log_loss"}
    one = ElasticNetClassifierCV(n_jobs=1, **kw).fit(Xc, yc)
    two = ElasticNetClassifierCV(n_jobs=2, **kw).fit(Xc, yc)
    np.testing.assert_array_equal(one.scores_path_, two.scores_path_)
    np.testing.assert_array_equal(one.coef_, two.coef_)


def test_float32_and_sparse(diabetes):
    X, y = diabetes
    kw = {"l1_ratio": [0.5, 1.0], "alphas": 8, "cv": 3, "tol": 1e-8}
    ref = ElasticNetRegressorCV(**kw).fit(X, y)
    est32 = ElasticNetRegressorCV(**{**kw, "tol": 1e-5}).fit(X.astype(np.float32), y)
    assert est32.coef_.dtype == np.float32
    assert est32.predict(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(est32.mse_path_, ref.mse_path_, rtol=1e-3)  # float32 rounding
    # sparse X runs the Python solver, dense float64 the compiled one: both certify
    # the objective to tol, so coefficients (and held-out errors) agree to ~sqrt(tol)
    tight = {**kw, "tol": 1e-12}
    dense = ElasticNetRegressorCV(**tight).fit(X, y)
    spr = ElasticNetRegressorCV(**tight).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(spr.mse_path_, dense.mse_path_, rtol=1e-6)
    assert (
        (spr.alpha_, spr.l1_ratio_)
        == (dense.alpha_, dense.l1_ratio_)
        == (ref.alpha_, ref.l1_ratio_)
    )


def test_one_convergence_warning_per_fit(wide_regression):
    X, y = wide_regression
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        ElasticNetRegressorCV(l1_ratio=0.9, alphas=6, eps=1e-2, cv=3, max_iter=2, tol=1e-8).fit(
            X, y
        )
    conv = [w for w in rec if issubclass(w.category, ConvergenceWarning)]
    # one for the cross-validation (naming its alphas) and at most one for the refit
    cv_msgs = [str(w.message) for w in conv if "ElasticNetRegressorCV" in str(w.message)]
    assert len(cv_msgs) == 1 and len(conv) <= 2
    assert re.search(r"\d+ of 18 fits did not reach the tolerance, at alpha = ", cv_msgs[0])
    assert conv[0].filename == __file__  # points at the caller


@pytest.mark.parametrize(
    "params, match",
    [
        ({"l1_ratio": [0.5, 1.5]}, "l1_ratio"),
        ({"l1_ratio": 0.0}, "l1_ratio > 0"),
        ({"alphas": [0.1, -1.0]}, "non-negative"),
        ({"alphas": 0}, "alphas"),
        ({"eps": 0.0}, "eps"),
        ({"cv": "five"}, "cv"),
        ({"scoring": 3}, "scoring"),
        ({"penalty_factor": np.ones(3)}, "penalty_factor"),
    ],
)
def test_bad_parameters(params, match, diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match=match):
        ElasticNetRegressorCV(**params).fit(X, y)


def test_classifier_single_class_errors(breast_cancer):
    X, y = breast_cancer
    with pytest.raises(ValueError, match="at least 2 classes"):
        ElasticNetClassifierCV(alphas=3).fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="single class"):
        ElasticNetClassifierCV(alphas=3).fit(X, y, sample_weight=(y == 1).astype(float))


def _one_se_by_hand(scores_path, l1_index):
    """glmnet's lambda.1se from the held-out scores (higher is better), written out."""
    scores = scores_path[l1_index]  # (n_alphas, n_folds)
    mean = scores.mean(axis=1)
    j_best = int(np.argmax(mean))
    k = scores.shape[1]
    se = np.sqrt(np.sum((scores[j_best] - mean[j_best]) ** 2) / (k - 1)) / np.sqrt(k)
    for j in range(j_best + 1):  # alphas decrease: the first one within reach
        if mean[j] >= mean[j_best] - se:
            return j, j_best
    raise AssertionError("the best alpha is always within its own standard error")


def test_one_standard_error_rule_regressor(diabetes):
    X, y = diabetes
    cv = KFold(5, shuffle=True, random_state=0)
    est = ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=30, cv=cv).fit(X, y)
    i = int(np.flatnonzero(np.isclose([0.5, 1.0], est.l1_ratio_))[0])
    j_1se, j_best = _one_se_by_hand(est.scores_path_, i)
    grid = est.alphas_[i]
    assert est.alpha_min_ == est.alpha_ == grid[j_best]
    assert est.alpha_1se_ == grid[j_1se]
    assert est.alpha_1se_ > est.alpha_min_  # diabetes: a flat optimum, 1-SE is sparser
    one_se = ElasticNetRegressorCV(
        l1_ratio=[0.5, 1.0], alphas=30, cv=cv, alpha_selection="1se"
    ).fit(X, y)
    assert one_se.alpha_ == est.alpha_1se_ and one_se.alpha_min_ == est.alpha_min_
    ref = ElasticNetRegressor(alpha=est.alpha_1se_, l1_ratio=est.l1_ratio_).fit(X, y)
    np.testing.assert_allclose(one_se.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    assert np.count_nonzero(one_se.coef_) <= np.count_nonzero(est.coef_)


def test_one_standard_error_rule_classifier(breast_cancer):
    X, y = breast_cancer
    est = ElasticNetClassifierCV(
        l1_ratio=1.0, alphas=15, cv=3, scoring="neg_log_loss", alpha_selection="1se"
    ).fit(X, y)
    j_1se, j_best = _one_se_by_hand(est.scores_path_, 0)
    assert est.alpha_min_ == est.alphas_[j_best]
    assert est.alpha_ == est.alpha_1se_ == est.alphas_[j_1se] >= est.alpha_min_


# ---------------------------------------------------------------------------
# groups in ElasticNetClassifierCV: group-lasso logistic paths


@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])
def test_classifier_cv_with_groups_matches_a_hand_loop(breast_cancer, l1_ratio):
    from sklearn.metrics import log_loss

    X, y = breast_cancer
    X, y = X[::2], y[::2]  # 285 rows keep the 30 single fits quick
    groups = np.arange(X.shape[1]) // 3
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    tight = dict(tol=1e-9, max_iter=200)
    est = ElasticNetClassifierCV(
        l1_ratio=l1_ratio, groups=groups, alphas=5, eps=0.05, cv=folds,
        scoring="neg_log_loss", **tight,
    ).fit(X, y)  # fmt: skip
    assert est.scores_path_.shape == (1, 5, 3)
    hand = np.empty((5, 3))
    with warnings.catch_warnings():
        # the single fits, at and above their alpha_max too, certify their optimum
        warnings.simplefilter("error", ConvergenceWarning)
        for f, (train, test) in enumerate(folds):
            for i, alpha in enumerate(est.alphas_):
                single = ElasticNetClassifier(
                    alpha=alpha, l1_ratio=l1_ratio, groups=groups, **tight
                )
                prob = single.fit(X[train], y[train]).predict_proba(X[test])
                hand[i, f] = -log_loss(y[test], prob, labels=[0, 1])
    np.testing.assert_allclose(est.scores_path_[0], hand, rtol=1e-6)
    assert est.alpha_ == est.alphas_[np.argmax(hand.mean(axis=1))]
    ref = ElasticNetClassifier(alpha=est.alpha_, l1_ratio=l1_ratio, groups=groups, **tight)
    np.testing.assert_allclose(est.coef_, ref.fit(X, y).coef_, rtol=1e-6, atol=1e-8)
    # whole groups enter or leave; the grid starts at the group alpha_max
    nonzero = (est.coef_[0] != 0).reshape(-1, 3)
    if l1_ratio == 0.0:
        assert np.all(nonzero.all(axis=1) | ~nonzero.any(axis=1))
    top = dict(l1_ratio=l1_ratio, groups=groups, **tight)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        at_max = ElasticNetClassifier(alpha=est.alphas_[0] * (1 + 1e-9), **top).fit(X, y)
    assert not at_max.coef_.any()
    assert ElasticNetClassifier(alpha=est.alphas_[0] * 0.95, **top).fit(X, y).coef_.any()


def _hand_scores(est, X, y, folds, make, score):
    """``score(fitted single estimator, test rows)`` for every alpha and fold."""
    hand = np.empty((est.alphas_.size, len(folds)))
    for f, (train, test) in enumerate(folds):
        for i, alpha in enumerate(est.alphas_):
            single = make(alpha).fit(X[train], y[train])
            hand[i, f] = score(single, test)
    return hand


def test_multinomial_classifier_cv_with_groups_matches_a_hand_loop(wine):
    from sklearn.metrics import log_loss

    X, y = wine
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    groups = np.arange(X.shape[1]) // 3  # a group spans its features' rows of all 3 classes
    folds = list(StratifiedKFold(3, shuffle=True, random_state=1).split(X, y))
    kw = dict(l1_ratio=0.3, groups=groups, tol=1e-9, max_iter=200)
    est = ElasticNetClassifierCV(alphas=4, eps=0.05, cv=folds, scoring="neg_log_loss", **kw)
    est.fit(X, y)
    assert est.scores_path_.shape == (1, 4, 3) and est.coef_.shape == (3, X.shape[1])

    def score(single, test):
        return -log_loss(y[test], single.predict_proba(X[test]), labels=est.classes_)

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        hand = _hand_scores(est, X, y, folds, lambda a: ElasticNetClassifier(alpha=a, **kw), score)
    np.testing.assert_allclose(est.scores_path_[0], hand, rtol=1e-6)
    assert est.alpha_ == est.alphas_[np.argmax(hand.mean(axis=1))]
    # the grid starts at the multinomial group alpha_max (zero there, not just below)
    assert not ElasticNetClassifier(alpha=est.alphas_[0], **kw).fit(X, y).coef_.any()
    assert ElasticNetClassifier(alpha=est.alphas_[0] * 0.95, **kw).fit(X, y).coef_.any()
    ref = ElasticNetClassifier(alpha=est.alpha_, **kw).fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-6, atol=1e-8)
    # the default criterion (accuracy) scores the same path
    acc = ElasticNetClassifierCV(alphas=est.alphas_, cv=folds, **kw).fit(X, y)
    hand_acc = _hand_scores(
        est, X, y, folds, lambda a: ElasticNetClassifier(alpha=a, **kw),
        lambda single, test: single.score(X[test], y[test]),
    )  # fmt: skip
    np.testing.assert_allclose(acc.scores_path_[0], hand_acc)


def test_poisson_regressor_cv_with_groups_matches_a_hand_loop():
    from sklearn.metrics import mean_poisson_deviance

    rng = np.random.RandomState(4)
    X = rng.normal(size=(150, 9))
    y = rng.poisson(np.exp(0.4 * X[:, 0] - 0.3 * X[:, 1] + 0.2 * X[:, 4]))
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    kw = dict(loss="poisson", l1_ratio=0.2, groups=np.arange(9) // 3, tol=1e-9)
    est = ElasticNetRegressorCV(alphas=5, eps=0.02, cv=folds, **kw).fit(X, y)

    def score(single, test):
        return -mean_poisson_deviance(y[test], single.predict(X[test]))

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        hand = _hand_scores(est, X, y, folds, lambda a: ElasticNetRegressor(alpha=a, **kw), score)
    np.testing.assert_allclose(est.scores_path_[0], hand, rtol=1e-6)
    np.testing.assert_allclose(est.deviance_path_, -hand, rtol=1e-6)
    assert est.alpha_ == est.alphas_[np.argmax(hand.mean(axis=1))]
    assert est.stopping_criterion_ == "duality_gap"
