"""ONNX export through skl2onnx (the optional extra ``skdecay[onnx]``).

:func:`register_onnx_converters` tells skl2onnx how to convert every skdecay
estimator; :func:`to_onnx` registers them and converts one model (any
skl2onnx option works, e.g. ``options={"zipmap": False}``).  The graphs are
the estimators' own prediction formulas:

* linear regressors: ``X @ coef_.T + intercept_`` (output ``variable``, shape
  ``(n, 1)``, as skl2onnx's linear regressors);
* linear classifiers: the same scores, then a **sigmoid** for two classes
  (``[1 - p, p]``; scikit-learn's converter applied to a one-row model would
  use a softmax over a single score) or a softmax; labels are ``classes_``
  at the arg-max (outputs ``label`` and ``probabilities``, with skl2onnx's
  ``zipmap`` option);
* MLPs: one ``MatMul`` + ``Add`` + activation per layer, the output layer
  as above (identity for regressors).  Multilabel MLP classifiers are not
  supported.

Computations run in the input's float type (``FloatTensorType`` or
``DoubleTensorType``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["register_onnx_converters", "to_onnx"]


def _skl2onnx():
    try:
        import skl2onnx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "ONNX export needs skl2onnx (and onnxruntime to run the models): "
            'pip install "skdecay[onnx]".'
        ) from exc
    return skl2onnx


def _dense(coef) -> np.ndarray:
    return coef.toarray() if sp.issparse(coef) else np.asarray(coef)


def _layers(model):
    """``[(W, b, activation)]`` of the model's affine layers, output layer last;
    activation ``None`` on the output layer (the head decides)."""
    if hasattr(model, "coefs_"):  # MLP
        hidden = model.activation
        last = len(model.coefs_) - 1
        return [
            (np.asarray(W), np.asarray(b), None if i == last else hidden)
            for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_, strict=True))
        ]
    W = _dense(model.coef_)
    W = W.reshape(1, -1) if W.ndim == 1 else W
    b = np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64))
    return [(W.T, b, None)]


def _scores(model, X, dtype, opv):
    """The output layer's linear scores as an ONNX expression of ``X``."""
    from skl2onnx.algebra.onnx_ops import (
        OnnxAdd,
        OnnxIdentity,
        OnnxMatMul,
        OnnxRelu,
        OnnxSigmoid,
        OnnxTanh,
    )

    act = {
        "relu": OnnxRelu,
        "tanh": OnnxTanh,
        "logistic": OnnxSigmoid,
        "identity": OnnxIdentity,
    }
    Z = X
    for W, b, activation in _layers(model):
        Z = OnnxAdd(OnnxMatMul(Z, W.astype(dtype), op_version=opv), b.astype(dtype), op_version=opv)
        if activation is not None:
            Z = act[activation](Z, op_version=opv)
    return Z


def _convert_regressor(scope, operator, container):
    from skl2onnx.algebra.onnx_ops import OnnxIdentity
    from skl2onnx.common.data_types import guess_numpy_type

    model, opv = operator.raw_operator, container.target_opset
    dtype = guess_numpy_type(operator.inputs[0].type)
    Z = _scores(model, operator.inputs[0], dtype, opv)
    from .losses import GLM_LOSS_NAMES

    if getattr(model, "loss", "squared_error") in GLM_LOSS_NAMES:
        from skl2onnx.algebra.onnx_ops import OnnxExp

        Z = OnnxExp(Z, op_version=opv)  # the log link: predict returns the mean
    out = OnnxIdentity(Z, op_version=opv, output_names=operator.outputs[:1])
    out.add_to(scope, container)


def _convert_classifier(scope, operator, container):
    from skl2onnx.algebra.onnx_ops import (
        OnnxArgMax,
        OnnxConcat,
        OnnxGather,
        OnnxIdentity,
        OnnxSigmoid,
        OnnxSoftmax,
        OnnxSub,
    )
    from skl2onnx.common.data_types import guess_numpy_type

    model, opv = operator.raw_operator, container.target_opset
    if getattr(model, "_label_kind", "single") != "single":
        raise NotImplementedError("ONNX export of multilabel MLP classifiers is not supported.")
    dtype = guess_numpy_type(operator.inputs[0].type)
    Z = _scores(model, operator.inputs[0], dtype, opv)
    if len(model.classes_) == 2:  # one score: sigmoid, as predict_proba
        p = OnnxSigmoid(Z, op_version=opv)
        proba = OnnxConcat(
            OnnxSub(np.array([1], dtype=dtype), p, op_version=opv), p, axis=1, op_version=opv
        )
    else:
        proba = OnnxSoftmax(Z, axis=1, op_version=opv)
    index = OnnxArgMax(proba, axis=1, keepdims=0, op_version=opv)
    classes = np.asarray(model.classes_)
    classes = classes.astype(np.int64) if classes.dtype.kind in "iubf" else classes.astype(str)
    label = OnnxGather(classes, index, axis=0, op_version=opv)
    outputs = [
        OnnxIdentity(label, op_version=opv, output_names=operator.outputs[:1]),
        OnnxIdentity(proba, op_version=opv, output_names=operator.outputs[1:2]),
    ]
    for out in outputs:
        out.add_to(scope, container)


def register_onnx_converters() -> None:
    """Register skl2onnx converters for every skdecay estimator (idempotent).

    After this, ``skl2onnx.to_onnx(model, X)`` converts skdecay estimators,
    alone or inside a ``Pipeline``.
    """
    skl2onnx = _skl2onnx()
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )

    from . import linear_model, model_selection, neural_network

    classifiers = [
        linear_model.ElasticNetClassifier,
        model_selection.ElasticNetClassifierCV,
        neural_network.ElasticNetMLPClassifier,
        neural_network.RidgeMLPClassifier,
        neural_network.LassoMLPClassifier,
    ]
    regressors = [
        linear_model.ElasticNetRegressor,
        linear_model.LassoRegressor,
        linear_model.RidgeRegressor,
        model_selection.ElasticNetRegressorCV,
        neural_network.ElasticNetMLPRegressor,
        neural_network.RidgeMLPRegressor,
        neural_network.LassoMLPRegressor,
    ]
    for cls in classifiers:
        skl2onnx.update_registered_converter(
            cls,
            f"Skdecay{cls.__name__}",
            calculate_linear_classifier_output_shapes,
            _convert_classifier,
            options={"zipmap": [True, False, "columns"], "nocl": [False]},
        )
    for cls in regressors:
        skl2onnx.update_registered_converter(
            cls,
            f"Skdecay{cls.__name__}",
            calculate_linear_regressor_output_shapes,
            _convert_regressor,
        )


def to_onnx(model, X=None, **kwargs):
    """Convert a fitted skdecay estimator (or a pipeline holding one) to ONNX.

    Registers the converters, then calls ``skl2onnx.to_onnx(model, X, **kwargs)``.

    Parameters
    ----------
    model : estimator or Pipeline
        Fitted.
    X : array-like, default=None
        A few rows of the input, which fix its type and width (float32 gives a
        float32 graph, float64 a float64 one).
    **kwargs
        Passed to ``skl2onnx.to_onnx`` (``options={"zipmap": False}``,
        ``target_opset``, ...).

    Returns
    -------
    onnx.ModelProto
    """
    register_onnx_converters()
    return _skl2onnx().to_onnx(model, X, **kwargs)
