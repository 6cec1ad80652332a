"""Multi-output y for the linear regressors: independent targets.

A 2-D ``y`` of shape (n, k) is k independent single-target fits (same
coefficients, intercepts, gaps and iteration counts as fitting each column
alone), equal to scikit-learn's ``ElasticNet`` / ``Lasso`` / ``Ridge`` on the
same 2-D ``y``, with scikit-learn's shapes (also for a single column).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning
from sklearn.linear_model import ElasticNet, Lasso, Ridge
from sklearn.metrics import r2_score

from skdecay import (
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    LassoRegressor,
    RidgeRegressor,
    enet_path,
)

K = 3


def _data(seed=0, n=40, p=6, sparse=False, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    X[rng.random((n, p)) < 0.4] = 0.0
    B = rng.normal(size=(p, K)) * (rng.random((p, K)) < 0.6)
    Y = X @ B + 0.5 * rng.normal(size=(n, K)) + np.array([1.0, -2.0, 0.5])
    X = X.astype(dtype)
    return (sp.csc_matrix(X) if sparse else X), Y.astype(dtype), rng.uniform(0.2, 3.0, n)


def _ours(name, tol=1e-4):
    return {
        "enet": ElasticNetRegressor(alpha=0.05, l1_ratio=0.5, tol=tol),
        "lasso": LassoRegressor(alpha=0.05, tol=tol),
        "ridge": RidgeRegressor(alpha=np.array([0.1, 1.0, 10.0]), tol=tol),
    }[name]


def _single(est, j):
    """The single-target estimator of target ``j`` (ridge: its own alpha)."""
    one = clone(est)
    if isinstance(est, RidgeRegressor):
        one.set_params(alpha=float(np.ravel(est.alpha)[j]))
    return one


@pytest.mark.parametrize("name", ["enet", "lasso", "ridge"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted, dtype", [(False, np.float64), (True, np.float32)])
def test_equals_independent_single_target_fits(name, sparse, fit_intercept, weighted, dtype):
    X, Y, sw = _data(sparse=sparse, dtype=dtype)
    sw = sw if weighted else None
    est = _ours(name).set_params(fit_intercept=fit_intercept).fit(X, Y, sample_weight=sw)
    assert est.coef_.shape == (K, X.shape[1]) and est.intercept_.shape == (K,)
    assert est.coef_.dtype == dtype and est.intercept_.dtype == dtype
    assert isinstance(est.n_iter_, list) and len(est.n_iter_) == K
    assert est.dual_gap_.shape == (K,)
    pred = est.predict(X)
    assert pred.shape == (X.shape[0], K) and pred.dtype == dtype
    for j in range(K):
        one = _single(est, j).fit(X, Y[:, j], sample_weight=sw)
        np.testing.assert_array_equal(est.coef_[j], one.coef_)
        np.testing.assert_array_equal(est.intercept_[j], one.intercept_)
        assert est.dual_gap_[j] == one.dual_gap_
        assert est.n_iter_[j] == one.n_iter_
        tol = 10 * np.finfo(dtype).eps * np.abs(pred).max()  # BLAS rounding only
        np.testing.assert_allclose(pred[:, j], one.predict(X), rtol=0, atol=tol)


@pytest.mark.parametrize("name", ["enet", "lasso", "ridge"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_equals_scikit_learn_on_2d_y(name, sparse, fit_intercept, weighted):
    X, Y, sw = _data(seed=1, sparse=sparse)
    sw = sw if weighted else None
    ref = {
        "enet": ElasticNet(alpha=0.05, l1_ratio=0.5, tol=1e-12, max_iter=100_000),
        "lasso": Lasso(alpha=0.05, tol=1e-12, max_iter=100_000),
        "ridge": Ridge(alpha=np.array([0.1, 1.0, 10.0]), tol=1e-12),
    }[name]
    ref.set_params(fit_intercept=fit_intercept).fit(X, Y, sample_weight=sw)
    est = _ours(name, tol=1e-12).set_params(fit_intercept=fit_intercept)
    est.fit(X, Y, sample_weight=sw)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-7)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-7)
    np.testing.assert_allclose(est.predict(X), ref.predict(X), atol=1e-6)
    assert est.score(X, Y) == pytest.approx(ref.score(X, Y), abs=1e-9)
    assert est.score(X, Y) == pytest.approx(r2_score(Y, est.predict(X)))


@pytest.mark.parametrize("name", ["enet", "ridge"])
def test_float32_2d_y_close_to_scikit_learn(name):
    X, Y, _ = _data(seed=2, dtype=np.float32)
    ref = (
        ElasticNet(alpha=0.05, l1_ratio=0.5, tol=1e-5)
        if name == "enet"
        else Ridge(alpha=np.array([0.1, 1.0, 10.0]))
    ).fit(X, Y)
    est = _ours(name, tol=1e-8).fit(X, Y)
    assert est.coef_.dtype == np.float32 == ref.coef_.dtype
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-4)


@pytest.mark.parametrize(
    "ours, ref",
    [
        (ElasticNetRegressor(alpha=0.1), ElasticNet(alpha=0.1)),
        (LassoRegressor(alpha=0.1), Lasso(alpha=0.1)),
        (RidgeRegressor(), Ridge()),
    ],
)
@pytest.mark.parametrize("cols", [None, 1, 2])
def test_shapes_as_scikit_learn(ours, ref, cols):
    X, Y, _ = _data(seed=3)
    y = Y[:, 0] if cols is None else Y[:, :cols]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither warns, whatever the shape of y
        ours.fit(X, y)
        ref.fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    assert ours.predict(X).shape == ref.predict(X).shape
    if hasattr(ref, "n_iter_") and ref.n_iter_ is not None:  # ElasticNet, Lasso
        assert type(ours.n_iter_) is type(ref.n_iter_) or np.ndim(ref.n_iter_) == 0
        assert np.shape(ours.n_iter_) == np.shape(ref.n_iter_)
        assert np.shape(ours.dual_gap_) == np.shape(ref.dual_gap_)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-3)


def test_ridge_alpha_per_target_checks_its_size():
    X, Y, _ = _data(seed=4)
    with pytest.raises(ValueError, match="Number of targets and number of penalties"):
        RidgeRegressor(alpha=np.array([1.0, 2.0])).fit(X, Y)
    with pytest.raises(ValueError, match="non-negative"):
        RidgeRegressor(alpha=np.array([1.0, -2.0, 1.0])).fit(X, Y)
    # one alpha in an array serves every target (as scikit-learn's Ridge)
    a = RidgeRegressor(alpha=np.array([2.0])).fit(X, Y)
    b = RidgeRegressor(alpha=2.0).fit(X, Y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    ref = Ridge(alpha=np.array([2.0])).fit(X, Y[:, 0])
    np.testing.assert_allclose(
        RidgeRegressor(alpha=np.array([2.0])).fit(X, Y[:, 0]).coef_, ref.coef_, atol=1e-8
    )


@pytest.mark.parametrize("solver", ["cholesky", "cg", "cd"])
def test_ridge_solvers_with_alpha_per_target(solver):
    X, Y, sw = _data(seed=5)
    alpha = np.array([0.5, 3.0, 30.0])
    ref = Ridge(alpha=alpha, tol=1e-12).fit(X, Y, sample_weight=sw)
    est = RidgeRegressor(alpha=alpha, solver=solver, tol=1e-10).fit(X, Y, sample_weight=sw)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, atol=1e-6)


def test_glm_losses_take_one_target_only():
    X, Y, _ = _data(seed=6)
    counts = np.random.default_rng(0).poisson(2.0, size=(X.shape[0], 2)).astype(float)
    with pytest.raises(ValueError, match="1d array"):
        ElasticNetRegressor(loss="poisson").fit(X, counts)
    # one column: raveled with a warning, as scikit-learn's PoissonRegressor
    with pytest.warns(DataConversionWarning):
        col = ElasticNetRegressor(alpha=0.1, loss="poisson").fit(X, counts[:, :1])
    one = ElasticNetRegressor(alpha=0.1, loss="poisson").fit(X, counts[:, 0])
    np.testing.assert_array_equal(col.coef_, one.coef_)
    assert not ElasticNetRegressor(loss="poisson").__sklearn_tags__().target_tags.multi_output
    assert ElasticNetRegressor().__sklearn_tags__().target_tags.multi_output


def test_warm_start_per_target_and_sparsify():
    X, Y, _ = _data(seed=7)
    est = ElasticNetRegressor(alpha=0.05, tol=1e-8).fit(X, Y)
    coef = est.coef_.copy()
    est.set_params(warm_start=True).fit(X, Y)  # already optimal: no pass needed
    assert est.n_iter_ == [0] * K
    np.testing.assert_array_equal(est.coef_, coef)
    pred = est.predict(X)
    est.sparsify()
    np.testing.assert_allclose(est.predict(X), pred)
    assert est.densify().coef_.shape == (K, X.shape[1])


def test_relaxed_multi_output_equals_per_target():
    X, Y, _ = _data(seed=8)
    est = LassoRegressor(alpha=0.1, relax=True, relax_gamma=0.3).fit(X, Y)
    assert len(est.relaxed_n_iter_) == K and est.relaxed_dual_gap_.shape == (K,)
    for j in range(K):
        one = LassoRegressor(alpha=0.1, relax=True, relax_gamma=0.3).fit(X, Y[:, j])
        np.testing.assert_array_equal(est.coef_[j], one.coef_)


@pytest.mark.parametrize("sparse", [False, True])
def test_enet_path_2d_y_is_one_path_per_target(sparse):
    X, Y, sw = _data(seed=9, sparse=sparse)
    path = enet_path(X, Y, l1_ratio=0.7, n_alphas=8, sample_weight=sw)
    assert path.coefs.shape == (8, K, X.shape[1])
    assert path.intercepts.shape == path.dual_gaps.shape == path.n_iter.shape == (8, K)
    # the automatic grid starts at the largest single-target alpha_max
    tops = [
        enet_path(X, Y[:, j], l1_ratio=0.7, n_alphas=8, sample_weight=sw).alphas[0]
        for j in range(K)
    ]
    assert path.alphas[0] == pytest.approx(max(tops), rel=1e-12)
    for j in range(K):
        one = enet_path(X, Y[:, j], l1_ratio=0.7, alphas=path.alphas, sample_weight=sw)
        np.testing.assert_allclose(path.coefs[:, j], one.coefs, atol=1e-12)
        np.testing.assert_allclose(path.intercepts[:, j], one.intercepts, atol=1e-12)
        np.testing.assert_allclose(path.dual_gaps[:, j], one.dual_gaps, atol=1e-12)
    # a single column keeps the target axis
    assert enet_path(X, Y[:, :1], n_alphas=4).coefs.shape == (4, 1, X.shape[1])
    with pytest.raises(ValueError, match="squared_error"):
        enet_path(X, np.abs(Y), loss="poisson", n_alphas=4)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("relax", [False, True])
def test_cv_equals_independent_single_target_cv_fits(sparse, relax):
    """One alpha per target: each target's CV fit is that of its column alone."""
    from sklearn.model_selection import KFold

    X, Y, sw = _data(seed=10, n=60, sparse=sparse)
    cv = KFold(3, shuffle=True, random_state=0)  # the same folds for every target
    est = ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=6, cv=cv, tol=1e-10, relax=relax)
    multi = clone(est).fit(X, Y, sample_weight=sw)
    singles = [clone(est).fit(X, Y[:, j], sample_weight=sw) for j in range(K)]
    assert multi.alpha_.shape == (K,) and multi.coef_.shape == (K, X.shape[1])
    assert multi.scores_path_.shape == (K, *singles[0].scores_path_.shape)
    assert multi.mse_path_.shape == (K, *singles[0].mse_path_.shape)
    for name in ("alpha_", "alpha_min_", "alpha_1se_", "l1_ratio_", "alphas_", "intercept_"):
        np.testing.assert_array_equal(getattr(multi, name), [getattr(s, name) for s in singles])
    for name in ("scores_path_", "mse_path_", "coef_"):
        np.testing.assert_array_equal(getattr(multi, name), [getattr(s, name) for s in singles])
    if relax:
        np.testing.assert_array_equal(multi.relax_gamma_, [s.relax_gamma_ for s in singles])
    assert multi.n_iter_ == [s.n_iter_ for s in singles]
    assert len(set(multi.alpha_)) > 1  # the targets do choose their own alpha
    pred = multi.predict(X)
    assert pred.shape == Y.shape
    np.testing.assert_allclose(pred, np.column_stack([s.predict(X) for s in singles]))
    assert multi.score(X, Y) == pytest.approx(r2_score(Y, pred))


