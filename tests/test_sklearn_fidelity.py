"""Drop-in fidelity: where scikit-learn's own tests look, we behave as its estimators.

Every test states scikit-learn's behaviour and checks ours against scikit-learn's
estimator on the same data (alpha mappings: ``LogisticRegression(C=1/(n*alpha))``,
``ElasticNet(alpha, l1_ratio)``, ``Ridge(alpha)``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning
from sklearn.linear_model import (
    ElasticNet,
    ElasticNetCV,
    LogisticRegression,
    LogisticRegressionCV,
    Ridge,
)
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, StratifiedKFold
from sklearn.utils import estimator_html_repr
from sklearn.utils.class_weight import compute_class_weight

from skdecay import (
    ElasticNetClassifier,
    ElasticNetClassifierCV,
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    LassoRegressor,
    RidgeRegressor,
)


def _binary(n=100, p=4, n_pos=None, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    if n_pos is None:
        y = (X[:, 0] + 0.5 * rng.randn(n) > 0).astype(int)
    else:
        y = np.zeros(n, dtype=int)
        y[rng.choice(n, n_pos, replace=False)] = 1
    return X, y


def compute_sample_weight(class_weight, y, sample_weight=None):
    """Per-sample class weights as LogisticRegression computes them."""
    classes = np.unique(y)
    cw = compute_class_weight(class_weight, classes=classes, y=y, sample_weight=sample_weight)
    return cw[np.searchsorted(classes, y)]


def _regression(n=60, p=5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    return X, X @ rng.randn(p) + 0.1 * rng.randn(n)


# ---------------------------------------------------------------------------
# classifier CV: probabilistic scoring on folds lacking a class


@pytest.mark.parametrize("scoring", ["neg_log_loss", "neg_brier_score"])
def test_cv_probabilistic_scoring_on_fold_without_positives(scoring):
    """3 positives in 100 rows, 5 unstratified folds: some held-out folds have no
    positive.  LogisticRegressionCV passes the labels to the scorer; so do we, and
    every fold's score equals scikit-learn's scorer called with the labels."""
    X, y = _binary(n_pos=3, seed=1)
    cv = KFold(5)
    assert any(y[test].sum() == 0 for _, test in cv.split(X))
    alphas = [1e-1, 1e-2]
    ours = ElasticNetClassifierCV(alphas=alphas, l1_ratio=0.0, cv=cv, scoring=scoring, tol=1e-10)
    ours.fit(X, y)
    ref = LogisticRegressionCV(
        Cs=[1 / (80 * a) for a in alphas], l1_ratios=[0.0], cv=cv, scoring=scoring, tol=1e-10,
        use_legacy_attributes=False,
    ).fit(X, y)  # fmt: skip
    assert np.all(np.isfinite(ours.scores_path_))
    # the default cv (StratifiedKFold(5), 3 positives: folds without one) works too
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "least populated class" warning
        default = ElasticNetClassifierCV(alphas=alphas, scoring=scoring).fit(X, y)
    assert np.all(np.isfinite(default.scores_path_))
    # each training part has 80 rows: the C above is the same regularisation
    np.testing.assert_allclose(ours.scores_path_[0], ref.scores_[:, 0, :].T, rtol=1e-4, atol=1e-6)


def test_cv_score_uses_scoring():
    """LogisticRegressionCV.score scores with `scoring`; so does ours."""
    X, y = _binary(seed=2)
    ours = ElasticNetClassifierCV(alphas=[1e-2], cv=3, scoring="neg_log_loss").fit(X, y)
    want = get_scorer("neg_log_loss")(ours, X, y)
    assert ours.score(X, y) == pytest.approx(want)
    ref = LogisticRegressionCV(Cs=[1.0], cv=3, scoring="neg_log_loss", use_legacy_attributes=False)
    ref.fit(X, y)
    assert ref.score(X, y) == pytest.approx(get_scorer("neg_log_loss")(ref, X, y))
    assert ours.score(X, y) < 0  # a log-loss, not an accuracy
    plain = ElasticNetClassifierCV(alphas=[1e-2], cv=3).fit(X, y)
    assert plain.score(X, y) == pytest.approx(np.mean(plain.predict(X) == y))


# ---------------------------------------------------------------------------
# class_weight


@pytest.mark.parametrize("class_weight", ["balanced", {0: 1.0, 1: 4.0}])
def test_class_weight_matches_logistic_regression(class_weight):
    """Class weights multiply the sample weights, which are rescaled to sum to n
    (our convention): LogisticRegression's C is 1 / (sum of the weights * alpha)."""
    X, y = _binary(n=120, seed=3)
    y[:30] = 0  # unbalanced
    alpha = 1e-2
    total = np.sum(compute_sample_weight(class_weight, y))
    ours = ElasticNetClassifier(alpha=alpha, l1_ratio=0.0, class_weight=class_weight, tol=1e-10)
    ref = LogisticRegression(C=1 / (total * alpha), class_weight=class_weight, tol=1e-10)
    ours.fit(X, y)
    ref.fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-5, atol=1e-7)


