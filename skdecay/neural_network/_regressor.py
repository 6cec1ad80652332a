"""The MLP regressors: :class:`_MLPRegressorBase` (squared error or Poisson loss) and
``ElasticNetMLPRegressor``, ``RidgeMLPRegressor``, ``LassoMLPRegressor``."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if

from .._compat import (
    fit_context,
    with_keyword,
)
from .._kernels import mlp as _mlp
from ._base import _BaseMLP, _stochastic
from ._docs import _FIXED_NOTE, _L1_DOC, _LOSS_DOC, _REG_LOSS, _doc
from ._params import (
    _EN_CONSTRAINTS,
    _LOSS_CONSTRAINT,
    _common_constraints,
    _init_elastic_net,
    _init_fixed_ratio,
)


class _MLPRegressorBase(RegressorMixin, _BaseMLP):
    def _targets(self, y, first, classes=None):
        y = np.asarray(y, dtype=np.float64)
        if self.loss == "poisson":
            if np.any(y < 0):
                raise ValueError(
                    "Some value(s) of y are negative, which is not allowed for "
                    "loss='poisson' (counts, rates, amounts >= 0)."
                )
            self._out_code = _mlp.POISSON_LOSS
        else:
            self._out_code = _mlp.SQUARED_LOSS
        if first:
            self._y_1d = y.ndim == 1
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if not first and Y.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[1]} outputs; the model has {self.n_outputs_}.")
        return Y

    def _score_val(self, Y, Z, s) -> float:
        if self._out_code == _mlp.POISSON_LOSS:
            Z = np.exp(Z)
        return float(r2_score(Y, Z, sample_weight=s))

    @fit_context
    def fit(self, X, y, sample_weight=None):
        """Train on ``(X, y)`` (``y`` of shape (n,) or (n, n_outputs)) for up to ``max_iter``
        epochs."""
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(_stochastic)
    @fit_context
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``(X, y)``."""
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predictions: the network's output (``exp`` of it with ``loss="poisson"``)."""
        Z = self._decision(X)
        if self.out_activation_ == "exp":
            with np.errstate(over="ignore"):
                Z = np.exp(Z)
        return Z[:, 0] if self._y_1d else Z

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class ElasticNetMLPRegressor(_MLPRegressorBase):
    __module__ = "skdecay.neural_network"  # the public path, also in saved models
    __init__ = with_keyword(_init_elastic_net, "loss", "squared_error")
    _parameter_constraints = {**_EN_CONSTRAINTS, **_LOSS_CONSTRAINT}


class RidgeMLPRegressor(_MLPRegressorBase):
    __module__ = "skdecay.neural_network"  # the public path, also in saved models
    __init__ = with_keyword(_init_fixed_ratio, "loss", "squared_error")
    _parameter_constraints = {**_common_constraints(), **_LOSS_CONSTRAINT}
    _fixed_l1_ratio = 0.0


class LassoMLPRegressor(_MLPRegressorBase):
    __module__ = "skdecay.neural_network"  # the public path, also in saved models
    __init__ = with_keyword(_init_fixed_ratio, "loss", "squared_error")
    _parameter_constraints = {**_common_constraints(), **_LOSS_CONSTRAINT}
    _fixed_l1_ratio = 1.0


ElasticNetMLPRegressor.__doc__ = _doc(
    "Multilayer perceptron regressor with an elastic-net weight penalty.",
    _REG_LOSS,
    _LOSS_DOC + _L1_DOC,
)
RidgeMLPRegressor.__doc__ = _doc(
    "Multilayer perceptron regressor with an L2 (ridge / weight decay) penalty.",
    _REG_LOSS + _FIXED_NOTE.format(0, "weights shrink, rarely to zero"),
    _LOSS_DOC,
)
LassoMLPRegressor.__doc__ = _doc(
    "Multilayer perceptron regressor with an L1 (lasso) penalty: exact zeros.",
    _REG_LOSS + _FIXED_NOTE.format(1, "proximal steps set weights exactly to zero"),
    _LOSS_DOC,
)
