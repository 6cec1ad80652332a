"""ONNX export (optional extra: skl2onnx + onnxruntime); skipped when absent."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skdecay

pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")

RNG = np.random.RandomState(0)
X = RNG.randn(80, 4)
Y_REG = X @ [1.0, -2.0, 0.0, 0.5] + 0.1 * RNG.randn(80)
Y_BIN = np.where(X[:, 0] + 0.3 * RNG.randn(80) > 0, "yes", "no")
Y_MULTI = np.argmax(X[:, :3] + 0.5 * RNG.randn(80, 3), axis=1)
MLP = {"hidden_layer_sizes": (6, 3), "max_iter": 30, "random_state": 0}

CASES = [
    (skdecay.ElasticNetRegressor(alpha=0.01), Y_REG),
    (skdecay.LassoRegressor(alpha=0.01), Y_REG),
    (skdecay.RidgeRegressor(alpha=1.0), Y_REG),
    (skdecay.ElasticNetRegressorCV(alphas=4, cv=3), Y_REG),
    (skdecay.ElasticNetClassifier(alpha=1e-2), Y_BIN),
    (skdecay.ElasticNetClassifier(alpha=1e-2), Y_MULTI),
    (skdecay.ElasticNetClassifierCV(alphas=4, cv=3), Y_MULTI),
    (skdecay.ElasticNetMLPClassifier(**MLP), Y_BIN),
    (skdecay.RidgeMLPClassifier(**MLP, activation="tanh"), Y_MULTI),
    (skdecay.LassoMLPClassifier(**MLP, activation="logistic"), Y_BIN),
    (skdecay.ElasticNetMLPRegressor(**MLP), Y_REG),
    (skdecay.RidgeMLPRegressor(**MLP, activation="identity"), Y_REG),
    (skdecay.LassoMLPRegressor(**MLP), Y_REG),
]


def _run(onx, X):
    sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: X})


@pytest.mark.parametrize("est, y", CASES, ids=lambda c: type(c).__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_onnx_round_trip(est, y, dtype):
    Xd = X.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(Xd, y)
    classifier = hasattr(est, "classes_")
    options = {"zipmap": False} if classifier else None
    out = _run(skdecay.to_onnx(est, Xd[:1], options=options), Xd)
    if classifier:
        np.testing.assert_array_equal(out[0], est.predict(Xd))
        np.testing.assert_allclose(out[1], est.predict_proba(Xd), rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_allclose(out[0].ravel(), est.predict(Xd), rtol=1e-5, atol=1e-5)


def test_binary_probabilities_are_sigmoid_not_softmax():
    """A binary model has one row of coefficients: its probability is sigmoid(score),
    which a softmax over that single score would get wrong."""
    est = skdecay.ElasticNetClassifier(alpha=1e-2).fit(X, Y_BIN)
    out = _run(
        skdecay.to_onnx(est, X[:1].astype(np.float32), options={"zipmap": False}),
        X.astype(np.float32),
    )
    score = est.decision_function(X)
    np.testing.assert_allclose(out[1][:, 1], 1 / (1 + np.exp(-score)), rtol=1e-5, atol=1e-6)


def test_pipeline_sparsified_and_registered_for_skl2onnx():
    from skl2onnx import to_onnx

    skdecay.register_onnx_converters()
    pipe = make_pipeline(StandardScaler(), skdecay.LassoRegressor(alpha=0.05)).fit(X, Y_REG)
    pipe[-1].sparsify()
    out = _run(to_onnx(pipe, X[:1].astype(np.float32)), X.astype(np.float32))
    np.testing.assert_allclose(out[0].ravel(), pipe.predict(X), rtol=1e-4, atol=1e-4)


def test_multilabel_mlp_is_refused():
    Y = np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = skdecay.RidgeMLPClassifier((4,), max_iter=5, random_state=0).fit(X, Y)
    with pytest.raises(NotImplementedError, match="multilabel"):
        skdecay.to_onnx(est, X[:1].astype(np.float32), options={"zipmap": False})