def test_class_weight_string_labels_multinomial_with_sample_weight():
    rng = np.random.RandomState(4)
    X = rng.randn(90, 3)
    y = np.array(["cat", "dog", "emu"])[np.argmax(X + rng.randn(90, 3), axis=1)]
    sw = rng.uniform(0.5, 2.0, 90)
    for cw in ("balanced", {"cat": 2.0, "emu": 0.5}):
        total = np.sum(sw * compute_sample_weight(cw, y, sample_weight=sw) if cw == "balanced"
                       else sw * compute_sample_weight(cw, y))  # fmt: skip
        ours = ElasticNetClassifier(alpha=1e-2, l1_ratio=0.0, class_weight=cw, tol=1e-10)
        ref = LogisticRegression(C=1 / (total * 1e-2), class_weight=cw, tol=1e-10)
        ours.fit(X, y, sample_weight=sw)
        ref.fit(X, y, sample_weight=sw)
        np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    with pytest.raises(ValueError, match="class labels as keys"):
        ElasticNetClassifier(class_weight={"cow": 2.0}).fit(X, y)


def test_class_weight_through_cv_folds():
    """LogisticRegressionCV computes "balanced" on all the data and weights every
    fold's training rows with it (held-out scores unweighted): same scores."""
    X, y = _binary(n=120, seed=5)
    y[:40] = 0
    cv = StratifiedKFold(3)
    alphas = [1e-1, 1e-2, 1e-3]
    ours = ElasticNetClassifierCV(
        alphas=alphas, l1_ratio=0.0, cv=cv, class_weight="balanced", scoring="neg_log_loss",
        tol=1e-10,
    ).fit(X, y)  # fmt: skip
    ref = LogisticRegressionCV(
        Cs=[1 / (80 * a) for a in alphas], l1_ratios=[0.0], cv=cv, class_weight="balanced",
        scoring="neg_log_loss", tol=1e-10, use_legacy_attributes=False,
    ).fit(X, y)  # fmt: skip
    np.testing.assert_allclose(ours.scores_path_[0], ref.scores_[:, 0, :].T, rtol=1e-4)
    refit = LogisticRegression(C=1 / (120 * ours.alpha_), class_weight="balanced", tol=1e-10)
    np.testing.assert_allclose(ours.coef_, refit.fit(X, y).coef_, rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------------------
# warm start, n_iter_, max_iter


def test_warm_start_with_coef_but_no_intercept():
    """scikit-learn's ElasticNet accepts a user-set coef_ without intercept_."""
    X, y = _regression(seed=6)
    coef = ElasticNet(alpha=0.1).fit(X, y).coef_
    ref = ElasticNet(alpha=0.1, warm_start=True)
    ref.coef_ = coef.copy()
    ref.fit(X, y)
    ours = ElasticNetRegressor(alpha=0.1, warm_start=True)
    ours.coef_ = coef.copy()
    ours.fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-4)
    clf = ElasticNetClassifier(alpha=1e-2, warm_start=True)
    Xc, yc = _binary(seed=6)
    clf.coef_ = np.zeros((1, Xc.shape[1]))
    clf.fit(Xc, yc)  # no AttributeError
    assert clf.n_iter_ > 0


