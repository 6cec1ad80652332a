"""All-or-nothing fits: the fitted state of an estimator changes only when a fit ends.

:func:`atomic_fit` decorates ``fit``.  It snapshots the estimator's attributes
(a shallow copy of ``__dict__``: fitted arrays are replaced by a fit, never
written in place) and restores them if the fit raises or is interrupted
(``KeyboardInterrupt`` included), so an estimator keeps its previous fitted
state, or stays unfitted, instead of mixing the new ``n_features_in_`` with the
old ``coef_``.  A second thread calling ``fit`` on the same instance while a fit
runs gets a :class:`RuntimeError` at once (fit a clone per thread instead); a fit
that calls ``fit`` of the same instance again in its own thread is allowed.
"""

from __future__ import annotations

import functools
import threading

__all__ = ["atomic_fit"]

_LOCK = threading.Lock()
_RUNNING: dict[int, tuple[int, int]] = {}  # id(estimator) -> (thread id, depth)


def _enter(est) -> None:
    me = threading.get_ident()
    with _LOCK:
        owner, depth = _RUNNING.get(id(est), (me, 0))
        if owner != me:
            raise RuntimeError(
                f"{type(est).__name__}.fit is already running on this instance in another "
                "thread; concurrent fits of one instance are not supported (the second "
                "would overwrite the first's state halfway). Fit a clone per thread: "
                "sklearn.base.clone(estimator)."
            )
        _RUNNING[id(est)] = (me, depth + 1)


def _leave(est) -> None:
    with _LOCK:
        owner, depth = _RUNNING[id(est)]
        if depth == 1:
            del _RUNNING[id(est)]
        else:
            _RUNNING[id(est)] = (owner, depth - 1)


def atomic_fit(fit):
    """Decorate ``fit``: previous state restored on any exception; one thread at a time."""

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        _enter(self)
        try:
            saved = self.__dict__.copy()
            try:
                return fit(self, *args, **kwargs)
            except BaseException:
                self.__dict__.clear()
                self.__dict__.update(saved)
                raise
        finally:
            _leave(self)

    return wrapper
