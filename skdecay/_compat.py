"""The only place skdecay touches scikit-learn's private API, and the small
pieces every estimator shares to look like a scikit-learn estimator.

Parameter validation (``_parameter_constraints`` with ``Interval`` /
``StrOptions``, run by ``_fit_context``) and the "is metadata routing on?"
switch have no public equivalent in scikit-learn 1.9; if these move, only this
module changes.
"""

import functools
import inspect
from numbers import Integral, Real

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metadata_routing import _routing_enabled

__all__ = [
    "Integral",
    "Interval",
    "Real",
    "StrOptions",
    "fit_context",
    "routing_enabled",
    "scorer_with_labels",
    "CLASS_WEIGHT_CONSTRAINT",
    "CLASS_WEIGHT_DOC",
    "with_class_weight",
    "with_keyword",
    "DocLinkMixin",
    "DOC_LINK_TEMPLATE",
]

#: Where the API page of each public estimator lives (sphinx autosummary layout).
DOC_LINK_TEMPLATE = (
    "https://skdecay.readthedocs.io/en/latest/generated/skdecay.{estimator_name}.html"
)


def fit_context(func):
    """Validate ``_parameter_constraints`` before ``fit`` (scikit-learn's decorator)."""
    return _fit_context(prefer_skip_nested_validation=True)(func)


def routing_enabled() -> bool:
    """Whether ``sklearn.set_config(enable_metadata_routing=True)`` is in effect."""
    return bool(_routing_enabled())


class DocLinkMixin:
    """The "?" link of the HTML repr points to skdecay's API page (scikit-learn
    reads ``_doc_link_module`` / ``_doc_link_template``)."""

    _doc_link_module = "skdecay"
    _doc_link_template = DOC_LINK_TEMPLATE


def scorer_with_labels(scoring, classes):
    """The scorer of ``scoring`` told every class label, as ``LogisticRegressionCV``
    does: a held-out fold may lack a class, and metrics that infer the labels
    from ``y_true`` (``log_loss``, ``brier_score_loss``) would fail or misread the
    probability columns.  Scorers whose metric takes no ``labels`` (and user
    callables) are returned unchanged.
    """
    from sklearn.metrics import get_scorer, make_scorer  # only CV fits need it

    scorer = get_scorer(scoring)
    func = getattr(scorer, "_score_func", None)
    if func is None:
        return scorer
    params = inspect.signature(func).parameters
    if "labels" not in params:
        return scorer
    kwargs = dict(getattr(scorer, "_kwargs", {}))
    kwargs["labels"] = classes
    if len(classes) == 2 and "pos_label" in params:
        kwargs.setdefault("pos_label", classes[-1])
    return make_scorer(
        func,
        greater_is_better=scorer._sign == 1,
        response_method=scorer._response_method,
        **kwargs,
    )


CLASS_WEIGHT_CONSTRAINT = {"class_weight": [dict, StrOptions({"balanced"}), None]}
CLASS_WEIGHT_DOC = """    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplying ``sample_weight`` (the semantics of
        scikit-learn's ``LogisticRegression``): a dict ``{label: weight}``
        (missing labels weigh 1) or ``"balanced"``, ``n_samples / (n_classes *
        np.bincount(y))`` counted with ``sample_weight``.  ``partial_fit``
        accepts dicts only.  Not for multilabel targets.
"""


def with_keyword(init, name: str, default):
    """``init`` (an estimator ``__init__``) with one more keyword, ``name=default``.

    For estimators that share their ``__init__`` with a sibling (the MLP
    classifiers' ``class_weight``, the MLP regressors' ``loss``): the returned
    function stores the keyword and calls ``init``; its ``__signature__`` lists
    every parameter by name (no ``**kwargs``), so ``get_params``, ``clone`` and the
    estimator checks see it like any other parameter.
    """
    sig = inspect.signature(init)
    extra = inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default)

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        value = kwargs.pop(name, default)
        init(self, *args, **kwargs)
        setattr(self, name, value)

    __init__.__signature__ = sig.replace(parameters=[*sig.parameters.values(), extra])
    return __init__


def with_class_weight(init):
    """``init`` with ``class_weight=None`` (:func:`with_keyword`)."""
    return with_keyword(init, "class_weight", None)