def test_n_iter_zero_when_warm_start_is_optimal():
    X, y = _regression(seed=7)
    ref = ElasticNet(alpha=0.1, warm_start=True).fit(X, y)
    ref.fit(X, y)
    for est in (ElasticNetRegressor(alpha=0.1), RidgeRegressor(alpha=1.0, solver="cg")):
        est.set_params(warm_start=True).fit(X, y)
        first = est.n_iter_
        est.fit(X, y)
        assert first > 0 and est.n_iter_ == ref.n_iter_ == 0
    Xc, yc = _binary(seed=7)
    lr = LogisticRegression(warm_start=True).fit(Xc, yc)
    lr.fit(Xc, yc)
    clf = ElasticNetClassifier(alpha=1e-3, warm_start=True).fit(Xc, yc)
    clf.fit(Xc, yc)
    assert clf.n_iter_ == lr.n_iter_[0] == 0


def test_max_iter_zero():
    """LogisticRegression(max_iter=0): no iteration, n_iter_ 0, ConvergenceWarning."""
    X, y = _binary(seed=8)
    with pytest.warns(ConvergenceWarning):
        ref = LogisticRegression(max_iter=0).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        ours = ElasticNetClassifier(max_iter=0).fit(X, y)
    assert ours.n_iter_ == ref.n_iter_[0] == 0
    np.testing.assert_array_equal(ours.coef_, 0.0)
    assert ours.intercept_[0] == pytest.approx(np.log(y.mean() / (1 - y.mean())))
    with pytest.warns(ConvergenceWarning):
        ridge = RidgeRegressor(max_iter=0, solver="cg").fit(*_regression())
    assert ridge.n_iter_ == 0


# ---------------------------------------------------------------------------
# shapes and centring


@pytest.mark.parametrize(
    "ours, ref",
    [(ElasticNetRegressor(alpha=0.1), ElasticNet(alpha=0.1)), (RidgeRegressor(), Ridge())],
)
def test_column_y_keeps_intercept_shape(ours, ref):
    X, y = _regression(seed=9)
    ref.fit(X, y[:, None])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataConversionWarning)  # one target only
        ours.fit(X, y[:, None])
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_) == (1,)
    assert ours.coef_.shape == ref.coef_.shape
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)


