"""The only place skdecay touches scikit-learn's private API.

Parameter validation (``_parameter_constraints`` with ``Interval`` /
``StrOptions``, run by ``_fit_context``) has no public equivalent in
scikit-learn 1.9; if these move, only this module changes.
"""

from numbers import Integral, Real

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

__all__ = ["Integral", "Interval", "Real", "StrOptions", "fit_context"]


def fit_context(func):
    """Validate ``_parameter_constraints`` before ``fit`` (scikit-learn's decorator)."""
    return _fit_context(prefer_skip_nested_validation=True)(func)
