"""skdecay: weight-regularised estimators with a scikit-learn API."""

from .linear_model import (
    ElasticNetClassifier,
    ElasticNetRegressor,
    LassoRegressor,
    RidgeRegressor,
)
from .path import alpha_max

__version__ = "0.1.0"

__all__ = [
    "ElasticNetClassifier",
    "ElasticNetRegressor",
    "LassoRegressor",
    "RidgeRegressor",
    "alpha_max",
    "__version__",
]
