"""MLP solvers and inputs: L-BFGS / OWL-QN, the Poisson loss, CSR input.

References: scikit-learn's MLPs on the same initial weights (same seed: the
same Glorot draws), scikit-learn's Lasso for OWL-QN on a linear problem, and
the dense fit for the CSR one.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso
from sklearn.neural_network import MLPClassifier, MLPRegressor
from threadpoolctl import threadpool_limits

from skdecay import (
    ElasticNetMLPClassifier,
    ElasticNetMLPRegressor,
    LassoMLPClassifier,
    RidgeMLPClassifier,
    RidgeMLPRegressor,
    optim,
)

QUIET = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):
        yield


def _weights(est):
    return [*est.coefs_, *est.intercepts_]


def _classification(n=120, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    return X, np.digitize(X[:, 0] + 0.5 * X[:, 1], [-0.5, 0.5])


@QUIET
@pytest.mark.parametrize("activation,n_classes", [("tanh", 3), ("relu", 2), ("logistic", 3)])
def test_lbfgs_matches_sklearn_mlp_classifier(activation, n_classes):
    """scikit-learn's lbfgs adds ``alpha_sk/(2n)*||W||^2`` to the mean loss:
    ``alpha = alpha_sk / n_samples``, coupled, l1_ratio=0."""
    X, y = _classification()
    y = np.minimum(y, n_classes - 1)
    kw = dict(
        hidden_layer_sizes=(8,), activation=activation, solver="lbfgs", max_iter=20, tol=0.0,
        random_state=0,
    )  # fmt: skip
    sk = MLPClassifier(alpha=0.5, **kw).fit(X, y)
    ours = RidgeMLPClassifier(alpha=0.5 / len(X), decay="coupled", **kw).fit(X, y)
    assert ours.n_iter_ == sk.n_iter_ == 20
    for a, b in zip(_weights(sk), _weights(ours), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-8)
    assert ours.loss_ == pytest.approx(sk.loss_, rel=1e-8)
    assert len(ours.loss_curve_) == 20 and ours.history_["kept"][-1]
    assert not hasattr(ours, "partial_fit")  # as scikit-learn: stochastic solvers only


@QUIET
def test_lbfgs_regressor_and_max_fun():
    X, _ = _classification()
    y = np.sin(X[:, 0]) + X[:, 1]
    kw = dict(hidden_layer_sizes=(6,), solver="lbfgs", max_iter=15, tol=0.0, random_state=0)
    sk = MLPRegressor(alpha=0.1, **kw).fit(X, y)
    ours = RidgeMLPRegressor(alpha=0.1 / len(X), decay="coupled", **kw).fit(X, y)
    for a, b in zip(_weights(sk), _weights(ours), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-8)
    kw.update(max_iter=100, max_fun=5)
    sk_few = MLPRegressor(alpha=0.1, **kw).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        few = RidgeMLPRegressor(alpha=0.1 / len(X), decay="coupled", **kw).fit(X, y)
    assert few.n_iter_ == sk_few.n_iter_ < 100  # stopped by max_fun, as scikit-learn
    np.testing.assert_allclose(few.coefs_[0], sk_few.coefs_[0], rtol=1e-8, atol=1e-10)


def test_owlqn_solves_the_lasso():
    """OWL-QN on ``1/(2n)||y - Ax||^2 + alpha*||x||_1`` against scikit-learn's Lasso."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((80, 30))
    y = A[:, :4] @ np.array([3.0, -2.0, 1.5, 1.0]) + 0.3 * rng.standard_normal(80)
    alpha = 0.1

    def smooth(x):
        r = A @ x - y
        return 0.5 * r @ r / len(y), A.T @ r / len(y)

    x, _, n_iter, _, converged = optim.owlqn(
        smooth, np.zeros(30), np.full(30, alpha), max_iter=500, max_fun=5000, tol=1e-10
    )
    ref = Lasso(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(A, y).coef_
    assert converged
    np.testing.assert_allclose(x, ref, atol=1e-7)
    np.testing.assert_array_equal(x == 0, ref == 0)  # the same exact zeros
    assert np.sum(x == 0) >= 10


@QUIET
def test_lbfgs_with_l1_gives_exact_zeros():
    X, y = _classification(n=200, p=8)
    m = LassoMLPClassifier((10,), solver="lbfgs", alpha=0.01, max_iter=150, random_state=0)
    m.fit(X, y)
    zeros = np.mean(np.concatenate([np.ravel(W == 0) for W in m.coefs_]))
    assert zeros > 0.3 and m.score(X, y) > 0.9
    assert set(range(2, 8)) & set(m.inactive_features_)  # noise inputs dropped
    # the objective went down from the start, and the zeros are stable minima:
    # the pseudo-gradient of a zero weight is zero (|grad| <= alpha)
    assert m.loss_curve_[-1] < m.loss_curve_[0]


# ---------------------------------------------------------------------------
# Poisson


def _counts(n=60, p=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    return X, rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1]))


