"""The MLP classifiers: :class:`_MLPClassifierBase` (labels, probabilities) and
``ElasticNetMLPClassifier``, ``RidgeMLPClassifier``, ``LassoMLPClassifier``."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d

from .._compat import (
    CLASS_WEIGHT_CONSTRAINT,
    CLASS_WEIGHT_DOC,
    fit_context,
    with_class_weight,
)
from .._kernels import mlp as _mlp
from .._validation import check_weighted_classes, class_weighted
from ._base import _BaseMLP, _stochastic
from ._docs import _CLASSES_DOC, _CLF_LOSS, _EXAMPLE, _FIXED_NOTE, _L1_DOC, _doc
from ._params import _EN_CONSTRAINTS, _common_constraints, _init_elastic_net, _init_fixed_ratio


class _MLPClassifierBase(ClassifierMixin, _BaseMLP):
    def _targets(self, y, first, classes=None):
        if np.ndim(y) == 2 and np.shape(y)[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        kind = type_of_target(y)
        if first:
            if kind == "multilabel-indicator":
                self.classes_ = np.arange(y.shape[1])
            else:
                if classes is not None:
                    self.classes_ = np.unique(np.asarray(classes))
                else:
                    self.classes_ = np.unique(y)
                if len(self.classes_) < 2:
                    raise ValueError(
                        f"The classifier needs samples of at least 2 classes; got "
                        f"{len(self.classes_)} class: {self.classes_.tolist()}."
                    )
            self._label_kind = kind if kind == "multilabel-indicator" else "single"
        if self._label_kind == "multilabel-indicator":
            if y.ndim != 2 or y.shape[1] != len(self.classes_):
                raise ValueError("y must be a multilabel indicator with the fitted labels.")
            self._out_code = _mlp.LOGISTIC_LOSS
            return np.asarray(y, dtype=np.float64)
        if np.ndim(y) != 1:
            raise ValueError(f"y has shape {np.shape(y)}; expected 1d labels.")
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels not seen in the first fit / given in classes: "
                f"{unseen.tolist()} (known: {self.classes_.tolist()})."
            )
        idx = np.searchsorted(self.classes_, y)
        if len(self.classes_) == 2:
            self._out_code = _mlp.LOGISTIC_LOSS
            return idx.astype(np.float64)[:, None]
        self._out_code = _mlp.MULTINOMIAL_LOSS
        return np.eye(len(self.classes_))[idx]

    def _check_weighted_targets(self, y, sw) -> None:
        if self._label_kind == "single":
            check_weighted_classes(y, sw)

    def _stratify(self, y) -> bool:
        return self._label_kind == "single"

    def _score_val(self, Y, Z, s) -> float:
        if self._out_code == _mlp.MULTINOMIAL_LOSS:
            return float(accuracy_score(np.argmax(Y, 1), np.argmax(Z, 1), sample_weight=s))
        return float(accuracy_score(Y, (Z > 0).astype(Y.dtype), sample_weight=s))

    @fit_context
    def fit(self, X, y, sample_weight=None):
        """Train on ``(X, y)`` for up to ``max_iter`` epochs.

        ``y``: labels (binary or multiclass) or a multilabel indicator matrix.
        """
        sample_weight = class_weighted(self.class_weight, y, sample_weight)
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(_stochastic)
    @fit_context
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over ``(X, y)``; ``classes`` (all labels) is required on the first call."""
        if not hasattr(self, "coefs_"):
            if classes is None and type_of_target(y) != "multilabel-indicator":
                raise ValueError("classes must be passed on the first call to partial_fit.")
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes of the "
                f"first call, {self.classes_.tolist()}."
            )
        known = classes if classes is not None else getattr(self, "classes_", None)
        sample_weight = class_weighted(self.class_weight, y, sample_weight, known, partial=True)
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def decision_function(self, X):
        """Output-layer logits (one column for binary problems, as ``ravel``)."""
        Z = self._decision(X)
        return Z[:, 0] if Z.shape[1] == 1 and self._label_kind == "single" else Z

    def predict(self, X):
        Z = self._decision(X)
        if self._label_kind == "multilabel-indicator":
            return (Z > 0).astype(int)
        if Z.shape[1] == 1:
            return self.classes_[(Z[:, 0] > 0).astype(int)]
        return self.classes_[np.argmax(Z, axis=1)]

    def predict_proba(self, X):
        """Class probabilities (sigmoid / softmax of the logits, computed stably)."""
        Z = self._decision(X)
        if self._label_kind == "multilabel-indicator":
            return expit(Z)
        if Z.shape[1] == 1:
            p = expit(Z[:, 0])
            return np.column_stack([1 - p, p])
        return softmax(Z, axis=1)

    def predict_log_proba(self, X):
        Z = self._decision(X)
        if self._label_kind == "multilabel-indicator":
            return log_expit(Z)
        if Z.shape[1] == 1:
            return np.column_stack([log_expit(-Z[:, 0]), log_expit(Z[:, 0])])
        return log_softmax(Z, axis=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class ElasticNetMLPClassifier(_MLPClassifierBase):
    __module__ = "skdecay.neural_network"  # the public path, also in saved models
    __init__ = with_class_weight(_init_elastic_net)
    _parameter_constraints = {**_EN_CONSTRAINTS, **CLASS_WEIGHT_CONSTRAINT}


class RidgeMLPClassifier(_MLPClassifierBase):
    __module__ = "skdecay.neural_network"  # the public path, also in saved models
    __init__ = with_class_weight(_init_fixed_ratio)
    _parameter_constraints = {**_common_constraints(), **CLASS_WEIGHT_CONSTRAINT}
    _fixed_l1_ratio = 0.0


class LassoMLPClassifier(_MLPClassifierBase):
    __module__ = "skdecay.neural_network"  # the public path, also in saved models
    __init__ = with_class_weight(_init_fixed_ratio)
    _parameter_constraints = {**_common_constraints(), **CLASS_WEIGHT_CONSTRAINT}
    _fixed_l1_ratio = 1.0


ElasticNetMLPClassifier.__doc__ = _doc(
    "Multilayer perceptron classifier with an elastic-net weight penalty.",
    _CLF_LOSS,
    _L1_DOC + CLASS_WEIGHT_DOC,
    _CLASSES_DOC,
)
RidgeMLPClassifier.__doc__ = _doc(
    "Multilayer perceptron classifier with an L2 (ridge / weight decay) penalty.",
    _CLF_LOSS + _FIXED_NOTE.format(0, "weights shrink, rarely to zero"),
    CLASS_WEIGHT_DOC,
    _CLASSES_DOC,
)
LassoMLPClassifier.__doc__ = _doc(
    "Multilayer perceptron classifier with an L1 (lasso) penalty: exact zeros.",
    _CLF_LOSS + _FIXED_NOTE.format(1, "proximal steps set weights exactly to zero"),
    CLASS_WEIGHT_DOC,
    _CLASSES_DOC,
    _EXAMPLE,
)
