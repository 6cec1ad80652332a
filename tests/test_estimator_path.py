"""``skdecay.estimator_path``: the path of a fitted estimator's own problem.

For every kind of linear estimator the path (1) passes through the estimator's
``coef_`` at its ``alpha`` (``alpha_``) and (2) equals a direct
:func:`~skdecay.enet_path` / :func:`~skdecay.logistic_path` call whose
settings are written out here by hand.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdecay import (
    ColumnGroups,
    ElasticNetClassifier,
    ElasticNetClassifierCV,
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    LassoRegressor,
    RidgeRegressor,
    enet_path,
    estimator_path,
    estimator_path_params,
    logistic_path,
)

TIGHT = dict(tol=1e-10, max_iter=10000)


def _data(n=150, p=6, seed=0, classes=None):
    rng = np.random.default_rng(seed)
    X = StandardScaler().fit_transform(rng.standard_normal((n, p)))
    z = 1.5 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2]
    if classes is None:
        return X, z + rng.standard_normal(n)
    cut = np.quantile(z + rng.standard_normal(n), np.linspace(0, 1, classes + 1)[1:-1])
    return X, np.searchsorted(cut, z + rng.standard_normal(n))


def _at(path, alpha):
    i = int(np.argmin(np.abs(np.log(path.alphas) - np.log(alpha))))
    assert path.alphas[i] == pytest.approx(alpha, rel=1e-12)
    return path.coefs[i], path.intercepts[i]


def _grid(alpha):
    return np.geomspace(30 * alpha, alpha, 8)


def _check(est, X, y, ref, fit_kw=None, path_kw=None, atol=1e-5):
    """``est`` fitted on (X, y): its path equals ``ref`` and passes through ``coef_``."""
    est.fit(X, y, **(fit_kw or {}))
    alpha = getattr(est, "alpha_", None) or est.alpha
    kw = path_kw or {}
    if not hasattr(est, "alphas_"):
        kw = {"alphas": _grid(alpha), **kw}
    path = estimator_path(est, X, y, **kw)
    np.testing.assert_allclose(path.alphas, ref.alphas)
    np.testing.assert_allclose(path.coefs, ref.coefs, atol=1e-10)
    np.testing.assert_allclose(path.intercepts, ref.intercepts, atol=1e-10)
    coef, intercept = _at(path, alpha)
    scale = max(1.0, np.abs(est.coef_).max())
    np.testing.assert_allclose(coef.reshape(np.shape(est.coef_)), est.coef_, atol=atol * scale)
    np.testing.assert_allclose(
        np.ravel(intercept), np.ravel(est.intercept_), atol=atol * max(1.0, scale)
    )
    return path


def test_regressor_squared_error_with_factors_and_positive():
    X, y = _data()
    pf = np.array([1.0, 0.5, 2.0, 1.0, 0.0, 1.0])
    est = ElasticNetRegressor(alpha=0.05, l1_ratio=0.7, penalty_factor=pf, positive=True, **TIGHT)
    ref = enet_path(
        X, y, l1_ratio=0.7, alphas=_grid(0.05), penalty_factor=pf, positive=True, **TIGHT
    )
    _check(est, X, y, ref)


def test_regressor_poisson_with_offset_and_weights():
    X, _ = _data(seed=1)
    rng = np.random.default_rng(1)
    offset = np.log(rng.uniform(0.5, 2.0, X.shape[0]))
    y = rng.poisson(np.exp(0.3 + 0.5 * X[:, 0] + offset)).astype(float)
    sw = rng.uniform(0.5, 2.0, X.shape[0])
    est = ElasticNetRegressor(alpha=0.02, l1_ratio=0.5, loss="poisson", **TIGHT)
    ref = enet_path(
        X, y, l1_ratio=0.5, loss="poisson", alphas=_grid(0.02), offset=offset,
        sample_weight=sw, **TIGHT,
    )  # fmt: skip
    _check(
        est, X, y, ref, fit_kw=dict(offset=offset, sample_weight=sw),
        path_kw=dict(offset=offset, sample_weight=sw),
    )  # fmt: skip


def test_lasso_regressor_is_l1_ratio_one():
    X, y = _data(seed=2)
    ref = enet_path(X, y, l1_ratio=1.0, alphas=_grid(0.1), **TIGHT)
    _check(LassoRegressor(alpha=0.1, **TIGHT), X, y, ref)
    assert estimator_path_params(LassoRegressor().fit(X, y)).get("l1_ratio", 1.0) == 1.0


@pytest.mark.parametrize("penalty, gamma", [("mcp", 3.0), ("scad", 4.0)])
def test_regressor_nonconvex(penalty, gamma):
    X, y = _data(seed=3)
    est = ElasticNetRegressor(alpha=0.1, l1_ratio=1.0, penalty=penalty, gamma=gamma, **TIGHT)
    ref = enet_path(X, y, l1_ratio=1.0, alphas=_grid(0.1), penalty=penalty, gamma=gamma, **TIGHT)
    path = _check(est, X, y, ref)
    lasso = enet_path(X, y, l1_ratio=1.0, alphas=_grid(0.1), **TIGHT)
    assert not np.allclose(path.coefs, lasso.coefs)  # the penalty is used


def test_regressor_column_groups_from_feature_names():
    X, y = _data(seed=4)
    names = ["a_1", "a_2", "b_1", "b_2", "b_3", "c_1"]
    Xdf = pd.DataFrame(X, columns=names)
    est = ElasticNetRegressor(
        alpha=0.2, l1_ratio=0.5, groups=ColumnGroups(["a", "b", "c"]),
        group_weights=[1.0, 2.0, 1.0], **TIGHT,
    )  # fmt: skip
    groups = [0, 0, 1, 1, 1, 2]
    ref = enet_path(
        X, y, l1_ratio=0.5, alphas=_grid(0.2), groups=groups,
        group_weights=[1.0, 2.0, 1.0], **TIGHT,
    )  # fmt: skip
    _check(est, Xdf, y, ref)


def test_regressor_bounds_and_no_intercept():
    X, y = _data(seed=5)
    box = dict(lower_bounds=-0.3, upper_bounds=np.full(6, 0.8), fit_intercept=False)
    est = ElasticNetRegressor(alpha=0.01, l1_ratio=0.9, **box, **TIGHT)
    ref = enet_path(X, y, l1_ratio=0.9, alphas=_grid(0.01), **box, **TIGHT)
    path = _check(est, X, y, ref)
    assert path.coefs.max() <= 0.8 + 1e-12 and path.coefs.min() >= -0.3 - 1e-12


def test_classifier_binary_with_class_weight():
    X, y = _data(seed=6, classes=2)
    y = np.where(y == 1, "yes", "no")
    est = ElasticNetClassifier(alpha=0.01, l1_ratio=0.6, class_weight={"yes": 3.0}, **TIGHT)
    sw = np.where(y == "yes", 3.0, 1.0)
    ref = logistic_path(X, y, l1_ratio=0.6, alphas=_grid(0.01), sample_weight=sw, **TIGHT)
    _check(est, X, y, ref)


def test_classifier_multinomial():
    X, y = _data(seed=7, classes=3)
    est = ElasticNetClassifier(alpha=0.01, l1_ratio=0.5, **TIGHT)
    ref = logistic_path(X, y, l1_ratio=0.5, alphas=_grid(0.01), **TIGHT)
    _check(est, X, y, ref, atol=1e-4)


@pytest.mark.parametrize("classes", [2, 3])
def test_classifier_groups(classes):
    X, y = _data(seed=8, classes=classes)
    groups = [0, 0, 1, 1, 2, 2]
    est = ElasticNetClassifier(alpha=0.02, l1_ratio=0.5, groups=groups, tol=1e-8)
    ref = logistic_path(X, y, l1_ratio=0.5, alphas=_grid(0.02), groups=groups, tol=1e-8)
    with warnings.catch_warnings():
        # the single grouped logistic fit may flag a rounding-level KKT residual (cv13 note)
        warnings.simplefilter("ignore", ConvergenceWarning)
        _check(est, X, y, ref, atol=1e-4)


def test_regressor_cv_uses_its_choice_and_grid():
    X, y = _data(seed=9)
    cv = ElasticNetRegressorCV(l1_ratio=[0.3, 0.9], alphas=12, cv=3, **TIGHT).fit(X, y)
    row = [0.3, 0.9].index(cv.l1_ratio_)
    ref = enet_path(X, y, l1_ratio=cv.l1_ratio_, alphas=cv.alphas_[row], **TIGHT)
    _check(cv, X, y, ref)


def test_regressor_cv_mcp_gamma_list():
    X, y = _data(seed=10)
    cv = ElasticNetRegressorCV(
        l1_ratio=1.0, penalty="mcp", gamma=[1.5, 3.0, 8.0], alphas=10, cv=3, **TIGHT
    ).fit(X, y)
    ref = enet_path(X, y, alphas=cv.alphas_, penalty="mcp", gamma=cv.gamma_, **TIGHT)
    _check(cv, X, y, ref, atol=1e-4)
    assert estimator_path_params(cv)["gamma"] == cv.gamma_


def test_classifier_cv_binary_groups_and_multinomial():
    X, y = _data(seed=11, classes=2)
    cv = ElasticNetClassifierCV(l1_ratio=0.5, groups=[0, 0, 1, 1, 2, 2], alphas=6, cv=3, tol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cv.fit(X, y)
        ref = logistic_path(
            X, y, l1_ratio=0.5, alphas=cv.alphas_, groups=[0, 0, 1, 1, 2, 2], tol=1e-8
        )
        _check(cv, X, y, ref, atol=1e-4)
    X, y = _data(seed=12, classes=3)
    cv = ElasticNetClassifierCV(l1_ratio=[0.5, 1.0], alphas=6, cv=3, tol=1e-8, max_iter=1000)
    cv.fit(X, y)
    row = [0.5, 1.0].index(cv.l1_ratio_)
    ref = logistic_path(
        X, y, l1_ratio=cv.l1_ratio_, alphas=cv.alphas_[row], tol=1e-8, max_iter=1000
    )
    _check(cv, X, y, ref, atol=1e-4)


def test_two_dimensional_y():
    X, y = _data(seed=13)
    Y = np.column_stack([y, X[:, 3] - y])
    est = ElasticNetRegressor(alpha=0.1, l1_ratio=0.8, **TIGHT)
    ref = enet_path(X, Y, l1_ratio=0.8, alphas=_grid(0.1), **TIGHT)
    path = _check(est, X, Y, ref)
    assert path.coefs.shape == (8, 2, 6)
    one = estimator_path(est, X, Y, target=1, alphas=_grid(0.1))
    np.testing.assert_allclose(one.coefs, ref.coefs[:, 1], atol=1e-10)
    # a CV fit per target: target=j is that target's own choice and grid
    cv = ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=8, cv=3, **TIGHT).fit(X, Y)
    for t in range(2):
        row = [0.5, 1.0].index(cv.l1_ratio_[t])
        grid = cv.alphas_[t][row]
        ref = enet_path(X, Y[:, t], l1_ratio=cv.l1_ratio_[t], alphas=grid, **TIGHT)
        path = estimator_path(cv, X, Y, target=t)
        np.testing.assert_allclose(path.coefs, ref.coefs, atol=1e-10)
        coef, _ = _at(path, cv.alpha_[t])
        np.testing.assert_allclose(coef, cv.coef_[t], atol=1e-5 * np.abs(cv.coef_).max())
    if cv.l1_ratio_[0] != cv.l1_ratio_[1]:
        with pytest.raises(ValueError, match="target=j"):
            estimator_path_params(cv)
    both = estimator_path(cv, X, Y)  # one grid holding every alpha_
    for t in range(2):
        coef, _ = _at(both._replace(coefs=both.coefs[:, t]), cv.alpha_[t])
        np.testing.assert_allclose(coef, cv.coef_[t], atol=1e-5 * np.abs(cv.coef_).max())


def test_pipeline_transforms_X():
    X, y = _data(seed=14)
    X = 3.0 * X + 1.0
    pipe = make_pipeline(StandardScaler(), ElasticNetRegressor(alpha=0.1, **TIGHT)).fit(X, y)
    ref = enet_path(StandardScaler().fit_transform(X), y, l1_ratio=0.5, alphas=[1.0, 0.1], **TIGHT)
    path = estimator_path(pipe, X, y, alphas=[1.0, 0.1])
    np.testing.assert_allclose(path.coefs, ref.coefs, atol=1e-10)


def test_errors():
    X, y = _data(seed=15)
    with pytest.raises(NotFittedError):
        estimator_path(ElasticNetRegressor(), X, y)
    with pytest.raises(TypeError, match="LinearRegression"):
        estimator_path(LinearRegression().fit(X, y), X, y)
    with pytest.raises(TypeError, match="ridge path"):
        estimator_path(RidgeRegressor().fit(X, y), X, y)
    clf = ElasticNetClassifier().fit(X, y > 0)
    with pytest.raises(ValueError, match="offset"):
        estimator_path(clf, X, y > 0, offset=np.zeros_like(y))
    with pytest.raises(ValueError, match="2-D y"):
        estimator_path(ElasticNetRegressor().fit(X, y), X, y, target=0)
    cv = ElasticNetRegressorCV(cv=KFold(3)).fit(X, y)
    assert estimator_path_params(cv)["l1_ratio"] == cv.l1_ratio_
