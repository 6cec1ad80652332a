"""What the regressors with a ``loss`` share: the Tweedie power of a deviance, the
mean prediction and the D² score.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import d2_tweedie_score, r2_score

from .. import losses
from .._validation import (
    check_offset,
)


def deviance_power(loss: str, power: float) -> float:
    """The Tweedie power whose deviance is ``loss``'s: 0 squared error (the deviance
    is the squared error, D² is R²), 1 Poisson, 2 Gamma, ``power`` Tweedie."""
    return {"squared_error": 0.0, "poisson": 1.0, "gamma": 2.0}.get(loss, float(power))


class GLMRegressorBase(RegressorMixin):
    """What the regressors with a ``loss`` share: the loss entry, the mean
    prediction (inverse link of the linear predictor plus an optional offset),
    the D² score and the target tags."""

    def _loss_entry(self) -> losses.Loss:
        return losses.get_loss(self.loss, power=self.power)

    def predict(self, X, offset=None):
        """The predicted mean ``mu = link^-1(X @ coef_ + intercept_ + offset)``.

        ``exp`` of the linear predictor for ``loss="poisson"``, ``"gamma"`` and
        ``"tweedie"`` (log link), the linear predictor itself for the squared
        error; in the dtype of the fitted coefficients.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        offset : array-like of shape (n_samples,), default=None
            Added to the linear predictor, as in :meth:`fit` (e.g. the log of
            each row's exposure: the prediction is then the expected count of
            the row rather than the rate per unit exposure).  ``None`` is 0.
            With metadata routing, request it with ``set_predict_request(offset=True)``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            2-D when ``coef_`` has one row per target (fitted on 2-D ``y``).
        """
        Z = self._decision(X)
        off = check_offset(offset, Z.shape[0], Z.dtype)
        if off is not None:
            Z = Z + (off if Z.ndim == 1 else off[:, None])
        if self.loss == "squared_error":
            return Z
        return np.exp(Z)

    def score(self, X, y, sample_weight=None, offset=None):
        """D², the fraction of deviance explained, of :meth:`predict` on ``(X, y)``.

        :func:`sklearn.metrics.d2_tweedie_score` with the loss's power (0 for
        the squared error, where D² is R², 1 Poisson, 2 Gamma, ``power`` for
        Tweedie), as scikit-learn's GLM regressors score.  1 is a perfect fit, 0
        the constant mean.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            2-D for a multi-output fit: R² averaged over the targets.
        sample_weight : array-like of shape (n_samples,), default=None
        offset : array-like of shape (n_samples,), default=None
            Passed to :meth:`predict`.  With metadata routing, request it with
            ``set_score_request(offset=True)``.

        Returns
        -------
        score : float
        """
        pred = self.predict(X, offset=offset)
        if self.loss == "squared_error":
            return float(r2_score(y, pred, sample_weight=sample_weight))
        y = np.asarray(y, dtype=np.float64)
        self._loss_entry().check_y(y)
        power = deviance_power(self.loss, self.power)
        return float(d2_tweedie_score(y, pred, sample_weight=sample_weight, power=power))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # the GLM deviances need y >= 0 (Poisson, Tweedie) or y > 0 (Gamma)
        tags.target_tags.positive_only = self.loss != "squared_error"
        return tags
