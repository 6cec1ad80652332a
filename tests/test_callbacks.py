"""scikit-learn's callback API (``sklearn.callback``, scikit-learn >= 1.9)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.linear_model import ElasticNet
from sklearn.metrics import log_loss, r2_score
from sklearn.model_selection import KFold

from skdecay import (
    ElasticNetClassifier,
    ElasticNetClassifierCV,
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    RidgeRegressor,
)

callback = pytest.importorskip("sklearn.callback")


def _data(seed=0, n=80, p=5):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    return X, X[:, 0] - 0.5 * X[:, 1] + 0.3 * rng.randn(n)


def test_progress_bar_over_cv_folds_and_path_alphas(capsys):
    pytest.importorskip("rich")
    X, y = _data()
    est = ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=6, cv=3)
    est.set_callbacks(callback.ProgressBar(max_propagation_depth=None)).fit(X, y)
    out = capsys.readouterr().out
    assert re.search(r"ElasticNetRegressorCV - fit", out)
    for r in ("0.5", "1"):
        for f in range(3):
            assert re.search(rf"path l1_ratio={r} fold {f}", out)
    assert re.search(r"refit \| ElasticNetRegressor - fit", out)
    assert "100%" in out and not re.search(r"\b[0-9]{1,2}%", out)
    # callbacks change nothing in the result
    plain = ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=6, cv=3).fit(X, y)
    np.testing.assert_array_equal(est.scores_path_, plain.scores_path_)
    np.testing.assert_array_equal(est.coef_, plain.coef_)


def test_progress_bar_classifier_cv_threads(capsys):
    pytest.importorskip("rich")
    X, y = _data(seed=1)
    est = ElasticNetClassifierCV(alphas=4, cv=2, n_jobs=2).set_callbacks(callback.ProgressBar())
    est.fit(X, y > 0)
    out = capsys.readouterr().out
    assert re.search(r"ElasticNetClassifierCV - fit", out) and "100%" in out


def test_scoring_monitor_scores_every_alpha_of_every_fold():
    """Each alpha's logged training score is the score of that alpha's fit on the
    fold's training rows, which scikit-learn's ElasticNet reproduces."""
    X, y = _data(seed=2)
    monitor = callback.ScoringMonitor(scoring="r2")
    cv = KFold(2)
    est = ElasticNetRegressorCV(alphas=4, cv=cv, tol=1e-10).set_callbacks(monitor).fit(X, y)
    rows = [d for d in monitor.get_logs().data if d["task_name"].startswith("alpha")]
    assert len(rows) == 2 * 4
    for d in rows:
        fold, i = d["task_id_path"][1], d["task_id_path"][2]
        train = list(cv.split(X))[fold][0]
        ref = ElasticNet(alpha=est.alphas_[i], tol=1e-10).fit(X[train], y[train])
        assert d["r2"] == pytest.approx(r2_score(y[train], ref.predict(X[train])), abs=1e-6)
    root = [d for d in monitor.get_logs().data if d["task_id_path"] == (0,)]
    assert root[0]["r2"] == pytest.approx(est.score(X, y))


@pytest.mark.parametrize(
    "est", [ElasticNetRegressor(alpha=0.1), RidgeRegressor(), ElasticNetClassifier()]
)
def test_scoring_monitor_on_single_fits(est):
    X, y = _data(seed=3)
    if isinstance(est, ElasticNetClassifier):
        y = (y > 0).astype(int)
    scoring = "neg_log_loss" if isinstance(est, ElasticNetClassifier) else "r2"
    monitor = callback.ScoringMonitor(scoring=scoring)
    est.set_callbacks(monitor).fit(X, y)
    (row,) = monitor.get_logs().data
    if scoring == "r2":
        assert row["r2"] == pytest.approx(est.score(X, y))
    else:
        assert row["neg_log_loss"] == pytest.approx(-log_loss(y, est.predict_proba(X)))


def test_no_callback_no_context():
    """Without callbacks, fits leave no callback state behind."""
    X, y = _data(seed=4)
    est = ElasticNetRegressorCV(alphas=3, cv=2).fit(X, y)
    assert not hasattr(est, "_callback_fit_ctx") and not hasattr(est, "_skl_callbacks")


def test_progress_bar_and_scoring_monitor_over_mlp_epochs(capsys):
    """A leaf per epoch: the ProgressBar completes, and the score logged after
    epoch k is that of the same network trained for k epochs."""
    pytest.importorskip("rich")
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from skdecay import ElasticNetMLPClassifier

    X, y = _data(seed=5)
    labels = np.where(y > 0, "up", "down")
    kw = {"hidden_layer_sizes": (6,), "learning_rate_init": 0.05, "random_state": 0}
    monitor = callback.ScoringMonitor(scoring="neg_log_loss")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = ElasticNetMLPClassifier(**kw, max_iter=4)
        est.set_callbacks(callback.ProgressBar(), monitor).fit(X, labels)
        out = capsys.readouterr().out
        assert "ElasticNetMLPClassifier - fit" in out and "100%" in out
        rows = [d for d in monitor.get_logs().data if d["task_name"].startswith("epoch")]
        assert [d["task_name"] for d in rows] == [f"epoch {k}" for k in range(1, 5)]
        for k, d in enumerate(rows, start=1):
            short = ElasticNetMLPClassifier(**kw, max_iter=k).fit(X, labels)
            want = -log_loss(labels, short.predict_proba(X))
            assert d["neg_log_loss"] == pytest.approx(want, rel=1e-6)
