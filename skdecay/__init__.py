"""skdecay: weight-regularised estimators with a scikit-learn API.

Public names are loaded on first use (PEP 562): ``import skdecay`` imports
neither scikit-learn nor numba, and ``skdecay.ElasticNetRegressor`` (or
``from skdecay import ElasticNetRegressor``) imports only the module that
defines it.  Public submodules (``skdecay.path``, ``skdecay.plotting``, ...)
load the same way.
"""

from typing import TYPE_CHECKING

__version__ = "0.1.0"

#: public name -> the submodule that defines it
_LAZY = {
    "ElasticNetClassifier": "linear_model",
    "ElasticNetRegressor": "linear_model",
    "LassoRegressor": "linear_model",
    "RidgeRegressor": "linear_model",
    "alpha_max": "path",
    "alpha_grid": "path",
    "enet_path": "path",
    "logistic_path": "path",
    "estimator_path": "_estimator_path",
    "estimator_path_params": "_estimator_path",
    "ColumnGroups": "_groups",
    "groups_from_feature_names": "_groups",
    "ElasticNetRegressorCV": "model_selection",
    "ElasticNetClassifierCV": "model_selection",
    "MultiTaskElasticNetRegressor": "multitask",
    "MultiTaskElasticNetRegressorCV": "multitask",
    "multitask_enet_path": "multitask",
    "ElasticNetMLPClassifier": "neural_network",
    "ElasticNetMLPRegressor": "neural_network",
    "LassoMLPClassifier": "neural_network",
    "LassoMLPRegressor": "neural_network",
    "RidgeMLPClassifier": "neural_network",
    "RidgeMLPRegressor": "neural_network",
    "trusted_types": "persistence",
    "to_onnx": "_onnx",
    "register_onnx_converters": "_onnx",
}
_SUBMODULES = frozenset(
    {
        "cli",
        "linear_model",
        "losses",
        "model_selection",
        "multitask",
        "network",
        "neural_network",
        "optim",
        "path",
        "penalties",
        "persistence",
        "plotting",
        "solvers",
    }
)

__all__ = [
    "ElasticNetClassifier",
    "ElasticNetRegressor",
    "LassoRegressor",
    "RidgeRegressor",
    "alpha_max",
    "alpha_grid",
    "enet_path",
    "logistic_path",
    "estimator_path",
    "estimator_path_params",
    "ColumnGroups",
    "groups_from_feature_names",
    "ElasticNetRegressorCV",
    "ElasticNetClassifierCV",
    "MultiTaskElasticNetRegressor",
    "MultiTaskElasticNetRegressorCV",
    "multitask_enet_path",
    "ElasticNetMLPClassifier",
    "ElasticNetMLPRegressor",
    "LassoMLPClassifier",
    "LassoMLPRegressor",
    "RidgeMLPClassifier",
    "RidgeMLPRegressor",
    "trusted_types",
    "to_onnx",
    "register_onnx_converters",
    "__version__",
]

if TYPE_CHECKING:  # what static analysers and IDEs see
    from ._estimator_path import estimator_path, estimator_path_params
    from ._groups import ColumnGroups, groups_from_feature_names
    from ._onnx import register_onnx_converters, to_onnx
    from .linear_model import (
        ElasticNetClassifier,
        ElasticNetRegressor,
        LassoRegressor,
        RidgeRegressor,
    )
    from .model_selection import ElasticNetClassifierCV, ElasticNetRegressorCV
    from .multitask import (
        MultiTaskElasticNetRegressor,
        MultiTaskElasticNetRegressorCV,
        multitask_enet_path,
    )
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


def __getattr__(name: str):
    from importlib import import_module

    if name in _LAZY:
        value = getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    elif name in _SUBMODULES:
        value = import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, *_SUBMODULES})
