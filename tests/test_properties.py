"""Property tests (hypothesis): invariances every fit must satisfy, on random problems.

Each property draws a small random problem (a seed and the shape) and checks an
exact mathematical invariance of the objective:

* ``alpha >= alpha_max``: every coefficient is exactly zero;
* permuting the features permutes the coefficients;
* an integer sample weight ``k`` equals ``k`` copies of the row;
* scaling ``y`` by ``c`` scales the coefficients by ``c`` (lasso: ``alpha * c``;
  ridge: same ``alpha``; elastic net: ``alpha' = alpha (rho c + 1 - rho)`` and
  ``rho' = rho c / (rho c + 1 - rho)``, because the L2 term is quadratic);
* a fixed ``random_state`` gives bit-identical results;
* predicting from several threads at once gives the single-thread result.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning

import skdecay
from skdecay import (
    ElasticNetClassifier,
    ElasticNetRegressor,
    LassoRegressor,
    RidgeRegressor,
    alpha_max,
)

TIGHT = dict(tol=1e-10, max_iter=10_000)
FEW = settings(max_examples=12, deadline=None, derandomize=True, database=None)


@st.composite
def problems(draw, classification=False, n_classes=2):
    """``(X, y)`` with ``n`` in [12, 40] and ``p`` in [2, 7], standardised features."""
    seed = draw(st.integers(0, 2**31 - 1))
    n = draw(st.integers(12, 40))
    p = draw(st.integers(2, 7))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    beta = rng.standard_normal(p) * (rng.random(p) < 0.6)
    score = X @ beta + 0.5 * rng.standard_normal(n)
    if not classification:
        return X, score + draw(st.floats(-3, 3))
    if n_classes == 2:
        y = (score > np.median(score)).astype(int)
    else:
        y = np.digitize(score, np.quantile(score, [1 / 3, 2 / 3]))
    return X, y


def _coef(est):
    return np.atleast_2d(est.coef_)


# ---------------------------------------------------------------------------
# alpha >= alpha_max gives zeros


@FEW
@given(
    data=problems(),
    l1_ratio=st.sampled_from([1.0, 0.7, 0.2]),
    factor=st.floats(1.0, 50.0),
    sw_seed=st.none() | st.integers(0, 100),
)
def test_regression_zero_from_alpha_max(data, l1_ratio, factor, sw_seed):
    X, y = data
    sw = None if sw_seed is None else np.random.default_rng(sw_seed).uniform(0.2, 3, len(y))
    amax = alpha_max(X, y, l1_ratio=l1_ratio, sample_weight=sw)
    est = ElasticNetRegressor(alpha=amax * factor, l1_ratio=l1_ratio).fit(X, y, sample_weight=sw)
    assert np.all(est.coef_ == 0), est.coef_
    np.testing.assert_allclose(est.intercept_, np.average(y, weights=sw))
    if factor > 1.01:  # just below: not all zero (alpha_max is the smallest such alpha)
        below = ElasticNetRegressor(alpha=amax / factor, l1_ratio=l1_ratio, **TIGHT)
        assert np.any(below.fit(X, y, sample_weight=sw).coef_ != 0)


@FEW
@given(
    data=st.integers(2, 3).flatmap(lambda k: problems(classification=True, n_classes=k)),
    l1_ratio=st.sampled_from([1.0, 0.5]),
    factor=st.floats(1.0, 50.0),
)
def test_classification_zero_from_alpha_max(data, l1_ratio, factor):
    X, y = data
    amax = alpha_max(X, y, l1_ratio=l1_ratio, loss="logistic")
    est = ElasticNetClassifier(alpha=amax * factor, l1_ratio=l1_ratio).fit(X, y)
    assert np.all(est.coef_ == 0), est.coef_
    if factor > 1.01:
        below = ElasticNetClassifier(alpha=amax / factor, l1_ratio=l1_ratio, **TIGHT).fit(X, y)
        assert np.any(below.coef_ != 0)


def test_classifier_exactly_at_alpha_max_is_zero():
    rng = np.random.default_rng(2)
    n, p = rng.integers(12, 41), rng.integers(2, 8)
    X = rng.standard_normal((n, p))
    score = X @ (rng.standard_normal(p) * (rng.random(p) < 0.6)) + 0.5 * rng.standard_normal(n)
    y = (score > np.median(score)).astype(int)
    amax = alpha_max(X, y, l1_ratio=1.0, loss="logistic")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = ElasticNetClassifier(alpha=amax, l1_ratio=1.0).fit(X, y)
    assert np.all(est.coef_ == 0), est.coef_


# ---------------------------------------------------------------------------
# permutation and repetition

LINEAR = [
    ElasticNetRegressor(alpha=0.05, l1_ratio=0.6, **TIGHT),
    LassoRegressor(alpha=0.05, **TIGHT),
    RidgeRegressor(alpha=3.0),
    RidgeRegressor(alpha=3.0, solver="cd", **TIGHT),
    ElasticNetClassifier(alpha=0.01, l1_ratio=0.5, **TIGHT),
]
LINEAR_IDS = ["enet", "lasso", "ridge-cholesky", "ridge-cd", "logistic"]


def _fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # tight fits must converge
        return clone(est).fit(X, y, **kw)


@pytest.mark.parametrize("est", LINEAR, ids=LINEAR_IDS)
@FEW
@given(seed=st.integers(0, 2**31 - 1), data=st.data())
def test_permuting_features_permutes_coefficients(est, seed, data):
    X, y = data.draw(problems(classification=is_classifier(est)))
    perm = np.random.default_rng(seed).permutation(X.shape[1])
    a, b = _fit(est, X, y), _fit(est, X[:, perm], y)
    np.testing.assert_allclose(_coef(b), _coef(a)[:, perm], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(b.intercept_, a.intercept_, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("est", LINEAR, ids=LINEAR_IDS)
@FEW
@given(seed=st.integers(0, 2**31 - 1), data=st.data())
def test_integer_weights_equal_repeated_rows(est, seed, data):
    X, y = data.draw(problems(classification=is_classifier(est)))
    k = np.random.default_rng(seed).integers(0, 4, len(y))
    k[:2] = 1  # keep at least two rows (and, drawn above, both classes usually)
    if is_classifier(est) and np.unique(y[k > 0]).size < 2:
        k[:] = 1
    weighted = _fit(est, X, y, sample_weight=k.astype(float))
    repeated = _fit(est, np.repeat(X, k, axis=0), np.repeat(y, k))
    np.testing.assert_allclose(_coef(weighted), _coef(repeated), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-5, atol=1e-7)


# ---------------------------------------------------------------------------
# scaling y


@FEW
@given(
    data=problems(),
    c=st.sampled_from([1e-3, 0.5, 7.0, 1e3]),
    kind=st.sampled_from(["lasso", "ridge", "ridge-cd", "enet"]),
    alpha=st.floats(0.01, 0.5),
)
def test_scaling_y_scales_coefficients(data, c, kind, alpha):
    X, y = data
    rho = 0.4
    if kind == "lasso":
        a, b = LassoRegressor(alpha=alpha, **TIGHT), LassoRegressor(alpha=alpha * c, **TIGHT)
    elif kind.startswith("ridge"):
        solver = "cd" if kind == "ridge-cd" else "auto"
        a = RidgeRegressor(alpha=alpha * 10, solver=solver, **TIGHT)
        b = clone(a)
    else:
        a = ElasticNetRegressor(alpha=alpha, l1_ratio=rho, **TIGHT)
        scale = rho * c + 1 - rho
        b = ElasticNetRegressor(alpha=alpha * scale, l1_ratio=rho * c / scale, **TIGHT)
    a, b = _fit(a, X, y), _fit(b, X, c * y)
    np.testing.assert_allclose(b.coef_, c * a.coef_, rtol=1e-5, atol=1e-7 * c * np.std(y))
    np.testing.assert_allclose(b.intercept_, c * a.intercept_, rtol=1e-5, atol=1e-7 * c)


# ---------------------------------------------------------------------------
# determinism

_MLP = dict(hidden_layer_sizes=(6,), max_iter=15, learning_rate_init=1e-2)
RANDOMISED = [
    skdecay.ElasticNetMLPClassifier(**_MLP, early_stopping=True, validation_fraction=0.25),
    skdecay.ElasticNetMLPRegressor(**_MLP, solver="sgd"),
    skdecay.RidgeMLPClassifier(**_MLP),
    skdecay.RidgeMLPRegressor(**_MLP, early_stopping=True, validation_fraction=0.25),
    skdecay.LassoMLPClassifier(**_MLP, solver="sgd"),
    skdecay.LassoMLPRegressor(**_MLP),
    ElasticNetRegressor(alpha=0.01, selection="random", max_iter=3),
    ElasticNetClassifier(alpha=0.01, selection="random", max_iter=2),
    skdecay.ElasticNetRegressorCV(alphas=4, cv=3, selection="random", max_iter=5),
]


def _all_arrays(est):
    if hasattr(est, "coefs_"):
        return [*est.coefs_, *est.intercepts_, np.asarray(est.loss_curve_)]
    return [np.asarray(est.coef_), np.asarray(est.intercept_)]


@pytest.mark.parametrize("est", RANDOMISED, ids=lambda e: type(e).__name__)
@settings(max_examples=4, deadline=None, derandomize=True, database=None)
@given(data=st.data(), random_state=st.integers(0, 2**31 - 1))
def test_fixed_random_state_is_deterministic(est, data, random_state):
    X, y = data.draw(problems(classification=is_classifier(est)))
    fits = []
    for _ in range(2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fits.append(clone(est).set_params(random_state=random_state).fit(X, y))
    for u, v in zip(_all_arrays(fits[0]), _all_arrays(fits[1]), strict=True):
        assert np.array_equal(u, v)
    assert np.array_equal(fits[0].predict(X), fits[1].predict(X))


def test_random_state_matters_for_mlp():
    """Guard of the test above: a different seed really gives different weights."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 3))
    y = X[:, 0] + 0.1 * rng.standard_normal(30)
    a = skdecay.RidgeMLPRegressor(**_MLP, random_state=0)
    b = skdecay.RidgeMLPRegressor(**_MLP, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert not np.array_equal(a.fit(X, y).coefs_[0], b.fit(X, y).coefs_[0])


# ---------------------------------------------------------------------------
# concurrent predict

_PUBLIC = [
    ElasticNetRegressor(alpha=0.05),
    LassoRegressor(alpha=0.05),
    RidgeRegressor(),
    ElasticNetClassifier(alpha=0.01),
    skdecay.ElasticNetRegressorCV(alphas=4, cv=3),
    skdecay.ElasticNetClassifierCV(alphas=4, cv=3),
    skdecay.ElasticNetMLPClassifier(**_MLP, random_state=0),
    skdecay.ElasticNetMLPRegressor(**_MLP, random_state=0),
    skdecay.RidgeMLPClassifier(**_MLP, random_state=0),
    skdecay.RidgeMLPRegressor(**_MLP, random_state=0),
    skdecay.LassoMLPClassifier(**_MLP, random_state=0),
    skdecay.LassoMLPRegressor(**_MLP, random_state=0),
]


@pytest.mark.parametrize("est", _PUBLIC, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_concurrent_predict_equals_single_thread(est, dtype):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((400, 6)).astype(dtype)
    y = (X[:, 0] - X[:, 1] > 0).astype(int) if is_classifier(est) else X[:, 0] - X[:, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = clone(est).fit(X, y)
    methods = ["predict"] + (["predict_proba", "decision_function"] if is_classifier(est) else [])
    chunks = [X, X[::-1], X[100:300], np.asfortranarray(X)]
    expected = {(m, i): getattr(est, m)(c) for m in methods for i, c in enumerate(chunks)}
    jobs = [(m, i) for _ in range(8) for m in methods for i in range(len(chunks))]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda job: getattr(est, job[0])(chunks[job[1]]), jobs))
    for job, got in zip(jobs, results, strict=True):
        assert np.array_equal(got, expected[job]), job
