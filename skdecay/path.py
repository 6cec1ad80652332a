"""Regularization paths: the largest useful ``alpha`` (more to come: grids, warm-started paths)."""

from __future__ import annotations

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_consistent_length

from . import losses
from .linear_model import _problem
from .solvers import problem_alpha_max

__all__ = ["alpha_max"]


def alpha_max(
    X,
    y,
    *,
    l1_ratio: float = 1.0,
    loss: str = "squared",
    fit_intercept: bool = True,
    sample_weight=None,
    penalty_factor=None,
    positive: bool = False,
) -> float:
    """Smallest ``alpha`` at which every penalised coefficient is exactly zero.

    For the objectives of :class:`~skdecay.ElasticNetRegressor` (``loss="squared"``)
    and :class:`~skdecay.ElasticNetClassifier` (``loss="logistic"``; multinomial
    when ``y`` has more than two classes)::

        alpha_max = max_j |grad_j| / (l1_ratio * penalty_factor_j)

    where ``grad`` is the gradient of the data term at zero coefficients, with
    the intercept and unpenalised features at their optimum (closed form for
    the intercept alone).  ``inf`` when ``l1_ratio = 0`` (ridge never zeroes).
    For :class:`~skdecay.RidgeRegressor`'s convention multiply by ``sum(s)``.
    """
    if loss not in ("squared", "logistic"):
        raise ValueError(f"loss must be 'squared' or 'logistic', got {loss!r}.")
    if not 0 <= l1_ratio <= 1:
        raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio!r}.")
    X = check_array(X, accept_sparse="csc", dtype=[np.float64, np.float32], order="F")
    y = np.asarray(y)
    check_consistent_length(X, y)
    if loss == "squared":
        Y, code = np.asarray(y, dtype=X.dtype).reshape(-1, 1), losses.SQUARED
    else:
        check_classification_targets(y)
        classes, codes = np.unique(y, return_inverse=True)
        if classes.size == 2:
            Y, code = codes[:, None], losses.LOGISTIC
        else:
            Y, code = np.eye(classes.size)[codes], losses.MULTINOMIAL
    pb, _ = _problem(
        X, Y, sample_weight, code, 1.0, l1_ratio, penalty_factor, positive, fit_intercept
    )
    return problem_alpha_max(pb)
