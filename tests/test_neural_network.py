"""The six MLP estimators: scikit-learn checks, references, sparsity, robustness."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skdecay import (
    ElasticNetMLPClassifier,
    ElasticNetMLPRegressor,
    LassoMLPClassifier,
    LassoMLPRegressor,
    RidgeMLPClassifier,
    RidgeMLPRegressor,
)

CLASSES = [
    ElasticNetMLPClassifier,
    ElasticNetMLPRegressor,
    RidgeMLPClassifier,
    RidgeMLPRegressor,
    LassoMLPClassifier,
    LassoMLPRegressor,
]
QUIET = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # the test machine is shared: multithreaded BLAS on tiny products only oversubscribes
    with threadpool_limits(1):
        yield


def _regression(n=60, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    return X, np.sin(X[:, 0]) + X[:, 1] + 0.1 * rng.standard_normal(n)


def _classification(n=90, p=4, seed=0, n_classes=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = np.digitize(X[:, 0] + 0.5 * X[:, 1], np.linspace(-1, 1, n_classes + 1)[1:-1])
    return X, y


def _params(est):
    return np.concatenate([np.ravel(a) for a in [*est.coefs_, *est.intercepts_]])


@QUIET
@pytest.mark.parametrize(
    "alpha_sk,momentum,nesterov", [(0.0, 0.0, False), (0.3, 0.0, False), (0.3, 0.9, False),
                                   (0.3, 0.9, True)]
)  # fmt: skip
def test_matches_sklearn_mlp_regressor_under_sgd(alpha_sk, momentum, nesterov):
    """Same init, same SGD steps; scikit-learn's alpha is ours times the batch size.

    With a constant learning rate scikit-learn's momentum (``v <- m*v - lr*g``)
    and PyTorch's (``buf <- m*buf + g``, ``v = -lr*buf``) are the same method.
    """
    X, y = _regression()
    common = dict(
        hidden_layer_sizes=(7,),
        activation="tanh",
        solver="sgd",
        momentum=momentum,
        nesterovs_momentum=nesterov,
        shuffle=False,
        batch_size=20,
        learning_rate_init=0.05,
        max_iter=5,
        tol=0.0,
        random_state=0,
    )
    sk = MLPRegressor(alpha=alpha_sk, **common).fit(X, y)
    ours = RidgeMLPRegressor(alpha=alpha_sk / 20, decay="coupled", **common).fit(X, y)
    for a, b in zip(sk.coefs_ + sk.intercepts_, ours.coefs_ + ours.intercepts_, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)
    if alpha_sk == 0:
        np.testing.assert_allclose(ours.loss_curve_, sk.loss_curve_, rtol=1e-10)


@QUIET
def test_plain_sgd_coupled_equals_decoupled_estimator():
    X, y = _classification()
    kw = dict(solver="sgd", momentum=0.0, alpha=0.05, l1_ratio=0.3, max_iter=8, random_state=1)
    a = ElasticNetMLPClassifier((6,), decay="coupled", **kw).fit(X, y)
    b = ElasticNetMLPClassifier((6,), decay="decoupled", **kw).fit(X, y)
    np.testing.assert_allclose(_params(a), _params(b), rtol=0, atol=1e-10)


@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(n_samples=1000, noise=0.25, random_state=0)
    return train_test_split(X, y, test_size=0.3, random_state=0)


@QUIET
def test_two_moons_lasso_is_sparse_and_as_accurate(moons):
    Xtr, Xte, ytr, yte = moons
    kw = dict(hidden_layer_sizes=(128, 128), max_iter=60, learning_rate_init=1e-2, random_state=0)
    dense = ElasticNetMLPClassifier(alpha=0.0, **kw).fit(Xtr, ytr)
    lasso = LassoMLPClassifier(alpha=1e-3, **kw).fit(Xtr, ytr)
    zeros = np.mean(np.concatenate([np.ravel(W == 0) for W in lasso.coefs_]))
    assert zeros >= 0.5
    assert np.mean(np.concatenate([np.ravel(W == 0) for W in dense.coefs_])) == 0
    assert lasso.score(Xte, yte) >= dense.score(Xte, yte) - 0.02
    assert dense.score(Xte, yte) > 0.9


@QUIET
def test_two_moons_ridge_norm_decreases_with_alpha(moons):
    Xtr, _, ytr, _ = moons
    norms = []
    for alpha in [0, 1e-4, 1e-3, 1e-2, 1e-1]:
        m = RidgeMLPClassifier(
            (128, 128), alpha=alpha, max_iter=30, learning_rate_init=3e-3, random_state=0
        ).fit(Xtr, ytr)
        norms.append(np.sqrt(sum(np.sum(W**2) for W in m.coefs_)))
    assert np.all(np.diff(norms) < 0), norms


@QUIET
def test_grid_search_pipeline_clone_pickle():
    X, y = _classification(n=120)
    pipe = make_pipeline(
        StandardScaler(),
        ElasticNetMLPClassifier(max_iter=50, learning_rate_init=1e-2, random_state=0),
    )
    grid = GridSearchCV(
        pipe,
        {
            "elasticnetmlpclassifier__alpha": [1e-4, 1e-2],
            "elasticnetmlpclassifier__l1_ratio": [0.0, 1.0],
            "elasticnetmlpclassifier__hidden_layer_sizes": [(5,), (10, 5)],
        },
        cv=2,
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 8
    best = grid.best_estimator_
    assert best.score(X, y) > 0.5
    again = clone(best).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X), best.predict_proba(X))
    loaded = pickle.loads(pickle.dumps(best))
    np.testing.assert_array_equal(loaded.predict_proba(X), best.predict_proba(X))


@QUIET
def test_bad_input_gives_clear_errors():
    X, y = _classification()
    clf = ElasticNetMLPClassifier((5,), max_iter=3, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clone(clf).partial_fit(X, y)
    clf.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="not seen"):
        clf.partial_fit(X, np.where(y == 2, 7, y))
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X[:, :3], y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :3])
    Xn = X.copy()
    Xn[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clone(clf).fit(Xn, y)
    with pytest.raises(ValueError, match=r"alpha has shape \(3,\)"):
        ElasticNetMLPClassifier((5,), alpha=[0.1, 0.1, 0.1], max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio must be in"):
        ElasticNetMLPClassifier((5,), l1_ratio=[0.5, 1.5], max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="warm_start"):
        m = ElasticNetMLPClassifier((5,), max_iter=2, warm_start=True).fit(X, y)
        m.set_params(hidden_layer_sizes=(6,)).fit(X, y)


def test_divergence_warns_restores_and_predicts_finite():
    X, y = _regression()
    Xbig, ybig = 100 * X, 100 * y
    with pytest.warns(ConvergenceWarning, match="learning rate"):
        m = ElasticNetMLPRegressor(
            solver="sgd", learning_rate_init=1e3, max_iter=50, random_state=0
        ).fit(Xbig, ybig)
    assert m.n_iter_ < 50
    assert all(np.all(np.isfinite(W)) for W in m.coefs_)
    assert np.all(np.isfinite(m.predict(Xbig)))
    assert len(m.loss_curve_) == m.n_iter_ and np.all(np.isfinite(m.loss_curve_))

    Xc, yc = _classification()
    with pytest.warns(ConvergenceWarning, match="learning rate"):
        c = ElasticNetMLPClassifier(solver="sgd", learning_rate_init=1e3, max_iter=20).fit(
            1000 * Xc, yc
        )
    assert c.n_iter_ < 20 and max(c.loss_curve_) <= 10 * c.loss_curve_[0]
    assert np.all(np.isfinite(c.predict_proba(1000 * Xc)))


@QUIET
def test_float32_end_to_end_and_close_to_float64():
    X, y = _regression()
    kw = dict(hidden_layer_sizes=(10,), max_iter=5, learning_rate_init=1e-2, random_state=0)
    m32 = ElasticNetMLPRegressor(**kw).fit(X.astype(np.float32), y)
    m64 = ElasticNetMLPRegressor(**kw).fit(X, y)
    assert all(W.dtype == np.float32 for W in m32.coefs_ + m32.intercepts_)
    assert m32._m.dtype == np.float32
    assert m32.predict(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(_params(m32), _params(m64), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(m32.loss_curve_, m64.loss_curve_, rtol=1e-5)


@QUIET
def test_sample_weight_repeats_and_drops_rows():
    """Full-batch SGD: integer weights == repeated rows, zero weight == dropped row."""
    X, y = _classification(n=40)
    kw = dict(
        hidden_layer_sizes=(6,),
        solver="sgd",
        momentum=0.0,
        shuffle=False,
        alpha=0.01,
        max_iter=10,
        learning_rate_init=0.1,
        random_state=0,
    )
    w = np.random.default_rng(0).integers(0, 3, len(y))
    w[:3] = [1, 2, 0]  # keep every class
    a = ElasticNetMLPClassifier(**kw).fit(X, y, sample_weight=w)
    b = ElasticNetMLPClassifier(**kw).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(_params(a), _params(b), rtol=1e-10, atol=1e-12)
    assert not np.allclose(_params(a), _params(ElasticNetMLPClassifier(**kw).fit(X, y)))


@QUIET
def test_warm_start_and_partial_fit_continue_training():
    X, y = _classification()
    kw = dict(hidden_layer_sizes=(6,), learning_rate_init=1e-2, random_state=0, tol=0.0)
    full = ElasticNetMLPClassifier(max_iter=6, **kw).fit(X, y)
    warm = ElasticNetMLPClassifier(max_iter=3, warm_start=True, **kw).fit(X, y).fit(X, y)
    np.testing.assert_allclose(_params(warm), _params(full), rtol=1e-12)
    # n_iter_ counts the epochs of the last fit (scikit-learn); the curves cover all fits
    assert warm.n_iter_ == 3 and len(warm.loss_curve_) == 6 and warm.t_ == 6 * len(X)
    np.testing.assert_allclose(warm.history_["loss"], full.history_["loss"], rtol=1e-12)
    warm.set_params(early_stopping=True).fit(X, y)  # switching the stopping rule is fine
    assert warm.best_loss_ is None and len(warm.validation_scores_) >= 1
    assert warm.history_["l1_norm"].shape == (len(warm.loss_curve_), 2)
    assert warm.n_iter_ == len(warm.loss_curve_) - 6  # the epochs of this fit
    scores = list(warm.validation_scores_)
    warm.partial_fit(X, y)  # scikit-learn: one epoch, n_iter_ = 1, scores untouched
    assert warm.n_iter_ == 1 and warm.validation_scores_ == scores
    assert warm.best_loss_ == warm.loss_curve_[-1] and warm.history_["kept"][-1]

    part = ElasticNetMLPClassifier(max_iter=6, **kw)
    for _ in range(6):
        part.partial_fit(X, y, classes=np.unique(y))
    np.testing.assert_allclose(_params(part), _params(full), rtol=1e-12)
    np.testing.assert_allclose(part.loss_curve_, full.loss_curve_, rtol=1e-12)


@QUIET
def test_history_and_inactive_features():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((150, 8))
    y = (X[:, 0] - X[:, 1] > 0).astype(int)  # features 2..7 are noise
    m = ElasticNetMLPClassifier(
        (8,), alpha=[0.05, 0.0], l1_ratio=[1.0, 0.0], max_iter=60, learning_rate_init=2e-2,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    h = m.history_
    assert h["l1_norm"].shape == h["zero_fraction"].shape == (m.n_iter_, 2)
    assert h["loss"].shape == (m.n_iter_,) and np.all(np.isnan(h["validation_score"]))
    np.testing.assert_allclose(h["l1_norm"][-1], [np.abs(W).sum() for W in m.coefs_])
    np.testing.assert_allclose(h["l2_norm"][-1], [np.linalg.norm(W) for W in m.coefs_])
    np.testing.assert_allclose(h["zero_fraction"][-1], [np.mean(W == 0) for W in m.coefs_])
    np.testing.assert_allclose(h["loss"], m.loss_curve_)
    assert h["zero_fraction"][-1, 1] == 0  # no L1 on the output layer
    dead = np.flatnonzero(np.all(m.coefs_[0] == 0, axis=1))
    np.testing.assert_array_equal(m.inactive_features_, dead)
    assert 0 not in dead and 1 not in dead
    assert len(dead) >= 3


@QUIET
def test_early_stopping_keeps_best_validation_weights():
    X, y = _classification(n=200)
    m = ElasticNetMLPClassifier(
        (10,), early_stopping=True, max_iter=40, learning_rate_init=1e-2, random_state=0
    ).fit(X, y)
    assert m.best_loss_ is None
    assert m.best_validation_score_ == max(m.validation_scores_)
    np.testing.assert_allclose(m.history_["validation_score"], m.validation_scores_)
    r = ElasticNetMLPRegressor((5,), max_iter=5, random_state=0).fit(*_regression())
    assert r.validation_scores_ is None and r.best_validation_score_ is None


@QUIET
def test_targets_multiclass_multilabel_multioutput_and_proba():
    X, y = _classification()
    m = ElasticNetMLPClassifier((10,), max_iter=50, learning_rate_init=1e-2, random_state=0)
    m.fit(X, np.array(["a", "b", "c"])[y])
    assert m.out_activation_ == "softmax" and m.n_outputs_ == 3
    P = m.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1)
    np.testing.assert_allclose(np.exp(m.predict_log_proba(X)), P, rtol=1e-10)
    np.testing.assert_array_equal(m.predict(X), m.classes_[np.argmax(P, axis=1)])

    Y = np.column_stack([y == 0, y == 2, X[:, 2] > 0]).astype(int)
    ml = ElasticNetMLPClassifier((10,), max_iter=50, learning_rate_init=1e-2, random_state=0)
    ml.fit(X, Y)
    assert ml.out_activation_ == "logistic" and ml.predict(X).shape == Y.shape
    assert ml.predict_proba(X).shape == Y.shape

    Xr, yr = _regression()
    Yr = np.column_stack([yr, -yr])
    reg = ElasticNetMLPRegressor((10,), max_iter=50, learning_rate_init=1e-2, random_state=0)
    assert reg.fit(Xr, Yr).predict(Xr).shape == Yr.shape
    assert reg.out_activation_ == "identity" and reg.n_layers_ == 3


@QUIET
def test_adaptive_learning_rate_and_verbose(capsys):
    X, y = _regression()
    m = ElasticNetMLPRegressor(
        (5,), solver="sgd", learning_rate="adaptive", learning_rate_init=0.01, tol=10.0,
        n_iter_no_change=2, max_iter=12, verbose=True, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert m._lr == pytest.approx(0.01 / 5**3)  # a plateau every 3 epochs (count > 2)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out and "learning rate set to" in out
