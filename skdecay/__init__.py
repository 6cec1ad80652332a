"""skdecay: weight-regularised estimators with a scikit-learn API."""

from .linear_model import (
    ElasticNetClassifier,
    ElasticNetRegressor,
    LassoRegressor,
    RidgeRegressor,
)
from .model_selection import ElasticNetClassifierCV, ElasticNetRegressorCV
from .neural_network import (
    ElasticNetMLPClassifier,
    ElasticNetMLPRegressor,
    LassoMLPClassifier,
    LassoMLPRegressor,
    RidgeMLPClassifier,
    RidgeMLPRegressor,
)
from .path import alpha_grid, alpha_max, enet_path, logistic_path
from .persistence import trusted_types

__version__ = "0.1.0"

__all__ = [
    "ElasticNetClassifier",
    "ElasticNetRegressor",
    "LassoRegressor",
    "RidgeRegressor",
    "alpha_max",
    "alpha_grid",
    "enet_path",
    "logistic_path",
    "ElasticNetRegressorCV",
    "ElasticNetClassifierCV",
    "ElasticNetMLPClassifier",
    "ElasticNetMLPRegressor",
    "LassoMLPClassifier",
    "LassoMLPRegressor",
    "RidgeMLPClassifier",
    "RidgeMLPRegressor",
    "trusted_types",
    "__version__",
]
