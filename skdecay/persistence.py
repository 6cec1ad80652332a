"""Persistence: version records of saved models and the types a skops file may contain.

Every skdecay estimator records the skdecay version in its saved state
(:class:`VersionedMixin`, pickle, joblib and skops alike); loading a model saved
by another version emits :class:`InconsistentVersionWarning` (a subclass of
scikit-learn's, so one filter silences both).  :func:`version_skew` lists the
estimators of a loaded model (pipelines and meta-estimators included) that
another version saved.

Fitted skdecay estimators hold only plain numpy arrays, lists, dicts and
scalars, so ``skops.io`` can store them; on loading, skops refuses every type
it does not trust by default, which includes our estimator classes and the
public helper types a parameter can hold (:class:`~skdecay.ColumnGroups` as
``groups=``).  :func:`trusted_types` lists exactly those classes, nothing else::

    import skops.io as sio
    import skdecay

    sio.dump(model, "model.skops")
    model = sio.load("model.skops", trusted=skdecay.trusted_types())

skops is optional (``pip install skdecay[persist]``); this module does not import it.
"""

from __future__ import annotations

import warnings

from sklearn.exceptions import InconsistentVersionWarning as _SklearnVersionWarning

__all__ = ["InconsistentVersionWarning", "VersionedMixin", "trusted_types", "version_skew"]

#: the state key holding the skdecay version that saved an estimator
VERSION_KEY = "_skdecay_version"
#: what a state saved before versions were recorded reports
UNKNOWN_VERSION = "unknown (before 0.1.0)"


def running_version() -> str:
    from . import __version__

    return __version__


class InconsistentVersionWarning(_SklearnVersionWarning):
    """A skdecay estimator was loaded from a file another skdecay version saved.

    Subclass of :class:`sklearn.exceptions.InconsistentVersionWarning`; its
    ``original_sklearn_version`` and ``current_sklearn_version`` attributes hold
    the *skdecay* versions (as ``original_version`` and ``current_version``).
    """

    def __init__(self, *, estimator_name: str, current_version: str, original_version: str):
        super().__init__(
            estimator_name=estimator_name,
            current_sklearn_version=current_version,
            original_sklearn_version=original_version,
        )
        self.current_version = current_version
        self.original_version = original_version

    def __str__(self) -> str:
        return (
            f"Loading {self.estimator_name} saved by skdecay {self.original_version} "
            f"with skdecay {self.current_version}: the model may fail or give different "
            "results. Refit it with this version (or install the one that saved it)."
        )


class VersionedMixin:
    """Records the skdecay version in the saved state; warns when another loads it.

    Put it before :class:`sklearn.base.BaseEstimator` in the bases.  The loaded
    estimator keeps the version that saved it as ``_skdecay_version``.
    """

    def __getstate__(self):
        state = super().__getstate__()
        return dict(state.items(), **{VERSION_KEY: running_version()})

    def __setstate__(self, state):
        saved = state.get(VERSION_KEY, UNKNOWN_VERSION)
        current = running_version()
        if saved != current:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_version=current,
                    original_version=saved,
                ),
                stacklevel=2,
            )
        super().__setstate__(dict(state.items(), **{VERSION_KEY: saved}))


def version_skew(model) -> list[tuple[str, str]]:
    """``(estimator class name, skdecay version that saved it)`` for every skdecay
    estimator in ``model`` (itself, pipeline steps, nested parameters) saved by a
    version other than the running one.  Empty for a model fitted in this session."""
    from sklearn.base import BaseEstimator

    current, out, seen = running_version(), [], set()

    def visit(obj):
        if id(obj) in seen or not isinstance(obj, BaseEstimator):
            return
        seen.add(id(obj))
        if isinstance(obj, VersionedMixin):
            saved = obj.__dict__.get(VERSION_KEY, current)
            if saved != current:
                out.append((type(obj).__name__, saved))
        for value in list(obj.get_params(deep=False).values()) + list(vars(obj).values()):
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                visit(item[-1] if isinstance(item, tuple) and item else item)

    visit(model)
    return out


#: public skdecay classes that are not estimators but can be a parameter's value
#: (and so sit inside a saved estimator): plain data holders, safe to rebuild
PARAMETER_TYPES = ("ColumnGroups",)


def trusted_types() -> list[str]:
    """Fully qualified names of skdecay's public estimator classes and of the
    public helper types their parameters can hold.

    Pass the list as ``trusted=`` to ``skops.io.load`` (or check it against
    ``skops.io.get_untrusted_types(file=...)``) to load a skdecay model saved
    with ``skops.io.dump``.  Only our own classes are listed: the estimators
    and the parameter values :data:`PARAMETER_TYPES` (``groups=ColumnGroups(...)``).
    A file that also needs other untrusted types still fails to load.

    Returns
    -------
    list of str
        Sorted ``"module.ClassName"`` strings.
    """
    from sklearn.base import BaseEstimator

    import skdecay

    names = []
    for public in skdecay.__all__:
        obj = getattr(skdecay, public)
        if isinstance(obj, type) and (issubclass(obj, BaseEstimator) or public in PARAMETER_TYPES):
            names.append(f"{obj.__module__}.{obj.__qualname__}")
    return sorted(names)