@QUIET
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_poisson_matches_sklearn_mlp_regressor_under_sgd(momentum):
    X, y = _counts()
    common = dict(
        hidden_layer_sizes=(7,), activation="tanh", solver="sgd", momentum=momentum,
        shuffle=False, batch_size=20, learning_rate_init=0.01, max_iter=5, tol=0.0,
        random_state=0,
    )  # fmt: skip
    sk = MLPRegressor(loss="poisson", alpha=0.3, **common).fit(X, y)
    ours = RidgeMLPRegressor(loss="poisson", alpha=0.3 / 20, decay="coupled", **common)
    ours.fit(X, y)
    for a, b in zip(_weights(sk), _weights(ours), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
    assert ours.out_activation_ == sk.out_activation_ == "exp"
    np.testing.assert_allclose(ours.predict(X), sk.predict(X), rtol=1e-10)
    assert np.all(ours.predict(X) > 0)


@QUIET
def test_poisson_lbfgs_matches_sklearn_and_rejects_negative_targets():
    X, y = _counts(n=100)
    kw = dict(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=10, tol=0.0, random_state=0)
    sk = MLPRegressor(loss="poisson", alpha=0.2, **kw).fit(X, y)
    ours = RidgeMLPRegressor(loss="poisson", alpha=0.2 / len(X), decay="coupled", **kw)
    ours.fit(X, y)
    for a, b in zip(_weights(sk), _weights(ours), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="negative"):
        ElasticNetMLPRegressor(loss="poisson").fit(X, y - 2.0)


# ---------------------------------------------------------------------------
# CSR input


def _sparse_problem(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((150, 30)) * (rng.random((150, 30)) < 0.2)
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


@QUIET
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_csr_gives_the_weights_of_dense_input(solver, dtype):
    X, y = _sparse_problem()
    X = X.astype(dtype)
    kw = dict(
        hidden_layer_sizes=(8,), solver=solver, alpha=1e-3, max_iter=15,
        learning_rate_init=1e-2, random_state=0,
    )  # fmt: skip
    dense = ElasticNetMLPClassifier(**kw).fit(X, y)
    csr = ElasticNetMLPClassifier(**kw).fit(sp.csr_matrix(X), y)
    tol = 1e-10 if dtype == np.float64 else 1e-4
    for a, b in zip(_weights(dense), _weights(csr), strict=True):
        assert b.dtype == dtype
        np.testing.assert_allclose(b, a, rtol=tol, atol=tol)
    np.testing.assert_allclose(
        csr.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), rtol=tol, atol=tol
    )


@QUIET
def test_csr_early_stopping_partial_fit_and_other_formats():
    X, y = _sparse_problem()
    kw = dict(hidden_layer_sizes=(8,), early_stopping=True, max_iter=15, random_state=0)
    dense = ElasticNetMLPClassifier(**kw).fit(X, y)
    csr = ElasticNetMLPClassifier(**kw).fit(sp.csr_matrix(X), y)
    assert csr.validation_scores_ == dense.validation_scores_
    for a, b in zip(_weights(dense), _weights(csr), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
    Xs = sp.csr_matrix(X)
    before = (Xs.data.copy(), Xs.indices.copy(), Xs.indptr.copy())
    part = ElasticNetMLPRegressor((4,), random_state=0)
    part.partial_fit(Xs, X[:, 0]).partial_fit(Xs, X[:, 0])
    for a, b in zip(before, (Xs.data, Xs.indices, Xs.indptr), strict=True):
        np.testing.assert_array_equal(a, b)  # the caller's matrix is untouched
    # CSC / COO are converted (one copy), and agree
    csc = ElasticNetMLPClassifier(**kw).fit(sp.csc_matrix(X), y)
    np.testing.assert_allclose(_weights(csc)[0], _weights(csr)[0], rtol=1e-10, atol=1e-12)
