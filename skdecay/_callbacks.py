"""scikit-learn's callback API (``sklearn.callback``, experimental in 1.9) for skdecay.

Estimators inherit :class:`CallbackSupportMixin` (``set_callbacks``) and report
their tasks through the helpers below: a fit is the root task; a CV fit has one
subtask per ``(l1_ratio, fold)`` path, each with one leaf per ``alpha``, plus
the refit; an MLP fit has one leaf per epoch.  ``ProgressBar`` draws those
tasks and ``ScoringMonitor`` scores the estimator a task leaves behind
(``reconstruction_attributes`` are built only when a callback asks for them).

With no callback set (and no meta-estimator propagating one) every helper is
a no-op on :data:`NO_CONTEXT`, so plain fits pay nothing.  With a scikit-learn
that has no ``sklearn.callback`` (< 1.9) the mixin is empty and callbacks are
unavailable.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin

    HAVE_CALLBACKS = True
except ImportError:  # pragma: no cover - older scikit-learn

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Placeholder: this scikit-learn has no callback API."""

    HAVE_CALLBACKS = False

__all__ = [
    "CallbackSupportMixin",
    "HAVE_CALLBACKS",
    "NO_CONTEXT",
    "begin_fit",
    "end_fit",
    "leaf_task",
    "epoch_task",
    "metadata",
]


class _NoContext:
    """Stands for a ``CallbackContext`` when no callback listens."""

    def subcontext(self, *args, **kwargs) -> _NoContext:
        return self

    def call_on_fit_task_begin(self, **kwargs) -> _NoContext:
        return self

    def call_on_fit_task_end(self, **kwargs) -> bool:
        return False

    def propagate_callback_context(self, sub_estimator):
        return nullcontext()

    def __bool__(self) -> bool:
        return False


NO_CONTEXT = _NoContext()


def _listening(estimator) -> bool:
    return HAVE_CALLBACKS and (
        bool(getattr(estimator, "_skl_callbacks", None))
        or hasattr(estimator, "_parent_callback_ctx")
    )


def metadata(sample_weight) -> dict:
    return {} if sample_weight is None else {"sample_weight": sample_weight}


def begin_fit(estimator, *, max_subtasks=0, sequential_subtasks=True, X=None, y=None, sw=None):
    """The root context of ``estimator``'s fit, its begin hook called (or
    :data:`NO_CONTEXT`).  ``max_subtasks``: ``0`` for a leaf, ``None`` if unknown.
    The teardown is scikit-learn's ``_fit_context`` (which wraps every ``fit``)."""
    if not _listening(estimator):
        return NO_CONTEXT
    ctx = estimator._init_callback_context(
        max_subtasks=max_subtasks, sequential_subtasks=sequential_subtasks
    )
    ctx.call_on_fit_task_begin(estimator=estimator, X=X, y=y, metadata=metadata(sw))
    return ctx


def end_fit(ctx, estimator, *, X=None, y=None, sw=None) -> None:
    """The root task's end hook: ``estimator`` is fitted by now."""
    if ctx:
        ctx.call_on_fit_task_end(
            estimator=estimator, X=X, y=y, metadata=metadata(sw), reconstruction_attributes={}
        )


def leaf_task(
    parent, estimator, name: str, attrs: Callable[[], dict], *, X=None, y=None, sw=None
) -> bool:
    """One finished leaf task under ``parent`` (an alpha of a path, an epoch):
    begin and end hooks; ``attrs()`` gives the fitted attributes at that point.
    Returns whether a callback asked to stop."""
    if not parent:
        return False
    ctx = parent.subcontext(task_name=name)
    md = metadata(sw)
    ctx.call_on_fit_task_begin(estimator=estimator, X=X, y=y, metadata=md)
    return bool(
        ctx.call_on_fit_task_end(
            estimator=estimator, X=X, y=y, metadata=md, reconstruction_attributes=attrs
        )
    )


def epoch_task(estimator, params, layout, X, y, epoch: int) -> bool:
    """One finished epoch (number ``epoch`` of this fit) of an MLP fit (a leaf under
    the fit's root context): the weights of that epoch are what a callback's
    ``fitted_estimator`` holds.  Returns whether a callback asked to stop."""
    parent = getattr(estimator, "_callback_fit_ctx", None)
    if parent is None:
        return False
    from .network import unpack

    def attrs():
        coefs, intercepts = unpack(params.copy(), layout)
        return {"coefs_": list(coefs), "intercepts_": list(intercepts)}

    return leaf_task(parent, estimator, f"epoch {epoch}", attrs, X=X, y=y)
