"""Secure persistence: the types a skops file of a skdecay model may contain.

Fitted skdecay estimators hold only plain numpy arrays, lists, dicts and
scalars, so ``skops.io`` can store them; on loading, skops refuses every type
it does not trust by default, which includes our estimator classes.
:func:`trusted_types` lists exactly those classes, nothing else::

    import skops.io as sio
    import skdecay

    sio.dump(model, "model.skops")
    model = sio.load("model.skops", trusted=skdecay.trusted_types())

skops is optional (``pip install skdecay[persist]``); this module does not import it.
"""

from __future__ import annotations

__all__ = ["trusted_types"]


def trusted_types() -> list[str]:
    """Fully qualified names of skdecay's public estimator classes.

    Pass the list as ``trusted=`` to ``skops.io.load`` (or check it against
    ``skops.io.get_untrusted_types(file=...)``) to load a skdecay model saved
    with ``skops.io.dump``.  Only our own estimator classes are listed: a file
    that also needs other untrusted types still fails to load.

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
        if isinstance(obj, type) and issubclass(obj, BaseEstimator):
            names.append(f"{obj.__module__}.{obj.__qualname__}")
    return sorted(names)