def test_cv_single_column_keeps_2d_shapes_and_glm_losses_take_one_target():
    X, Y, _ = _data(seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataConversionWarning)
        cv = ElasticNetRegressorCV(alphas=4, cv=3).fit(X, Y[:, :1])
    one = ElasticNetRegressorCV(alphas=4, cv=3).fit(X, Y[:, 0])
    assert cv.coef_.shape == (1, X.shape[1]) and cv.alpha_.shape == (1,)
    assert cv.scores_path_.shape == (1, *one.scores_path_.shape)
    assert cv.predict(X).shape == (X.shape[0], 1)
    np.testing.assert_allclose(cv.predict(X)[:, 0], one.predict(X))
    with pytest.raises(ValueError, match="Several targets"):
        ElasticNetRegressorCV(loss="poisson", alphas=4, cv=3).fit(X, np.abs(Y))


def test_onnx_export_of_multi_output_ridge():
    rt = pytest.importorskip("onnxruntime")
    pytest.importorskip("skl2onnx")
    from skdecay import to_onnx

    X, Y, _ = _data(seed=11)
    est = RidgeRegressor(alpha=np.array([1.0, 2.0, 3.0])).fit(X, Y)
    onx = to_onnx(est, X[:1])
    sess = rt.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    out = sess.run(None, {sess.get_inputs()[0].name: X})[0]
    np.testing.assert_allclose(out, est.predict(X), rtol=1e-12, atol=1e-12)


def test_cv_targets_are_callback_tasks(capsys):
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    X, Y, _ = _data(seed=12, n=50)
    est = ElasticNetRegressorCV(alphas=4, cv=2)
    est.set_callbacks(callback.ProgressBar(max_propagation_depth=None)).fit(X, Y)
    out = capsys.readouterr().out
    for j in range(K):
        assert f"target {j}" in out
    assert "100%" in out
    plain = ElasticNetRegressorCV(alphas=4, cv=2).fit(X, Y)
    np.testing.assert_array_equal(est.coef_, plain.coef_)