def test_unpenalised_multinomial_is_centred():
    rng = np.random.RandomState(10)
    X = rng.randn(80, 3)
    y = rng.randint(0, 3, 80)
    ref = LogisticRegression(C=np.inf, tol=1e-10).fit(X, y)
    ours = ElasticNetClassifier(alpha=0.0, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(ref.coef_.sum(axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(ours.coef_.sum(axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-5)


# ---------------------------------------------------------------------------
# ridge: minimum norm at alpha = 0, float32 sparse accuracy


def _min_norm(X, y):
    Xd = X.toarray() if sp.issparse(X) else X
    return np.linalg.pinv(Xd - Xd.mean(axis=0)) @ (y - y.mean())


@pytest.mark.parametrize("shape", ["wide", "singular"])
@pytest.mark.parametrize("solver", ["auto", "cholesky", "cg", "cd"])
@pytest.mark.parametrize("sparse", [False, True])
def test_ridge_alpha_zero_is_minimum_norm(shape, solver, sparse):
    rng = np.random.RandomState(11)
    X = rng.randn(20, 40) if shape == "wide" else rng.randn(40, 10)
    if shape == "singular":
        X[:, 5] = 2 * X[:, 4]
    y = rng.randn(X.shape[0])
    if sparse and solver == "cholesky":
        pytest.skip("cholesky is dense only")
    ours = RidgeRegressor(alpha=0.0, solver=solver).fit(sp.csr_matrix(X) if sparse else X, y)
    np.testing.assert_allclose(ours.coef_, _min_norm(X, y), atol=1e-6)
    if shape == "wide":  # scikit-learn's Ridge returns it too (its singular case blows up)
        np.testing.assert_allclose(ours.coef_, Ridge(alpha=0.0).fit(X, y).coef_, atol=1e-6)


@pytest.mark.parametrize("shape", [(3000, 60), (30000, 30), (150, 1500)])
def test_ridge_float32_sparse_accuracy(shape):
    """scikit-learn's sparse_cg in float32 lands within ~1e-4 of the float64
    optimum; so do we (or we warn)."""
    rng = np.random.RandomState(12)
    X = sp.random(*shape, density=0.1, random_state=rng, format="csr")
    X.data = rng.uniform(1, 5, X.nnz)
    y = X @ rng.randn(shape[1]) + rng.randn(shape[0]) + 50
    opt = Ridge(alpha=1.0, solver="cholesky").fit(X.toarray(), y)
    ref = Ridge(alpha=1.0, solver="sparse_cg").fit(X.astype(np.float32), y.astype(np.float32))
    ours = RidgeRegressor(alpha=1.0).fit(X.astype(np.float32), y.astype(np.float32))
    assert ours.coef_.dtype == np.float32

    def err(c):
        return np.linalg.norm(c - opt.coef_) / np.linalg.norm(opt.coef_)

    assert err(ours.coef_) <= max(2 * err(ref.coef_), 1e-4)


# ---------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("est", [ElasticNetRegressor(), RidgeRegressor(), LassoRegressor()])
def test_huge_values_raise_value_error(est):
    rng = np.random.RandomState(13)
    X = 1e308 * rng.rand(6, 2)
    y = rng.rand(6)
    with pytest.raises(ValueError), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # scikit-learn warns (overflow, no convergence) first
        ElasticNet().fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ours raises before any RuntimeWarning
        with pytest.raises(ValueError, match="too large"):
            est.fit(X, y)
    with pytest.raises(ValueError, match="too large"):
        ElasticNetClassifier().fit(X, [0, 1, 0, 1, 0, 1])


def test_string_inside_alphas_raises_type_error():
    X, y = _regression(seed=14)
    with pytest.raises(TypeError):
        ElasticNetCV(alphas=[1.0, "0.5"]).fit(X, y)
    with pytest.raises(TypeError):
        ElasticNetRegressorCV(alphas=[1.0, "0.5"]).fit(X, y)
    with pytest.raises(TypeError):
        ElasticNetClassifierCV(alphas=[1.0, "a"]).fit(X, (y > 0).astype(int))


# ---------------------------------------------------------------------------
# sparse coefficients


def test_sparsify_densify_sparse_coef():
    X, y = _regression(p=8, seed=15)
    ref = ElasticNet(alpha=0.3, tol=1e-10).fit(X, y)
    ours = ElasticNetRegressor(alpha=0.3, tol=1e-10).fit(X, y)
    assert sp.issparse(ours.sparse_coef_) and ours.sparse_coef_.shape == ref.sparse_coef_.shape
    np.testing.assert_allclose(ours.sparse_coef_.toarray(), ref.sparse_coef_.toarray(), atol=1e-6)
    pred = ours.predict(X)
    assert ours.sparsify() is ours and sp.issparse(ours.coef_)
    np.testing.assert_allclose(ours.predict(X), pred)
    np.testing.assert_allclose(ours.predict(sp.csr_matrix(X)), pred)
    assert ours.densify().coef_.shape == (8,)

    Xc, yc = _binary(seed=15)
    lr = LogisticRegression().fit(Xc, yc)
    clf = ElasticNetClassifier(alpha=1 / (100 * 1.0), l1_ratio=0.0).fit(Xc, yc)
    proba = clf.predict_proba(Xc)
    lr.sparsify()
    clf.sparsify()
    assert sp.issparse(clf.coef_) and clf.coef_.shape == lr.coef_.shape
    np.testing.assert_allclose(clf.predict_proba(Xc), proba)
    clf.densify()
    assert isinstance(clf.coef_, np.ndarray) and clf.coef_.shape == lr.densify().coef_.shape
    clf.sparsify().set_params(warm_start=True).fit(Xc, yc)  # a warm start from sparse coef_
    assert isinstance(clf.coef_, np.ndarray)


# ---------------------------------------------------------------------------
# metadata routing, HTML repr


def test_groups_routed_to_the_cv_estimators_splitter():
    rng = np.random.RandomState(16)
    X = rng.randn(60, 3)
    y = X[:, 0] + 0.1 * rng.randn(60)
    groups = rng.randint(0, 6, 60)
    grid = {"l1_ratio": [0.5, 1.0]}
    with sklearn.config_context(enable_metadata_routing=True):
        ref = GridSearchCV(ElasticNetCV(cv=GroupKFold(3), alphas=5), grid, cv=GroupKFold(2))
        ref.fit(X, y, groups=groups)
        inner = ElasticNetRegressorCV(cv=GroupKFold(3), alphas=5)
        ours = GridSearchCV(inner, grid, cv=GroupKFold(2))
        ours.fit(X, y, groups=groups)
        # and directly
        direct = ElasticNetRegressorCV(cv=GroupKFold(3), alphas=5).fit(X, y, groups=groups)
    assert ours.best_params_ == ref.best_params_
    assert direct.scores_path_.shape == (1, 5, 3)
    want = ElasticNetRegressorCV(cv=GroupKFold(3), alphas=5).fit(X, y, groups=groups)
    np.testing.assert_allclose(direct.scores_path_, want.scores_path_)  # routing off: as given
    routed = ElasticNetRegressorCV(cv=GroupKFold(3)).get_metadata_routing()
    assert "groups" in str(routed)


@pytest.mark.parametrize("est", [ElasticNetRegressor(), RidgeRegressor(), ElasticNetClassifierCV()])
def test_html_repr_links_to_docs(est):
    link = est._get_doc_link()
    assert link.startswith("https://") and type(est).__name__ in link
    assert link in estimator_html_repr(est)
    assert ElasticNet()._get_doc_link().startswith("https://scikit-learn.org")


# ---------------------------------------------------------------------------
# class_weight on the MLP classifiers


@pytest.mark.parametrize("class_weight", ["balanced", {"no": 1.0, "yes": 3.0}])
def test_mlp_class_weight_multiplies_sample_weight(class_weight):
    """scikit-learn's semantics (LogisticRegression, SGDClassifier): class_weight
    is sample_weight times the class weights of compute_class_weight."""
    from skdecay import RidgeMLPClassifier

    rng = np.random.RandomState(17)
    X = rng.randn(60, 3)
    y = np.where(X[:, 0] > 0.7, "yes", "no")
    sw = rng.uniform(0.5, 2.0, 60)
    kw = {"hidden_layer_sizes": (4,), "max_iter": 5, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = RidgeMLPClassifier(**kw, class_weight=class_weight).fit(X, y, sample_weight=sw)
        cw = compute_sample_weight(class_weight, y, sample_weight=sw)
        ref = RidgeMLPClassifier(**kw).fit(X, y, sample_weight=sw * cw)
    for a, b in zip(ours.coefs_, ref.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    partial = RidgeMLPClassifier(**kw, class_weight=class_weight)
    if class_weight == "balanced":
        with pytest.raises(ValueError, match="partial_fit"):
            partial.partial_fit(X, y, classes=["no", "yes"])
    else:
        partial.partial_fit(X, y, classes=["no", "yes"])
