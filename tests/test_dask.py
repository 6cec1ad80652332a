"""Scale-out on existing engines: joblib's dask backend and dask-ml's ``Incremental``.

A two-worker ``LocalCluster`` (in-process workers, loopback only, no dashboard)
is started once for the module and closed at the end.  Every test checks that
the work really went through the cluster (the task stream is not empty) and
that the result equals the sequential one.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold

import skdecay

distributed = pytest.importorskip("dask.distributed")
da = pytest.importorskip("dask.array")
joblib = pytest.importorskip("joblib")
wrappers = pytest.importorskip("dask_ml.wrappers")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            dashboard_address=None,
            protocol="tcp://",
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture
def regression():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 8))
    y = X @ np.r_[2.0, -1.0, 0.5, np.zeros(5)] + 0.3 * rng.standard_normal(120)
    return X, y


@pytest.fixture
def classification():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((120, 5))
    y = (X[:, 0] - X[:, 1] + 0.5 * rng.standard_normal(120) > 0).astype(int)
    return X, y


def _on_cluster(client, func):
    """Run ``func()`` under the dask joblib backend; return its result and the task count."""
    with distributed.get_task_stream(client) as stream:
        with joblib.parallel_backend("dask"):
            out = func()
    return out, len(stream.data)


def _search(est, grid, X, y, n_jobs):
    search = GridSearchCV(est, grid, cv=KFold(3, shuffle=True, random_state=0), n_jobs=n_jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return search.fit(X, y)


def _assert_same_search(a, b):
    assert a.best_params_ == b.best_params_
    for key in ("mean_test_score", *(f"split{i}_test_score" for i in range(3))):
        np.testing.assert_allclose(a.cv_results_[key], b.cv_results_[key], rtol=1e-12)
    np.testing.assert_allclose(a.best_estimator_.predict(a.X_), b.best_estimator_.predict(a.X_))


def test_grid_search_linear_on_dask_equals_sequential(client, regression):
    X, y = regression
    est = skdecay.ElasticNetRegressor()
    grid = {"alpha": [1e-3, 1e-2, 1e-1, 1.0], "l1_ratio": [0.2, 0.8]}
    sequential = _search(est, grid, X, y, n_jobs=1)
    on_dask, n_tasks = _on_cluster(client, lambda: _search(est, grid, X, y, n_jobs=-1))
    assert n_tasks > 0, "nothing ran on the cluster"
    sequential.X_ = X
    _assert_same_search(sequential, on_dask)


def test_grid_search_mlp_on_dask_equals_sequential(client, classification):
    X, y = classification
    est = skdecay.ElasticNetMLPClassifier(
        hidden_layer_sizes=(8,), max_iter=30, learning_rate_init=1e-2, random_state=0
    )
    grid = {"alpha": [1e-4, 1e-2, 1e-1], "decay": ["coupled", "decoupled"]}
    sequential = _search(est, grid, X, y, n_jobs=1)
    on_dask, n_tasks = _on_cluster(client, lambda: _search(est, grid, X, y, n_jobs=-1))
    assert n_tasks > 0, "nothing ran on the cluster"
    sequential.X_ = X
    _assert_same_search(sequential, on_dask)
    for a, b in zip(sequential.best_estimator_.coefs_, on_dask.best_estimator_.coefs_, strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("selection", ["cyclic", "random"])
def test_cv_estimator_n_jobs_on_dask_equals_sequential(client, regression, selection):
    X, y = regression
    params = dict(l1_ratio=[0.3, 1.0], alphas=8, cv=3, selection=selection, random_state=0)
    sequential = skdecay.ElasticNetRegressorCV(**params, n_jobs=1).fit(X, y)
    on_dask, n_tasks = _on_cluster(
        client, lambda: skdecay.ElasticNetRegressorCV(**params, n_jobs=2).fit(X, y)
    )
    assert n_tasks > 0, "nothing ran on the cluster"
    assert (on_dask.alpha_, on_dask.l1_ratio_) == (sequential.alpha_, sequential.l1_ratio_)
    np.testing.assert_allclose(on_dask.mse_path_, sequential.mse_path_, rtol=1e-12)
    np.testing.assert_allclose(on_dask.coef_, sequential.coef_, rtol=1e-12)


@pytest.mark.parametrize(
    "cls", [skdecay.LassoMLPRegressor, skdecay.ElasticNetMLPClassifier], ids=lambda c: c.__name__
)
def test_incremental_partial_fit_equals_manual_loop(client, regression, cls):
    X, y = regression
    kwargs = {}
    if cls is skdecay.ElasticNetMLPClassifier:
        y = (y > 0).astype(int)
        kwargs = {"classes": np.array([0, 1])}
    est = cls(hidden_layer_sizes=(8,), learning_rate_init=1e-2, alpha=1e-3, random_state=0)
    X_d = da.from_array(X, chunks=(30, X.shape[1]))
    y_d = da.from_array(y, chunks=30)
    with distributed.get_task_stream(client) as stream:
        inc = wrappers.Incremental(est, shuffle_blocks=False).fit(X_d, y_d, **kwargs)
    assert len(stream.data) > 0, "nothing ran on the cluster"

    manual = cls(**est.get_params())
    for start in range(0, X.shape[0], 30):  # the same blocks, in the same order
        manual.partial_fit(X[start : start + 30], y[start : start + 30], **kwargs)
    fitted = inc.estimator_
    # n_iter_ counts the epochs of the last call (scikit-learn: 1 after partial_fit)
    assert fitted.n_iter_ == manual.n_iter_ == 1
    assert len(fitted.loss_curve_) == len(manual.loss_curve_) == 4
    for a, b in zip(fitted.coefs_ + fitted.intercepts_, manual.coefs_ + manual.intercepts_):
        assert np.array_equal(a, b)
    # predict on a dask array goes block-wise through the cluster as well
    pred = inc.predict(X_d).compute()
    blocks = [manual.predict(X[start : start + 30]) for start in range(0, X.shape[0], 30)]
    assert np.array_equal(pred, np.concatenate(blocks))
