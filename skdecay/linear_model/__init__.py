"""Elastic-net linear models: regressors (CD) and a logistic classifier (prox-Newton).

Every estimator validates once, builds a :class:`~skdecay.solvers.Problem`
and hands it to :func:`skdecay.solvers.solve`; the fitted attributes come
from the solver's result.  Sample weights are rescaled to sum to
``n_samples`` (as scikit-learn does), so integer weights equal repeated rows.

Layout: :mod:`._base` (parameter constraints, the fit machinery every model shares,
the sparse-group hook), :mod:`._glm` (mean prediction and D² of the regressors with
a ``loss``), :mod:`._regressor` (:class:`ElasticNetRegressor`, :class:`LassoRegressor`),
:mod:`._ridge` (:class:`RidgeRegressor`), :mod:`._classifier` (:class:`ElasticNetClassifier`).
"""

from ._base import REGRESSION_LOSSES  # noqa: F401 (cli)
from ._classifier import ElasticNetClassifier
from ._glm import deviance_power  # noqa: F401 (cli)
from ._regressor import ElasticNetRegressor, LassoRegressor
from ._ridge import RidgeRegressor

__all__ = [
    "ElasticNetRegressor",
    "LassoRegressor",
    "RidgeRegressor",
    "ElasticNetClassifier",
]
