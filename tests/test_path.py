"""Regularization paths: alpha grids against scikit-learn, paths against single fits.

References: scikit-learn's ``ElasticNetCV`` grid (its ``_alpha_grid`` is
private, so the public ``alphas_`` of a fitted ``ElasticNetCV`` is used),
single-alpha fits of :class:`ElasticNetRegressor` / :class:`ElasticNetClassifier`
at a tight tolerance, and the gradient at zero for the ``alpha_max`` boundary.
"""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNetCV

import skdecay._path_core as path_core
from skdecay import (
    ElasticNetClassifier,
    ElasticNetRegressor,
    alpha_grid,
    alpha_max,
    enet_path,
    logistic_path,
)
from skdecay.path import RegularizationPath

TIGHT = {"tol": 1e-13, "max_iter": 20_000}


def sklearn_grid(X, y, *, l1_ratio, n_alphas, eps=1e-3, sample_weight=None, **kw):
    """The grid of a fitted ``ElasticNetCV`` (the fit itself is irrelevant: 1 iteration)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cv = ElasticNetCV(l1_ratio=l1_ratio, alphas=n_alphas, eps=eps, max_iter=1, cv=2, **kw)
        return cv.fit(X, y, sample_weight=sample_weight).alphas_


@pytest.fixture(scope="module")
def conditioned():
    """A well-conditioned regression (80 x 12), coefficients of order 1."""
    X, y = make_regression(n_samples=80, n_features=12, n_informative=6, noise=5.0, random_state=1)
    return np.asfortranarray(X), y / np.std(y) + 2.0


# ---------------------------------------------------------------------------
# alpha grid


@pytest.mark.parametrize("l1_ratio", [0.3, 1.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("positive", [False, True])
def test_alpha_grid_equals_elasticnetcv_grid(
    l1_ratio, fit_intercept, weighted, positive, diabetes, make_weights
):
    X, y = diabetes
    sw = make_weights(X.shape[0]) if weighted else None
    kw = {"fit_intercept": fit_intercept, "positive": positive}
    got = alpha_grid(X, y, l1_ratio=l1_ratio, n_alphas=12, eps=1e-2, sample_weight=sw, **kw)
    ref = sklearn_grid(X, y, l1_ratio=l1_ratio, n_alphas=12, eps=1e-2, sample_weight=sw, **kw)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    amax = alpha_max(X, y, l1_ratio=l1_ratio, sample_weight=sw, **kw)
    assert got[0] == pytest.approx(amax, rel=1e-14)
    assert got[-1] == pytest.approx(1e-2 * amax, rel=1e-12)
    assert np.all(np.diff(got) < 0)


def test_alpha_grid_sparse_and_logistic(sparse_regression, breast_cancer, wine):
    X, y = sparse_regression
    got = alpha_grid(X, y, l1_ratio=0.5, n_alphas=5)
    np.testing.assert_allclose(got, sklearn_grid(X, y, l1_ratio=0.5, n_alphas=5), rtol=1e-12)
    np.testing.assert_allclose(got, alpha_grid(X.toarray(), y, l1_ratio=0.5, n_alphas=5))
    for Xc, yc in (breast_cancer, wine):  # logistic grid starts at the logistic alpha_max
        g = alpha_grid(Xc, yc, loss="logistic", n_alphas=4, eps=0.1)
        amax = alpha_max(Xc, yc, loss="logistic")
        np.testing.assert_allclose(g, amax * np.logspace(0, -1, 4), rtol=1e-12)


def test_alpha_grid_l1_ratio_zero_raises_like_sklearn(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="l1_ratio > 0"):
        alpha_grid(X, y, l1_ratio=0.0)
    with pytest.raises(ValueError, match="l1_ratio"):
        sklearn_grid(X, y, l1_ratio=0.0, n_alphas=3)
    with pytest.raises(ValueError, match="l1_ratio > 0"):
        enet_path(X, y, l1_ratio=0.0)
    path = enet_path(X, y, l1_ratio=0.0, alphas=[1.0, 0.1])  # explicit grid: fine
    assert np.all(path.coefs != 0)


def test_alpha_grid_constant_target_like_sklearn(diabetes):
    X, _ = diabetes
    y = np.full(X.shape[0], 3.0)
    got = alpha_grid(X, y, n_alphas=4)
    np.testing.assert_array_equal(got, sklearn_grid(X, y, l1_ratio=1.0, n_alphas=4))
    assert np.all(got == np.finfo(float).resolution)


# ---------------------------------------------------------------------------
# paths equal single fits


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_enet_path_equals_single_fits(sparse, fit_intercept, weighted, conditioned, make_weights):
    X, y = conditioned
    sw = make_weights(X.shape[0], seed=3) if weighted else None
    Xf = sp.csc_matrix(X) if sparse else X
    kw = {"l1_ratio": 0.7, "fit_intercept": fit_intercept, "sample_weight": sw}
    path = enet_path(Xf, y, n_alphas=8, eps=1e-3, **kw, **TIGHT)
    assert isinstance(path, RegularizationPath)
    assert path.coefs.shape == (8, X.shape[1]) and path.intercepts.shape == (8,)
    assert path.dual_gaps.shape == path.n_iter.shape == (8,)
    assert np.all(np.diff(path.alphas) < 0)
    for i in (1, 4, 7):
        est = ElasticNetRegressor(alpha=path.alphas[i], l1_ratio=0.7, fit_intercept=fit_intercept)
        est.set_params(**TIGHT).fit(Xf, y, sample_weight=sw)
        np.testing.assert_allclose(path.coefs[i], est.coef_, rtol=0, atol=1e-6)
        assert path.intercepts[i] == pytest.approx(est.intercept_, abs=1e-6)
    if not fit_intercept:
        assert np.all(path.intercepts == 0)


@pytest.mark.parametrize(
    "dataset, sparse, fit_intercept, weighted",
    [
        ("breast_cancer", False, True, True),
        ("breast_cancer", True, False, False),
        ("wine", False, True, False),
        ("wine", True, True, True),
    ],
)
def test_logistic_path_equals_single_fits(
    dataset, sparse, fit_intercept, weighted, request, make_weights
):
    X, y = request.getfixturevalue(dataset)
    X, y = X[::2], y[::2]  # half the rows keeps it quick
    sw = make_weights(X.shape[0]) if weighted else None
    Xf = sp.csc_matrix(X) if sparse else X
    kw = {"l1_ratio": 0.8, "fit_intercept": fit_intercept}
    path = logistic_path(Xf, y, n_alphas=4, eps=0.05, sample_weight=sw, tol=1e-14, **kw)
    K = 1 if dataset == "breast_cancer" else 3
    assert path.coefs.shape == (4, K, X.shape[1]) and path.intercepts.shape == (4, K)
    for i in (1, 3):
        clf = ElasticNetClassifier(alpha=path.alphas[i], tol=1e-14, **kw)
        clf.fit(Xf, y, sample_weight=sw)
        np.testing.assert_allclose(path.coefs[i], clf.coef_, rtol=0, atol=1e-6)
        np.testing.assert_allclose(path.intercepts[i], clf.intercept_, rtol=0, atol=1e-6)


def test_logistic_path_classes_order_and_missing_class(wine):
    X, y = wine
    path = logistic_path(X, y, alphas=[0.05], tol=1e-10)
    rev = logistic_path(X, y, alphas=[0.05], tol=1e-10, classes=[2, 1, 0])
    np.testing.assert_allclose(rev.coefs[0], path.coefs[0][::-1], atol=1e-8)
    # a class absent from y still gets a row (as in a CV fold), with zero coefficients
    keep = y != 2
    with warnings.catch_warnings():  # the absent class's intercept runs off to log(1e-12)
        warnings.simplefilter("ignore", ConvergenceWarning)
        part = logistic_path(X[keep], y[keep], alphas=[0.05], classes=[0, 1, 2], tol=1e-8)
    assert part.coefs.shape == (1, 3, X.shape[1])
    assert np.all(part.coefs[0, 2] <= 0) and part.intercepts[0, 2] < -10
    with pytest.raises(ValueError, match="not in classes"):
        logistic_path(X, y, alphas=[0.05], classes=[0, 1])


def test_each_fit_starts_from_the_previous_solution(wide_regression, monkeypatch):
    """Warm starts of the Python path (sparse X; dense float64 paths run compiled):
    a spy on the solver sees every alpha start from the previous result."""
    X, y = wide_regression
    X = sp.csc_matrix(X)
    seen = []
    real_solve = path_core.solve

    def spy(pb, W, b, **kw):
        res = real_solve(pb, W, b, **kw)
        seen.append((pb.penalty.alpha, None if W is None else W.copy(), res.coef.copy()))
        return res

    monkeypatch.setattr(path_core, "solve", spy)
    path = enet_path(X, y, l1_ratio=0.9, n_alphas=6, eps=1e-2)
    assert path.n_iter[0] == 0 and np.all(path.coefs[0] == 0)  # alpha_max: closed form
    np.testing.assert_array_equal([a for a, _, _ in seen], path.alphas[1:])
    assert seen[0][1] is None  # the first solve starts from zero
    np.testing.assert_array_equal(seen[1][1], seen[0][2])  # no secant yet
    extrapolated = 0
    for (a0, _, before), (a1, _, previous), (a2, start, _) in zip(
        seen, seen[1:], seen[2:], strict=False
    ):
        # from the third solve on: the previous solution, or the secant step
        # W + ratio (W - W_before) with signs kept, when it lowers the objective
        ratio = np.log(a1 / a2) / np.log(a0 / a1)
        secant = previous + ratio * (previous - before)
        secant[np.sign(secant) != np.sign(previous)] = 0
        if np.array_equal(start, previous):
            continue
        np.testing.assert_allclose(start, secant, rtol=1e-12, atol=1e-15)
        extrapolated += 1
    assert extrapolated > 0


# ---------------------------------------------------------------------------
# alpha_max boundary


def _gradient_at_zero(X, y, loss):
    """Minus the data gradient at zero coefficients with the optimal intercept, (K, p)."""
    if loss == "squared":
        R = (y - y.mean())[:, None]
    elif np.unique(y).size == 2:
        yy = (y == np.unique(y)[1]).astype(float)
        R = (yy - yy.mean())[:, None]
    else:
        Y = (y[:, None] == np.unique(y)[None, :]).astype(float)
        R = Y - Y.mean(axis=0)
    return np.asarray(X.T @ R).T / X.shape[0]


@pytest.mark.parametrize(
    "dataset, loss, l1_ratio",
    [
        ("diabetes", "squared", 1.0),
        ("diabetes", "squared", 0.5),
        ("sparse_regression", "squared", 1.0),
        ("breast_cancer", "logistic", 1.0),
        ("wine", "logistic", 0.5),
    ],
)
def test_zero_at_alpha_max_one_coefficient_just_below(dataset, loss, l1_ratio, request):
    X, y = request.getfixturevalue(dataset)
    amax = alpha_max(X, y, l1_ratio=l1_ratio, loss=loss)
    G = _gradient_at_zero(X, y, loss)
    assert amax == pytest.approx(np.max(np.abs(G)) / l1_ratio, rel=1e-10)
    fn = enet_path if loss == "squared" else logistic_path
    path = fn(X, y, l1_ratio=l1_ratio, alphas=[amax, amax * (1 - 1e-3)], tol=1e-12)
    coefs = path.coefs.reshape(2, -1)
    assert np.all(coefs[0] == 0)
    nz = np.flatnonzero(coefs[1])
    assert nz.tolist() == [int(np.argmax(np.abs(G)))]  # the largest gradient enters
    assert np.sign(coefs[1, nz[0]]) == np.sign(G.ravel()[nz[0]])


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    l1_ratio=st.floats(0.05, 1.0),
    fit_intercept=st.booleans(),
    factor=st.floats(1.0 + 1e-9, 100.0),
)
def test_alpha_above_alpha_max_gives_zero_property(seed, l1_ratio, fit_intercept, factor):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((20, 5))
    y = X @ rng.standard_normal(5) + rng.standard_normal(20)
    amax = alpha_max(X, y, l1_ratio=l1_ratio, fit_intercept=fit_intercept)
    path = enet_path(X, y, l1_ratio=l1_ratio, alphas=[factor * amax], fit_intercept=fit_intercept)
    assert np.all(path.coefs == 0)
    assert path.intercepts[0] == pytest.approx(y.mean() if fit_intercept else 0.0, abs=1e-12)


# ---------------------------------------------------------------------------
# dtypes, layouts, inputs


def test_float32_layouts_and_inputs_untouched(conditioned):
    X, y = conditioned
    ref = enet_path(X, y, n_alphas=6, eps=1e-2, tol=1e-10)
    X32 = X.astype(np.float32)
    Xc = np.ascontiguousarray(X)
    Xs = sp.csr_matrix(X)
    copies = (X32.copy(), Xc.copy(), Xs.copy(), y.copy())
    p32 = enet_path(X32, y, n_alphas=6, eps=1e-2, tol=1e-6)
    assert p32.coefs.dtype == np.float32 and p32.intercepts.dtype == np.float32
    assert p32.alphas.dtype == np.float64
    np.testing.assert_allclose(p32.alphas, ref.alphas, rtol=1e-5)
    np.testing.assert_allclose(p32.coefs, ref.coefs, atol=1e-3)
    for Xo in (Xc, Xs):
        other = enet_path(Xo, y, n_alphas=6, eps=1e-2, tol=1e-10)
        np.testing.assert_allclose(other.coefs, ref.coefs, atol=1e-7)
    np.testing.assert_array_equal(X32, copies[0])
    np.testing.assert_array_equal(Xc, copies[1])
    np.testing.assert_array_equal(Xs.toarray(), copies[2].toarray())
    np.testing.assert_array_equal(y, copies[3])


def test_explicit_alphas_are_sorted_decreasing(conditioned):
    X, y = conditioned
    path = enet_path(X, y, alphas=[0.01, 0.5, 0.1], **TIGHT)
    np.testing.assert_array_equal(path.alphas, [0.5, 0.1, 0.01])
    est = ElasticNetRegressor(alpha=0.5, l1_ratio=1.0, **TIGHT).fit(X, y)
    np.testing.assert_allclose(path.coefs[0], est.coef_, atol=1e-8)


def test_one_convergence_warning_per_path(wide_regression, breast_cancer):
    X, y = wide_regression
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        path = enet_path(X, y, l1_ratio=0.9, n_alphas=8, eps=1e-2, max_iter=2, tol=1e-8)
    msgs = [str(w.message) for w in rec if issubclass(w.category, ConvergenceWarning)]
    assert len(msgs) == 1
    listed = re.search(r"enet_path: (\d+) of 8 fits .* at alpha = ([^A-Z]*)\. ", msgs[0])
    named = [float(a) for a in listed.group(2).split(", ")]
    assert int(listed.group(1)) == len(named) >= 2
    # the named alphas are the path's (4 significant digits), never the closed-form alpha_max
    assert all(np.any(np.isclose(path.alphas[1:], a, rtol=1e-3)) for a in named)
    Xc, yc = breast_cancer
    with pytest.warns(ConvergenceWarning, match="logistic_path") as rec:
        logistic_path(Xc, yc, n_alphas=3, eps=1e-3, max_iter=1, tol=1e-14)
    assert sum(issubclass(w.category, ConvergenceWarning) for w in rec) == 1


_X = np.random.default_rng(0).standard_normal((10, 3))
_Y = np.arange(10.0)
_X_NAN = _X.copy()
_X_NAN[1, 1] = np.nan


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((_X, _Y), {"alphas": [0.1, -1.0]}, "non-negative"),
        ((_X, _Y), {"alphas": [[0.1, 0.2]]}, "1-D"),
        ((_X, _Y), {"alphas": []}, "non-empty"),
        ((_X, _Y), {"alphas": [np.nan]}, "finite"),
        ((_X, _Y), {"l1_ratio": 1.5}, "l1_ratio"),
        ((_X, _Y), {"l1_ratio": -0.1}, "l1_ratio"),
        ((_X, _Y), {"n_alphas": 0}, "n_alphas"),
        ((_X, _Y), {"eps": 0.0}, "eps"),
        ((_X, _Y), {"tol": -1.0}, "tol"),
        ((_X, _Y), {"max_iter": 0}, "max_iter"),
        ((_X, _Y), {"selection": "greedy"}, "selection"),
        ((_X_NAN, _Y), {}, "NaN"),
        ((_X, np.where(_Y == 3, np.nan, _Y)), {}, "NaN"),
        ((_X, _Y[:-1]), {}, "inconsistent"),
        # 2-D y: independent targets for the squared error (issue 13), not for GLMs
        ((_X, np.c_[_Y, _Y]), {"loss": "poisson"}, "squared_error"),
        ((_X, _Y), {"sample_weight": -np.ones(10)}, "sample_weight"),
        ((_X, _Y), {"penalty_factor": np.ones(4)}, "penalty_factor"),
    ],
)
def test_enet_path_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        enet_path(*args, **kwargs)


@pytest.mark.parametrize(
    "y, kwargs, match",
    [
        (np.zeros(10), {}, "at least 2 classes"),
        (np.arange(10.0) + 0.5, {}, "Unknown label type"),
        (np.arange(10) % 2, {"classes": [0, 0, 1]}, "distinct"),
        (np.arange(10) % 2, {"alphas": [-0.1]}, "non-negative"),
    ],
)
def test_logistic_path_bad_input(y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        logistic_path(_X, y, **kwargs)
